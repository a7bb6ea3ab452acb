import { prisma } from "../db/app-database.server";

/**
 * Active shops due by `now` and not billed yet, and the earliest due time among them: how far
 * billing is behind, whichever process runs it (one aggregate statement on (active, nextRunAt)).
 */
export async function findBillingBacklog(now: Date): Promise<{ dueShops: number; oldestDueAt: Date | null }> {
  const { _count, _min } = await prisma().billingSchedule.aggregate({
    where: { active: true, OR: [{ nextRunAt: null }, { nextRunAt: { lte: now } }] },
    _count: { _all: true },
    _min: { nextRunAt: true },
  });
  return { dueShops: _count._all, oldestDueAt: _min.nextRunAt };
}
