import { appConfig } from "../config/app-config.server";
import { countTrackersByStatus } from "../dunning/tracker-counts.server";
import { logger } from "../observability/logger.server";
import { metricsExposition, type DatabaseGauges } from "../observability/metrics.server";
import { findBillingBacklog } from "../schedules/schedule-backlog.server";
import { refuseUnlessScheduler } from "./billing-endpoint.server";

/**
 * GET /api/metrics: the process's metrics in Prometheus' text format, with the database's
 * gauges (trackers by status, the billing backlog) read for this scrape; behind the same
 * secret as the billing endpoint. docs/operations.md#metrics describes each.
 */
export async function metricsResponse(request: Request): Promise<Response> {
  const refusal = refuseUnlessScheduler(request, appConfig().CRON_SECRET);
  if (refusal) return refusal;
  const { contentType, text } = await metricsExposition(await readDatabaseGauges(new Date()));
  return new Response(text, { headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
}

/** Undefined when the database cannot be read: the process's own metrics are still answered. */
async function readDatabaseGauges(now: Date): Promise<DatabaseGauges | undefined> {
  try {
    const [trackersByStatus, backlog] = await Promise.all([countTrackersByStatus(), findBillingBacklog(now)]);
    return {
      trackersByStatus,
      dueShops: backlog.dueShops,
      oldestDueWaitSeconds: backlog.oldestDueAt ? Math.max(0, (now.getTime() - backlog.oldestDueAt.getTime()) / 1000) : 0,
    };
  } catch (error) {
    logger().warn({ event: "metrics_database_unreadable", error }, "metrics: the database could not be read; its gauges are left out of this scrape");
    return undefined;
  }
}
