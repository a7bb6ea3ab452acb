import type { Prisma } from "../db/client.server";
import { appConfig } from "../config/app-config.server";
import { directQuery, prisma } from "../db/app-database.server";
import { rawSql } from "../db/raw-sql";
import { AttemptStatus, isFinalAttemptStatus, isForwardTransition, type AttemptOutcome } from "./attempt-status";
import { chunk } from "../lib/concurrency";
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
  const toSend = new Set<string>();
  for (const slice of chunk(withKeys, KEY_CHUNK)) {
    const inserted = await insertNewAttempts(shop, slice, runLocalDate);
    for (const key of inserted) toSend.add(key);
    // Recorded before (an earlier call, or another worker just now): sent again only if Shopify never confirmed it.
    const existing = slice.filter((attempt) => !inserted.has(attempt.idempotencyKey));
    if (existing.length === 0) continue;
    const rows = await prisma().billingAttempt.findMany({
      where: { idempotencyKey: { in: existing.map((attempt) => attempt.idempotencyKey) } },
      select: { idempotencyKey: true, status: true },
    });
    for (const row of rows) if (row.status === AttemptStatus.Pending) toSend.add(row.idempotencyKey);
  }
  return withKeys.filter((attempt) => toSend.has(attempt.idempotencyKey));
}

/**
 * Inserts the attempts whose key is not recorded yet, in one statement, and returns their
 * keys. MySQL cannot return what it inserted: there, the keys recorded before are read first.
 */
async function insertNewAttempts(shop: string, attempts: AttemptToSend[], runLocalDate: string): Promise<Set<string>> {
  const provider = appConfig().database.provider;
  const sql = rawSql(provider);
  const { id } = sql;
  const now = new Date();
  let candidates = attempts;
  if (provider === "mysql") {
    const known = await prisma().billingAttempt.findMany({
      where: { idempotencyKey: { in: attempts.map((attempt) => attempt.idempotencyKey) } },
      select: { idempotencyKey: true },
    });
    const knownKeys = new Set(known.map((row) => row.idempotencyKey));
    candidates = attempts.filter((attempt) => !knownKeys.has(attempt.idempotencyKey));
    if (candidates.length === 0) return new Set();
  }
  const rows = candidates.map(
    (attempt) =>
      `(${[
        sql.value(shop, "text"),
        sql.value(attempt.contractId, "text"),
        sql.value(attempt.customerId, "text"),
        sql.value(attempt.billingCycleIndex, "int"),
        "1",
        sql.value(attempt.idempotencyKey, "text"),
        `'${AttemptStatus.Pending}'`,
        sql.value(attempt.expectedBillingDate, "timestamp(3)"),
        sql.value(runLocalDate, "text"),
        sql.value(now, "timestamp(3)"),
        sql.value(now, "timestamp(3)"),
      ].join(", ")})`,
  );
  const columns = ["shop", "contractId", "customerId", "billingCycleIndex", "attemptNumber", "idempotencyKey", "status", "expectedBillingDate", "runLocalDate", "createdAt", "updatedAt"];
  const insert = `INSERT ${provider === "mysql" ? "IGNORE " : ""}INTO ${id("BillingAttempt")} (${columns.map(id).join(", ")}) VALUES ${rows.join(", ")}`;
  if (provider === "mysql") {
    // A key recorded by another worker since the read above is skipped, and sent again only if still pending: harmless.
    await prisma().$executeRawUnsafe(insert, ...sql.values);
    return new Set(candidates.map((attempt) => attempt.idempotencyKey));
  }
  const inserted = await directQuery<{ idempotencyKey: string }>(`${insert} ON CONFLICT DO NOTHING RETURNING ${id("idempotencyKey")}`, sql.values);
  return new Set(inserted.map((row) => row.idempotencyKey));
}

/** The cycle an attempt charges, as its record says (dunning keys its tracker on it). */
export interface AttemptOfCycle {
  shop: string;
  idempotencyKey: string;
  contractId: string;
  billingCycleIndex: number;
  attemptNumber: number;
  /** The contract's customer when the attempt was made. */
  customerId: string | null;
}

export interface RecordedOutcome {
  outcome: AttemptOutcome;
  /**
   * The attempt, read back when its outcome may move a dunning tracker (a failure, a
   * challenge, a success after either); null when it cannot (still processing, or a first
   * charge that went through at once, which never had a tracker).
   */
  attempt: AttemptOfCycle | null;
}

const UNCHALLENGED: readonly AttemptStatus[] = [AttemptStatus.Pending, AttemptStatus.Processing];
const MAY_MOVE_A_TRACKER: readonly AttemptStatus[] = [AttemptStatus.Failed, AttemptStatus.ActionRequired, AttemptStatus.Succeeded];

/**
 * Records what Shopify said about an attempt, only if it moves the attempt forward (one
 * conditional update: late, duplicated or reordered news changes nothing). Returns null when
 * it was not news. Callers go through dunning's settleAttempt, which also moves the tracker.
 */
export async function recordAttemptOutcome(
  db: Prisma.TransactionClient,
  where: { shop: string; idempotencyKey: string },
  outcome: AttemptOutcome,
  at: Date,
  /** Set when the news is Shopify's answer to sending it. */
  sentAt?: Date,
): Promise<RecordedOutcome | null> {
  if (outcome.status === AttemptStatus.Succeeded) {
    // The common case, one statement: a first charge that went through without a challenge
    // or a failure never had a tracker.
    const { count } = await db.billingAttempt.updateMany(outcomeUpdate({ ...where, attemptNumber: 1 }, outcome, at, sentAt, UNCHALLENGED));
    if (count === 1) return { outcome, attempt: null };
  }
  const { count } = await db.billingAttempt.updateMany(outcomeUpdate(where, outcome, at, sentAt));
  if (count === 0) return null;
  if (!MAY_MOVE_A_TRACKER.includes(outcome.status)) return { outcome, attempt: null };
  const attempt = await db.billingAttempt.findUniqueOrThrow({
    where: { idempotencyKey: where.idempotencyKey },
    select: { shop: true, idempotencyKey: true, contractId: true, billingCycleIndex: true, attemptNumber: true, customerId: true },
  });
  return { outcome, attempt };
}

/** The conditional update that records `outcome` only where it moves the attempt forward. */
function outcomeUpdate(
  where: { shop: string; idempotencyKey: string; attemptNumber?: number },
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
      ...(isFinalAttemptStatus(outcome.status) ? { completedAt: outcome.completedAt ?? at } : {}),
    },
  };
}

/**
 * Shopify accepted these attempts and is processing them (its usual answer to the mutation):
 * one statement records them all, each moving only from PENDING (a result webhook that came
 * first is not overwritten). Nothing about them concerns dunning yet.
 */
export async function recordAcceptedAttempts(
  shop: string,
  accepted: Array<{ idempotencyKey: string; shopifyAttemptId: string }>,
  sentAt: Date,
  /** With other changes that must commit together; alone, one statement needs no transaction. */
  tx?: Prisma.TransactionClient,
): Promise<void> {
  if (accepted.length === 0) return;
  const sql = rawSql(appConfig().database.provider);
  const { id } = sql;
  const shopifyIds = accepted.map(({ idempotencyKey, shopifyAttemptId }) => `WHEN ${sql.value(idempotencyKey, "text")} THEN ${sql.value(shopifyAttemptId, "text")}`);
  const update = `UPDATE ${id("BillingAttempt")}
     SET ${id("status")} = '${AttemptStatus.Processing}',
         ${id("shopifyAttemptId")} = CASE ${id("idempotencyKey")} ${shopifyIds.join(" ")} END,
         ${id("sentAt")} = ${sql.value(sentAt, "timestamp(3)")},
         ${id("updatedAt")} = ${sql.value(new Date(), "timestamp(3)")}
     WHERE ${id("shop")} = ${sql.value(shop, "text")} AND ${id("idempotencyKey")} IN (${sql.list(accepted.map(({ idempotencyKey }) => idempotencyKey), "text")})
       AND ${id("status")} = '${AttemptStatus.Pending}'`;
  if (tx) await tx.$executeRawUnsafe(update, ...sql.values);
  else await directQuery(update, sql.values);
}

export interface CycleOfContract {
  shop: string;
  contractId: string;
  billingCycleIndex: number;
}

/** One attempt of a cycle by its number, or null. */
export function findAttemptOfCycle(db: Prisma.TransactionClient, cycle: CycleOfContract, attemptNumber: number) {
  return db.billingAttempt.findUnique({ where: { shop_contractId_billingCycleIndex_attemptNumber: { ...cycle, attemptNumber } } });
}

/**
 * Records a dunning retry (attempt n of the cycle) under its key before it is sent, in the
 * caller's transaction: the unique key makes a second record of the same retry fail.
 */
export async function recordRetryAttempt(
  db: Prisma.TransactionClient,
  retry: CycleOfContract & { attemptNumber: number; customerId: string | null; expectedBillingDate: Date; runLocalDate: string },
): Promise<string> {
  const idempotencyKey = billingAttemptIdempotencyKey(retry.contractId, retry.billingCycleIndex, retry.attemptNumber);
  await db.billingAttempt.create({ data: { ...retry, idempotencyKey } });
  return idempotencyKey;
}

/** The cycle's latest attempt Shopify accepted, if its result is still open (to poll). */
export async function findLatestOpenAcceptedAttempt(cycle: CycleOfContract) {
  const latest = await prisma().billingAttempt.findFirst({
    where: { ...cycle, shopifyAttemptId: { not: null } },
    orderBy: { attemptNumber: "desc" },
    select: { idempotencyKey: true, shopifyAttemptId: true, status: true },
  });
  if (!latest?.shopifyAttemptId || (latest.status !== AttemptStatus.Processing && latest.status !== AttemptStatus.ActionRequired)) return undefined;
  return { idempotencyKey: latest.idempotencyKey, shopifyAttemptId: latest.shopifyAttemptId };
}

/** Attempts made by the shop's run for one local date, by current status. */
export async function countRunAttemptsByStatus(shop: string, runLocalDate: string): Promise<Record<string, number>> {
  const groups = await prisma().billingAttempt.groupBy({ by: ["status"], where: { shop, runLocalDate }, _count: { _all: true } });
  return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
}

/** Attempts Shopify accepted long ago whose result never arrived (a lost webhook): to poll. */
export function findUnsettledAttempts(shop: string, sentBefore: Date, limit: number) {
  return prisma().billingAttempt.findMany({
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
  return prisma().billingAttempt.findMany({
    where: { shop, attemptNumber: 1, status: AttemptStatus.Pending, shopifyAttemptId: null, runLocalDate: { lt: recordedBeforeLocalDate } },
    select: { idempotencyKey: true, contractId: true, billingCycleIndex: true, customerId: true, expectedBillingDate: true },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
}

/**
 * Contracts whose first charge the shop's run for `runLocalDate` has recorded: an earlier call
 * of the same run reached them. (Attempts of earlier runs say nothing about this one.)
 */
export async function contractsChargedByRun(shop: string, runLocalDate: string): Promise<Set<string>> {
  const rows = await prisma().billingAttempt.findMany({
    where: { shop, runLocalDate, attemptNumber: 1 },
    select: { contractId: true },
    distinct: ["contractId"],
  });
  return new Set(rows.map((row) => row.contractId));
}
