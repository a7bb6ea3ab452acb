import { randomUUID } from "node:crypto";
import type { DunningTracker } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { countContractAttemptsIn30Days } from "../attempts/attempt-history.server";
import { ShopifyTerminalError, ShopifyUnavailableError, type AdminApiClient } from "../shopify/admin-api-client.server";
import { ShopNotInstalledError } from "../shopify/admin-api-errors";
import { emailTheCustomer, emptyDunningTally, readContractOfTracker, sendRetry } from "./dunning-run.server";
import { decideNextStep, isOpenTracker, type DunningEvent } from "./next-step";
import { getDunningPolicy } from "./policy.server";
import { claimTracker, releaseTracker } from "./tracker-claims.server";
import { applyStep, trackerView } from "./tracker-changes.server";

// What a merchant can do on a tracker's page: retry now, stop dunning, send the
// payment-update email again. Each takes the tracker's lease as the cron does (a cron call
// at the same moment skips it, or this waits for the cron), checks that the tracker is
// still as the merchant saw it (a second click finds it changed), lets decideNextStep decide
// and applyStep write, and goes through the dunning pass's own functions: the same
// idempotency keys, the 30-day cap, the email interval. Every one is in the timeline.

export interface MerchantActionRequest {
  shop: string;
  trackerId: number;
  /** seenToken() of the tracker as the page showed it. */
  seen: string;
  /** The real clock (leases and the history run on it). */
  now: Date;
  clientForShop: (shop: string) => Promise<AdminApiClient>;
}

export type MerchantActionResult =
  /** `changed`: this request did it; false when it had been done already (a second click). */
  | { ok: true; changed: boolean; message: string }
  | { ok: false; status: 404 | 409 | 503; message: string };

/** Long enough for one contract read and one attempt, short enough that a crash frees it soon. */
const ACTION_LEASE_MS = 60_000;

const BUSY: MerchantActionResult = {
  ok: false,
  status: 409,
  message: "The billing run is working on this payment right now. Try again in a minute.",
};

/** Retry now: the next attempt is scheduled at once and sent in this request, through the cron's path. */
export function retryTrackerNow(request: MerchantActionRequest): Promise<MerchantActionResult> {
  return withTrackerLease(request, async (tracker, seen) => {
    if (seen && seen.attemptCount !== tracker.attemptCount) {
      return { ok: true, changed: false, message: `Retry ${tracker.attemptCount - 1} was already sent; its result is in the timeline.` };
    }
    const attemptsInLast30Days = await countContractAttemptsIn30Days(tracker.shop, tracker.contractId, request.now);
    const step = decideNextStep({ kind: "MERCHANT_RETRY_REQUESTED", at: request.now, attemptsInLast30Days }, trackerView(tracker));
    if (step.kind === "IGNORE") return { ok: true, changed: false, message: step.reason };
    const scheduled = await prisma().$transaction((tx) => applyStep(tx, tracker, tracker, step, { at: request.now }));
    if (!scheduled) return { ok: true, changed: false, message: "Nothing was retried: the payment changed meanwhile." };
    const tally = emptyDunningTally();
    try {
      // The cron's path for a due retry: the contract is read first (a contract paused or
      // cancelled elsewhere closes the tracker instead), then the attempt is recorded and sent.
      // An email the failure wanted is left to the cron: a retry that succeeds makes it moot.
      const client = await request.clientForShop(tracker.shop);
      const read = await readContractOfTracker(scheduled, client, request.now, tally);
      if (read) await sendRetry(read.tracker, client, request.now, tally);
    } catch (error) {
      // The retry stays scheduled for now: the next billing call sends it.
      return shopifyTrouble(error, "The retry goes out with the next billing run.");
    }
    if (tally.retriesSent > 0) return { ok: true, changed: true, message: "Retry sent to Shopify. Its result appears in the timeline within moments." };
    if (tally.closed > 0) return { ok: true, changed: true, message: "The contract changed in Shopify: dunning closed without charging." };
    return { ok: true, changed: true, message: "The retry could not be sent now; it goes out with the next billing run." };
  });
}

/** Stop dunning: the tracker closes as stopped; nothing more is retried, emailed or applied. */
export function stopTrackerDunning(request: MerchantActionRequest): Promise<MerchantActionResult> {
  return withTrackerLease(request, async (tracker) => {
    const step = decideNextStep({ kind: "MERCHANT_STOP_REQUESTED" }, trackerView(tracker));
    if (step.kind === "IGNORE") return { ok: true, changed: false, message: step.reason };
    await prisma().$transaction((tx) => applyStep(tx, tracker, tracker, step, { at: request.now }));
    return { ok: true, changed: true, message: "Dunning stopped for this payment." };
  });
}

/** Send the payment-update email again: within the interval it is refused, as the cron's is. */
export function resendPaymentUpdateEmail(request: MerchantActionRequest): Promise<MerchantActionResult> {
  return withTrackerLease(request, async (tracker, seen) => {
    if (seen && seen.emailsSent !== tracker.emailsSent) {
      return { ok: true, changed: false, message: "The payment-update email was already sent; see the timeline." };
    }
    const policy = await getDunningPolicy(tracker.shop);
    const ask = (hasPaymentMethod: boolean): Extract<DunningEvent, { kind: "MERCHANT_EMAIL_REQUESTED" }> => ({
      kind: "MERCHANT_EMAIL_REQUESTED",
      at: request.now,
      policy,
      hasPaymentMethod,
    });
    // Refused for what the app knows already (closed, within the interval): Shopify is not asked.
    const before = decideNextStep(ask(true), trackerView(tracker));
    if (before.kind === "IGNORE") return { ok: true, changed: false, message: before.reason };
    const tally = emptyDunningTally();
    try {
      const client = await request.clientForShop(tracker.shop);
      const read = await readContractOfTracker(tracker, client, request.now, tally);
      if (!read) return { ok: true, changed: true, message: "The contract changed in Shopify: dunning closed, and no email was sent." };
      const asked = ask(Boolean(read.contract.paymentMethodId));
      const { step, result } = await emailTheCustomer(read.tracker, read.contract, client, asked, request.now, tally);
      if (step.kind === "IGNORE") return { ok: true, changed: false, message: step.reason };
      if (result === "SENT") return { ok: true, changed: true, message: "Shopify emailed the customer a link to update their payment method." };
      if (result === "UNCONFIRMED") return { ok: true, changed: true, message: "Shopify did not confirm the email; it may have gone out, so it is not sent again for now." };
      return { ok: true, changed: true, message: "Shopify refused to send the email; the timeline says why." };
    } catch (error) {
      return shopifyTrouble(error, "No email was sent; try again later.");
    }
  });
}

/**
 * Runs `act` on the shop's tracker while holding its lease, with what the merchant saw.
 * A tracker held by a cron call answers 409; a closed one is handled by `act`'s decision
 * (a second "stop" finds the tracker stopped and changes nothing).
 */
async function withTrackerLease(
  request: MerchantActionRequest,
  act: (tracker: DunningTracker, seen: SeenTracker | undefined) => Promise<MerchantActionResult>,
): Promise<MerchantActionResult> {
  const found = await prisma().dunningTracker.findFirst({ where: { id: request.trackerId, shop: request.shop } });
  if (!found) return { ok: false, status: 404, message: "This shop has no such failed payment." };
  const seen = parseSeen(request.seen);
  if (!isOpenTracker(found.status)) return act(found, seen);
  const owner = `merchant:${randomUUID()}`;
  const claimed = await claimTracker(found.id, owner, new Date(), ACTION_LEASE_MS);
  if (!claimed) {
    const now = await prisma().dunningTracker.findUniqueOrThrow({ where: { id: found.id } });
    // Closed meanwhile (by a webhook or a cron call): the decision says so; held: busy.
    return isOpenTracker(now.status) ? BUSY : act(now, seen);
  }
  try {
    return await act(claimed, seen);
  } finally {
    await releaseTracker(found.id, owner);
  }
}

interface SeenTracker {
  status: string;
  attemptCount: number;
  emailsSent: number;
}

function parseSeen(text: string): SeenTracker | undefined {
  const match = /^([A-Z_]{1,40})\.(\d{1,6})\.(\d{1,6})$/.exec(text);
  return match ? { status: match[1], attemptCount: Number(match[2]), emailsSent: Number(match[3]) } : undefined;
}

function shopifyTrouble(error: unknown, then: string): MerchantActionResult {
  if (error instanceof ShopifyUnavailableError) return { ok: false, status: 503, message: `Shopify did not answer. ${then}` };
  // shopify-app-remix throws a Response when the shop's offline token cannot be refreshed.
  if (error instanceof ShopifyTerminalError || error instanceof ShopNotInstalledError || error instanceof Response) {
    return { ok: false, status: 503, message: `Shopify refused the app's requests for this shop. ${then}` };
  }
  throw error;
}
