import { prisma } from "../db/app-database.server";
import { ReconciliationStatus, type ReconciliationFigures } from "./reconciliation-claims.server";

// What the Overview shows of the reconciliation: the last day checked, with when it was
// checked, and the sums over the shop's recent days. Reads a few rows and one aggregate.

export interface ReconciliationSummary {
  latest: (ReconciliationFigures & { localDate: string; completedAt: Date | null }) | null;
  /** Sums over the days checked since `sinceLocalDate`. */
  window: ReconciliationFigures & { daysChecked: number };
  /** Days waiting to be checked (the next cron calls check them). */
  waiting: number;
  /** The latest day Shopify would not let the app check, when it is newer than the last one checked. */
  failed: { localDate: string; error: string | null } | null;
}

export async function getReconciliationSummary(shop: string, sinceLocalDate: string): Promise<ReconciliationSummary> {
  const completed = { shop, status: ReconciliationStatus.Completed };
  const [latest, sums, waiting, failed] = await Promise.all([
    prisma().chargeReconciliation.findFirst({ where: completed, orderBy: { localDate: "desc" } }),
    prisma().chargeReconciliation.aggregate({
      where: { ...completed, localDate: { gte: sinceLocalDate } },
      _count: { _all: true },
      _sum: { cyclesCharged: true, cyclesChargedMoreThanOnce: true, ordersWithoutAttempt: true, attemptsWithoutOutcome: true },
    }),
    prisma().chargeReconciliation.count({ where: { shop, status: { in: [ReconciliationStatus.Due, ReconciliationStatus.Running] } } }),
    prisma().chargeReconciliation.findFirst({ where: { shop, status: ReconciliationStatus.Failed }, orderBy: { localDate: "desc" }, select: { localDate: true, error: true } }),
  ]);
  return {
    latest: latest
      ? {
          localDate: latest.localDate,
          completedAt: latest.completedAt,
          cyclesCharged: latest.cyclesCharged ?? 0,
          cyclesChargedMoreThanOnce: latest.cyclesChargedMoreThanOnce ?? 0,
          ordersWithoutAttempt: latest.ordersWithoutAttempt ?? 0,
          attemptsWithoutOutcome: latest.attemptsWithoutOutcome ?? 0,
        }
      : null,
    window: {
      daysChecked: sums._count._all,
      cyclesCharged: sums._sum.cyclesCharged ?? 0,
      cyclesChargedMoreThanOnce: sums._sum.cyclesChargedMoreThanOnce ?? 0,
      ordersWithoutAttempt: sums._sum.ordersWithoutAttempt ?? 0,
      attemptsWithoutOutcome: sums._sum.attemptsWithoutOutcome ?? 0,
    },
    waiting,
    failed: failed && (!latest || failed.localDate > latest.localDate) ? failed : null,
  };
}
