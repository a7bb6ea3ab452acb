/**
 * When each shop's run went through its phases: claimed (BillingSchedule.lastRunStartedAt,
 * the lease clock, which is real time), its first and last Admin API request (as the store
 * simulator saw them), and its last attempt result absorbed from a webhook (the latest
 * BillingAttempt.updatedAt: real time, as the lease clock; completedAt is the simulated clock's).
 */
import type { PrismaClient } from "../app/db/client.server";

export interface Distribution {
  min: number;
  median: number;
  p90: number;
  max: number;
}

export interface ShopPhases {
  shops: number;
  /** Seconds after the first billing call. */
  claimedAt: Distribution;
  firstRequestAt: Distribution;
  lastRequestAt: Distribution;
  lastResultAt: Distribution;
  /** Claim to first request: session, unsettled attempts, reading what was attempted. */
  beforeFirstRequestSeconds: Distribution;
  /** First to last request: listing, cycles and attempts. */
  requestSpanSeconds: Distribution;
}

export function distribution(values: number[]): Distribution {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return { min: NaN, median: NaN, p90: NaN, max: NaN };
  const at = (fraction: number) => finite[Math.min(finite.length - 1, Math.floor(fraction * finite.length))];
  return { min: finite[0], median: at(0.5), p90: at(0.9), max: finite[finite.length - 1] };
}

export async function measureShopPhases(
  prisma: PrismaClient,
  startedAtWall: number,
  requestSpans: Map<string, { firstSeconds: number; lastSeconds: number }>,
): Promise<ShopPhases> {
  const schedules = await prisma.billingSchedule.findMany({ select: { shop: true, lastRunStartedAt: true } });
  const results = await prisma.billingAttempt.groupBy({ by: ["shop"], _max: { updatedAt: true } });
  const lastResultOf = new Map(results.map((row) => [row.shop, row._max.updatedAt]));
  const since = (date: Date | null | undefined) => (date ? (date.getTime() - startedAtWall) / 1000 : NaN);
  const rows = schedules.map((schedule) => {
    const first = requestSpans.get(schedule.shop)?.firstSeconds ?? NaN;
    const claimed = since(schedule.lastRunStartedAt);
    return {
      // A later call that claimed the shop again (it was deferred) overwrote the first claim.
      claimed: claimed > first ? NaN : claimed,
      first,
      last: requestSpans.get(schedule.shop)?.lastSeconds ?? NaN,
      lastResult: since(lastResultOf.get(schedule.shop)),
    };
  });
  return {
    shops: rows.length,
    claimedAt: distribution(rows.map((row) => row.claimed)),
    firstRequestAt: distribution(rows.map((row) => row.first)),
    lastRequestAt: distribution(rows.map((row) => row.last)),
    lastResultAt: distribution(rows.map((row) => row.lastResult)),
    beforeFirstRequestSeconds: distribution(rows.map((row) => row.first - row.claimed)),
    requestSpanSeconds: distribution(rows.map((row) => row.last - row.first)),
  };
}
