import { createHmac, randomUUID } from "node:crypto";
import { signSessionToken } from "../../simulator/session-token";
import { startStoreSimulator, type StoreSimulator } from "../../simulator/store-simulator";
import { SHOPIFY_API_VERSION } from "../../app/shopify/api-version";
import type { TestDatabase } from "../../tools/scratch-databases";

// Requests signed as Shopify signs them, and the app's test environment. No vitest
// import here: scripts outside the test runner use these too.

export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret-for-hmac";
export const TEST_APP_URL = "https://billing-app.test";
/** The scheduler's shared secret in tests (CRON_SECRET needs at least 32 characters). */
export const TEST_CRON_SECRET = "test-cron-secret-0123456789abcdef0123";
/** shopify-app-remix answers bot user agents with 410; requests present as Chrome. */
export const BROWSER_USER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/** The environment the app runs with in tests: its own database, Shopify = the simulator. */
export function testEnvironment(database: TestDatabase, simulator: StoreSimulator): Record<string, string> {
  return {
    NODE_ENV: "test",
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: TEST_APP_URL,
    DATABASE_URL: database.url,
    DIRECT_DATABASE_URL: "",
    SHOPIFY_STORE_SIMULATOR_URL: simulator.url,
    CRON_SECRET: TEST_CRON_SECRET,
  };
}

export function startTestSimulator(): Promise<StoreSimulator> {
  return startStoreSimulator({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
}

/** A request as Shopify admin sends it to an embedded app page, with a fresh session token. */
export function embeddedAdminRequest(path: string, shop: string): Request {
  const url = new URL(path, TEST_APP_URL);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
  url.searchParams.set("id_token", signSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET }));
  return new Request(url, { headers: { "User-Agent": BROWSER_USER_AGENT } });
}

export interface WebhookRequestInput {
  topic: string;
  shop: string;
  payload: unknown;
  webhookId?: string;
  /** Default: the webhook id (a retry of the delivery repeats both; the app keys on the event). */
  eventId?: string;
  secret?: string;
}

/** A call of the billing endpoint as the operator's scheduler makes it. */
export function billingRunRequest(body: unknown = {}, secret: string | null = TEST_CRON_SECRET, method = "POST"): Request {
  return new Request(`${TEST_APP_URL}/api/billing/run`, {
    method,
    headers: { "Content-Type": "application/json", ...(secret === null ? {} : { Authorization: `Bearer ${secret}` }) },
    body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A webhook delivery signed the way Shopify signs it (HMAC-SHA256 of the raw body). */
export function signedWebhookRequest({
  topic,
  shop,
  payload,
  webhookId = randomUUID(),
  eventId = webhookId,
  secret = TEST_API_SECRET,
}: WebhookRequestInput): Request {
  const body = JSON.stringify(payload);
  return new Request(`${TEST_APP_URL}/webhooks/${topic}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("base64"),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": SHOPIFY_API_VERSION,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": eventId,
    },
  });
}
