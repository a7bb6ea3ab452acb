import { randomUUID } from "node:crypto";
import os from "node:os";
import { json } from "@remix-run/node";
import { parseEnvironment } from "../env.server";
import { adminClientForShop } from "../shopify/shop-admin-client.server";
import { runBilling } from "./billing-run.server";
import { InvalidBillingRunRequestError, isAuthorizedCronRequest, parseBillingRunRequest } from "./cron-request.server";

/**
 * POST /api/billing/run, called by the operator's scheduler: checks the shared secret,
 * reads the options and runs billing within the time budget. The README documents it.
 */
export async function handleBillingRunRequest(request: Request): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed();
  const env = parseEnvironment(process.env);
  if (!env.CRON_SECRET) {
    return json({ error: "The billing endpoint is disabled: set CRON_SECRET (at least 32 characters)." }, { status: 503 });
  }
  if (!isAuthorizedCronRequest(request, env.CRON_SECRET)) {
    return json({ error: "Unauthorized: send the CRON_SECRET as `Authorization: Bearer <secret>`." }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  let options;
  try {
    options = await parseBillingRunRequest(request, { simulatedClock: Boolean(env.SHOPIFY_STORE_SIMULATOR_URL) });
  } catch (error) {
    if (error instanceof InvalidBillingRunRequestError) return json({ error: error.message }, { status: 400 });
    throw error;
  }
  const summary = await runBilling({
    now: options.now ? new Date(options.now) : new Date(),
    dryRun: options.dryRun,
    timeBudgetMs: (options.timeBudgetSeconds ?? env.BILLING_TIME_BUDGET_SECONDS) * 1000,
    catchUpWindowMs: env.BILLING_CATCH_UP_WINDOW_HOURS * 3600_000,
    shopConcurrency: env.BILLING_SHOP_CONCURRENCY,
    leaseMs: env.BILLING_LEASE_SECONDS * 1000,
    workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    clientForShop: adminClientForShop,
  });
  return json(summary);
}

export function methodNotAllowed(): Response {
  return json({ error: "Method Not Allowed: POST to run billing." }, { status: 405, headers: { Allow: "POST" } });
}
