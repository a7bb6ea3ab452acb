import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BillingRunSummary } from "../../app/cron/billing-run.server";
import { billingAttemptIdempotencyKey } from "../../app/attempts/idempotency-key";
import type { PaymentOutcome } from "../../simulator/billing-state";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { testProviders } from "../support/providers";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A fixed day at 10:00 UTC: an hour after the default 09:00 billing hour of a UTC shop. */
const START = new Date("2026-01-14T10:00:00Z");

// Dunning end to end: the billing endpoint, the webhook routes over HTTP, each provider's
// database and the store simulator with its simulated clock. Every scenario has its own
// harness (database, simulator, shop), its simulated and process clocks both starting at
// START: none starts where another left the clock, or bills another's shops on the way.
describe.each(testProviders())("%s: dunning", (provider) => {
  let harness: BillingHarness;

  beforeEach(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
  });
  afterEach(async () => {
    await harness?.close();
  });

  interface Scenario {
    shop: string;
    contractId: string;
    paymentMethodId: string;
    /** When the scheduled charge was made. */
    t0: number;
    /**
     * Calls the billing endpoint at t0 + `days` days (+ 1 hour, so a retry due then is due),
     * waits for Shopify's webhooks, and answers how many attempts this shop got meanwhile
     * (the endpoint's own summary counts every shop's).
     */
    runOnDay(days: number): Promise<{ summary: BillingRunSummary; attemptsSent: number }>;
  }

  /** A shop with one monthly contract due now whose card answers `outcomes`, charged once. */
  async function chargedOnce(shop: string, outcomes: PaymentOutcome[], defaultOutcome: PaymentOutcome = "success"): Promise<Scenario> {
    const { simulator } = harness;
    await harness.install(shop);
    const t0 = simulator.clock.now().getTime();
    const { contractId, paymentMethodId } = simulator.createContract(shop, {
      interval: "MONTH",
      nextBillingDate: new Date(t0 - HOUR),
      amount: "29.00",
      paymentMethodOutcomes: outcomes,
      defaultOutcome,
    });
    const runAt = async (at: number) => {
      const before = simulator.billingAttempts(shop).length;
      simulator.clock.set(new Date(Math.max(at, simulator.clock.now().getTime())));
      const summary = await harness.runBilling();
      await simulator.waitForIdle();
      return { summary, attemptsSent: simulator.billingAttempts(shop).length - before };
    };
    expect((await runAt(t0)).attemptsSent).toBe(1);
    return { shop, contractId, paymentMethodId: paymentMethodId as string, t0, runOnDay: (days) => runAt(t0 + days * DAY + HOUR) };
  }

  const trackerOf = (shop: string) => harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop } });
  const historyOf = async (shop: string) => {
    const tracker = await trackerOf(shop);
    const events = await harness.prisma.dunningEvent.findMany({ where: { trackerId: tracker.id }, orderBy: [{ at: "asc" }, { id: "asc" }] });
    return events.map((event) => event.kind);
  };
  const attemptKeysOf = (shop: string) => harness.simulator.billingAttempts(shop).map((attempt) => attempt.idempotencyKey);
  const usePolicy = (shop: string, policy: Partial<{ retryCount: number; retryDelaysDays: string; finalAction: string }>) =>
    harness.prisma.dunningPolicy.create({
      data: {
        shop,
        retryCount: 1,
        retryDelaysDays: "1",
        finalAction: "PAUSE",
        inventoryRetryCount: 2,
        inventoryRetryDelaysDays: "1, 2",
        inventoryFinalAction: "SKIP",
        sendPaymentUpdateEmail: true,
        paymentUpdateEmailIntervalHours: 72,
        ...policy,
      },
    });

  it("recovers a soft decline on the second retry, on the default 1-then-3-day schedule, and records the amount", async () => {
    const s = await chargedOnce("soft-recovered.myshopify.com", [{ error: "INSUFFICIENT_FUNDS" }, { error: "INSUFFICIENT_FUNDS" }, "success"]);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "OPEN", nextAction: "RETRY", attemptCount: 1, lastErrorCode: "insufficient_funds", lastErrorClass: "SOFT" });

    // Nothing is retried before it is due.
    expect((await s.runOnDay(0)).attemptsSent).toBe(0);
    expect((await s.runOnDay(1)).attemptsSent).toBe(1);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "OPEN", nextAction: "RETRY", attemptCount: 2 });
    await s.runOnDay(1.1); // the next hourly call: the second failure's email is within 72 hours of the first

    expect((await s.runOnDay(3)).attemptsSent).toBe(0);
    // Retry 1 went out an hour into day 1, so retry 2 is due just after an hour into day 4.
    const { summary } = await s.runOnDay(4.1);
    expect(summary.dunning).toMatchObject({ retriesSent: 1, remaining: 0 });

    expect(await trackerOf(s.shop)).toMatchObject({ status: "RECOVERED", recoveredAmount: "29.00", currencyCode: "USD", attemptCount: 3 });
    expect(harness.simulator.chargeCount(s.shop)).toBe(1);
    expect(attemptKeysOf(s.shop)).toEqual([1, 2, 3].map((n) => billingAttemptIdempotencyKey(s.contractId, 1, n)));
    // One email for the first failure; the second came within 72 hours.
    expect(harness.simulator.paymentUpdateEmails(s.shop)).toHaveLength(1);
    expect(await historyOf(s.shop)).toEqual([
      "OPENED_RETRY_SCHEDULED",
      "EMAIL_SENT",
      "RETRY_SENT",
      "RETRY_SCHEDULED",
      "EMAIL_NOT_SENT",
      "RETRY_SENT",
      "RECOVERED",
    ]);
  });

  it.each([
    ["SKIP", (s: Scenario) => harness.simulator.billingCycles(s.shop, s.contractId, { from: 1, count: 1 })[0].skipped, true],
    ["PAUSE", (s: Scenario) => harness.simulator.listContracts(s.shop)[0].status, "PAUSED"],
    ["CANCEL", (s: Scenario) => harness.simulator.listContracts(s.shop)[0].status, "CANCELLED"],
  ] as const)("applies the final action %s once in Shopify when the retries run out, and records it", async (action, stateInShopify, expected) => {
    const shop = `exhausted-${action.toLowerCase()}.myshopify.com`;
    await harness.install(shop);
    await usePolicy(shop, { retryCount: 1, retryDelaysDays: "1", finalAction: action });
    const s = await chargedOnce(shop, [], { error: "CARD_DECLINED" });

    await s.runOnDay(1); // retry 1 fails: the final action is due at once
    await s.runOnDay(1.1); // the next call applies it
    await s.runOnDay(2); // and later calls do nothing more
    await s.runOnDay(5);

    expect(stateInShopify(s)).toBe(expected);
    const actions = harness.simulator.contractActions(shop).filter((entry) => entry.contractId === s.contractId);
    expect(actions.map((entry) => entry.action)).toEqual([action]);
    expect(await trackerOf(shop)).toMatchObject({ status: "EXHAUSTED", finalAction: action, attemptCount: 2 });
    expect((await trackerOf(shop)).finalActionAppliedAt).not.toBeNull();
    expect(harness.simulator.chargeCount(shop)).toBe(0);
    expect((await historyOf(shop)).slice(-2)).toEqual(["FINAL_ACTION_SCHEDULED", "FINAL_ACTION_APPLIED"]);
  });

  it("asks a hard-declined customer for a new card once, retries nothing until it comes, then recovers", async () => {
    const s = await chargedOnce("hard-decline.myshopify.com", [], { error: "EXPIRED_CARD" });
    await s.runOnDay(0.5);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "WAITING_FOR_PAYMENT_METHOD", lastErrorClass: "HARD", nextAction: "FINAL_ACTION" });
    for (const day of [1, 2, 4, 6]) expect((await s.runOnDay(day)).attemptsSent).toBe(0);
    expect(harness.simulator.paymentUpdateEmails(s.shop)).toEqual([expect.objectContaining({ paymentMethodId: s.paymentMethodId })]);
    expect(attemptKeysOf(s.shop)).toHaveLength(1);

    harness.simulator.updatePaymentMethod(s.shop, s.paymentMethodId, { defaultOutcome: "success" });
    await harness.simulator.waitForIdle();
    expect(await trackerOf(s.shop)).toMatchObject({ status: "OPEN", nextAction: "RETRY" });
    expect((await s.runOnDay(6.1)).attemptsSent).toBe(1);

    expect(await trackerOf(s.shop)).toMatchObject({ status: "RECOVERED", recoveredAmount: "29.00" });
    expect(harness.simulator.chargeCount(s.shop)).toBe(1);
    expect(harness.simulator.paymentUpdateEmails(s.shop)).toHaveLength(1);
  });

  it("knows the customer from the failure on: a card updated before the next cron call is retried at once", async () => {
    const s = await chargedOnce("card-fixed-early.myshopify.com", [], { error: "EXPIRED_CARD" });
    // No cron call since the failure: the tracker learnt its customer from the attempt.
    const opened = await trackerOf(s.shop);
    expect(opened).toMatchObject({ status: "WAITING_FOR_PAYMENT_METHOD" });
    expect(opened.customerId).toMatch(/^gid:\/\/shopify\/Customer\/\d+$/);

    harness.simulator.updatePaymentMethod(s.shop, s.paymentMethodId, { defaultOutcome: "success" });
    await harness.simulator.waitForIdle();
    expect(await trackerOf(s.shop)).toMatchObject({ status: "OPEN", nextAction: "RETRY" });
    expect((await s.runOnDay(0.1)).attemptsSent).toBe(1);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "RECOVERED" });
  });

  it("a payment-update email whose answer is lost is not sent again: it was recorded before the call", async () => {
    const s = await chargedOnce("email-answer-lost.myshopify.com", [], { error: "EXPIRED_CARD" });
    harness.simulator.loseNextAnswers(s.shop, "CustomerPaymentMethodSendUpdateEmail");
    await s.runOnDay(0.5);
    // Shopify sent it, the app never heard back, and neither it nor a later call sends another.
    for (const day of [1, 2, 3.5]) await s.runOnDay(day);
    expect(harness.simulator.paymentUpdateEmails(s.shop)).toHaveLength(1);
    const tracker = await trackerOf(s.shop);
    expect(tracker).toMatchObject({ emailsSent: 1, emailDueAt: null });
    expect(tracker.lastEmailSentAt).not.toBeNull();
    expect(await historyOf(s.shop)).toContain("EMAIL_UNCONFIRMED");
  });

  it("an active contract update does not pull a scheduled soft-decline retry forward", async () => {
    const s = await chargedOnce("contract-touched.myshopify.com", [{ error: "INSUFFICIENT_FUNDS" }, "success"]);
    const scheduled = await trackerOf(s.shop);
    expect(scheduled).toMatchObject({ status: "OPEN", nextAction: "RETRY" });
    const delivery = await harness.simulator.deliverWebhook({
      shop: s.shop,
      topic: "subscription_contracts/update",
      path: "/webhooks/subscription_contracts",
      payload: { admin_graphql_api_id: s.contractId, id: Number(s.contractId.split("/").pop()), status: "active" },
    });
    expect(delivery.status).toBe(200);
    expect((await trackerOf(s.shop)).nextActionAt).toEqual(scheduled.nextActionAt);
    expect((await s.runOnDay(0.5)).attemptsSent).toBe(0);
  });

  it("retries an inventory failure on the inventory schedule, tells the merchant and never the customer, then skips", async () => {
    const s = await chargedOnce("out-of-stock.myshopify.com", [], { error: "INSUFFICIENT_INVENTORY" });
    expect(await trackerOf(s.shop)).toMatchObject({ status: "OPEN", lastErrorClass: "INVENTORY" });
    expect((await s.runOnDay(1)).attemptsSent).toBe(1);
    expect((await s.runOnDay(2)).attemptsSent).toBe(0);
    expect((await s.runOnDay(3.1)).attemptsSent).toBe(1); // 1 + 2 days after retry 1
    await s.runOnDay(3.2);

    expect(await trackerOf(s.shop)).toMatchObject({ status: "EXHAUSTED", finalAction: "SKIP" });
    expect(harness.simulator.contractActions(s.shop).map((entry) => entry.action)).toEqual(["SKIP"]);
    expect(harness.simulator.paymentUpdateEmails(s.shop)).toHaveLength(0);
    const notices = await harness.prisma.merchantNotification.findMany({ where: { shop: s.shop } });
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.every((notice) => notice.kind === "INVENTORY_FAILURE" && notice.message.includes("out of stock"))).toBe(true);
  });

  it("surfaces a 3-D Secure challenge to the merchant and does not retry it", async () => {
    const s = await chargedOnce("three-d-secure.myshopify.com", ["action_required"]);
    for (const day of [1, 3, 8]) expect((await s.runOnDay(day)).attemptsSent).toBe(0);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "ACTION_REQUIRED", nextAction: null });
    expect(attemptKeysOf(s.shop)).toHaveLength(1);
    const [notice] = await harness.prisma.merchantNotification.findMany({ where: { shop: s.shop } });
    expect(notice).toMatchObject({ kind: "CUSTOMER_ACTION_REQUIRED" });

    // The customer completes the challenge: Shopify reports the same attempt as a success.
    const challenged = harness.simulator.webhookDeliveries.find((record) => record.shop === s.shop && record.topic.endsWith("/challenged"))!;
    const answer = await harness.simulator.deliverWebhook({
      shop: s.shop,
      topic: "subscription_billing_attempts/success",
      payload: { ...(challenged.payload as object), admin_graphql_api_order_id: "gid://shopify/Order/424242", ready: true },
      path: `${harness.webhookUrl}/webhooks/subscription_billing_attempts`,
    });
    expect(answer.status).toBe(200);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "RECOVERED", attemptCount: 1 });
  });

  it("closes without charging when the merchant cancels the contract mid-dunning", async () => {
    const s = await chargedOnce("cancelled-midway.myshopify.com", [], { error: "INSUFFICIENT_FUNDS" });
    await s.runOnDay(1);
    harness.simulator.setContractStatus(s.shop, s.contractId, "CANCELLED");
    await harness.simulator.waitForIdle();
    expect(await trackerOf(s.shop)).toMatchObject({ status: "ABANDONED", nextAction: null });
    expect((await trackerOf(s.shop)).completedReason).toMatch(/cancelled in Shopify/);
    for (const day of [4, 9, 16]) expect((await s.runOnDay(day)).attemptsSent).toBe(0);
    expect(attemptKeysOf(s.shop)).toHaveLength(2);
    expect(harness.simulator.contractActions(s.shop)).toEqual([]);
  });

  it("changes nothing when the same failure webhook is delivered three times", async () => {
    const s = await chargedOnce("redelivered.myshopify.com", [{ error: "CARD_DECLINED" }]);
    const before = await trackerOf(s.shop);
    const eventsBefore = await historyOf(s.shop);
    const delivery = harness.simulator.webhookDeliveries.find(
      (record) => record.shop === s.shop && record.topic === "subscription_billing_attempts/failure",
    )!;
    const redeliver = (webhookId: string) =>
      harness.simulator.deliverWebhook({
        shop: s.shop,
        topic: delivery.topic,
        payload: delivery.payload,
        path: `${harness.webhookUrl}/webhooks/subscription_billing_attempts`,
        webhookId,
        triggeredAt: delivery.triggeredAt,
      });
    // Shopify's own retry (same id) twice, then the same event under a new id.
    for (const id of [delivery.webhookId, delivery.webhookId, "another-delivery-id"]) expect((await redeliver(id)).status).toBe(200);

    const after = await trackerOf(s.shop);
    expect(after).toMatchObject({ attemptCount: before.attemptCount, nextAction: before.nextAction, nextActionAt: before.nextActionAt, status: "OPEN" });
    expect(await historyOf(s.shop)).toEqual(eventsBefore);
    expect(await harness.prisma.dunningTracker.count({ where: { shop: s.shop } })).toBe(1);
  });

  it("sends each due retry once when two cron calls run at once", async () => {
    const shop = "two-crons.myshopify.com";
    await harness.install(shop);
    const t0 = harness.simulator.clock.now().getTime();
    const contracts = Array.from({ length: 6 }, () =>
      harness.simulator.createContract(shop, {
        interval: "MONTH",
        nextBillingDate: new Date(t0 - HOUR),
        amount: "10.00",
        paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }],
      }),
    );
    await harness.runBilling();
    await harness.simulator.waitForIdle();
    harness.simulator.clock.set(new Date(t0 + DAY + HOUR));

    const sendsBefore = harness.simulator.requests.length;
    const [a, b] = await Promise.all([harness.runBilling(), harness.runBilling()]);
    await harness.simulator.waitForIdle();
    // Each retry went to Shopify once (not once per call, absorbed by its idempotency key).
    const retrySends = harness.simulator.requests
      .slice(sendsBefore)
      .filter((request) => request.shop === shop && request.operationName?.startsWith("SubscriptionBillingAttemptCreate"));
    expect(retrySends).toHaveLength(6);
    expect(a.dunning.claimed + b.dunning.claimed).toBeGreaterThanOrEqual(6);
    const retryKeys = attemptKeysOf(shop).filter((key) => key.endsWith("-attempt-2"));
    expect(retryKeys.sort()).toEqual(contracts.map((c) => billingAttemptIdempotencyKey(c.contractId, 1, 2)).sort());
    expect(harness.simulator.chargeCount(shop)).toBe(6);
    expect(await harness.prisma.dunningTracker.count({ where: { shop, status: "RECOVERED" } })).toBe(6);
  });

  it("picks up where it was after the app restarts between retries", async () => {
    const s = await chargedOnce("restarted.myshopify.com", [{ error: "PROCESSING_ERROR" }, { error: "PROCESSING_ERROR" }, "success"]);
    await s.runOnDay(1);
    await harness.restartApp();
    expect((await s.runOnDay(2)).attemptsSent).toBe(0);
    await harness.restartApp();
    expect((await s.runOnDay(4.1)).attemptsSent).toBe(1);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "RECOVERED", attemptCount: 3 });
    expect(harness.simulator.chargeCount(s.shop)).toBe(1);
  });

  it("stops on a merchant configuration error and tells the merchant", async () => {
    const s = await chargedOnce("misconfigured.myshopify.com", [{ error: "PAYMENT_PROVIDER_IS_NOT_ENABLED" }]);
    expect(await trackerOf(s.shop)).toMatchObject({ status: "STOPPED", lastErrorClass: "MERCHANT" });
    expect((await s.runOnDay(1)).attemptsSent).toBe(0);
    const [notice] = await harness.prisma.merchantNotification.findMany({ where: { shop: s.shop } });
    expect(notice).toMatchObject({ kind: "DUNNING_STOPPED" });
  });
});
