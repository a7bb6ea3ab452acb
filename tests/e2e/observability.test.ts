import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_PREFIX } from "../../app/observability/metrics.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { parsePrometheusText, total } from "../../tools/prometheus-text";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { startTestSimulator, testEnvironment, TEST_API_SECRET, TEST_CRON_SECRET } from "../support/shopify-requests";

// The production server's own part of the logs and metrics (server.ts): JSON lines on
// stdout, a line per request with its id (which the request's own lines carry), no query
// strings, and the direct result-webhook route counted and timed without a line per
// delivery. On SQLite: what depends on the provider is checked on all three in process
// (tests/integration/observability.test.ts).

const SHOP = "e2e-observed.myshopify.com";
const RESULT_PATH = "/webhooks/subscription_billing_attempts";
const FAILURE = "subscription_billing_attempts/failure";

interface Line {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

describe("the built server's logs and metrics", () => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let app: RunningAppServer;

  beforeAll(async () => {
    database = await createMigratedDatabase("sqlite");
    simulator = await startTestSimulator();
    simulator.upsertShop(SHOP, { ianaTimezone: "Europe/London" });
    app = await startBuiltApp(testEnvironment(database, simulator));
    simulator.setAppUrl(app.url);
  });
  afterAll(async () => {
    await app?.stop();
    await simulator?.close();
    await database?.drop();
  });

  /** Every line the server printed, each a JSON object. */
  const lines = (): Line[] =>
    app
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Line);

  const metrics = async () => {
    const response = await fetch(`${app.url}/api/metrics`, { headers: { Authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };

  it("prints JSON lines only, each with level, time and message", () => {
    const printed = lines();
    expect(printed.find((line) => line.event === "listening")).toMatchObject({ level: "info", msg: expect.stringMatching(/^listening on http:\/\/127\.0\.0\.1:\d+$/) });
    for (const line of printed) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
  });

  it("logs each request once answered, by id, with its path and not its query string", async () => {
    const given = await fetch(`${app.url}/auth/login?id_token=eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln&email=who%40example.com`, {
      headers: { "X-Request-Id": "probe-7f3a" },
    });
    expect(given.headers.get("X-Request-Id")).toBe("probe-7f3a");
    const fresh = await fetch(`${app.url}/no-such-page?token=shpat_0123456789abcdef`, { headers: { "X-Request-Id": "not a token; <script>" } });
    expect(fresh.status).toBe(404);
    const freshId = fresh.headers.get("X-Request-Id");
    expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
    // Probes and scrapes that succeed are not logged (they come every few seconds).
    const probe = await fetch(`${app.url}/healthz`, { headers: { "X-Request-Id": "health-probe" } });
    expect(probe.status).toBe(200);

    // Written once the answer has gone: wait for both.
    await expect.poll(() => lines().filter((line) => line.event === "http_request" && [freshId, "probe-7f3a"].includes(line.requestId as string)).length).toBe(2);
    expect(lines().find((line) => line.event === "http_request" && line.requestId === freshId)).toMatchObject({ path: "/no-such-page", status: 404 });
    // A library's console output is a line of the request too, scrubbed (React Router warns of the 404 outside production).
    for (const line of lines().filter((line) => line.event === "console")) expect(line).toMatchObject({ requestId: expect.any(String) });
    expect(lines().some((line) => line.requestId === "health-probe" || line.path === "/api/metrics")).toBe(false);
    expect(lines().find((line) => line.event === "http_request" && line.requestId === "probe-7f3a")).toEqual({
      level: "info",
      time: expect.any(String),
      pid: app.process.pid,
      hostname: expect.any(String),
      requestId: "probe-7f3a",
      event: "http_request",
      method: "GET",
      path: "/auth/login",
      status: given.status,
      durationMs: expect.any(Number),
      msg: expect.stringMatching(new RegExp(`^GET /auth/login ${given.status} [\\d.]+ ms$`)),
    });
    expect(app.output()).not.toMatch(/id_token|eyJ|who@example|who%40example|shpat_/);
  });

  it("gives a billing call's lines its request id and its run id, and answers with the run id", async () => {
    const response = await fetch(`${app.url}/api/billing/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_CRON_SECRET}`, "Content-Type": "application/json", "X-Request-Id": "scheduler-call-1" },
      body: JSON.stringify({ now: simulator.clock.now().toISOString() }),
    });
    expect(response.status).toBe(200);
    const { runId } = (await response.json()) as { runId: string };
    await expect.poll(() => lines().some((line) => line.event === "http_request" && line.requestId === "scheduler-call-1")).toBe(true);
    const ofRun = lines().filter((line) => line.runId === runId);
    expect(ofRun.map((line) => line.event)).toEqual(["billing_run_started", "billing_run_finished"]);
    for (const line of ofRun) expect(line.requestId).toBe("scheduler-call-1");
  });

  it("counts and times result webhooks on the direct route, without a line per delivery", async () => {
    const before = await metrics();
    const printedBefore = lines().length;
    // An attempt this app never made: acknowledged, changes nothing.
    const delivered = await simulator.deliverWebhook({
      shop: SHOP,
      topic: FAILURE,
      path: RESULT_PATH,
      payload: { id: 1, admin_graphql_api_id: "gid://shopify/SubscriptionBillingAttempt/1", idempotency_key: "not-ours", error_code: "card_declined" },
    });
    expect(delivered.status).toBe(200);
    const forged = await simulator.deliverWebhook({ shop: SHOP, topic: FAILURE, path: RESULT_PATH, payload: {}, hmacSecret: `${TEST_API_SECRET}-forged` });
    expect(forged.status).toBe(401);

    const after = await metrics();
    const moved = (name: string, labels: Record<string, string>, sample = name) =>
      total(after, `${METRIC_PREFIX}${name}`, labels, `${METRIC_PREFIX}${sample}`) - total(before, `${METRIC_PREFIX}${name}`, labels, `${METRIC_PREFIX}${sample}`);
    expect(moved("webhooks_total", { topic: FAILURE, result: "processed" })).toBe(1);
    expect(moved("webhooks_total", { topic: FAILURE, result: "rejected" })).toBe(1);
    expect(moved("webhook_duration_seconds", { topic: FAILURE }, "webhook_duration_seconds_count")).toBe(2);
    // Only the refusal is logged: no access-log line, no line for the delivery taken.
    const printed = lines().slice(printedBefore);
    expect(printed.filter((line) => line.path === RESULT_PATH)).toEqual([]);
    expect(printed.filter((line) => String(line.event).startsWith("webhook_"))).toEqual([
      expect.objectContaining({ level: "warn", event: "webhook_rejected", topic: FAILURE, status: 401, requestId: expect.any(String) }),
    ]);
  });

  it("refuses the metrics without the scheduler's secret", async () => {
    const response = await fetch(`${app.url}/api/metrics`);
    expect(response.status).toBe(401);
    const answered = await fetch(`${app.url}/api/metrics`, { headers: { Authorization: `Bearer ${TEST_CRON_SECRET}` } });
    expect(answered.headers.get("Content-Type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(total(parsePrometheusText(await answered.text()), "process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});
