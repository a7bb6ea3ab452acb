import { prisma } from "../db/app-database.server";
import type { CycleOfContract } from "./attempt-records.server";

// Reads of what was attempted, for the merchant's pages and actions (never written here).

const DAY_MS = 24 * 3600_000;

/**
 * Attempts on the contract (every cycle: the card networks count attempts on a card, and a
 * contract has one) made in the 30 days before `now`: what the 30-day cap counts.
 */
export function countContractAttemptsIn30Days(shop: string, contractId: string, now: Date): Promise<number> {
  return prisma().billingAttempt.count({ where: { shop, contractId, createdAt: { gt: new Date(now.getTime() - 30 * DAY_MS) } } });
}

/** The cycle's latest attempt that made an order (its charge went through), if any. */
export function findCycleOrder(cycle: CycleOfContract) {
  return prisma().billingAttempt.findFirst({
    where: { ...cycle, orderId: { not: null } },
    orderBy: { attemptNumber: "desc" },
    select: { orderId: true },
  });
}
