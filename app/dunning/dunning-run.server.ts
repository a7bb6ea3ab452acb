import { AttemptStatus, type AttemptOutcome } from "../billing/attempt-status";
import { mapWithConcurrency } from "../billing/concurrency";
import { localDateAt } from "../billing/due-time";
import { shopTimeZone } from "../billing/schedule.server";
import { billingAttemptIdempotencyKey } from "../billing/idempotency-key";
import type { DunningTracker } from "../db/client.server";
import prisma from "../db.server";
import { ShopifyTerminalError, ShopifyUnavailableError, type AdminApiClient } from "../shopify/admin-api-client.server";
import { ShopNotInstalledError } from "../shopify/admin-api-errors";
import { outcomeOfBillingAttempt } from "../shopify/operations/billing-attempt-state";
import {
  cancelContract,
  pauseContract,
  sendPaymentMethodUpdateEmail,
  skipBillingCycle,
  type MutationResult,
} from "../shopify/operations/dunning-actions.server";
import { fetchBillingAttempt } from "../shopify/operations/subscription-billing-attempt.server";
import { createBillingAttempt } from "../shopify/operations/subscription-billing-attempt-create.server";
import { fetchContractForDunning, type ContractForDunning } from "../shopify/operations/subscription-contract.server";
import { settleAttempt } from "./attempt-outcomes.server";
import { decideAfterExternalClose, isOpenTracker, OPEN_TRACKER_STATUSES, TrackerStatus } from "./next-step";
import { FinalAction } from "./policy";
import { getDunningPolicy } from "./policy.server";
import { claimTracker, countDueTrackers, findDueTrackers, releaseTracker } from "./tracker-claims.server";
import { applyStep, NextAction, recordEvent, trackerView } from "./trackers.server";

export interface DunningRunOptions {
  /** The billing clock (simulated against the store simulator). */
  now: Date;
  dryRun: boolean;
  /** Real-clock instant after which nothing new is started. */
  deadline: number;
  clock: () => number;
  leaseMs: number;
  workerId: string;
  concurrency: number;
  clientForShop: (shop: string) => Promise<AdminApiClient>;
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

/** A sent retry whose answer never got recorded (the process died) is re-sent, same key, after this. */
const RESEND_UNCONFIRMED_AFTER_MS = 30 * 60_000;
/** Shopify asked us to slow down (THROTTLED or PROCESSING_FAILED user error): try the retry again after this. */
const RETRY_REFUSED_TRANSIENTLY_AFTER_MS = 60 * 60_000;
const TRANSIENT_USER_ERRORS = new Set(["THROTTLED", "PROCESSING_FAILED"]);
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
  const clients = new Map<string, Promise<AdminApiClient>>();
  const shopsGivenUp = new Set<string>();
  let afterId = 0;
  while (clock() < options.deadline) {
    const batch = await findDueTrackers(now, new Date(clock()), options.concurrency * 4, afterId);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1].id;
    tally.due += batch.length;
    await mapWithConcurrency(batch, options.concurrency, async (candidate) => {
      if (clock() >= options.deadline || shopsGivenUp.has(candidate.shop)) return;
      const tracker = await claimTracker(candidate.id, options.workerId, new Date(clock()), options.leaseMs);
      if (!tracker) {
        tally.heldElsewhere++;
        return;
      }
      tally.claimed++;
      try {
        let client = clients.get(tracker.shop);
        if (!client) {
          client = options.clientForShop(tracker.shop);
          clients.set(tracker.shop, client);
        }
        await workOnTracker(tracker, await client, now, tally);
      } catch (error) {
        if (error instanceof ShopifyTerminalError || error instanceof ShopNotInstalledError) {
          shopsGivenUp.add(tracker.shop);
          tally.failed++;
          console.warn(`[dunning] ${tracker.shop}: ${error.message}; its trackers wait for the next call`);
        } else {
          tally.deferred++;
          if (error instanceof ShopifyUnavailableError) console.warn(`[dunning] tracker ${tracker.id}: ${error.message}; left for the next call`);
          else console.error(`[dunning] tracker ${tracker.id}: failed, left for the next call`, error);
        }
      } finally {
        await releaseTracker(tracker.id, options.workerId);
      }
    });
  }
  tally.remaining = await countDueTrackers(now);
}

async function workOnTracker(tracker: DunningTracker, client: AdminApiClient, now: Date, tally: DunningTally): Promise<void> {
  const contract = await fetchContractForDunning(client, tracker.contractId, tracker.billingCycleIndex);
  if (!contract) {
    await close(tracker, "The contract no longer exists in Shopify: dunning closed without charging.", now, tally);
    return;
  }
  const current = await prisma.dunningTracker.update({
    where: { id: tracker.id },
    data: { customerId: contract.customerId ?? "", amount: contract.cycleAmount, currencyCode: contract.currencyCode },
  });
  if (!(await contractStillNeedsDunning(current, contract, now, client, tally))) return;
  if (current.emailDueAt && current.emailDueAt <= now) await sendDueEmail(current, contract, client, now, tally);
  if (current.nextAction && current.nextActionAt && current.nextActionAt <= now) {
    if (current.nextAction === NextAction.Retry) await sendRetry(current, client, now, tally);
    else if (current.nextAction === NextAction.FinalAction) await applyFinalAction(current, client, now, tally);
  }
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
      await recordExhausted(tracker, action, now, tally);
    } else {
      await close(tracker, `The contract is ${contract.status.toLowerCase()} in Shopify: dunning closed without charging.`, now, tally);
    }
    return false;
  }
  if (contract.cycle?.skipped) {
    if (finalActionDue && action === FinalAction.Skip) await recordExhausted(tracker, action, now, tally);
    else await close(tracker, `Billing cycle ${tracker.billingCycleIndex} is skipped in Shopify: dunning closed without charging.`, now, tally);
    return false;
  }
  if (contract.cycle?.billed) {
    // Billed: by our latest attempt whose result we missed (poll it), or outside dunning.
    await pollLatestAttempt(tracker, client, now);
    const after = await prisma.dunningTracker.findUnique({ where: { id: tracker.id } });
    if (after && isOpenTracker(after.status)) await close(after, `Billing cycle ${tracker.billingCycleIndex} was billed outside dunning: closed.`, now, tally);
    return false;
  }
  return true;
}

async function sendDueEmail(tracker: DunningTracker, contract: ContractForDunning, client: AdminApiClient, now: Date, tally: DunningTally) {
  const policy = await getDunningPolicy(tracker.shop);
  const intervalMs = policy.paymentUpdateEmailIntervalHours * 3600_000;
  let outcome: { kind: string; detail: string; sent: boolean };
  if (!policy.sendPaymentUpdateEmail) {
    outcome = { kind: "EMAIL_NOT_SENT", detail: "Payment-update emails are turned off in the dunning settings.", sent: false };
  } else if (tracker.lastEmailSentAt && now.getTime() - tracker.lastEmailSentAt.getTime() < intervalMs) {
    outcome = {
      kind: "EMAIL_NOT_SENT",
      detail: `A payment-update email went out at ${tracker.lastEmailSentAt.toISOString()}; at most one per ${policy.paymentUpdateEmailIntervalHours} hours.`,
      sent: false,
    };
  } else if (!contract.paymentMethodId) {
    outcome = { kind: "EMAIL_NOT_SENT", detail: "The contract has no payment method (or it was revoked): Shopify's update email needs one.", sent: false };
  } else {
    // Recorded as sent before asking Shopify, as attempts are: a process that dies while the
    // email goes out must not let the next one send it again (at most one per interval).
    await prisma.dunningTracker.update({
      where: { id: tracker.id },
      data: { emailDueAt: null, lastEmailSentAt: now, emailsSent: { increment: 1 } },
    });
    let result;
    try {
      result = await sendPaymentMethodUpdateEmail(client, contract.paymentMethodId);
    } catch (error) {
      if (!(error instanceof ShopifyUnavailableError)) throw error;
      // It may have gone out: it stays recorded as sent, and the interval holds the next one back.
      await recordEvent(prisma, tracker, "EMAIL_UNCONFIRMED", "Shopify did not confirm the payment-update email; it may have gone out, so it is not sent again within the interval.", { at: now });
      tally.emailsSent++;
      return;
    }
    if (!result.ok) {
      // Shopify said no: nothing went out, so the interval does not start.
      await prisma.dunningTracker.update({
        where: { id: tracker.id },
        data: { lastEmailSentAt: tracker.lastEmailSentAt, emailsSent: { decrement: 1 } },
      });
    }
    outcome = result.ok
      ? { kind: "EMAIL_SENT", detail: "Shopify emailed the customer a link to update their payment method.", sent: true }
      : { kind: "EMAIL_NOT_SENT", detail: `Shopify refused the payment-update email: ${messagesOf(result)}`, sent: false };
  }
  const updated = outcome.sent ? tracker : await prisma.dunningTracker.update({ where: { id: tracker.id }, data: { emailDueAt: null } });
  await recordEvent(prisma, updated, outcome.kind, outcome.detail, { at: now });
  if (outcome.sent) tally.emailsSent++;
  else tally.emailsSuppressed++;
}

/**
 * Sends the next attempt for the cycle under its own key (attempt n+1), or re-sends an
 * attempt recorded but never confirmed (same key: Shopify answers with the same attempt).
 * The tracker is marked before sending, so the result's webhook, which may arrive before
 * the answer, always finds the attempt it reports on.
 */
async function sendRetry(tracker: DunningTracker, client: AdminApiClient, now: Date, tally: DunningTally) {
  const cycle = { shop: tracker.shop, contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex };
  const latest = await prisma.billingAttempt.findUnique({
    where: { shop_contractId_billingCycleIndex_attemptNumber: { ...cycle, attemptNumber: tracker.attemptCount } },
  });
  const attemptNumber = latest?.status === AttemptStatus.Pending ? tracker.attemptCount : tracker.attemptCount + 1;
  const idempotencyKey = billingAttemptIdempotencyKey(tracker.contractId, tracker.billingCycleIndex, attemptNumber);
  const resendAt = new Date(now.getTime() + RESEND_UNCONFIRMED_AFTER_MS);
  const runLocalDate = localDateAt(now, await shopTimeZone(tracker.shop));
  await prisma.$transaction(async (tx) => {
    if (attemptNumber !== tracker.attemptCount) {
      await tx.billingAttempt.create({
        data: {
          ...cycle,
          attemptNumber,
          idempotencyKey,
          customerId: tracker.customerId ?? latest?.customerId ?? null,
          expectedBillingDate: latest?.expectedBillingDate ?? now,
          runLocalDate,
        },
      });
    }
    await tx.dunningTracker.update({ where: { id: tracker.id }, data: { attemptCount: attemptNumber, nextActionAt: resendAt } });
  });

  const result = await createBillingAttempt(client, { contractId: tracker.contractId, idempotencyKey, cycleIndex: tracker.billingCycleIndex });
  tally.retriesSent++;
  const retryLabel = `Retry ${attemptNumber - 1}`;
  if (result.accepted) {
    const outcome = outcomeOfBillingAttempt(result.attempt);
    await prisma.$transaction(async (tx) => {
      await settleAttempt(tx, { shop: tracker.shop, idempotencyKey }, outcome, now, now);
      // Unless the result already moved the tracker, it now waits for that result.
      const { count } = await tx.dunningTracker.updateMany({
        where: { id: tracker.id, nextAction: NextAction.Retry, nextActionAt: resendAt, attemptCount: attemptNumber },
        data: { nextAction: null, nextActionAt: null },
      });
      const sent = await tx.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } });
      await recordEvent(tx, sent, "RETRY_SENT", `${retryLabel} sent to Shopify${count === 1 ? "; waiting for its result" : ""}.`, { at: now, attemptNumber });
    });
    return;
  }
  const [first] = result.userErrors;
  const code = first?.code ?? "USER_ERROR";
  const message = result.userErrors.map((error) => error.message).join("; ");
  const refused: AttemptOutcome = { status: AttemptStatus.Rejected, errorCode: code, errorMessage: message };
  await prisma.$transaction((tx) => settleAttempt(tx, { shop: tracker.shop, idempotencyKey }, refused, now, now));
  if (TRANSIENT_USER_ERRORS.has(code)) {
    const later = await prisma.dunningTracker.update({
      where: { id: tracker.id },
      data: { nextAction: NextAction.Retry, nextActionAt: new Date(now.getTime() + RETRY_REFUSED_TRANSIENTLY_AFTER_MS) },
    });
    await recordEvent(prisma, later, "RETRY_DEFERRED", `Shopify did not take ${retryLabel.toLowerCase()} (${code}: ${message}); trying again in an hour.`, { at: now, attemptNumber });
    return;
  }
  const current = await prisma.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } });
  await close(current, `Shopify refused ${retryLabel.toLowerCase()} (${code}: ${message}): dunning closed without charging.`, now, tally);
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
    await recordExhausted(tracker, action, now, tally);
    return;
  }
  // The contract changed under us (terminated...) or Shopify refused: the merchant decides.
  const reason = `Could not ${action.toLowerCase()} (${messagesOf(result)}): dunning stopped; please act on the contract in Shopify.`;
  await prisma.$transaction((tx) => applyStep(tx, tracker, tracker, { kind: "STOP", reason }, { at: now }));
}

/** The final action took effect in Shopify: the tracker closes as exhausted (once, even if recorded twice). */
async function recordExhausted(tracker: DunningTracker, action: FinalAction, now: Date, tally: DunningTally) {
  const verb = { SKIP: "Skipped the billing cycle", PAUSE: "Paused the contract", CANCEL: "Cancelled the contract" }[action];
  const reason = `${verb}: the retries ran out${tracker.lastErrorCode ? ` (last error: ${tracker.lastErrorCode})` : ""}.`;
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.dunningTracker.updateMany({
      where: { id: tracker.id, status: { in: [...OPEN_TRACKER_STATUSES] } },
      data: {
        status: TrackerStatus.Exhausted,
        finalAction: action,
        finalActionAppliedAt: now,
        nextAction: null,
        nextActionAt: null,
        emailDueAt: null,
        completedAt: now,
        completedReason: reason,
      },
    });
    if (count === 0) return;
    tally.finalActions[action]++;
    const closed = await tx.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } });
    await recordEvent(tx, closed, "FINAL_ACTION_APPLIED", reason, { at: now });
  });
}

async function close(tracker: DunningTracker, reason: string, now: Date, tally: DunningTally) {
  const closed = await prisma.$transaction((tx) => applyStep(tx, tracker, tracker, decideAfterExternalClose(trackerView(tracker)!, reason), { at: now }));
  if (closed) tally.closed++;
}

/** The latest attempt of the cycle, if Shopify accepted it and its result never reached us. */
async function pollLatestAttempt(tracker: DunningTracker, client: AdminApiClient, now: Date) {
  const latest = await prisma.billingAttempt.findFirst({
    where: { shop: tracker.shop, contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex, shopifyAttemptId: { not: null } },
    orderBy: { attemptNumber: "desc" },
  });
  if (!latest?.shopifyAttemptId || (latest.status !== AttemptStatus.Processing && latest.status !== AttemptStatus.ActionRequired)) return;
  const node = await fetchBillingAttempt(client, latest.shopifyAttemptId);
  if (node) await prisma.$transaction((tx) => settleAttempt(tx, { shop: tracker.shop, idempotencyKey: latest.idempotencyKey }, outcomeOfBillingAttempt(node), now));
}

function messagesOf(result: MutationResult): string {
  return result.ok ? "" : result.userErrors.map((error) => error.message).join("; ");
}
