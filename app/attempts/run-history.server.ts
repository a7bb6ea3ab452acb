import { prisma } from "../db/app-database.server";
import { AttemptStatus } from "./attempt-status";

// What each day's billing run charged, for the overview's chart: first charges only (a
// dunning retry is a later attempt of a cycle, counted in recovery), by the local date of
// the run that made them. Aggregates: one row per date and status, however many attempts.

export interface RunDay {
  /** The shop's local date of the run ("2026-01-14"). */
  localDate: string;
  charged: number;
  failed: number;
  /** Sent, not settled yet: processing, or waiting for the customer's 3-D Secure. */
  pending: number;
  /** Of the day's charges, those of cycles an earlier date's run should have made (the scheduler was down), as `dueBefore` tells. */
  caughtUp: number;
}

const FAILED: readonly string[] = [AttemptStatus.Failed, AttemptStatus.Rejected];
const CHARGED: readonly string[] = [AttemptStatus.Succeeded];

/**
 * The shop's first charges by run date, for each of `dates` (oldest first; every date is
 * listed, a day without a run with zeros). A charge counts as caught up when its cycle was
 * expected at or before `dueBefore(date)`.
 */
export async function countFirstChargesByRunDate(shop: string, dates: string[], dueBefore: (localDate: string) => Date): Promise<RunDay[]> {
  if (dates.length === 0) return [];
  const inDates = { shop, attemptNumber: 1, runLocalDate: { gte: dates[0], lte: dates[dates.length - 1] } };
  const [byStatus, caughtUp] = await Promise.all([
    prisma().billingAttempt.groupBy({ by: ["runLocalDate", "status"], where: inDates, _count: { _all: true } }),
    prisma().billingAttempt.groupBy({
      by: ["runLocalDate"],
      where: { shop, attemptNumber: 1, OR: dates.map((localDate) => ({ runLocalDate: localDate, expectedBillingDate: { lte: dueBefore(localDate) } })) },
      _count: { _all: true },
    }),
  ]);
  const days = new Map(dates.map((localDate) => [localDate, { localDate, charged: 0, failed: 0, pending: 0, caughtUp: 0 }]));
  for (const group of byStatus) {
    const day = days.get(group.runLocalDate);
    if (!day) continue;
    const count = group._count._all;
    if (CHARGED.includes(group.status)) day.charged += count;
    else if (FAILED.includes(group.status)) day.failed += count;
    else day.pending += count;
  }
  for (const group of caughtUp) {
    const day = days.get(group.runLocalDate);
    if (day) day.caughtUp = group._count._all;
  }
  return [...days.values()];
}
