import { prisma } from "../db/app-database.server";
import { TrackerStatus } from "./next-step";

/**
 * Trackers of every shop by status, every status present (0 when none has it): one
 * aggregate statement, answered from the (status, ...) indexes; the metrics' scrape reads it.
 */
export async function countTrackersByStatus(): Promise<Record<TrackerStatus, number>> {
  const groups = await prisma().dunningTracker.groupBy({ by: ["status"], _count: { _all: true } });
  const counts = Object.fromEntries(Object.values(TrackerStatus).map((status) => [status, 0])) as Record<TrackerStatus, number>;
  for (const group of groups) {
    // A status written by a newer version is counted too (the label set stays small).
    counts[group.status as TrackerStatus] = group._count._all;
  }
  return counts;
}
