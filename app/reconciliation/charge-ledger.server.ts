import { AttemptStatus } from "../attempts/attempt-status";
import { numericIdOf, parseBillingAttemptIdempotencyKey } from "../attempts/idempotency-key";
import { prisma } from "../db/app-database.server";
import { retryOnWriteConflict } from "../db/write-conflicts";
import { chunk } from "../lib/concurrency";
import type { ShopifyBillingAttempt } from "../shopify/operations/subscription-billing-attempts.server";
import type { ReconciliationFigures } from "./reconciliation-claims.server";

// The charge ledger: what Shopify says about each billing attempt of a checked day, next to
// the app's own record under the same idempotency key, and the figures counted from the two.

/** Rows per IN list: well under SQLite's 999 bound parameters. */
const IN_LIST = 400;

/**
 * Records a page of Shopify's attempts of `localDate` in the ledger, each with the app's
 * attempt of the same key and its billing cycle: from the app's record, from the app's key,
 * or, for a successful attempt nobody here made, from `findCycle` (Shopify's cycles). A page
 * read again (a call cut short) updates its rows instead of adding them.
 */
export async function recordLedgerPage(
  shop: string,
  localDate: string,
  attempts: ShopifyBillingAttempt[],
  findCycle: (attempt: ShopifyBillingAttempt) => Promise<number | null>,
): Promise<void> {
  if (attempts.length === 0) return;
  const records = await prisma().billingAttempt.findMany({
    where: { shop, idempotencyKey: { in: attempts.map((attempt) => attempt.idempotencyKey) } },
    select: { id: true, idempotencyKey: true, billingCycleIndex: true },
  });
  const recordByKey = new Map(records.map((record) => [record.idempotencyKey, record]));
  const known = await prisma().chargeLedgerEntry.findMany({
    where: { shop, shopifyAttemptId: { in: attempts.map((attempt) => attempt.id) } },
    select: { id: true, shopifyAttemptId: true, billingCycleIndex: true },
  });
  const knownById = new Map(known.map((entry) => [entry.shopifyAttemptId, entry]));

  const rows = [];
  for (const attempt of attempts) {
    const record = recordByKey.get(attempt.idempotencyKey);
    const ours = parseBillingAttemptIdempotencyKey(attempt.idempotencyKey);
    const oursForThisContract = ours && ours.contractNumericId === safeNumericId(attempt.contractId) ? ours.billingCycleIndex : undefined;
    const billingCycleIndex =
      record?.billingCycleIndex ??
      oursForThisContract ??
      knownById.get(attempt.id)?.billingCycleIndex ??
      (attempt.state === "SUCCEEDED" ? await findCycle(attempt) : null);
    rows.push({
      shop,
      localDate,
      shopifyAttemptId: attempt.id,
      idempotencyKey: attempt.idempotencyKey,
      contractId: attempt.contractId,
      billingCycleIndex,
      state: attempt.state,
      orderId: attempt.order?.id ?? null,
      orderName: attempt.order?.name ?? null,
      orderCreatedAt: attempt.order?.createdAt ?? null,
      attemptCreatedAt: attempt.createdAt,
      billingAttemptId: record?.id ?? null,
    });
  }
  const fresh = rows.filter((row) => !knownById.has(row.shopifyAttemptId));
  if (fresh.length > 0) await prisma().chargeLedgerEntry.createMany({ data: fresh });
  for (const row of rows) {
    const entry = knownById.get(row.shopifyAttemptId);
    if (entry) await prisma().chargeLedgerEntry.update({ where: { id: entry.id }, data: row });
  }
}

function safeNumericId(gid: string): string | undefined {
  try {
    return numericIdOf(gid);
  } catch {
    return undefined;
  }
}

export interface ChargedCycle {
  contractId: string;
  billingCycleIndex: number;
}

/** A discrepancy, with what the merchant needs to find it in Shopify admin. */
export interface ReconciliationFindings extends ReconciliationFigures {
  doubleCharges: Array<ChargedCycle & { orders: Array<{ name: string | null; createdAt: Date | null }> }>;
  ordersWithoutMatchingAttempt: Array<Partial<ChargedCycle> & { contractId: string; orderName: string | null; createdAt: Date }>;
  attemptsLackingOutcome: Array<ChargedCycle & { status: string; sentAt: Date | null; inShopify: string | null; orderName: string | null }>;
}

const cycleKey = (contractId: string, index: number) => `${contractId}#${index}`;

/**
 * The day's figures from the ledger and the app's attempts:
 * - cycles charged: distinct cycles with a successful attempt created that day, in Shopify;
 * - charged more than once: of those, cycles with two or more successful charges in all
 *   (Shopify's, in the ledger of any day, and the app's own records), counted on the day of
 *   the charge that made it two, so a double charge is reported once;
 * - orders without a matching attempt: orders of that day whose attempt the app never recorded;
 * - attempts without an outcome: the app's attempts of that day's runs still pending or
 *   processing (Shopify's state, when it knows it, is named).
 */
export async function countReconciliation(shop: string, localDate: string): Promise<ReconciliationFindings> {
  const entries = await prisma().chargeLedgerEntry.findMany({ where: { shop, localDate }, orderBy: { attemptCreatedAt: "asc" } });
  const successes = entries.filter((entry) => entry.state === "SUCCEEDED");
  const charged = new Map<string, ChargedCycle>();
  for (const entry of successes) {
    if (entry.billingCycleIndex !== null) charged.set(cycleKey(entry.contractId, entry.billingCycleIndex), { contractId: entry.contractId, billingCycleIndex: entry.billingCycleIndex });
  }

  // Every successful charge known for the contracts charged that day, by cycle and key.
  const contracts = [...new Set([...charged.values()].map((cycle) => cycle.contractId))];
  const chargesByCycle = new Map<string, Map<string, { name: string | null; createdAt: Date | null }>>();
  const addCharge = (contractId: string, index: number | null, key: string, order: { name: string | null; createdAt: Date | null }) => {
    if (index === null || !charged.has(cycleKey(contractId, index))) return;
    const charges = chargesByCycle.get(cycleKey(contractId, index)) ?? new Map();
    if (!charges.has(key) || (!charges.get(key)!.name && order.name)) charges.set(key, order);
    chargesByCycle.set(cycleKey(contractId, index), charges);
  };
  for (const slice of chunk(contracts, IN_LIST)) {
    const ledger = await prisma().chargeLedgerEntry.findMany({
      where: { shop, state: "SUCCEEDED", contractId: { in: slice } },
      select: { contractId: true, billingCycleIndex: true, idempotencyKey: true, orderName: true, orderCreatedAt: true, attemptCreatedAt: true },
    });
    for (const entry of ledger) addCharge(entry.contractId, entry.billingCycleIndex, entry.idempotencyKey, { name: entry.orderName, createdAt: entry.orderCreatedAt ?? entry.attemptCreatedAt });
    const recorded = await prisma().billingAttempt.findMany({
      where: { shop, status: AttemptStatus.Succeeded, contractId: { in: slice } },
      select: { contractId: true, billingCycleIndex: true, idempotencyKey: true, completedAt: true },
    });
    for (const attempt of recorded) addCharge(attempt.contractId, attempt.billingCycleIndex, attempt.idempotencyKey, { name: null, createdAt: attempt.completedAt });
  }
  // Reported by the day whose charge made it two or more: charges up to that day's last one count.
  const latestChargeOfDay = new Map<string, Date>();
  for (const entry of successes) {
    if (entry.billingCycleIndex === null) continue;
    const key = cycleKey(entry.contractId, entry.billingCycleIndex);
    const at = latestChargeOfDay.get(key);
    if (!at || entry.attemptCreatedAt > at) latestChargeOfDay.set(key, entry.attemptCreatedAt);
  }
  const doubleCharges: ReconciliationFindings["doubleCharges"] = [];
  for (const [key, cycle] of charged) {
    const dayCharge = latestChargeOfDay.get(key)!;
    const charges = [...(chargesByCycle.get(key)?.values() ?? [])].filter((charge) => !charge.createdAt || charge.createdAt <= dayCharge);
    if (charges.length < 2) continue;
    doubleCharges.push({ ...cycle, orders: charges.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0)) });
  }

  const ordersWithoutMatchingAttempt = successes
    .filter((entry) => entry.billingAttemptId === null)
    .map((entry) => ({
      contractId: entry.contractId,
      ...(entry.billingCycleIndex !== null ? { billingCycleIndex: entry.billingCycleIndex } : {}),
      orderName: entry.orderName,
      createdAt: entry.orderCreatedAt ?? entry.attemptCreatedAt,
    }));

  const lacking = await prisma().billingAttempt.findMany({
    where: { shop, runLocalDate: localDate, status: { in: [AttemptStatus.Pending, AttemptStatus.Processing] } },
    select: { contractId: true, billingCycleIndex: true, status: true, sentAt: true, idempotencyKey: true },
    orderBy: { id: "asc" },
  });
  const entryByKey = new Map(entries.map((entry) => [entry.idempotencyKey, entry]));
  const attemptsLackingOutcome = lacking.map((attempt) => {
    const inShopify = entryByKey.get(attempt.idempotencyKey);
    return {
      contractId: attempt.contractId,
      billingCycleIndex: attempt.billingCycleIndex,
      status: attempt.status,
      sentAt: attempt.sentAt,
      inShopify: inShopify?.state ?? null,
      orderName: inShopify?.orderName ?? null,
    };
  });

  return {
    cyclesCharged: charged.size,
    cyclesChargedMoreThanOnce: doubleCharges.length,
    ordersWithoutAttempt: ordersWithoutMatchingAttempt.length,
    attemptsWithoutOutcome: attemptsLackingOutcome.length,
    doubleCharges,
    ordersWithoutMatchingAttempt,
    attemptsLackingOutcome,
  };
}

/** Ledger rows older than this many days are dropped as each shop's day is checked (the app's attempts stay). */
export const LEDGER_KEPT_DAYS = 400;

export async function pruneLedger(shop: string, before: Date): Promise<void> {
  await retryOnWriteConflict(() => prisma().chargeLedgerEntry.deleteMany({ where: { shop, attemptCreatedAt: { lt: before } } }));
}
