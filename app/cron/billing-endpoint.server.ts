import { randomUUID } from "node:crypto";
import os from "node:os";
import { json } from "@remix-run/node";
import { databaseUnavailableResponse } from "../http/database-unavailable.server";
import { logger, withLogContext } from "../observability/logger.server";
import { countBillingRun, observeBillingRunDuration } from "../observability/metrics.server";
import { appConfig } from "../config/app-config.server";
import { adminClientForShop } from "../shopify.server";
import { runBilling } from "./billing-run.server";
import { InvalidBillingRunRequestError, isAuthorizedCronRequest, parseBillingRunRequest } from "./cron-request.server";

/**
 * POST /api/billing/run, called by the operator's scheduler: checks the shared secret,
 * reads the options and runs billing within the time budget. docs/billing-endpoint.md documents it.
 * Each call has a run id: its answer, and every line it logs (each shop billed, each dunning
 * step), carry it.
 */
export async function handleBillingRunRequest(request: Request): Promise<Response> {
  const started = performance.now();
  const runId = randomUUID();
  let status = 500;
  try {
    const response = await withLogContext({ runId }, () => answerBillingRunRequest(request, runId));
    status = response.status;
    return response;
  } finally {
    observeBillingRunDuration(status, (performance.now() - started) / 1000);
  }
}

async function answerBillingRunRequest(request: Request, runId: string): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed("POST", "run billing");
  const env = appConfig();
  const refusal = refuseUnlessScheduler(request, env.CRON_SECRET);
  if (refusal) return refusal;
  let options;
  try {
    options = await parseBillingRunRequest(request, { simulatedClock: Boolean(env.SHOPIFY_STORE_SIMULATOR_URL) });
  } catch (error) {
    if (error instanceof InvalidBillingRunRequestError) return json({ error: error.message }, { status: error.status });
    throw error;
  }
  const now = options.now ? new Date(options.now) : new Date();
  logger().info({ event: "billing_run_started", now: now.toISOString(), dryRun: options.dryRun }, "billing run started");
  try {
    const summary = await runBilling({
      now,
      dryRun: options.dryRun,
      timeBudgetMs: (options.timeBudgetSeconds ?? env.BILLING_TIME_BUDGET_SECONDS) * 1000,
      catchUpWindowMs: env.BILLING_CATCH_UP_WINDOW_HOURS * 3600_000,
      shopConcurrency: env.BILLING_SHOP_CONCURRENCY,
      leaseMs: env.BILLING_LEASE_SECONDS * 1000,
      // Lease columns name the call too: the run id's first characters.
      workerId: `${os.hostname()}:${process.pid}:${runId.slice(0, 8)}`,
      clientForShop: adminClientForShop,
    });
    countBillingRun(options.dryRun ? "dry_run" : "completed", summary.shops, new Date());
    const { shops, attempts, dunning, remainingShops, elapsedMs } = summary;
    logger().info(
      { event: "billing_run_finished", dryRun: options.dryRun, shops, attempts, dunning, remainingShops, elapsedMs },
      `billing run finished: ${shops.finished} shop(s) billed, ${attempts.sent} attempt(s) and ${dunning.retriesSent} retry(ies) sent, ${remainingShops} shop(s) left`,
    );
    return json({ runId, ...summary });
  } catch (error) {
    // The scheduler calls again; every charge is recorded under its key before it is sent.
    const unavailable = databaseUnavailableResponse(error);
    countBillingRun(unavailable ? "database_unavailable" : "failed");
    if (unavailable) return unavailable;
    throw error;
  }
}

/** A response refusing the request, or undefined when it carries the scheduler's secret. */
export function refuseUnlessScheduler(request: Request, secret: string | undefined): Response | undefined {
  if (!secret) {
    return json({ error: "The billing endpoint is disabled: set CRON_SECRET (at least 32 characters)." }, { status: 503 });
  }
  if (!isAuthorizedCronRequest(request, secret)) {
    return json(
      { error: "Unauthorized: send the CRON_SECRET as `Authorization: Bearer <secret>`." },
      { status: 401, headers: { "WWW-Authenticate": "Bearer" } },
    );
  }
  return undefined;
}

/** 405 naming the one method the endpoint takes, e.g. ("POST", "run billing"). */
export function methodNotAllowed(allowed: "GET" | "POST", purpose: string): Response {
  return json({ error: `Method Not Allowed: ${allowed} to ${purpose}.` }, { status: 405, headers: { Allow: allowed } });
}
