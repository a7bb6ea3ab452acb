import { findAttemptOfCycle, findLatestOpenAcceptedAttempt, recordRetryAttempt } from "../attempts/attempt-records.server";
import { pollBillingAttempt, sendBillingAttempt } from "../attempts/attempt-sending.server";
import { AttemptStatus } from "../attempts/attempt-status";
import { billingAttemptIdempotencyKey } from "../attempts/idempotency-key";
import type { DunningTracker, Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { mapWithConcurrency } from "../lib/concurrency";
import { logger, withLogContext } from "../observability/logger.server";
import { countAttemptSent, countFinalAction, countPaymentUpdateEmail } from "../observability/metrics.server";
import { recordCustomers } from "../customers/customer-records.server";
import { shopTimeZone } from "../schedules/schedule.server";
import { ShopifyTerminalError, ShopifyUnavailableError, type AdminApiClient } from "../shopify/admin-api-client.server";
import { clientPerShop, type CronPassOptions } from "../shopify/cron-pass";
import { ShopNotInstalledError } from "../shopify/admin-api-errors";
import {
  cancelContract,
  pauseContract,
  sendPaymentMethodUpdateEmail,
  skipBillingCycle,
  type MutationResult,
} from "../shopify/operations/dunning-actions.server";
import { fetchContractForDunning, type ContractForDunning } from "../shopify/operations/subscription-contract.server";
import { localDateAt } from "../time/due-time";
import { settleAttempt } from "./attempt-results.server";
import { decideNextStep, isOpenTracker, NextAction, type DunningEvent, type EmailResult, type NextStep } from "./next-step";
import { FinalAction } from "./policy";
import { getDunningPolicy } from "./policy.server";
import { claimTracker, countDueTrackers, findDueTrackers, releaseTracker } from "./tracker-claims.server";
import { applyStep, recordContractFacts, trackerView, type StepContext } from "./tracker-changes.server";

// The cron's dunning pass: claims the trackers with something due, reads each contract from
// Shopify, and does what is due (an email, a retry, the final action). Every change to a
// tracker is decided by decideNextStep and written by applyStep, as the webhooks' are.

export interface DunningRunOptions extends CronPassOptions {
  dryRun: boolean;
}

/** What one call did for dunning: part of the billing endpoint's answer. */
export interface DunningTally {
  /** Trackers with a retry, an email, a final action or a first contract read due. */
  due: number;
  claimed: number;
  heldElsewhere: number;
  retriesSent: number;
  emailsSent: number;
  /** Wanted but not sent: one went out within the interval, emails are off, or no payment method. */
  emailsSuppressed: number;
  finalActions: Record<FinalAction, number>;
  /** Closed without charging: the contract or cycle had changed in Shopify. */
  closed: number;
  /** Shopify unavailable: left for the next call. */
  deferred: number;
  /** A terminal Shopify answer for the shop (uninstalled, frozen). */
  failed: number;
  /** Still due after this call. */
  remaining: number;
}

export function emptyDunningTally(): DunningTally {
  return {
    due: 0,
    claimed: 0,
    heldElsewhere: 0,
    retriesSent: 0,
    emailsSent: 0,
    emailsSuppressed: 0,
    finalActions: { SKIP: 0, PAUSE: 0, CANCEL: 0 },
    closed: 0,
    deferred: 0,
    failed: 0,
    remaining: 0,
  };
}

const CONTRACT_STATUS_OF_ACTION: Record<FinalAction, string> = { SKIP: "ACTIVE", PAUSE: "PAUSED", CANCEL: "CANCELLED" };

/**
 * The dunning part of a cron call: every open tracker with something due is claimed (a
 * lease), its contract read from Shopify, and its due email, retry or final action done.
 */
export async function runDueDunning(options: DunningRunOptions, tally: DunningTally): Promise<void> {
  const { now, clock } = options;
  if (options.dryRun) {
    tally.due = await countDueTrackers(now);
    tally.remaining = tally.due;
    return;
  }
  const clientFor = clientPerShop(options.clientForShop);
  const shopsGivenUp = new Set<string>();
  let afterId = 0;
  while (clock() < options.deadline) {
    const batch = await findDueTrackers(now, new Date(clock()), options.concurrency * 4, afterId);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1].id;
    tally.due += batch.length;
    const workOn = async (candidate: (typeof batch)[number]) => {
      if (clock() >= options.deadline || shopsGivenUp.has(candidate.shop)) return;
      const tracker = await claimTracker(candidate.id, options.workerId, new Date(clock()), options.leaseMs);
      if (!tracker) {
        tally.heldElsewhere++;
        return;
      }
      tally.claimed++;
      try {
        await workOnTracker(tracker, await clientFor(tracker.shop), now, tally);
      } catch (error) {
        if (error instanceof ShopifyTerminalError || error instanceof ShopNotInstalledError) {
          shopsGivenUp.add(tracker.shop);
          tally.failed++;
          logger().warn(
            { event: "dunning_shop_failed", reason: error.message },
            `dunning for ${tracker.shop}: ${error.message}; its trackers wait for the next call`,
          );
        } else {
          tally.deferred++;
          if (error instanceof ShopifyUnavailableError) {
            logger().warn(
              { event: "dunning_tracker_deferred", reason: error.message },
              `dunning tracker ${tracker.id}: ${error.message}; left for the next call`,
            );
          } else logger().error({ event: "dunning_tracker_deferred", error }, `dunning tracker ${tracker.id}: failed, left for the next call`);
        }
      } finally {
        await releaseTracker(tracker.id, options.workerId);
      }
    };
    // Every line about the tracker names it and its shop.
    await mapWithConcurrency(batch, options.concurrency, (candidate) =>
      withLogContext({ shop: candidate.shop, trackerId: candidate.id }, () => workOn(candidate)),
    );
  }
  tally.remaining = await countDueTrackers(now);
}

/** What is due on a claimed tracker (its lease held): the contract is read, then the due email, retry or final action done. */
async function workOnTracker(tracker: DunningTracker, client: AdminApiClient, now: Date, tally: DunningTally): Promise<void> {
  const read = await readContractOfTracker(tracker, client, now, tally);
  if (!read) return;
  const { tracker: current, contract } = read;
  if (current.emailDueAt && current.emailDueAt <= now) await sendDueEmail(current, contract, client, now, tally);
  if (current.nextAction && current.nextActionAt && current.nextActionAt <= now) {
    if (current.nextAction === NextAction.Retry) await sendRetry(current, client, now, tally);
    else if (current.nextAction === NextAction.FinalAction) await applyFinalAction(current, client, now, tally);
  }
}

/**
 * Reads a claimed tracker's contract and records what it says (customer, price); null when
 * the contract or cycle no longer needs collecting (the tracker is closed or its final
 * action recorded meanwhile).
 */
export async function readContractOfTracker(
  tracker: DunningTracker,
  client: AdminApiClient,
  now: Date,
  tally: DunningTally,
): Promise<{ tracker: DunningTracker; contract: ContractForDunning } | null> {
  const contract = await fetchContractForDunning(client, tracker.contractId, tracker.billingCycleIndex);
  if (!contract) {
    await closeOutside(tracker, "The contract no longer exists in Shopify: dunning closed without charging.", now, tally);
    return null;
  }
  const current = await recordContractFacts(prisma(), tracker, {
    customerId: contract.customerId,
    amount: contract.cycleAmount,
    currencyCode: contract.currencyCode,
  });
  // Who the customer is, for the admin's pages.
  await recordCustomers(tracker.shop, [contract.customer], now);
  if (!(await contractStillNeedsDunning(current, contract, now, client, tally))) return null;
  return { tracker: current, contract };
}

/** Decides what `event` means for the tracker and writes it (the webhooks do the same). */
function apply(db: Prisma.TransactionClient, tracker: DunningTracker, event: DunningEvent, context: StepContext) {
  return applyStep(db, tracker, tracker, decideNextStep(event, trackerView(tracker)), context);
}

/**
 * Whether the contract and cycle still need collecting. A contract paused or cancelled
 * elsewhere, or a cycle skipped or billed, closes the tracker; when the change is the final
 * action we were applying (the process died before recording it), it is recorded instead.
 */
async function contractStillNeedsDunning(
  tracker: DunningTracker,
  contract: ContractForDunning,
  now: Date,
  client: AdminApiClient,
  tally: DunningTally,
): Promise<boolean> {
  const finalActionDue = tracker.nextAction === NextAction.FinalAction && tracker.nextActionAt !== null && tracker.nextActionAt <= now;
  const action = tracker.finalAction as FinalAction | null;
  if (contract.status !== "ACTIVE") {
    if (finalActionDue && action && CONTRACT_STATUS_OF_ACTION[action] === contract.status) {
      await recordFinalAction(tracker, action, now, tally);
    } else {
      await closeOutside(tracker, `The contract is ${contract.status.toLowerCase()} in Shopify: dunning closed without charging.`, now, tally);
    }
    return false;
  }
  if (contract.cycle?.skipped) {
    if (finalActionDue && action === FinalAction.Skip) await recordFinalAction(tracker, action, now, tally);
    else await closeOutside(tracker, `Billing cycle ${tracker.billingCycleIndex} is skipped in Shopify: dunning closed without charging.`, now, tally);
    return false;
  }
  if (contract.cycle?.billed) {
    // Billed: by our latest attempt whose result we missed (poll it), or outside dunning.
    await pollLatestAttempt(tracker, client, now);
    const after = await prisma().dunningTracker.findUnique({ where: { id: tracker.id } });
    if (after && isOpenTracker(after.status)) await closeOutside(after, `Billing cycle ${tracker.billingCycleIndex} was billed outside dunning: closed.`, now, tally);
    return false;
  }
  return true;
}

async function sendDueEmail(tracker: DunningTracker, contract: ContractForDunning, client: AdminApiClient, now: Date, tally: DunningTally) {
  const policy = await getDunningPolicy(tracker.shop);
  const due: DunningEvent = { kind: "EMAIL_DUE", at: now, policy, hasPaymentMethod: Boolean(contract.paymentMethodId) };
  await emailTheCustomer(tracker, contract, client, due, now, tally);
}

/**
 * Decides whether `request` (the email coming due, or the merchant asking) sends the
 * payment-update email, and sends it: counted as sent before Shopify is asked, so a lost
 * answer never lets a second one out within the interval. Returns the decided step.
 */
export async function emailTheCustomer(
  tracker: DunningTracker,
  contract: ContractForDunning,
  client: AdminApiClient,
  request: Extract<DunningEvent, { kind: "EMAIL_DUE" | "MERCHANT_EMAIL_REQUESTED" }>,
  now: Date,
  tally: DunningTally,
): Promise<{ step: NextStep; result?: Exclude<EmailResult, "NOT_SENT"> }> {
  const step = decideNextStep(request, trackerView(tracker));
  await applyStep(prisma(), tracker, tracker, step, { at: now });
  if (step.kind !== "SEND_EMAIL" || !contract.paymentMethodId) {
    tally.emailsSuppressed++;
    countPaymentUpdateEmail("suppressed");
    return { step };
  }
  let result: Exclude<EmailResult, "NOT_SENT">;
  let messages: string | undefined;
  try {
    const answer = await sendPaymentMethodUpdateEmail(client, contract.paymentMethodId);
    result = answer.ok ? "SENT" : "REFUSED";
    messages = messagesOf(answer);
  } catch (error) {
    if (!(error instanceof ShopifyUnavailableError)) throw error;
    result = "UNCONFIRMED";
  }
  const requestedByMerchant = request.kind === "MERCHANT_EMAIL_REQUESTED";
  await apply(prisma(), tracker, { kind: "EMAIL_ANSWERED", result, messages, previousSentAt: tracker.lastEmailSentAt, requestedByMerchant }, { at: now });
  if (result === "REFUSED") tally.emailsSuppressed++;
  else tally.emailsSent++;
  countPaymentUpdateEmail(result === "SENT" ? "sent" : result === "REFUSED" ? "refused" : "unconfirmed");
  return { step, result };
}

/**
 * Sends the next attempt for the cycle under its own key (attempt n+1), or re-sends an
 * attempt recorded but never confirmed (same key: Shopify answers with the same attempt).
 * The attempt is recorded and the tracker marked before sending, so the result's webhook,
 * which may arrive before the answer, always finds the attempt it reports on.
 */
export async function sendRetry(tracker: DunningTracker, client: AdminApiClient, now: Date, tally: DunningTally) {
  const cycle = { shop: tracker.shop, contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex };
  const latest = await findAttemptOfCycle(prisma(), cycle, tracker.attemptCount);
  const step = decideNextStep({ kind: "RETRY_DUE", at: now, latestAttemptUnconfirmed: latest?.status === AttemptStatus.Pending }, trackerView(tracker));
  if (step.kind !== "SEND_RETRY") return;
  const { attemptNumber, resendAt } = step;
  const idempotencyKey = billingAttemptIdempotencyKey(tracker.contractId, tracker.billingCycleIndex, attemptNumber);
  const runLocalDate = localDateAt(now, await shopTimeZone(tracker.shop));
  await prisma().$transaction(async (tx) => {
    if (step.newAttempt) {
      const customerId = tracker.customerId ?? latest?.customerId ?? null;
      await recordRetryAttempt(tx, { ...cycle, attemptNumber, customerId, expectedBillingDate: latest?.expectedBillingDate ?? now, runLocalDate });
    }
    await applyStep(tx, tracker, tracker, step, { at: now });
  });

  const outcome = await sendBillingAttempt(client, { contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex, idempotencyKey });
  tally.retriesSent++;
  countAttemptSent("retry");
  // The answer's lines (the attempt's outcome, the tracker's step) name the attempt.
  const closed = await withLogContext({ idempotencyKey }, () => prisma().$transaction(async (tx) => {
    await settleAttempt(tx, { shop: tracker.shop, idempotencyKey }, outcome, now, now);
    // A refusal closes or defers the tracker as it is now (the accepted case is guarded instead).
    const current = outcome.status === AttemptStatus.Rejected ? await tx.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } }) : tracker;
    const answered = decideNextStep({ kind: "RETRY_ANSWERED", at: now, attemptNumber, resendAt, outcome }, trackerView(current));
    const saved = await applyStep(tx, current, current, answered, { at: now });
    return answered.kind === "CLOSE" && saved !== null;
  }));
  if (closed) tally.closed++;
}

async function applyFinalAction(tracker: DunningTracker, client: AdminApiClient, now: Date, tally: DunningTally) {
  const action = (tracker.finalAction ?? FinalAction.Pause) as FinalAction;
  const result: MutationResult =
    action === FinalAction.Skip
      ? await skipBillingCycle(client, tracker.contractId, tracker.billingCycleIndex)
      : action === FinalAction.Pause
        ? await pauseContract(client, tracker.contractId)
        : await cancelContract(client, tracker.contractId);
  if (result.ok) {
    await recordFinalAction(tracker, action, now, tally);
    return;
  }
  // The contract changed under us (terminated...) or Shopify refused: the merchant decides.
  await prisma().$transaction((tx) => apply(tx, tracker, { kind: "FINAL_ACTION_REFUSED", action, messages: messagesOf(result) }, { at: now }));
}

/** The final action took effect in Shopify: the tracker closes as exhausted (once, even if recorded twice). */
async function recordFinalAction(tracker: DunningTracker, action: FinalAction, now: Date, tally: DunningTally) {
  const exhausted = await prisma().$transaction((tx) => apply(tx, tracker, { kind: "FINAL_ACTION_APPLIED", action }, { at: now }));
  if (exhausted) {
    tally.finalActions[action]++;
    countFinalAction(action);
  }
}

async function closeOutside(tracker: DunningTracker, reason: string, now: Date, tally: DunningTally) {
  const closed = await prisma().$transaction((tx) => apply(tx, tracker, { kind: "CLOSED_OUTSIDE", reason }, { at: now }));
  if (closed) tally.closed++;
}

/** The latest attempt of the cycle, if Shopify accepted it and its result never reached us. */
async function pollLatestAttempt(tracker: DunningTracker, client: AdminApiClient, now: Date) {
  const latest = await findLatestOpenAcceptedAttempt({ shop: tracker.shop, contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex });
  if (!latest) return;
  const outcome = await pollBillingAttempt(client, latest.shopifyAttemptId);
  if (outcome) await prisma().$transaction((tx) => settleAttempt(tx, { shop: tracker.shop, idempotencyKey: latest.idempotencyKey }, outcome, now));
}

function messagesOf(result: MutationResult): string {
  return result.ok ? "" : result.userErrors.map((error) => error.message).join("; ");
}
