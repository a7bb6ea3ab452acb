import { prisma } from "../db/app-database.server";
import { retryOnWriteConflict } from "../db/write-conflicts";

// Database leases on BillingSchedule rows: several app processes may run the billing
// endpoint at once; each shop is worked on by whoever holds its lease, and a lease left by
// a process that died expires. Claims are conditional updates (portable to SQLite,
// PostgreSQL and MySQL), never in-process locks; one that a deadlock rolled back (InnoDB)
// is run again. Leases run on the real clock even when the billing clock is simulated.

export interface ClaimedSchedule {
  id: number;
  shop: string;
  timezone: string;
  billingHour: number;
  lastBilledLocalDate: string | null;
  /** On the billing clock; null until the shop's first run finished (reconciliation has no earlier day to check). */
  lastRunFinishedAt: Date | null;
}

const leaseIsFree = (leaseClock: Date) => ({ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: leaseClock } }] });
const isDueBy = (now: Date) => ({ OR: [{ nextRunAt: null }, { nextRunAt: { lte: now } }] });

/**
 * Active schedules whose next run time has come and that nobody holds, by id after `afterId`:
 * a call pages through them once (a cursor, not a growing NOT IN list, which SQLite would
 * refuse past 999 parameters).
 */
export async function findClaimableSchedules(now: Date, leaseClock: Date, limit: number, afterId: number) {
  return prisma().billingSchedule.findMany({
    where: { active: true, id: { gt: afterId }, AND: [isDueBy(now), leaseIsFree(leaseClock)] },
    orderBy: { id: "asc" },
    take: limit,
    select: { id: true, shop: true, timezone: true, billingHour: true, lastBilledLocalDate: true, lastRunFinishedAt: true },
  });
}

/** Due schedules not yet billed (held or not): the work a later call still has to do. */
export function countDueSchedules(now: Date): Promise<number> {
  return prisma().billingSchedule.count({ where: { active: true, ...isDueBy(now) } });
}

/**
 * Takes the lease if it is free and the shop is still due (another worker may have billed
 * it since it was listed); true when this worker now holds it.
 */
export async function claimSchedule(id: number, owner: string, now: Date, leaseClock: Date, leaseMs: number): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().billingSchedule.updateMany({
    where: { id, active: true, AND: [isDueBy(now), leaseIsFree(leaseClock)] },
    data: { leaseOwner: owner, leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs), lastRunStartedAt: leaseClock },
  }));
  return count === 1;
}

/** Extends a held lease; false when it was lost (expired and taken by another worker). */
export async function renewLease(id: number, owner: string, leaseClock: Date, leaseMs: number): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().billingSchedule.updateMany({
    where: { id, leaseOwner: owner },
    data: { leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs) },
  }));
  return count === 1;
}

export interface RunCompletion {
  /** Set when the run billed (or gave up on) this local date: it is never billed again. */
  billedLocalDate?: string;
  nextRunAt: Date;
  outcome?: "COMPLETED" | "FAILED";
  error?: string | null;
  /** On the billing clock, like the date billed (they differ only against the simulator). */
  finishedAt?: Date;
}

/** Records the end of a shop's run and frees the lease, if this worker still holds it. */
export async function completeRun(id: number, owner: string, completion: RunCompletion): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().billingSchedule.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      ...(completion.billedLocalDate ? { lastBilledLocalDate: completion.billedLocalDate } : {}),
      ...(completion.outcome
        ? { lastRunOutcome: completion.outcome, lastRunError: completion.error ?? null, lastRunFinishedAt: completion.finishedAt }
        : {}),
      nextRunAt: completion.nextRunAt,
      leaseOwner: null,
      leaseExpiresAt: null,
    },
  }));
  return count === 1;
}

/** Frees the lease without recording a run: the shop is left for the next call. */
export async function releaseClaim(id: number, owner: string): Promise<void> {
  await retryOnWriteConflict(() => prisma().billingSchedule.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseExpiresAt: null } }));
}
