import { prisma } from "../db/app-database.server";
import { sumDecimals } from "../lib/decimal";
import { DeclineClass } from "./decline-classes";
import { CLOSED_TRACKER_STATUSES, OPEN_TRACKER_STATUSES, TrackerStatus } from "./next-step";

// What dunning recovered and what is still at risk, for the overview. Aggregates only: the
// trackers are counted by status and decline class, and amounts are summed from one row per
// distinct (currency, amount), which a shop's few prices keep small, never row by row.

export interface MoneyTotal {
  /** null when the trackers did not record their currency. */
  currencyCode: string | null;
  /** Exact decimal sum, e.g. "37.50". */
  amount: string;
}

export interface RecoveryCounts {
  recovered: number;
  /** The retries ran out and the final action was applied. */
  exhausted: number;
  /** A shop-side error stopped dunning. */
  stopped: number;
  /** Closed without charging (contract cancelled or paused elsewhere, cycle skipped, shop uninstalled): not in the rate. */
  abandoned: number;
  /** recovered / (recovered + exhausted + stopped); null when none of those closed in the window. */
  rate: number | null;
  recoveredAmounts: MoneyTotal[];
}

export interface RecoveryWindow extends RecoveryCounts {
  days: number;
  since: Date;
  /** Per decline class of the tracker's last failure, in DeclineClass order; classes with nothing closed are left out. */
  byCategory: Array<RecoveryCounts & { declineClass: DeclineClass }>;
}

const CLASS_ORDER: readonly DeclineClass[] = Object.values(DeclineClass);

/** Trackers closed since each window's start (each window one pair of aggregates). */
export async function getRecoveryStats(shop: string, windows: Array<{ days: number; since: Date }>): Promise<RecoveryWindow[]> {
  return Promise.all(windows.map((window) => recoveryWindow(shop, window)));
}

async function recoveryWindow(shop: string, { days, since }: { days: number; since: Date }): Promise<RecoveryWindow> {
  const closed = { shop, completedAt: { gte: since } };
  const [byStatus, recoveredAmounts] = await Promise.all([
    prisma().dunningTracker.groupBy({
      by: ["status", "lastErrorClass"],
      where: { ...closed, status: { in: [...CLOSED_TRACKER_STATUSES] } },
      _count: { _all: true },
    }),
    prisma().dunningTracker.groupBy({
      by: ["lastErrorClass", "currencyCode", "recoveredAmount"],
      where: { ...closed, status: TrackerStatus.Recovered, recoveredAmount: { not: null } },
      _count: { _all: true },
    }),
  ]);
  const classOf = (stored: string | null): DeclineClass =>
    // A tracker opened before its class was recorded reads as a temporary decline, as its code would.
    stored && (CLASS_ORDER as string[]).includes(stored) ? (stored as DeclineClass) : DeclineClass.Soft;
  const counts = (rows: typeof byStatus, amounts: typeof recoveredAmounts): RecoveryCounts => {
    const of = (status: string) => rows.filter((row) => row.status === status).reduce((total, row) => total + row._count._all, 0);
    const recovered = of(TrackerStatus.Recovered);
    const exhausted = of(TrackerStatus.Exhausted);
    const stopped = of(TrackerStatus.Stopped);
    const decided = recovered + exhausted + stopped;
    return {
      recovered,
      exhausted,
      stopped,
      abandoned: of(TrackerStatus.Abandoned),
      rate: decided === 0 ? null : recovered / decided,
      recoveredAmounts: totalsByCurrency(amounts.map((row) => ({ currencyCode: row.currencyCode, amount: row.recoveredAmount as string, count: row._count._all }))),
    };
  };
  const byCategory = CLASS_ORDER.map((declineClass) => ({
    declineClass,
    ...counts(
      byStatus.filter((row) => classOf(row.lastErrorClass) === declineClass),
      recoveredAmounts.filter((row) => classOf(row.lastErrorClass) === declineClass),
    ),
  })).filter((category) => category.recovered + category.exhausted + category.stopped + category.abandoned > 0);
  return { days, since, ...counts(byStatus, recoveredAmounts), byCategory };
}

export interface RevenueAtRisk {
  /** Open trackers, and of them by status. */
  trackers: number;
  byStatus: Record<string, number>;
  /** What the open trackers' cycles cost, per currency. */
  amounts: MoneyTotal[];
  /** Open trackers whose amount is not known yet (their contract has not been read). */
  withoutAmount: number;
}

/** The open trackers' cycles: what the shop loses if none is recovered. One aggregate. */
export async function getRevenueAtRisk(shop: string): Promise<RevenueAtRisk> {
  const groups = await prisma().dunningTracker.groupBy({
    by: ["status", "currencyCode", "amount"],
    where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] } },
    _count: { _all: true },
  });
  const byStatus = Object.fromEntries(OPEN_TRACKER_STATUSES.map((status) => [status, 0]));
  let withoutAmount = 0;
  for (const group of groups) {
    byStatus[group.status] += group._count._all;
    if (group.amount === null) withoutAmount += group._count._all;
  }
  return {
    trackers: Object.values(byStatus).reduce((total, count) => total + count, 0),
    byStatus,
    amounts: totalsByCurrency(
      groups.filter((group) => group.amount !== null).map((group) => ({ currencyCode: group.currencyCode, amount: group.amount as string, count: group._count._all })),
    ),
    withoutAmount,
  };
}

function totalsByCurrency(terms: Array<{ currencyCode: string | null; amount: string; count: number }>): MoneyTotal[] {
  const byCurrency = new Map<string | null, typeof terms>();
  for (const term of terms) byCurrency.set(term.currencyCode, [...(byCurrency.get(term.currencyCode) ?? []), term]);
  return [...byCurrency.entries()]
    .map(([currencyCode, ofCurrency]) => ({ currencyCode, amount: sumDecimals(ofCurrency) }))
    .filter((total): total is MoneyTotal => total.amount !== null)
    .sort((a, b) => (a.currencyCode ?? "").localeCompare(b.currencyCode ?? ""));
}
