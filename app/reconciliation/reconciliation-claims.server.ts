import type { ChargeReconciliation, Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { retryOnWriteConflict } from "../db/write-conflicts";
import { addLocalDays } from "../time/local-days";

// The ChargeReconciliation rows: one per shop and local date, created when the shop's billing
// run of the next date completes, and worked on under a lease as billing schedules are (a
// conditional update with an expiry; a crashed worker's row is taken up once it expires).
// Leases run on the real clock even when the billing clock is simulated.

export const ReconciliationStatus = { Due: "DUE", Running: "RUNNING", Completed: "COMPLETED", Failed: "FAILED" } as const;

/** Days caught up after billing was paused or the scheduler down; older days are not checked. */
export const MAX_DAYS_CAUGHT_UP = 7;

/** A duplicate key: another process created the row first. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/**
 * After the shop's run for `billedLocalDate` (`before`: the schedule as it was before that
 * run): every earlier day not checked yet, back to the day after the last one checked (at
 * most MAX_DAYS_CAUGHT_UP), is due for checking; it has ended, and its late results were
 * polled by this run. A shop's first run has no earlier day to check (the app charged nothing
 * before). Returns the days made due.
 */
export async function scheduleReconciliations(
  shop: string,
  before: { lastBilledLocalDate: string | null; lastRunFinishedAt: Date | null },
  billedLocalDate: string,
): Promise<string[]> {
  const previousBilledLocalDate = before.lastBilledLocalDate;
  if (!previousBilledLocalDate || !before.lastRunFinishedAt) return [];
  const latest = await prisma().chargeReconciliation.findFirst({ where: { shop }, orderBy: { localDate: "desc" }, select: { localDate: true } });
  const last = addLocalDays(billedLocalDate, -1);
  const earliest = addLocalDays(billedLocalDate, -MAX_DAYS_CAUGHT_UP);
  let first = latest ? addLocalDays(latest.localDate, 1) : previousBilledLocalDate < last ? previousBilledLocalDate : last;
  if (first < earliest) first = earliest;
  const days: string[] = [];
  for (let day = first; day <= last; day = addLocalDays(day, 1)) {
    try {
      await prisma().chargeReconciliation.create({ data: { shop, localDate: day } });
      days.push(day);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return days;
}

const unfinished = { status: { in: [ReconciliationStatus.Due, ReconciliationStatus.Running] } };
const leaseIsFree = (leaseClock: Date) => ({ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: leaseClock } }] });

/** Days to check that nobody holds, by id after `afterId` (a cursor through one call). */
export function findDueReconciliations(leaseClock: Date, limit: number, afterId: number): Promise<ChargeReconciliation[]> {
  return prisma().chargeReconciliation.findMany({
    where: { ...unfinished, id: { gt: afterId }, ...leaseIsFree(leaseClock) },
    orderBy: { id: "asc" },
    take: limit,
  });
}

export function countDueReconciliations(): Promise<number> {
  return prisma().chargeReconciliation.count({ where: unfinished });
}

/** Takes the row if it is still to do and nobody holds it; returns it as claimed, or null. */
export async function claimReconciliation(id: number, owner: string, leaseClock: Date, leaseMs: number): Promise<ChargeReconciliation | null> {
  const { count } = await retryOnWriteConflict(() => prisma().chargeReconciliation.updateMany({
    where: { id, ...unfinished, ...leaseIsFree(leaseClock) },
    data: { status: ReconciliationStatus.Running, leaseOwner: owner, leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs) },
  }));
  return count === 1 ? prisma().chargeReconciliation.findUnique({ where: { id } }) : null;
}

/** Extends a held lease; false when it was lost (expired and taken by another worker). */
export async function renewReconciliationLease(id: number, owner: string, leaseClock: Date, leaseMs: number): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().chargeReconciliation.updateMany({
    where: { id, leaseOwner: owner },
    data: { leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs) },
  }));
  return count === 1;
}

/** Where the next call goes on reading Shopify's attempts, and how many were read so far. */
export async function saveReconciliationProgress(id: number, owner: string, progress: { cursor: string | null; attemptsRead: number }): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().chargeReconciliation.updateMany({ where: { id, leaseOwner: owner }, data: progress }));
  return count === 1;
}

export interface ReconciliationFigures {
  cyclesCharged: number;
  cyclesChargedMoreThanOnce: number;
  ordersWithoutAttempt: number;
  attemptsWithoutOutcome: number;
}

/** The day is checked: its figures are kept and it is never checked again. False when the lease was lost. */
export async function completeReconciliation(
  db: Prisma.TransactionClient,
  id: number,
  owner: string,
  result: ReconciliationFigures & { attemptsRead: number },
  completedAt: Date,
): Promise<boolean> {
  const { cyclesCharged, cyclesChargedMoreThanOnce, ordersWithoutAttempt, attemptsWithoutOutcome, attemptsRead } = result;
  const { count } = await db.chargeReconciliation.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      ...{ cyclesCharged, cyclesChargedMoreThanOnce, ordersWithoutAttempt, attemptsWithoutOutcome, attemptsRead },
      status: ReconciliationStatus.Completed,
      cursor: null,
      completedAt,
      error: null,
      leaseOwner: null,
      leaseExpiresAt: null,
    },
  });
  return count === 1;
}

/** Shopify will not serve the shop (uninstalled, frozen): the day is not checked, and not tried again. */
export async function failReconciliation(id: number, owner: string, error: string, at: Date): Promise<void> {
  await retryOnWriteConflict(() => prisma().chargeReconciliation.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: ReconciliationStatus.Failed, error, completedAt: at, leaseOwner: null, leaseExpiresAt: null },
  }));
}

/** Frees the lease, the work left for the next call. */
export async function releaseReconciliation(id: number, owner: string): Promise<void> {
  await retryOnWriteConflict(() => prisma().chargeReconciliation.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseExpiresAt: null } }));
}
