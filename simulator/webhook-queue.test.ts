import { describe, expect, it } from "vitest";
import { billingSetup, START } from "../tests/support/simulator-billing-setup";
import { API_SECRET, closeAfterEachTest, SHOP, startWebhookReceiver } from "../tests/support/simulator-connection";
import { WebhookQueue } from "./webhook-queue";

closeAfterEachTest();

const monthly = { interval: "MONTH" as const, nextBillingDate: START, amount: "10.00" };

describe("billing webhooks", () => {
  it("retries a non-2xx answer with the same webhook id until the app accepts it", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup({
      receiver: { answer: (_webhook, received) => (received.length < 3 ? 500 : 200) },
    });
    const { contractId } = simulator.createContract(SHOP, monthly);

    await createAttempt(contractId, "retry-me");
    await simulator.waitForWebhooks();

    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((webhook) => webhook.headers["x-shopify-webhook-id"])).size).toBe(1);
    expect(new Set(receiver.received.map((webhook) => webhook.headers["x-shopify-event-id"])).size).toBe(1);
    expect(simulator.webhookDeliveries).toMatchObject([{ state: "delivered", status: 200, attempts: 3 }]);
  });

  it("gives up after the configured number of tries and logs the failure", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup({
      simulator: { webhookMaxAttempts: 2, webhookRetryDelayMs: 1 },
      receiver: { answer: () => 503 },
    });
    const { contractId } = simulator.createContract(SHOP, monthly);

    await createAttempt(contractId, "never-accepted");
    await simulator.waitForIdle();

    expect(receiver.received).toHaveLength(2);
    expect(simulator.webhookDeliveries).toMatchObject([
      { topic: "subscription_billing_attempts/success", path: "/webhooks/subscription_billing_attempts", state: "failed", status: 503, attempts: 2 },
    ]);
  });

  it("logs, and does not send, a topic the app has no subscription for", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup({ simulator: { webhookSubscriptions: [] } });
    const { contractId } = simulator.createContract(SHOP, monthly);

    await createAttempt(contractId, "unheard");
    await simulator.waitForIdle();

    expect(receiver.received).toEqual([]);
    expect(simulator.webhookDeliveries).toMatchObject([{ topic: "subscription_billing_attempts/success", path: null, state: "not_subscribed", attempts: 0 }]);
  });

  it("holds deliveries while paused and sends them in the order the test chooses", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup({ simulator: { webhookConcurrency: 1 } });
    const first = simulator.createContract(SHOP, monthly).contractId;
    const second = simulator.createContract(SHOP, monthly).contractId;

    simulator.pauseWebhooks();
    await createAttempt(first, "first");
    await createAttempt(second, "second");
    await simulator.waitForIdle();
    expect(receiver.received).toEqual([]);
    expect(simulator.webhookDeliveries.map((delivery) => delivery.state)).toEqual(["queued", "queued"]);

    simulator.resumeWebhooks((held) => held.reverse());
    await simulator.waitForWebhooks();

    const keys = receiver.received.map((webhook) => (JSON.parse(webhook.body) as { idempotency_key: string }).idempotency_key);
    expect(keys).toEqual(["second", "first"]);
  });
});

describe("WebhookQueue", () => {
  it("keeps at most `concurrency` deliveries in flight", async () => {
    const receiver = await startWebhookReceiver(API_SECRET, { delayMs: 30 });
    let settled = 0;
    const queue = new WebhookQueue({
      appUrl: () => receiver.url,
      secret: API_SECRET,
      subscriptions: [{ topics: ["orders/create"], uri: "/webhooks/orders" }],
      concurrency: 3,
      maxAttempts: 1,
      retryDelayMs: 1,
      timeoutMs: 1000,
      onSettled: () => settled++,
    });

    for (let index = 0; index < 10; index++) queue.enqueue({ shop: SHOP, topic: "orders/create", payload: { index }, triggeredAt: new Date() });
    while (settled < 10) await new Promise((resolve) => setTimeout(resolve, 10));

    expect(receiver.received).toHaveLength(10);
    expect(receiver.maxConcurrent()).toBe(3);
    expect(queue.isIdle()).toBe(true);
    queue.close();
  });

  it("counts a network failure as a failed try", async () => {
    const queue = new WebhookQueue({
      appUrl: () => "http://127.0.0.1:9",
      secret: API_SECRET,
      subscriptions: [{ topics: ["orders/create"], uri: "/webhooks/orders" }],
      concurrency: 1,
      maxAttempts: 2,
      retryDelayMs: 1,
      timeoutMs: 1000,
      onSettled: () => undefined,
    });

    const record = queue.enqueue({ shop: SHOP, topic: "orders/create", payload: {}, triggeredAt: new Date() });
    while (!queue.isIdle()) await new Promise((resolve) => setTimeout(resolve, 5));

    expect(record).toMatchObject({ state: "failed", attempts: 2, status: null, error: expect.any(String) });
    queue.close();
  });
});
