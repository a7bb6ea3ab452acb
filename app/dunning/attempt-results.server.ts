import { recordAcceptedAttempts, recordAttemptOutcome, type AttemptOfCycle } from "../attempts/attempt-records.server";
import { AttemptStatus, type AttemptOutcome } from "../attempts/attempt-status";
import { outcomeOfAttemptWebhook, type BillingAttemptWebhookPayload } from "../attempts/attempt-webhooks";
import type { Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { logger } from "../observability/logger.server";
import { countAttemptOutcome } from "../observability/metrics.server";
import { classifyDecline } from "./decline-classes";
import { decideNextStep, type DunningEvent } from "./next-step";
import { getDunningPolicy } from "./policy.server";
import { applyStep, findTracker, trackerView, type StepContext } from "./tracker-changes.server";

// Where an attempt's result meets its dunning tracker, whichever way the result arrived:
// Shopify's answer to the mutation (the cron), the attempt's webhook, or polling.

type Db = Prisma.TransactionClient;

/** Several attempts' news (a request's worth of mutation answers) in one transaction: one commit, not one per attempt. */
export async function settleAttempts(
  shop: string,
  outcomes: Array<{ idempotencyKey: string; outcome: AttemptOutcome }>,
  at: Date,
  sentAt?: Date,
): Promise<void> {
  if (outcomes.length === 0) return;
  // Accepted and processing, the usual answer: recorded together, nothing for dunning yet.
  const accepted = sentAt ? outcomes.filter(({ outcome }) => outcome.status === AttemptStatus.Processing && outcome.shopifyAttemptId) : [];
  const others = outcomes.filter((entry) => !accepted.includes(entry));
  const processing = accepted.map(({ idempotencyKey, outcome }) => ({ idempotencyKey, shopifyAttemptId: outcome.shopifyAttemptId as string }));
  if (others.length === 0 && sentAt) {
    // One statement: no transaction needed.
    await recordAcceptedAttempts(shop, processing, sentAt);
    return;
  }
  await prisma().$transaction(
    async (tx) => {
      if (sentAt) await recordAcceptedAttempts(shop, processing, sentAt, tx);
      for (const { idempotencyKey, outcome } of others) await settleAttempt(tx, { shop, idempotencyKey }, outcome, at, sentAt);
    },
    // A big run queues many of these for the pool; Prisma's default 2 s wait is too short there.
    { maxWait: 10_000, timeout: 15_000 },
  );
}

/**
 * Records what Shopify said about an attempt and, when it is news, moves the cycle's dunning
 * tracker: a failure opens or advances it, a challenge surfaces it, a success closes it as
 * recovered. Run it inside the caller's transaction so the attempt and its tracker change
 * together or not at all. Returns whether it was news.
 */
export async function settleAttempt(
  db: Db,
  where: { shop: string; idempotencyKey: string },
  outcome: AttemptOutcome,
  at: Date,
  sentAt?: Date,
): Promise<boolean> {
  const recorded = await recordAttemptOutcome(db, where, outcome, at, sentAt);
  if (!recorded) return false;
  noteOutcome(where, outcome, recorded.attempt?.attemptNumber);
  if (recorded.attempt) await moveTrackerAfterOutcome(db, recorded.attempt, outcome, at);
  return true;
}

/**
 * Counted by outcome and decline class; logged unless it is a charge that simply went
 * through (the common case, counted only). Codes only: Shopify's messages may quote the customer.
 */
function noteOutcome(where: { shop: string; idempotencyKey: string }, outcome: AttemptOutcome, attemptNumber: number | undefined) {
  if (outcome.status === AttemptStatus.Pending || outcome.status === AttemptStatus.Processing) return;
  const declineClass = outcome.status === AttemptStatus.Failed ? classifyDecline(outcome.errorCode) : null;
  countAttemptOutcome(outcome.status, declineClass);
  if (outcome.status === AttemptStatus.Succeeded && (attemptNumber ?? 1) === 1) return;
  const fields = {
    event: `attempt_${outcome.status.toLowerCase()}`,
    shop: where.shop,
    idempotencyKey: where.idempotencyKey,
    shopifyAttemptId: outcome.shopifyAttemptId,
    attemptNumber,
    errorCode: outcome.errorCode?.toLowerCase() ?? undefined,
    declineClass: declineClass ?? undefined,
  };
  const message = `billing attempt ${where.idempotencyKey}: ${outcome.status.toLowerCase().replace("_", " ")}`;
  if (outcome.status === AttemptStatus.Rejected) logger().warn(fields, message);
  else logger().info(fields, message);
}

/**
 * subscription_billing_attempts/success|failure|challenged: the result of an attempt.
 * Attempts the app did not make (no record under that idempotency key) and news older than
 * what is recorded change nothing.
 */
export function settleAttemptFromWebhook(
  tx: Db,
  shop: string,
  topic: string,
  payload: BillingAttemptWebhookPayload,
  receivedAt: Date,
): Promise<boolean> {
  return settleAttempt(tx, { shop, idempotencyKey: payload.idempotency_key }, outcomeOfAttemptWebhook(topic, payload, receivedAt), receivedAt);
}

async function moveTrackerAfterOutcome(db: Db, attempt: AttemptOfCycle, outcome: AttemptOutcome, at: Date) {
  const cycle = { shop: attempt.shop, contractId: attempt.contractId, billingCycleIndex: attempt.billingCycleIndex };
  const tracker = await findTracker(db, cycle);
  // A tracker opened now knows its customer at once: a payment-method update or a privacy
  // request arriving before the next cron run must find it.
  const target = { ...cycle, customerId: tracker ? tracker.customerId : attempt.customerId };
  const { attemptNumber } = attempt;
  let event: DunningEvent;
  let context: StepContext = { at, attemptNumber };
  if (outcome.status === AttemptStatus.Succeeded) {
    if (!tracker) return;
    event = { kind: "ATTEMPT_SUCCEEDED", attemptNumber };
  } else if (outcome.status === AttemptStatus.ActionRequired) {
    event = { kind: "ATTEMPT_CHALLENGED", attemptNumber };
  } else {
    const declineClass = classifyDecline(outcome.errorCode);
    const errorCode = outcome.errorCode?.toLowerCase() ?? null;
    const failure = { declineClass, errorCode, attemptNumber, failedAt: outcome.completedAt ?? at };
    event = { kind: "ATTEMPT_FAILED", failure, policy: await getDunningPolicy(attempt.shop, db) };
    context = { ...context, errorCode, errorMessage: outcome.errorMessage ?? null, declineClass };
  }
  await applyStep(db, target, tracker, decideNextStep(event, trackerView(tracker)), context);
}
