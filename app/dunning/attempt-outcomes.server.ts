import { applyAttemptOutcome, findAttemptCustomer } from "../billing/attempt-records.server";
import { AttemptStatus, type AttemptOutcome } from "../billing/attempt-status";
import { parseBillingAttemptIdempotencyKey } from "../billing/idempotency-key";
import type { Prisma } from "../db/client.server";
import prisma from "../db.server";
import { classifyDecline } from "./decline-classes";
import { decideAfterChallenge, decideAfterFailure, decideAfterSuccess } from "./next-step";
import { getDunningPolicy } from "./policy.server";
import { applyStep, findTracker, trackerView } from "./trackers.server";

type Db = Prisma.TransactionClient;

/** Several attempts' news (a request's worth of mutation answers) in one transaction: one commit, not one per attempt. */
export async function settleAttempts(
  shop: string,
  outcomes: Array<{ idempotencyKey: string; outcome: AttemptOutcome }>,
  at: Date,
  sentAt?: Date,
): Promise<void> {
  if (outcomes.length === 0) return;
  await prisma.$transaction(
    async (tx) => {
      for (const { idempotencyKey, outcome } of outcomes) await settleAttempt(tx, { shop, idempotencyKey }, outcome, at, sentAt);
    },
    // A big run queues many of these for the pool; Prisma's default 2 s wait is too short there.
    { maxWait: 10_000, timeout: 15_000 },
  );
}

/**
 * Records what Shopify said about an attempt (webhook, mutation answer or polling) and,
 * when it is news, moves the cycle's dunning tracker: a failure opens or advances it, a
 * challenge surfaces it, a success closes it as recovered. Run it inside the caller's
 * transaction so the attempt and its tracker change together or not at all.
 */
export async function settleAttempt(
  db: Db,
  where: { shop: string; idempotencyKey: string },
  outcome: AttemptOutcome,
  at: Date,
  sentAt?: Date,
): Promise<boolean> {
  if (outcome.status === AttemptStatus.Succeeded && parseBillingAttemptIdempotencyKey(where.idempotencyKey)?.attemptNumber === 1) {
    // The common case, one statement: a first charge that went through without a challenge
    // or a failure never had a tracker.
    const unchallenged = [AttemptStatus.Pending, AttemptStatus.Processing];
    if (await applyAttemptOutcome(db, where, outcome, at, sentAt, unchallenged)) return true;
  }
  const applied = await applyAttemptOutcome(db, where, outcome, at, sentAt);
  if (applied) await followAttemptOutcome(db, where, outcome, at);
  return applied;
}

async function followAttemptOutcome(db: Db, { shop, idempotencyKey }: { shop: string; idempotencyKey: string }, outcome: AttemptOutcome, at: Date) {
  const { status } = outcome;
  if (status !== AttemptStatus.Failed && status !== AttemptStatus.ActionRequired && status !== AttemptStatus.Succeeded) return;
  // The key names the cycle and attempt; the common case (a first charge that succeeded) costs one lookup.
  const key = parseBillingAttemptIdempotencyKey(idempotencyKey);
  if (!key) return;
  const contractId = `gid://shopify/SubscriptionContract/${key.contractNumericId}`;
  const cycle = { shop, contractId, billingCycleIndex: key.billingCycleIndex };
  const tracker = await findTracker(db, cycle);
  // A tracker opened now knows its customer at once: a payment-method update or a privacy
  // request arriving before the next cron run must find it.
  const target = { ...cycle, customerId: tracker ? tracker.customerId : await findAttemptCustomer(db, idempotencyKey) };
  if (status === AttemptStatus.Succeeded) {
    if (tracker) await applyStep(db, target, tracker, decideAfterSuccess(key.attemptNumber, trackerView(tracker)), { at, attemptNumber: key.attemptNumber });
    return;
  }
  if (status === AttemptStatus.ActionRequired) {
    await applyStep(db, target, tracker, decideAfterChallenge(key.attemptNumber, trackerView(tracker)), { at, attemptNumber: key.attemptNumber });
    return;
  }
  const declineClass = classifyDecline(outcome.errorCode);
  const errorCode = outcome.errorCode?.toLowerCase() ?? null;
  const step = decideAfterFailure(
    { declineClass, errorCode, attemptNumber: key.attemptNumber, failedAt: outcome.completedAt ?? at },
    trackerView(tracker),
    await getDunningPolicy(shop, db),
  );
  await applyStep(db, target, tracker, step, {
    at,
    attemptNumber: key.attemptNumber,
    errorCode,
    errorMessage: outcome.errorMessage ?? null,
    declineClass,
  });
}
