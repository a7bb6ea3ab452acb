import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

// The process's metrics, in Prometheus' text format at GET /api/metrics (Bearer CRON_SECRET):
// what billing and dunning did, webhooks, Shopify and database work, latencies, and the
// process itself. Built at first use, never at import. Every label takes values from a
// bounded set (topics, operations, outcomes); nothing is labelled by shop. Each metric is
// described in docs/operations.md#metrics.

export const METRIC_PREFIX = "billing_dunning_";

/** Webhook topics outside the app's subscriptions (a forged or misrouted delivery) share one label value. */
export const OTHER_TOPIC = "other";

export type BillingRunOutcome = "completed" | "dry_run" | "database_unavailable" | "failed";
export type ShopResult = "billed" | "failed" | "deferred" | "unfinished" | "held_elsewhere" | "not_due";
export type WebhookResult = "processed" | "duplicate" | "rejected" | "ignored" | "unavailable";
export type AttemptKind = "scheduled" | "retry";
export type EmailResult = "sent" | "unconfirmed" | "refused" | "suppressed";

const SECONDS_FOR_REQUESTS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SECONDS_FOR_BILLING_CALLS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 60, 120, 300, 900];

function createMetrics() {
  const registry = new Registry();
  // Node's own (process_resident_memory_bytes, nodejs_heap_size_used_bytes, event loop lag,
  // GC): their usual names, so stock Node.js dashboards work.
  collectDefaultMetrics({ register: registry });
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
  const registers = [registry];
  return {
    registry,
    billingRuns: new Counter({
      name: name("billing_runs_total"),
      help: "Calls of the billing endpoint that ran, by outcome (completed, dry_run, database_unavailable, failed).",
      labelNames: ["outcome"],
      registers,
    }),
    billingRunDuration: new Histogram({
      name: name("billing_run_duration_seconds"),
      help: "Time to answer POST /api/billing/run, by HTTP status.",
      labelNames: ["status"],
      buckets: SECONDS_FOR_BILLING_CALLS,
      registers,
    }),
    lastBillingRun: new Gauge({
      name: name("billing_last_run_timestamp_seconds"),
      help: "When this process last finished a billing run (not a dry run), in seconds since the epoch.",
      registers,
    }),
    shopsDue: new Counter({ name: name("billing_shops_due_total"), help: "Due shops the billing runs looked at.", registers }),
    shops: new Counter({
      name: name("billing_shops_total"),
      help: "Due shops by what their run did: billed, failed (terminal Shopify answer), deferred (Shopify unavailable or an error), unfinished (time budget), held_elsewhere, not_due.",
      labelNames: ["result"],
      registers,
    }),
    dueShops: new Gauge({
      name: name("billing_due_shops"),
      help: "Active shops whose billing run is due now and not done yet (all processes; read from the database at scrape time).",
      registers,
    }),
    oldestDueWait: new Gauge({
      name: name("billing_due_shop_oldest_wait_seconds"),
      help: "How long the longest-waiting due shop has been due (0 when none is); read from the database at scrape time.",
      registers,
    }),
    attemptsSent: new Counter({
      name: name("attempts_sent_total"),
      help: "Billing attempts sent to Shopify: scheduled charges and dunning retries.",
      labelNames: ["kind"],
      registers,
    }),
    attemptOutcomes: new Counter({
      name: name("attempt_outcomes_total"),
      help: "Billing attempts' results as recorded (Shopify's answer, its webhook or a poll), by outcome and decline class.",
      labelNames: ["outcome", "decline_class"],
      registers,
    }),
    trackers: new Gauge({
      name: name("dunning_trackers"),
      help: "Dunning trackers by status (all shops; one aggregate query at scrape time).",
      labelNames: ["status"],
      registers,
    }),
    emails: new Counter({
      name: name("dunning_emails_total"),
      help: "Payment-method update emails: sent, unconfirmed (answer lost), refused by Shopify, or suppressed (interval, emails off, no payment method).",
      labelNames: ["result"],
      registers,
    }),
    finalActions: new Counter({
      name: name("dunning_final_actions_total"),
      help: "Final actions applied in Shopify when dunning ran out of retries: skip, pause, cancel.",
      labelNames: ["action"],
      registers,
    }),
    webhooks: new Counter({
      name: name("webhooks_total"),
      help: "Webhook deliveries by topic and result: processed, duplicate (seen before), rejected (HMAC, headers, body), ignored (nothing to act on), unavailable (503, database down).",
      labelNames: ["topic", "result"],
      registers,
    }),
    webhookDuration: new Histogram({
      name: name("webhook_duration_seconds"),
      help: "Time from a webhook's arrival to its answer, by topic (the production server's direct result route included).",
      labelNames: ["topic"],
      buckets: SECONDS_FOR_REQUESTS,
      registers,
    }),
    shopifyCalls: new Counter({
      name: name("shopify_calls_total"),
      help: "Admin API round trips by operation and outcome: ok, throttled (THROTTLED), rate_limited (429), retryable (5xx), terminal, graphql_error, network_error.",
      labelNames: ["operation", "outcome"],
      registers,
    }),
    shopifyCallDuration: new Histogram({
      name: name("shopify_call_duration_seconds"),
      help: "Admin API round trips' duration, by operation.",
      labelNames: ["operation"],
      buckets: SECONDS_FOR_REQUESTS,
      registers,
    }),
    databaseStatements: new Counter({ name: name("database_statements_total"), help: "SQL statements the app sent to its database.", registers }),
    databaseUp: new Gauge({
      name: name("metrics_database_up"),
      help: "1 when this scrape's database reads (trackers, due shops) succeeded, 0 when the database could not be read.",
      registers,
    }),
    peakRss: new Gauge({
      name: name("process_peak_resident_memory_bytes"),
      help: "The process's peak resident memory (getrusage maxrss).",
      registers,
      collect() {
        // resourceUsage reports kilobytes on Linux.
        this.set(process.resourceUsage().maxRSS * 1024);
      },
    }),
  };
}

type Metrics = ReturnType<typeof createMetrics>;
let metrics: Metrics | undefined;

function current(): Metrics {
  metrics ??= createMetrics();
  return metrics;
}

/** Operations built per batch size ("SubscriptionBillingAttemptCreate25") count as one. */
const operationLabel = (operation: string) => operation.replace(/\d+$/, "");

let statementsSent = 0;

export function countDatabaseStatement(): void {
  statementsSent++;
  current().databaseStatements.inc();
}

/** Statements sent so far by this process (tests bound a page's statements with it). */
export function databaseStatementCount(): number {
  return statementsSent;
}

/** One Admin API round trip: its outcome as the client classified it, its HTTP status and duration. */
export function countShopifyCall(call: { operation: string; outcome: string; status: number; durationMs: number }): void {
  const operation = operationLabel(call.operation);
  const outcome = call.status === 429 ? "rate_limited" : call.outcome.replace(/-/g, "_");
  current().shopifyCalls.inc({ operation, outcome });
  current().shopifyCallDuration.observe({ operation }, call.durationMs / 1000);
}

/** One webhook delivery answered; `topic` is one the app subscribes to, or OTHER_TOPIC. */
export function countWebhook(topic: string, result: WebhookResult, seconds: number): void {
  current().webhooks.inc({ topic, result });
  current().webhookDuration.observe({ topic }, seconds);
}

export function countAttemptSent(kind: AttemptKind, count = 1): void {
  if (count > 0) current().attemptsSent.inc({ kind }, count);
}

/** An attempt's final news (or its challenge); `declineClass` for failures, else "none". */
export function countAttemptOutcome(outcome: string, declineClass: string | null, count = 1): void {
  if (count > 0) current().attemptOutcomes.inc({ outcome: outcome.toLowerCase(), decline_class: (declineClass ?? "none").toLowerCase() }, count);
}

export function countPaymentUpdateEmail(result: EmailResult): void {
  current().emails.inc({ result });
}

export function countFinalAction(action: string): void {
  current().finalActions.inc({ action: action.toLowerCase() });
}

/** What one billing call did, from its summary. */
export function countBillingRun(
  outcome: BillingRunOutcome,
  shops?: { due: number; finished: number; failed: number; deferred: number; unfinished: number; heldElsewhere: number; notDue: number },
  finishedAt?: Date,
): void {
  const m = current();
  m.billingRuns.inc({ outcome });
  if (finishedAt && outcome === "completed") m.lastBillingRun.set(finishedAt.getTime() / 1000);
  if (!shops) return;
  m.shopsDue.inc(shops.due);
  const results: Record<ShopResult, number> = {
    billed: shops.finished,
    failed: shops.failed,
    deferred: shops.deferred,
    unfinished: shops.unfinished,
    held_elsewhere: shops.heldElsewhere,
    not_due: shops.notDue,
  };
  for (const [result, count] of Object.entries(results)) m.shops.inc({ result }, count);
}

export function observeBillingRunDuration(status: number, seconds: number): void {
  current().billingRunDuration.observe({ status: String(status) }, seconds);
}

/** What the database says at scrape time (undefined: it could not be read). */
export interface DatabaseGauges {
  trackersByStatus: Record<string, number>;
  dueShops: number;
  oldestDueWaitSeconds: number;
}

/** The exposition, with the database's gauges as read for this scrape. */
export async function metricsExposition(gauges: DatabaseGauges | undefined): Promise<{ contentType: string; text: string }> {
  const m = current();
  m.trackers.reset();
  m.dueShops.reset();
  m.oldestDueWait.reset();
  m.databaseUp.set(gauges ? 1 : 0);
  if (gauges) {
    for (const [status, count] of Object.entries(gauges.trackersByStatus)) m.trackers.set({ status: status.toLowerCase() }, count);
    m.dueShops.set(gauges.dueShops);
    m.oldestDueWait.set(gauges.oldestDueWaitSeconds);
  }
  return { contentType: m.registry.contentType, text: await m.registry.metrics() };
}
