import type { Prisma } from "../db/client.server";
import { isUniqueConstraintViolation } from "../db/errors";
import prisma from "../db.server";
import { AttemptStatus, isForwardTransition, type AttemptOutcome } from "./attempt-status";
import { chunk } from "./concurrency";
import { billingAttemptIdempotencyKey } from "./idempotency-key";

export interface PlannedCharge {
  contractId: string;
  /** The contract's customer, kept on the attempt for the tracker its failure opens. */
  customerId: string | null;
  billingCycleIndex: number;
  expectedBillingDate: Date;
}

export interface AttemptToSend extends PlannedCharge {
  idempotencyKey: string;
}

const ALL_STATUSES = Object.values(AttemptStatus);
// Bounded IN lists: SQLite and MySQL cap bound parameters per statement.
const KEY_CHUNK = 500;

/**
 * Records the first attempt of each planned charge under its idempotency key, before
 * anything is sent, and returns the attempts still to send: new ones, and ones recorded
 * earlier but never confirmed by Shopify (the process died, or the call failed). Cycles
 * already attempted (whatever the outcome) are not charged again here: retries are dunning's.
 */
export async function recordFirstAttempts(shop: string, planned: PlannedCharge[], runLocalDate: string): Promise<AttemptToSend[]> {
  const withKeys = planned.map((charge) => ({
    ...charge,
    idempotencyKey: billingAttemptIdempotencyKey(charge.contractId, charge.billingCycleIndex, 1),
  }));
  const statusByKey = new Map<string, string>();
  for (const slice of chunk(withKeys, KEY_CHUNK)) {
    const rows = await prisma.billingAttempt.findMany({
      where: { idempotencyKey: { in: slice.map((a) => a.idempotencyKey) } },
      select: { idempotencyKey: true, status: true },
    });
    for (const row of rows) statusByKey.set(row.idempotencyKey, row.status);
  }
  const fresh = withKeys.filter((attempt) => !statusByKey.has(attempt.idempotencyKey));
  const rowOf = (attempt: AttemptToSend) => ({
    shop,
    contractId: attempt.contractId,
    customerId: attempt.customerId,
    billingCycleIndex: attempt.billingCycleIndex,
    attemptNumber: 1,
    idempotencyKey: attempt.idempotencyKey,
    expectedBillingDate: attempt.expectedBillingDate,
    runLocalDate,
  });
  try {
    if (fresh.length > 0) await prisma.billingAttempt.createMany({ data: fresh.map(rowOf) });
  } catch (error) {
    if (!isUniqueConstraintViolation(error)) throw error;
    // Another worker recorded some of them meanwhile (its lease expired while it ran): one by one.
    for (const attempt of fresh) {
      try {
        await prisma.billingAttempt.create({ data: rowOf(attempt) });
      } catch (rowError) {
        if (!isUniqueConstraintViolation(rowError)) throw rowError;
      }
    }
  }
  return withKeys.filter((attempt) => {
    const status = statusByKey.get(attempt.idempotencyKey);
    return status === undefined || status === AttemptStatus.Pending;
  });
}

/**
 * Applies what Shopify said about an attempt, only if it moves the attempt forward (one
 * conditional update: late, duplicated or reordered news changes nothing). Returns whether
 * it applied. Callers go through dunning's settleAttempt, which also moves the tracker.
 */
export async function applyAttemptOutcome(
  db: Prisma.TransactionClient,
  where: { shop: string; idempotencyKey: string },
  outcome: AttemptOutcome,
  at: Date,
  /** Set when the news is Shopify's answer to sending it. */
  sentAt?: Date,
  /** Only from these statuses (a subset of those the outcome moves forward from). */
  onlyFrom?: readonly AttemptStatus[],
): Promise<boolean> {
  const { count } = await db.billingAttempt.updateMany(outcomeUpdate(where, outcome, at, sentAt, onlyFrom));
  return count === 1;
}

/** The conditional update that records `outcome` only where it moves the attempt forward. */
function outcomeUpdate(
  where: { shop: string; idempotencyKey: string },
  outcome: AttemptOutcome,
  at: Date,
  sentAt?: Date,
  onlyFrom?: readonly AttemptStatus[],
) {
  const from = ALL_STATUSES.filter((status) => isForwardTransition(status, outcome.status) && (!onlyFrom || onlyFrom.includes(status)));
  return {
    where: { ...where, status: { in: from } },
    data: {
      status: outcome.status,
      ...(outcome.shopifyAttemptId ? { shopifyAttemptId: outcome.shopifyAttemptId } : {}),
      ...(outcome.orderId ? { orderId: outcome.orderId } : {}),
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
      ...(outcome.errorMessage !== undefined ? { errorMessage: outcome.errorMessage } : {}),
      ...(sentAt ? { sentAt } : {}),
      ...(isFinal(outcome.status) ? { completedAt: outcome.completedAt ?? at } : {}),
    },
  };
}

function isFinal(status: AttemptStatus): boolean {
  return status === AttemptStatus.Succeeded || status === AttemptStatus.Failed || status === AttemptStatus.Rejected;
}

/** The customer recorded with an attempt (the contract's, when it was made), if any. */
export async function findAttemptCustomer(db: Prisma.TransactionClient, idempotencyKey: string): Promise<string | null> {
  const row = await db.billingAttempt.findUnique({ where: { idempotencyKey }, select: { customerId: true } });
  return row?.customerId ?? null;
}

/** Attempts Shopify accepted long ago whose result never arrived (a lost webhook): to poll. */
export function findUnsettledAttempts(shop: string, sentBefore: Date, limit: number) {
  return prisma.billingAttempt.findMany({
    where: {
      shop,
      status: { in: [AttemptStatus.Processing, AttemptStatus.ActionRequired] },
      shopifyAttemptId: { not: null },
      sentAt: { lt: sentBefore },
    },
    select: { idempotencyKey: true, shopifyAttemptId: true },
    orderBy: { sentAt: "asc" },
    take: limit,
  });
}

/**
 * First charges a run of an earlier local date recorded that Shopify never confirmed (the
 * call failed, or the process died before the answer, and no webhook came): without
 * Shopify's id they cannot be polled, and their contract may no longer be due, so they are
 * asked for again under their own key (Shopify answers with the attempt it made, or makes it
 * now). Today's are left to today's calls, which may still have them in flight.
 */
export function findUnconfirmedFirstAttempts(shop: string, recordedBeforeLocalDate: string, limit: number) {
  return prisma.billingAttempt.findMany({
    where: { shop, attemptNumber: 1, status: AttemptStatus.Pending, shopifyAttemptId: null, runLocalDate: { lt: recordedBeforeLocalDate } },
    select: { idempotencyKey: true, contractId: true, billingCycleIndex: true, customerId: true, expectedBillingDate: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
}

/** Contracts of the shop with an attempt for a cycle expected after `since`. */
export async function contractsAttemptedSince(shop: string, since: Date): Promise<Set<string>> {
  const rows = await prisma.billingAttempt.findMany({
    where: { shop, expectedBillingDate: { gt: since } },
    select: { contractId: true },
    distinct: ["contractId"],
  });
  return new Set(rows.map((row) => row.contractId));
}
