import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingAttemptIdempotencyKey } from "../../app/attempts/idempotency-key";
import { METRIC_PREFIX } from "../../app/observability/metrics.server";
import { parsePrometheusText, total, type MetricFamily } from "../../tools/prometheus-text";
import { callLoader, TEST_API_SECRET, TEST_APP_URL, TEST_CRON_SECRET } from "../support/app-under-test";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { capturedLogs, capturedLogText, type LogLine } from "../support/log-capture";
import { testProviders } from "../support/providers";

// What an operator sees of a billing run, on each provider: the log lines a failed payment
// and its recovery write (their ids, and nothing personal), and the metrics at
// GET /api/metrics (every documented metric, counters that move, the secret).

const ROUTES = "../../app/routes";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = new Date("2026-01-14T10:00:00Z");
const SHOP = "observed.myshopify.com";
const CUSTOMER = { firstName: "Marguerite", lastName: "Okonkwo-Feldspar", email: "marguerite.feldspar@example.net" };
const root = path.resolve(import.meta.dirname, "..", "..");
const metric = (name: string) => `${METRIC_PREFIX}${name}`;

/** The metrics docs/operations.md lists, with their types: "| `name` | type | ...". */
function documentedMetrics(): Array<{ name: string; type: string }> {
  const docs = readFileSync(path.join(root, "docs", "operations.md"), "utf8");
  return [...docs.matchAll(/^\| `([a-z_:]+)` \| (counter|gauge|histogram) \|/gm)].map(([, name, type]) => ({ name, type }));
}

function metricsRequest(authorization?: string): Request {
  return new Request(`${TEST_APP_URL}/api/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
}

async function scrape(): Promise<Map<string, MetricFamily>> {
  const response = (await callLoader(`${ROUTES}/api.metrics`, metricsRequest(`Bearer ${TEST_CRON_SECRET}`))) as Response;
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe.each(testProviders())("%s: logs and metrics of a billing run", (provider) => {
  let harness: BillingHarness;
  let contractId: string;

  beforeAll(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
    await harness.install(SHOP);
    ({ contractId } = harness.simulator.createContract(SHOP, {
      interval: "MONTH",
      nextBillingDate: new Date(START.getTime() - HOUR),
      amount: "29.00",
      ...CUSTOMER,
      // The scheduled charge fails (soft), the first retry recovers it.
      paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }, "success"],
    }));
  });
  afterAll(async () => {
    await harness?.close();
  });

  /** One billing call at `at`, its webhooks delivered: its run id and the lines it (and they) logged. */
  async function runBillingAt(at: Date): Promise<{ runId: string; lines: LogLine[] }> {
    harness.simulator.clock.set(at);
    const before = capturedLogs().length;
    const summary = (await harness.runBilling()) as Awaited<ReturnType<BillingHarness["runBilling"]>> & { runId: string };
    await harness.simulator.waitForIdle();
    expect(summary.runId).toMatch(/^[0-9a-f-]{36}$/);
    return { runId: summary.runId, lines: capturedLogs().slice(before) };
  }

  it("logs a failed payment and its recovery, traceable by run, shop, attempt and tracker, and nothing personal", async () => {
    const firstKey = billingAttemptIdempotencyKey(contractId, 1, 1);
    const retryKey = billingAttemptIdempotencyKey(contractId, 1, 2);
    const every = (lines: LogLine[]) => lines.every((line) => typeof line.level === "string" && typeof line.time === "string" && typeof line.msg === "string");

    // Day 0: the scheduled charge, declined by webhook.
    const first = await runBillingAt(START);
    expect(every(first.lines)).toBe(true);
    const ofRun = first.lines.filter((line) => line.runId === first.runId);
    expect(ofRun.map((line) => line.event)).toEqual(expect.arrayContaining(["billing_run_started", "shop_billed", "billing_run_finished"]));
    expect(ofRun.find((line) => line.event === "shop_billed")).toMatchObject({ level: "info", shop: SHOP, localDate: "2026-01-14", attempts: { sent: 1 } });
    expect(ofRun.find((line) => line.event === "billing_run_finished")).toMatchObject({ shops: { finished: 1 }, attempts: { sent: 1 } });
    const tracker = await harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop: SHOP } });
    // The decline arrives by webhook, after the call: the attempt's key ties it to the run's charge.
    expect(first.lines.find((line) => line.event === "attempt_failed")).toMatchObject({
      shop: SHOP,
      idempotencyKey: firstKey,
      attemptNumber: 1,
      errorCode: "insufficient_funds",
      declineClass: "SOFT",
    });
    expect(first.lines.find((line) => line.event === "dunning_step")).toMatchObject({
      shop: SHOP,
      trackerId: tracker.id,
      step: "OPENED_RETRY_SCHEDULED",
      status: "OPEN",
      errorCode: "insufficient_funds",
    });

    // Day 1: dunning emails the customer and retries, within the run; the retry's success closes the tracker.
    const second = await runBillingAt(new Date(START.getTime() + DAY + HOUR));
    const steps = second.lines.filter((line) => line.event === "dunning_step");
    expect(steps.map((line) => line.step)).toEqual(["EMAIL_SENT", "RETRY_SENT", "RECOVERED"]);
    for (const step of steps) expect(step).toMatchObject({ shop: SHOP, trackerId: tracker.id });
    expect(steps.slice(0, 2).every((line) => line.runId === second.runId)).toBe(true);
    expect(steps[1]).toMatchObject({ idempotencyKey: retryKey, attemptNumber: 2 });
    expect(second.lines.find((line) => line.event === "attempt_succeeded")).toMatchObject({ shop: SHOP, idempotencyKey: retryKey, attemptNumber: 2 });
    expect(second.lines.find((line) => line.event === "billing_run_finished")).toMatchObject({ runId: second.runId, dunning: { retriesSent: 1, emailsSent: 1 } });

    // Never the customer's name or email, a token or a secret.
    const session = await harness.prisma.session.findFirstOrThrow({ where: { shop: SHOP } });
    const text = capturedLogText();
    for (const secret of [CUSTOMER.email, CUSTOMER.firstName, CUSTOMER.lastName, session.accessToken, TEST_CRON_SECRET, TEST_API_SECRET]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/@example\.net|eyJ[\w-]+\.eyJ/);
  });

  it("answers GET /api/metrics only with the scheduler's secret", async () => {
    for (const authorization of [undefined, "Bearer not-the-secret", `Basic ${TEST_CRON_SECRET}`]) {
      const response = (await callLoader(`${ROUTES}/api.metrics`, metricsRequest(authorization))) as Response;
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toBe("Bearer");
      expect(await response.text()).not.toContain(METRIC_PREFIX);
    }
  });

  it("exposes every documented metric with its type, in a valid exposition", async () => {
    const families = await scrape();
    const documented = documentedMetrics();
    expect(documented.length).toBeGreaterThan(20);
    for (const { name, type } of documented) expect({ name, type: families.get(name)?.type }).toEqual({ name, type });
    // And documents every metric of the app's own.
    const ours = [...families.keys()].filter((name) => name.startsWith(METRIC_PREFIX));
    expect(ours.filter((name) => !documented.some((entry) => entry.name === name))).toEqual([]);
    for (const family of families.values()) expect(family.help, family.name).not.toBe("");
    // No label names a shop: the series stay few however many shops the app bills.
    for (const family of families.values()) for (const sample of family.samples) expect(Object.keys(sample.labels)).not.toContain("shop");
  });

  it("moves the counters when a billing run charges and webhooks arrive, and reads the gauges from the database", async () => {
    const before = await scrape();
    const at = new Date(START.getTime() + 31 * DAY + HOUR);
    harness.simulator.clock.set(at);
    // A new cycle is due a month on: this one fails for good (hard decline), and a forged delivery is refused.
    harness.simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: new Date(at.getTime() - HOUR), amount: "5.00", defaultOutcome: { error: "EXPIRED_CARD" } });
    await runBillingAt(at);
    const forged = await harness.simulator.deliverWebhook({
      shop: SHOP,
      topic: "app/uninstalled",
      payload: { domain: SHOP },
      path: "/webhooks/app/uninstalled",
      hmacSecret: `${TEST_API_SECRET}-forged`,
    });
    expect(forged.status).toBe(401);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}, sample?: string) =>
      total(after, metric(name), labels, sample && metric(sample)) - total(before, metric(name), labels, sample && metric(sample));

    expect(moved("billing_runs_total", { outcome: "completed" })).toBe(1);
    expect(moved("billing_run_duration_seconds", { status: "200" }, "billing_run_duration_seconds_count")).toBe(1);
    expect(moved("billing_shops_due_total")).toBe(1);
    expect(moved("billing_shops_total", { result: "billed" })).toBe(1);
    expect(moved("attempts_sent_total", { kind: "scheduled" })).toBeGreaterThanOrEqual(2);
    expect(moved("attempt_outcomes_total", { outcome: "failed", decline_class: "hard" })).toBe(1);
    expect(moved("attempt_outcomes_total", { outcome: "succeeded", decline_class: "none" })).toBe(1);
    expect(moved("webhooks_total", { topic: "subscription_billing_attempts/failure", result: "processed" })).toBe(1);
    expect(moved("webhooks_total", { topic: "subscription_billing_attempts/success", result: "processed" })).toBe(1);
    expect(moved("webhooks_total", { topic: "app/uninstalled", result: "rejected" })).toBe(1);
    expect(moved("webhook_duration_seconds", { topic: "subscription_billing_attempts/failure" }, "webhook_duration_seconds_count")).toBe(1);
    expect(moved("shopify_calls_total", { operation: "SubscriptionBillingAttemptCreate", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(moved("shopify_call_duration_seconds", { operation: "SubscriptionBillingAttemptCreate" }, "shopify_call_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(moved("database_statements_total")).toBeGreaterThan(10);
    expect(total(after, metric("billing_last_run_timestamp_seconds"))).toBeGreaterThan(0);

    // Read from this provider's database at scrape time: the recovered tracker and the new one waiting for a card.
    expect(total(after, metric("metrics_database_up"))).toBe(1);
    expect(total(after, metric("dunning_trackers"), { status: "recovered" })).toBe(1);
    expect(total(after, metric("dunning_trackers"), { status: "waiting_for_payment_method" })).toBe(1);
    expect(total(after, metric("dunning_trackers"), { status: "exhausted" })).toBe(0);
    expect(total(after, metric("billing_due_shops"))).toBe(0);
    expect(total(after, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(total(after, metric("process_peak_resident_memory_bytes"))).toBeGreaterThanOrEqual(total(after, "process_resident_memory_bytes") / 2);
  });
});
