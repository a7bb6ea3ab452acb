/**
 * The result-webhook phase of the bench: Shopify reporting many billing attempts at once.
 * Attempts the app is waiting on are seeded in its database; then one success webhook per
 * attempt is POSTed to the app, signed as Shopify signs them, `concurrency` at a time over
 * keep-alive connections, and every answer's latency is kept.
 */
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import type { PrismaClient } from "../app/db/client.server";
import { SHOPIFY_API_VERSION } from "../app/shopify/api-version";
import { processCpuSeconds } from "./measure";

export interface StormOptions {
  appUrl: string;
  /** The app's database, to seed the attempts and check the outcome. */
  prisma: PrismaClient;
  apiSecret: string;
  shop: string;
  count: number;
  concurrency: number;
  /** The app's process, for its CPU time. */
  appPid: number;
}

export interface StormResult {
  webhooks: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Answers other than 200 (each one a redelivery at Shopify). */
  failures: number;
  appCpuMsPerWebhook: number;
  /** Attempts the app recorded as succeeded, of `webhooks`. */
  recorded: number;
}

const PATH = "/webhooks/subscription_billing_attempts";

/** Contracts seeded so far by this process: each storm's contracts are new ones. */
let seededContracts = 0;

export async function seedAwaitedAttempts(prisma: PrismaClient, shop: string, count: number, runId: string): Promise<string[]> {
  const first = seededContracts;
  seededContracts += count;
  const keys = Array.from({ length: count }, (_, index) => `billing-${9_000_000_000 + first + index}-cycle-1-attempt-1-${runId}`);
  const now = new Date();
  for (let start = 0; start < count; start += 500) {
    await prisma.billingAttempt.createMany({
      data: keys.slice(start, start + 500).map((idempotencyKey, offset) => ({
        shop,
        contractId: `gid://shopify/SubscriptionContract/${9_000_000_000 + first + start + offset}`,
        billingCycleIndex: 1,
        attemptNumber: 1,
        idempotencyKey,
        status: "PROCESSING",
        shopifyAttemptId: `gid://shopify/SubscriptionBillingAttempt/${8_000_000_000 + start + offset}`,
        expectedBillingDate: now,
        runLocalDate: now.toISOString().slice(0, 10),
        sentAt: now,
      })),
    });
  }
  return keys;
}

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** subscription_billing_attempts/success for the attempt, signed with the app's secret, with a delivery id of its own. */
export function signedDelivery(shop: string, secret: string, idempotencyKey: string, index: number): SignedDelivery {
  const attemptId = 8_000_000_000 + index;
  const body = JSON.stringify({
    id: attemptId,
    admin_graphql_api_id: `gid://shopify/SubscriptionBillingAttempt/${attemptId}`,
    idempotency_key: idempotencyKey,
    order_id: 7_000_000_000 + index,
    admin_graphql_api_order_id: `gid://shopify/Order/${7_000_000_000 + index}`,
    subscription_contract_id: 9_000_000_000 + index,
    admin_graphql_api_subscription_contract_id: `gid://shopify/SubscriptionContract/${9_000_000_000 + index}`,
    ready: true,
    error_message: null,
    error_code: null,
  });
  const webhookId = randomUUID();
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      "X-Shopify-Topic": "subscription_billing_attempts/success",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("base64"),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": SHOPIFY_API_VERSION,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": webhookId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
  };
}

function post(agent: http.Agent, url: URL, delivery: SignedDelivery): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(url, { method: "POST", agent, headers: delivery.headers }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", () => resolve(0));
    request.end(delivery.body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * POSTs the deliveries, `concurrency` at a time over keep-alive connections, as Shopify
 * does; the answer's status (0: no answer, the connection failed) and latency of each, in order.
 */
export async function postDeliveries(
  appUrl: string,
  deliveries: SignedDelivery[],
  concurrency: number,
  onAnswer?: (index: number, status: number) => void,
): Promise<Array<{ status: number; latencyMs: number }>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(PATH, appUrl);
  const answers = new Array<{ status: number; latencyMs: number }>(deliveries.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries.length) {
        const index = next++;
        const sentAt = performance.now();
        const status = await post(agent, url, deliveries[index]);
        answers[index] = { status, latencyMs: performance.now() - sentAt };
        onAnswer?.(index, status);
      }
    }),
  );
  agent.destroy();
  return answers;
}

export async function runWebhookStorm(options: StormOptions): Promise<StormResult> {
  const runId = randomUUID().slice(0, 8);
  const keys = await seedAwaitedAttempts(options.prisma, options.shop, options.count, runId);
  const deliveries = keys.map((key, index) => signedDelivery(options.shop, options.apiSecret, key, index));
  const cpuBefore = processCpuSeconds(options.appPid);
  const startedAt = performance.now();
  const answers = await postDeliveries(options.appUrl, deliveries, options.concurrency);
  const seconds = (performance.now() - startedAt) / 1000;
  const cpuSeconds = processCpuSeconds(options.appPid) - cpuBefore;
  const latencies = answers.map((answer) => answer.latencyMs).sort((a, b) => a - b);
  const recorded = await options.prisma.billingAttempt.count({ where: { idempotencyKey: { endsWith: runId }, status: "SUCCEEDED" } });
  return {
    webhooks: deliveries.length,
    concurrency: options.concurrency,
    seconds,
    perSecond: deliveries.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? 0 },
    failures: answers.filter((answer) => answer.status !== 200).length,
    appCpuMsPerWebhook: (cpuSeconds * 1000) / deliveries.length,
    recorded,
  };
}
