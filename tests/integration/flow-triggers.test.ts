import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowTriggerHandle } from "../../app/flow/flow-triggers";
import { redactCustomer, redactShop } from "../../app/shops/compliance.server";
import type { PaymentOutcome } from "../../simulator/billing-state";
import { loadAppFlowTriggers } from "../../simulator/flow-triggers";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { testProviders } from "../support/providers";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** 10:00 UTC: an hour after the default 09:00 billing hour of a UTC shop. */
const START = new Date("2026-01-14T10:00:00Z");
/** One retry a day after the failure, then the contract is paused. */
const POLICY = {
  retryCount: 1,
  retryDelaysDays: "1",
  finalAction: "PAUSE",
  inventoryRetryCount: 2,
  inventoryRetryDelaysDays: "1, 2",
  inventoryFinalAction: "SKIP",
  sendPaymentUpdateEmail: true,
  paymentUpdateEmailIntervalHours: 72,
};

// Shopify Flow triggers end to end: dunning steps (from the attempts' webhooks and from the
// cron) write their events to the outbox in the step's transaction, and the billing
// endpoint sends each once with flowTriggerReceive to the store simulator, which checks the
// handle and the payload against the app's extensions and records what it accepted.
describe.each(testProviders())("%s: Shopify Flow triggers", (provider) => {
  let harness: BillingHarness;

  async function start(simulator?: Parameters<typeof startBillingHarness>[1]["simulator"]) {
    harness = await startBillingHarness(provider, { startTime: START, simulator });
  }
  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await harness?.close();
  });

  /** A shop with one monthly contract of $29.00 due now, charged once; its card answers `outcomes`. */
  async function chargedOnce(shop: string, outcomes: PaymentOutcome[], defaultOutcome: PaymentOutcome = "success") {
    const { simulator } = harness;
    await harness.install(shop);
    const t0 = simulator.clock.now().getTime();
    const contract = simulator.createContract(shop, {
      interval: "MONTH",
      nextBillingDate: new Date(t0 - HOUR),
      amount: "29.00",
      paymentMethodOutcomes: outcomes,
      defaultOutcome,
    });
    await harness.runBilling();
    await simulator.waitForIdle();
    const runOnDay = async (days: number) => {
      simulator.clock.set(new Date(Math.max(t0 + days * DAY + HOUR, simulator.clock.now().getTime())));
      const summary = await harness.runBilling();
      await simulator.waitForIdle();
      return summary;
    };
    return { ...contract, t0, runOnDay };
  }

  const sent = (shop: string) => harness.simulator.flowTriggers(shop);
  const handlesSent = (shop: string) => sent(shop).map((trigger) => trigger.handle);
  const numeric = (gid: string) => Number(gid.split("/").pop());

  it("sends 'payment failed and dunning started', then 'payment recovered', once each, with the customer, contract, amount and decline in words", async () => {
    const shop = "soft-then-paid.myshopify.com";
    const s = await chargedOnce(shop, [{ error: "INSUFFICIENT_FUNDS" }, "success"]);
    // The failure opened the tracker from its webhook, after the call that charged it had sent its triggers.
    expect(await harness.prisma.flowTriggerEvent.count({ where: { shop, status: "PENDING" } })).toBe(1);

    const next = await s.runOnDay(0.1);
    expect(next.flowTriggers).toMatchObject({ sent: 1, failed: 0, remaining: 0 });
    expect(sent(shop)).toEqual([
      {
        handle: FlowTriggerHandle.PaymentFailed,
        payload: {
          customer_id: numeric(s.customerId),
          "Contract ID": s.contractId,
          "Billing cycle": 1,
          Amount: 29,
          "Currency code": "USD",
          "Decline code": "insufficient_funds",
          "Decline reason": "The card had insufficient funds.",
          "Event ID": expect.stringMatching(/^tracker-\d+:payment-failed-dunning-started$/),
        },
        receivedAt: expect.any(Date),
      },
    ]);

    await s.runOnDay(1); // retry 1 succeeds (its webhook records it)
    await s.runOnDay(1.1); // and this call sends the trigger
    await s.runOnDay(2);
    expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed, FlowTriggerHandle.Recovered]);
    expect(sent(shop)[1].payload).toMatchObject({ customer_id: numeric(s.customerId), Amount: 29, "Decline code": "insufficient_funds", "Event ID": expect.stringMatching(/:payment-recovered$/) });
    expect(await harness.prisma.flowTriggerEvent.findMany({ where: { shop }, select: { status: true, sentAt: true } })).toEqual([
      { status: "SENT", sentAt: expect.any(Date) },
      { status: "SENT", sentAt: expect.any(Date) },
    ]);
  });

  it("asks for a new card after a hard decline, then sends 'dunning exhausted' with the final action applied", async () => {
    const shop = "hard-then-paused.myshopify.com";
    await harness.install(shop);
    await harness.prisma.dunningPolicy.create({ data: { ...POLICY, shop } });
    const s = await chargedOnce(shop, [], { error: "EXPIRED_CARD" });
    for (const day of [0.1, 1.1, 1.2, 2, 3]) await s.runOnDay(day);

    expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed, FlowTriggerHandle.PaymentMethodNeeded, FlowTriggerHandle.Exhausted]);
    expect(sent(shop)[1].payload).toMatchObject({ "Decline code": "expired_card", "Decline reason": "The card has expired.", "Billing cycle": 1 });
    expect(sent(shop)[2].payload).toMatchObject({ customer_id: numeric(s.customerId), "Final action": "Paused the contract", Amount: 29, "Currency code": "USD" });
    // Every payload is one Flow accepted against the app's extensions (the simulator checked it), with only declared fields.
    const declared = new Map(loadAppFlowTriggers().map((trigger) => [trigger.handle, trigger.fields.map((field) => field.key ?? "customer_id")]));
    for (const trigger of sent(shop)) expect(declared.get(trigger.handle)).toEqual(expect.arrayContaining(Object.keys(trigger.payload)));
  });

  it("sends each trigger once under two concurrent cron calls", async () => {
    const shops = ["concurrent-a.myshopify.com", "concurrent-b.myshopify.com", "concurrent-c.myshopify.com"];
    for (const shop of shops) {
      await harness.install(shop);
      harness.simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(START.getTime() - HOUR), amount: "29.00", defaultOutcome: { error: "CARD_DECLINED" } });
    }
    await harness.runBilling();
    await harness.simulator.waitForIdle();
    expect(await harness.prisma.flowTriggerEvent.count({ where: { status: "PENDING" } })).toBe(3);

    harness.simulator.clock.advance(HOUR);
    const [a, b] = await Promise.all([harness.runBilling(), harness.runBilling()]);

    expect(a.flowTriggers.sent + b.flowTriggers.sent).toBe(3);
    for (const shop of shops) expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed]);
    harness.simulator.clock.advance(HOUR);
    await Promise.all([harness.runBilling(), harness.runBilling()]);
    for (const shop of shops) expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed]);
  });

  it("sends one trigger for a failure webhook Shopify redelivers (same webhook id) or sends again as a new event", async () => {
    const shop = "redelivered.myshopify.com";
    await chargedOnce(shop, [], { error: "CARD_DECLINED" });
    const failure = harness.simulator.webhookDeliveries.find((record) => record.shop === shop && record.topic === "subscription_billing_attempts/failure")!;
    const again = { shop, topic: failure.topic, payload: failure.payload, path: `${harness.webhookUrl}${failure.path}` };
    expect((await harness.simulator.deliverWebhook({ ...again, webhookId: failure.webhookId })).status).toBe(200);
    expect((await harness.simulator.deliverWebhook(again)).status).toBe(200);

    harness.simulator.clock.advance(HOUR);
    await harness.runBilling();
    await harness.runBilling();
    expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed]);
    expect(await harness.prisma.flowTriggerEvent.count({ where: { shop } })).toBe(1);
  });

  it("retries a trigger Shopify could not take (5xx), and sends it once when Shopify is back", async () => {
    const shop = "flaky-flow.myshopify.com";
    await harness.install(shop);
    await harness.prisma.dunningPolicy.create({ data: { ...POLICY, shop, sendPaymentUpdateEmail: false } });
    await chargedOnce(shop, [], { error: "CARD_DECLINED" });
    // Nothing else for dunning to do before the retry: the only request of the next call is the trigger.
    await harness.prisma.dunningTracker.updateMany({ where: { shop }, data: { amount: "29.00", currencyCode: "USD" } });
    // Each of the client's tries within the call answers 503.
    harness.simulator.failNextRequests(shop, { status: 503, count: 6 });
    harness.simulator.clock.advance(HOUR);
    const failed = await harness.runBilling();
    expect(failed.flowTriggers).toMatchObject({ sent: 0, deferred: 1, failed: 0 });
    const deferred = await harness.prisma.flowTriggerEvent.findFirstOrThrow({ where: { shop } });
    expect(deferred).toMatchObject({ status: "PENDING", deliveryAttempts: 1, leaseOwner: null, lastError: expect.stringMatching(/last status 503/) });
    expect(deferred.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());

    // Not before its retry time; then once.
    await harness.runBilling();
    expect(sent(shop)).toEqual([]);
    await harness.prisma.flowTriggerEvent.update({ where: { id: deferred.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    expect((await harness.runBilling()).flowTriggers).toMatchObject({ sent: 1 });
    await harness.runBilling();
    expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentFailed]);
    expect(sent(shop)[0].payload).toMatchObject({ Amount: 29, "Currency code": "USD" });
  });

  it("gives up for good on a trigger Shopify refuses (a handle it does not have): FAILED, never sent again", async () => {
    await harness.close();
    // This deployment of the app has no "payment failed" trigger extension.
    await start({ flowTriggers: loadAppFlowTriggers().filter((trigger) => trigger.handle !== FlowTriggerHandle.PaymentFailed) });
    const shop = "refused-flow.myshopify.com";
    const s = await chargedOnce(shop, [], { error: "EXPIRED_CARD" });
    await s.runOnDay(0.1);
    await s.runOnDay(0.2);

    const events = await harness.prisma.flowTriggerEvent.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(events.map((event) => [event.handle, event.status])).toEqual([
      [FlowTriggerHandle.PaymentFailed, "FAILED"],
      [FlowTriggerHandle.PaymentMethodNeeded, "SENT"],
    ]);
    expect(events[0].lastError).toMatch(/Shopify refused it: Invalid handle/);
    expect(handlesSent(shop)).toEqual([FlowTriggerHandle.PaymentMethodNeeded]);
  });

  it("erases a customer's triggers with customers/redact, and a shop's with shop/redact", async () => {
    const shop = "redacted-flow.myshopify.com";
    const s = await chargedOnce(shop, [], { error: "CARD_DECLINED" });
    expect(await harness.prisma.flowTriggerEvent.count({ where: { shop } })).toBe(1);
    await harness.prisma.$transaction((tx) => redactCustomer(tx, shop, numeric(s.customerId)));
    expect(await harness.prisma.flowTriggerEvent.count({ where: { shop } })).toBe(0);

    await harness.prisma.chargeReconciliation.create({ data: { shop, localDate: "2026-01-13" } });
    await harness.prisma.$transaction((tx) => redactShop(tx, shop));
    expect(await harness.prisma.chargeReconciliation.count({ where: { shop } })).toBe(0);
  });
});
