import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AttemptStatus } from "../../app/attempts/attempt-status";
import { billingAttemptIdempotencyKey } from "../../app/attempts/idempotency-key";
import { billingRunRequest, callAction, callLoader, TEST_CRON_SECRET } from "../support/app-under-test";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { testProviders } from "../support/providers";
import { eventIdOf } from "../../simulator/webhook-delivery";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A fixed day at 10:00 UTC: an hour after the default 09:00 billing hour of a UTC shop. */
const START = new Date("2026-01-14T10:00:00Z");
const ROUTES = "../../app/routes";

describe.each(testProviders())("%s: billing run", (provider) => {
  let harness: BillingHarness;

  // Each test has its own app database and simulator, both clocks starting at START: none
  // sees another's shops as due, nor a clock another test moved on.
  beforeEach(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
  });
  afterEach(async () => {
    await harness?.close();
  });

  /** A shop with `due` contracts due an hour ago, plus contracts not due yet and a paused one. */
  async function shopWithContracts(shop: string, due: number, options: { notDue?: number; paused?: number } = {}) {
    await harness.install(shop);
    const { simulator } = harness;
    const now = simulator.clock.now().getTime();
    const dueIds = Array.from({ length: due }, () =>
      simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(now - HOUR), amount: "29.00" }).contractId,
    );
    for (let i = 0; i < (options.notDue ?? 0); i++) {
      simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(now + 3 * DAY), amount: "19.00" });
    }
    for (let i = 0; i < (options.paused ?? 0); i++) {
      simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(now - HOUR), amount: "9.00", status: "PAUSED" });
    }
    return dueIds;
  }

  const attemptsOf = (shop: string) => harness.prisma.billingAttempt.findMany({ where: { shop }, orderBy: { id: "asc" } });

  it("charges each due cycle once, records the results from webhooks, and schedules the next run", async () => {
    const shop = "due-once.myshopify.com";
    const dueIds = await shopWithContracts(shop, 5, { notDue: 2, paused: 1 });

    const summary = await harness.runBilling();
    expect(summary.shops).toMatchObject({ claimed: 1, finished: 1, failed: 0 });
    expect(summary.attempts.sent).toBe(5);
    expect(summary.remainingShops).toBe(0);

    await harness.simulator.waitForIdle();
    const attempts = await attemptsOf(shop);
    expect(attempts.map((a) => a.contractId).sort()).toEqual([...dueIds].sort());
    expect(attempts.every((a) => a.status === AttemptStatus.Succeeded && a.orderId?.startsWith("gid://shopify/Order/"))).toBe(true);
    expect(attempts[0].idempotencyKey).toBe(billingAttemptIdempotencyKey(attempts[0].contractId, attempts[0].billingCycleIndex, 1));
    expect(harness.simulator.orders(shop)).toHaveLength(5);

    const schedule = await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    expect(schedule).toMatchObject({ lastBilledLocalDate: START.toISOString().slice(0, 10), lastRunOutcome: "COMPLETED", leaseOwner: null });
    expect(schedule.nextRunAt?.toISOString()).toBe(new Date(START.getTime() + DAY - HOUR).toISOString());

    // The home page shows the run.
    const home = await callLoader<{ schedule: { lastRun: { attempts: Record<string, number> } } }>(
      `${ROUTES}/app._index`,
      (await import("../support/app-under-test")).embeddedAdminRequest("/app", shop),
    );
    expect(home).toMatchObject({ schedule: { lastRun: { attempts: { SUCCEEDED: 5 } } } });
  });

  it("charges nothing more when called again, even once the shop is due again the same day", async () => {
    const shop = "called-twice.myshopify.com";
    await shopWithContracts(shop, 3);
    await harness.runBilling();
    await harness.simulator.waitForIdle();
    const again = await harness.runBilling();
    expect(again.attempts.sent).toBe(0);

    // Even if the schedule is forced due again, the cycles are billed (Shopify) and recorded (app).
    await harness.prisma.billingSchedule.update({ where: { shop }, data: { lastBilledLocalDate: null, nextRunAt: null } });
    const forced = await harness.runBilling();
    expect(forced.attempts.sent).toBe(0);
    expect(harness.simulator.chargeCount(shop)).toBe(3);
  });

  it("four concurrent calls charge every cycle exactly once", async () => {
    const shops = ["concurrent-a.myshopify.com", "concurrent-b.myshopify.com", "concurrent-c.myshopify.com"];
    for (const shop of shops) await shopWithContracts(shop, 8);
    const summaries = await Promise.all(Array.from({ length: 4 }, () => harness.runBilling()));
    await harness.simulator.waitForIdle();

    expect(summaries.reduce((sum, s) => sum + s.shops.finished, 0)).toBe(3);
    for (const shop of shops) {
      expect(harness.simulator.chargeCount(shop)).toBe(8);
      expect(harness.simulator.billingAttempts(shop)).toHaveLength(8);
      expect(await harness.prisma.billingAttempt.count({ where: { shop, status: AttemptStatus.Succeeded } })).toBe(8);
    }
  });

  it("resumes a shop left leased by a process that died mid-run, once the lease expires, without charging twice", async () => {
    const shop = "crashed-worker.myshopify.com";
    const [sentBeforeCrash, recordedBeforeCrash] = await shopWithContracts(shop, 4);
    // The dead process had recorded two attempts and sent one of them before it died.
    const cycleOf = (contractId: string) => harness.simulator.billingCycles(shop, contractId)[0].cycleIndex;
    for (const contractId of [sentBeforeCrash, recordedBeforeCrash]) {
      await harness.prisma.billingAttempt.create({
        data: {
          shop,
          contractId,
          billingCycleIndex: cycleOf(contractId),
          attemptNumber: 1,
          idempotencyKey: billingAttemptIdempotencyKey(contractId, cycleOf(contractId), 1),
          expectedBillingDate: new Date(START.getTime() - HOUR),
          runLocalDate: START.toISOString().slice(0, 10),
        },
      });
    }
    await sendAsTheDeadProcessDid(shop, sentBeforeCrash, cycleOf(sentBeforeCrash));
    // Leases run on the process clock, which the harness pinned to START for this test (far
    // less than 10 minutes long): the lease is held, then expired.
    await harness.prisma.billingSchedule.update({
      where: { shop },
      data: { leaseOwner: "dead-process", leaseExpiresAt: new Date(START.getTime() + 10 * 60_000) },
    });

    const whileLeased = await harness.runBilling();
    expect(whileLeased.attempts.sent).toBe(0);
    // Only the attempt the dead process sent before dying has charged.
    expect(harness.simulator.chargeCount(shop)).toBe(1);

    await harness.prisma.billingSchedule.update({ where: { shop }, data: { leaseExpiresAt: new Date(START.getTime() - 1000) } });
    const resumed = await harness.runBilling();
    expect(resumed.shops.finished).toBe(1);
    await harness.simulator.waitForIdle();
    expect(harness.simulator.chargeCount(shop)).toBe(4);
    expect(harness.simulator.billingAttempts(shop)).toHaveLength(4);
    expect(await harness.prisma.billingAttempt.count({ where: { shop, status: AttemptStatus.Succeeded } })).toBe(4);
  });

  async function sendAsTheDeadProcessDid(shop: string, contractId: string, cycleIndex: number) {
    const { createAdminApiClient } = await import("../../app/shopify/admin-api-client.server");
    const { createBillingAttempt } = await import("../../app/shopify/operations/subscription-billing-attempt-create.server");
    const { adminGraphqlEndpoint } = await import("../../app/shopify/admin-graphql-endpoint");
    const session = await harness.prisma.session.findFirstOrThrow({ where: { shop, isOnline: false } });
    const client = createAdminApiClient({ shop, accessToken: session.accessToken, endpoint: adminGraphqlEndpoint(shop, harness.simulator.url) });
    await createBillingAttempt(client, { contractId, cycleIndex, idempotencyKey: billingAttemptIdempotencyKey(contractId, cycleIndex, 1) });
    await harness.simulator.waitForIdle();
  }

  it("stops when the time budget is spent and the next calls continue where it stopped", async () => {
    const shop = "big-shop.myshopify.com";
    await shopWithContracts(shop, 150);
    // A Plus shop's rate limit: this test is about the time budget, not about pacing.
    harness.simulator.setRateLimit(shop, { bucketSize: 20_000, restoreRate: 1_000 });
    harness.simulator.setLatency({ latencyMs: 400 });
    try {
      const first = await harness.runBilling({ timeBudgetSeconds: 1 });
      expect(first.shops.unfinished).toBe(1);
      expect(first.remainingShops).toBe(1);
      let calls = 1;
      for (let summary = first; summary.remainingShops > 0 && calls < 10; calls++) {
        await harness.simulator.waitForIdle();
        summary = await harness.runBilling({ timeBudgetSeconds: 1 });
      }
      expect(calls).toBeGreaterThan(1);
    } finally {
      harness.simulator.setLatency({ latencyMs: 0 });
    }
    await harness.simulator.waitForIdle();
    expect(harness.simulator.chargeCount(shop)).toBe(150);
    expect(harness.simulator.billingAttempts(shop)).toHaveLength(150);
    expect(await harness.prisma.billingAttempt.count({ where: { shop, status: AttemptStatus.Succeeded } })).toBe(150);
    expect((await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).lastRunOutcome).toBe("COMPLETED");
  });

  it("on a later day too, the call after one that ran out of time starts with the contracts it did not reach", async () => {
    // Found by the three-replica test (tests/e2e): the contracts a call had not reached were
    // taken for done, having an attempt in the catch-up window (yesterday's), and went last,
    // after contracts that stay due with nothing to charge; every call spent its budget on
    // those first and the run never reached the rest.
    const shop = "daily-big-shop.myshopify.com";
    await harness.install(shop);
    harness.simulator.setRateLimit(shop, { bucketSize: 20_000, restoreRate: 1_000 });
    const now = harness.simulator.clock.now().getTime();
    // Due since before the catch-up window (missed in an outage): listed as due every call, never charged.
    for (let i = 0; i < 25; i++) harness.simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(now - 3 * DAY), amount: "9.00" });
    const daily = Array.from({ length: 150 }, () =>
      harness.simulator.createContract(shop, { interval: "DAY", nextBillingDate: new Date(now - HOUR), amount: "3.00" }).contractId,
    );
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect((await harness.runBilling()).remainingShops).toBe(0);
      await harness.simulator.waitForIdle();

      // The next day, 600 ms per request: a call lists the contracts and starts one round of
      // batches (4 at once) before its 1 s budget is spent, so the order decides what it reaches.
      harness.simulator.clock.advance(DAY);
      harness.simulator.setLatency({ latencyMs: 600 });
      try {
        for (let call = 0; call < 2; call++) {
          await harness.runBilling({ timeBudgetSeconds: 1 });
          await harness.simulator.waitForIdle();
        }
      } finally {
        harness.simulator.setLatency({ latencyMs: 0 });
      }
    } finally {
      warn.mockRestore();
    }
    const charged = new Set(harness.simulator.billingAttempts(shop).filter((attempt) => attempt.cycleIndex === 2).map((attempt) => attempt.contractId));
    expect(daily.filter((id) => !charged.has(id))).toEqual([]);
  });

  it("slows down for a throttled shop and still charges everything", async () => {
    const shop = "throttled.myshopify.com";
    await shopWithContracts(shop, 12);
    // A small bucket that refills fast: pacing is needed, and a few forced THROTTLED answers.
    harness.simulator.setRateLimit(shop, { bucketSize: 300, restoreRate: 300 });
    harness.simulator.throttleNextRequests(shop, 2);

    await harness.runBilling();
    await harness.simulator.waitForIdle();
    expect((await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).lastRunOutcome).toBe("COMPLETED");
    expect(harness.simulator.chargeCount(shop)).toBe(12);
    const answers = harness.simulator.requests.filter((request) => request.shop === shop);
    const throttled = answers.filter((request) => request.throttled);
    // The two forced answers, and the governor keeps real throttling rare.
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expect(throttled.length).toBeLessThan(answers.length / 3);
  });

  it("records a terminal answer for the shop, does not retry it today, and bills it again tomorrow", async () => {
    const shop = "frozen.myshopify.com";
    await shopWithContracts(shop, 2);
    harness.simulator.failNextRequests(shop, { status: 402, count: 1 });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const summary = await harness.runBilling();
    warn.mockRestore();
    expect(summary.shops).toMatchObject({ failed: 1, finished: 0 });
    const schedule = await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    expect(schedule.lastRunOutcome).toBe("FAILED");
    expect(schedule.lastRunError).toMatch(/402/);
    const requestsAfterFailure = harness.simulator.requests.filter((r) => r.shop === shop && r.path.includes("graphql")).length;

    await harness.runBilling();
    expect(harness.simulator.requests.filter((r) => r.shop === shop && r.path.includes("graphql")).length).toBe(requestsAfterFailure);
    expect(harness.simulator.chargeCount(shop)).toBe(0);
  });

  it("records a shop without an offline session as failed, naming the cause, and charges nothing", async () => {
    const shop = "lost-session.myshopify.com";
    await shopWithContracts(shop, 2);
    await harness.prisma.session.deleteMany({ where: { shop } });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const summary = await harness.runBilling();
    warn.mockRestore();
    expect(summary.shops.failed).toBeGreaterThanOrEqual(1);
    const schedule = await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    expect(schedule).toMatchObject({ lastRunOutcome: "FAILED", lastRunError: expect.stringMatching(/no offline session/) });
    expect(harness.simulator.chargeCount(shop)).toBe(0);
  });

  it("records Shopify's user errors as rejected attempts and never re-sends them", async () => {
    const shop = "user-errors.myshopify.com";
    const [pausedMidRun] = await shopWithContracts(shop, 2);
    harness.simulator.failNextBillingAttempt(shop, pausedMidRun, "CONTRACT_PAUSED");
    const summary = await harness.runBilling();
    await harness.simulator.waitForIdle();
    expect(summary.attempts).toMatchObject({ sent: 2, rejected: 1 });
    const rejected = await harness.prisma.billingAttempt.findFirstOrThrow({ where: { shop, contractId: pausedMidRun } });
    expect(rejected).toMatchObject({ status: AttemptStatus.Rejected, errorCode: "CONTRACT_PAUSED" });

    await harness.prisma.billingSchedule.update({ where: { shop }, data: { lastBilledLocalDate: null, nextRunAt: null } });
    const again = await harness.runBilling();
    expect(again.attempts.sent).toBe(0);
    expect(again.cycles.alreadyAttempted).toBe(1);
  });

  it("keeps one correct record when result webhooks come twice or out of order", async () => {
    const shop = "webhook-order.myshopify.com";
    const [contractId] = await shopWithContracts(shop, 1);
    harness.simulator.pauseWebhooks();
    await harness.runBilling();
    await harness.simulator.waitForIdle(); // the attempt completes; its webhook stays held
    const [attempt] = harness.simulator.billingAttempts(shop);
    const payload = (code: string | null) => ({
      id: Number(attempt.id.split("/").pop()),
      admin_graphql_api_id: attempt.id,
      idempotency_key: attempt.idempotencyKey,
      order_id: null,
      admin_graphql_api_order_id: code ? null : "gid://shopify/Order/777",
      subscription_contract_id: Number(contractId.split("/").pop()),
      admin_graphql_api_subscription_contract_id: contractId,
      ready: true,
      error_code: code,
      error_message: code ? "Card declined" : null,
    });
    const path = "/webhooks/subscription_billing_attempts";
    const success = { shop, path, topic: "subscription_billing_attempts/success", payload: payload(null), webhookId: "delivery-success" };
    expect((await harness.simulator.deliverWebhook(success)).status).toBe(200);
    expect((await harness.simulator.deliverWebhook(success)).status).toBe(200); // redelivered
    // A stale challenge and a contradicting failure arrive after the success.
    await harness.simulator.deliverWebhook({ shop, path, topic: "subscription_billing_attempts/challenged", payload: payload(null) });
    await harness.simulator.deliverWebhook({ shop, path, topic: "subscription_billing_attempts/failure", payload: payload("insufficient_funds") });
    harness.simulator.resumeWebhooks();
    await harness.simulator.waitForIdle();

    const [record] = await attemptsOf(shop);
    expect(record).toMatchObject({ status: AttemptStatus.Succeeded, orderId: "gid://shopify/Order/777", errorCode: null });
    expect(await harness.prisma.processedWebhook.count({ where: { webhookId: `event:${eventIdOf("delivery-success")}` } })).toBe(1);
  });

  it("catches up a run missed while the scheduler was down, within the window", async () => {
    const shop = "caught-up.myshopify.com";
    await harness.install(shop);
    const now = harness.simulator.clock.now().getTime();
    const yesterday = harness.simulator.createContract(shop, { interval: "WEEK", nextBillingDate: new Date(now - 25 * HOUR), amount: "5.00" });
    const tooOld = harness.simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(now - 5 * DAY), amount: "5.00" });
    const dayBefore = new Date(now - 2 * DAY).toISOString().slice(0, 10);
    await harness.prisma.billingSchedule.update({ where: { shop }, data: { lastBilledLocalDate: dayBefore, nextRunAt: new Date(now - 25 * HOUR) } });

    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const summary = await harness.runBilling();
    warn.mockRestore();
    await harness.simulator.waitForIdle();
    expect(summary.shops.caughtUpDates).toBe(1);
    expect(summary.contracts.outsideWindow).toBe(1);
    expect((await attemptsOf(shop)).map((a) => a.contractId)).toEqual([yesterday.contractId]);
    expect(harness.simulator.chargeCount(shop)).toBe(1);
    expect(tooOld.contractId).toBeDefined();
  });

  it("dry run reports what would be charged and changes nothing", async () => {
    const shop = "dry-run.myshopify.com";
    await shopWithContracts(shop, 3);
    const summary = await harness.runBilling({ dryRun: true });
    expect(summary.wouldCharge).toContainEqual({ shop, localDate: START.toISOString().slice(0, 10), cycles: 3 });
    expect(await harness.prisma.billingAttempt.count({ where: { shop } })).toBe(0);
    expect(harness.simulator.chargeCount(shop)).toBe(0);
    expect((await harness.prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).leaseOwner).toBeNull();
  });

  it.each([
    ["no secret", 401, billingRunRequest({}, null)],
    ["a wrong secret", 401, billingRunRequest({}, `${TEST_CRON_SECRET}x`)],
    ["GET", 405, billingRunRequest({}, TEST_CRON_SECRET, "GET")],
    ["a malformed body", 400, billingRunRequest("{oops", TEST_CRON_SECRET)],
    ["an unknown option", 400, billingRunRequest({ everything: true }, TEST_CRON_SECRET)],
  ])("answers a call with %s with %i and bills nothing", async (_label, status, request) => {
    const before = await harness.prisma.billingAttempt.count();
    const response =
      request.method === "GET"
        ? ((await callLoader(`${ROUTES}/api.billing.run`, request)) as Response)
        : await callAction(`${ROUTES}/api.billing.run`, request);
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty("error");
    expect(await harness.prisma.billingAttempt.count()).toBe(before);
  });

  it("asks Shopify again, under the same key, for a first charge whose answers and webhook were all lost", async () => {
    const shop = "answer-lost.myshopify.com";
    await shopWithContracts(shop, 1);
    // Shopify charges, but every answer to the app (the client's 6 tries) is lost and the
    // result webhook never comes.
    harness.simulator.pauseWebhooks();
    harness.simulator.loseNextAnswers(shop, "SubscriptionBillingAttemptCreate1", 6);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await harness.runBilling();
      expect(await attemptsOf(shop)).toEqual([expect.objectContaining({ status: AttemptStatus.Pending, shopifyAttemptId: null })]);
      expect(harness.simulator.chargeCount(shop)).toBe(1);

      // The shop's next run, the next day: the contract is no longer due (Shopify moved its
      // next billing date), yet the attempt is settled from Shopify's answer alone (the
      // webhook is still held).
      harness.simulator.clock.set(new Date(harness.simulator.clock.now().getTime() + DAY));
      await harness.runBilling();
      const [attempt] = await attemptsOf(shop);
      expect(attempt).toMatchObject({ status: AttemptStatus.Succeeded });
      expect(attempt.shopifyAttemptId).not.toBeNull();
      expect(harness.simulator.chargeCount(shop)).toBe(1);
      expect(new Set(harness.simulator.billingAttempts(shop).map((a) => a.idempotencyKey)).size).toBe(1);
    } finally {
      warn.mockRestore();
      harness.simulator.resumeWebhooks();
    }
    await harness.simulator.waitForIdle();
  });

});
