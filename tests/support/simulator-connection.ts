import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { signSessionToken } from "../../simulator/session-token";
import {
  SIMULATOR_API_VERSION,
  startStoreSimulator,
  type QueryCost,
  type StoreSimulator,
  type StoreSimulatorOptions,
} from "../../simulator/store-simulator";

// What the simulator's tests share: a simulator per test, a token, GraphQL over real
// HTTP, and a stand-in for the app that receives webhooks and checks their HMAC.

export const API_KEY = "sim-test-api-key";
export const API_SECRET = "sim-test-api-secret";
export const SHOP = "demo-shop.myshopify.com";
/** Where a simulator's clock starts unless the test names another time: a fixed date, not today. */
export const SIMULATED_START = new Date("2026-03-01T00:00:00Z");

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token";

const cleanups: Array<() => Promise<void>> = [];

/** Call once at the top of a test file: stops what the helpers started after each test. */
export function closeAfterEachTest(): void {
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
}

export async function startSimulator(options: Partial<StoreSimulatorOptions> = {}): Promise<StoreSimulator> {
  const simulator = await startStoreSimulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    webhookSubscriptions: [],
    startTime: SIMULATED_START,
    ...options,
  });
  cleanups.push(() => simulator.close());
  return simulator;
}

export async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: T }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

export function tokenExchangeBody(shop: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_id: API_KEY,
    client_secret: API_SECRET,
    grant_type: TOKEN_EXCHANGE,
    subject_token: signSessionToken({ shop, apiKey: API_KEY, apiSecret: API_SECRET }),
    subject_token_type: ID_TOKEN,
    requested_token_type: OFFLINE,
    ...overrides,
  };
}

export async function offlineToken(simulator: StoreSimulator, shop = SHOP): Promise<string> {
  const { status, json } = await postJson<{ access_token?: string }>(`${simulator.url}/${shop}/admin/oauth/access_token`, tokenExchangeBody(shop));
  if (status !== 200 || !json.access_token) throw new Error(`token exchange answered ${status}`);
  return json.access_token;
}

export interface GraphqlResponseBody<Data = unknown> {
  data?: Data;
  errors?: string | Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
  extensions?: { cost: QueryCost; search?: unknown };
}

export function graphql<Data = unknown>(
  simulator: StoreSimulator,
  shop: string,
  token: string | undefined,
  body: unknown,
  version = SIMULATOR_API_VERSION,
) {
  const headers: Record<string, string> = token === undefined ? {} : { "X-Shopify-Access-Token": token };
  return postJson<GraphqlResponseBody<Data>>(`${simulator.url}/${shop}/admin/api/${version}/graphql.json`, body, headers);
}

/** A simulator with a token for SHOP, and a function running one GraphQL operation that must answer 200. */
export async function connectedSimulator(options: Partial<StoreSimulatorOptions> = {}) {
  const simulator = await startSimulator(options);
  const token = await offlineToken(simulator);
  async function run<Data>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResponseBody<Data>> {
    const { status, json } = await graphql<Data>(simulator, SHOP, token, { query, variables });
    if (status !== 200) throw new Error(`GraphQL answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }
  return { simulator, token, run };
}

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  validHmac: boolean;
}

export interface WebhookReceiverBehaviour {
  /** The status for a delivery with a valid HMAC (200 by default). */
  answer?: (webhook: ReceivedWebhook, received: ReceivedWebhook[]) => number;
  /** Holds each answer this long, to keep deliveries in flight. */
  delayMs?: number;
}

/**
 * A stand-in for the app: verifies Shopify's HMAC the way the app must, answering 401 on a
 * mismatch, and records what it received and how many deliveries it held at once.
 */
export async function startWebhookReceiver(
  secret: string,
  behaviour: WebhookReceiverBehaviour = {},
): Promise<{ url: string; received: ReceivedWebhook[]; maxConcurrent: () => number }> {
  const received: ReceivedWebhook[] = [];
  let active = 0;
  let maxConcurrent = 0;
  const server = createServer(async (req, res) => {
    active++;
    maxConcurrent = Math.max(maxConcurrent, active);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const expected = createHmac("sha256", secret).update(raw).digest("base64");
    const webhook = { path: req.url ?? "", headers: req.headers, body: raw.toString("utf8"), validHmac: req.headers["x-shopify-hmac-sha256"] === expected };
    received.push(webhook);
    const status = webhook.validHmac ? (behaviour.answer?.(webhook, received) ?? 200) : 401;
    if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    active--;
    res.writeHead(status).end(webhook.validHmac ? "ok" : "bad hmac");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, maxConcurrent: () => maxConcurrent };
}
