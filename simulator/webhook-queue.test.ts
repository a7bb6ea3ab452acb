import net from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { billingSetup, START } from "../tests/support/simulator-billing-setup";
import { API_SECRET, closeAfterEachTest, SHOP, startWebhookReceiver } from "../tests/support/simulator-connection";
import { within } from "../tests/support/waiting";
import { IdleSignal } from "./idle-signal";
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

/** A server that takes each connection and drops it at once: a network failure, on a port of its own. */
async function droppingEveryConnection(): Promise<string> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("WebhookQueue", () => {
  // The queue's onSettled feeds an IdleSignal, as in the simulator: the tests wait for that.
  it("keeps at most `concurrency` deliveries in flight", async () => {
    const receiver = await startWebhookReceiver(API_SECRET, { delayMs: 30 });
    const idle = new IdleSignal();
    let settled = 0;
    const queue = new WebhookQueue({
      appUrl: () => receiver.url,
      secret: API_SECRET,
      subscriptions: [{ topics: ["orders/create"], uri: "/webhooks/orders" }],
      concurrency: 3,
      maxAttempts: 1,
      retryDelayMs: 1,
      timeoutMs: 1000,
      onSettled: () => {
        settled++;
        idle.changed();
      },
    });

    for (let index = 0; index < 10; index++) queue.enqueue({ shop: SHOP, topic: "orders/create", payload: { index }, triggeredAt: START });
    await within("the 10 deliveries to settle", idle.waitUntil(() => settled >= 10));

    expect(receiver.received).toHaveLength(10);
    expect(receiver.maxConcurrent()).toBe(3);
    expect(queue.isIdle()).toBe(true);
    queue.close();
  });

  it("counts a network failure as a failed try", async () => {
    const appUrl = await droppingEveryConnection();
    const idle = new IdleSignal();
    const queue = new WebhookQueue({
      appUrl: () => appUrl,
      secret: API_SECRET,
      subscriptions: [{ topics: ["orders/create"], uri: "/webhooks/orders" }],
      concurrency: 1,
      maxAttempts: 2,
      retryDelayMs: 1,
      timeoutMs: 1000,
      onSettled: () => idle.changed(),
    });

    const record = queue.enqueue({ shop: SHOP, topic: "orders/create", payload: {}, triggeredAt: START });
    await within("the delivery and its retry to settle", idle.waitUntil(() => queue.isIdle()));

    expect(record).toMatchObject({ state: "failed", attempts: 2, status: null, error: expect.any(String) });
    queue.close();
  });
});
