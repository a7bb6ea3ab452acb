import type { DunningTracker } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { retryOnWriteConflict } from "../db/write-conflicts";
import { pausedShops } from "../schedules/schedule.server";
import { OPEN_TRACKER_STATUSES } from "./next-step";

// Leases on DunningTracker rows, as on BillingSchedule: concurrent cron calls each take a
// tracker with a conditional update, so a retry, an email or a final action is done by one
// process; a lease left by a process that died expires. A claim or release that a deadlock
// rolled back (InnoDB) is run again. Leases run on the real clock.

const open = { status: { in: [...OPEN_TRACKER_STATUSES] } };
const leaseIsFree = (leaseClock: Date) => ({ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: leaseClock } }] });

/**
 * Open trackers with something due at `now`: an action, an email, or a first look at their
 * contract (its customer, or the cycle's price the merchant's pages show).
 */
const hasWorkDue = (now: Date) => ({
  OR: [{ nextAction: { not: null }, nextActionAt: { lte: now } }, { emailDueAt: { lte: now } }, { customerId: null }, { amount: null }],
});

/**
 * A shop whose merchant paused billing is not dunned either: no retry charges, no email, no
 * final action until they resume (its trackers' due work is then done at the next call).
 * One bound parameter per paused shop.
 */
async function notPaused() {
  const paused = await pausedShops();
  return paused.length ? { shop: { notIn: paused } } : {};
}

export async function findDueTrackers(now: Date, leaseClock: Date, limit: number, afterId: number): Promise<DunningTracker[]> {
  return prisma().dunningTracker.findMany({
    where: { ...open, ...(await notPaused()), id: { gt: afterId }, AND: [hasWorkDue(now), leaseIsFree(leaseClock)] },
    orderBy: { id: "asc" },
    take: limit,
  });
}

export async function countDueTrackers(now: Date): Promise<number> {
  return prisma().dunningTracker.count({ where: { ...open, ...(await notPaused()), ...hasWorkDue(now) } });
}

/** Takes the tracker if it is still open and nobody holds it; returns it as claimed, or null. */
export async function claimTracker(id: number, owner: string, leaseClock: Date, leaseMs: number): Promise<DunningTracker | null> {
  const { count } = await retryOnWriteConflict(() => prisma().dunningTracker.updateMany({
    where: { id, ...open, ...leaseIsFree(leaseClock) },
    data: { leaseOwner: owner, leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs) },
  }));
  return count === 1 ? prisma().dunningTracker.findUnique({ where: { id } }) : null;
}

export async function releaseTracker(id: number, owner: string): Promise<void> {
  await retryOnWriteConflict(() => prisma().dunningTracker.updateMany({ where: { id, leaseOwner: owner }, data: { leaseOwner: null, leaseExpiresAt: null } }));
}
