import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { SHOPIFY_API_VERSION } from "../app/shopify/api-version";
import { BillingAttemptProcessor } from "./billing-attempts";
import type { BillingAttemptUserErrorCode } from "./billing-error-codes";
import { BulkChargeRunner } from "./billing-bulk-charge";
import { type BillingControl, createBillingControl } from "./billing-control";
import { BillingStore } from "./billing-state";
import { BillingWebhooks } from "./billing-webhooks";
import { ContractChanges } from "./contract-changes";
import { type GraphqlServices, handleGraphqlRequest } from "./graphql-endpoint";
import { type ApiResponse, closeServer, errorMessage, formatHost, listen, NOT_FOUND, readBody, sendJson } from "./http";
import { loadAppFlowTriggers } from "./flow-triggers";
import { IdleSignal } from "./idle-signal";
import { handleAccessTokenRequest } from "./oauth-endpoint";
import { type FaultStatus, type Latency, RequestFaults } from "./request-faults";
import { SHOP_DOMAIN, SimulatedStore, type SimulatedShop, type StoreSimulatorOptions } from "./shop-state";
import { SimulatedClock } from "./simulated-clock";
import { deliverWebhook, type DeliverWebhookInput } from "./webhook-delivery";
import { type WebhookDeliveryRecord, WebhookQueue } from "./webhook-queue";
import { loadAppWebhookSubscriptions } from "./webhook-subscriptions";

export type { QueryCost } from "./graphql-endpoint";
export type { SimulatedShop, StoreSimulatorOptions } from "./shop-state";
export type { DeliverWebhookInput } from "./webhook-delivery";
export type { WebhookDeliveryRecord } from "./webhook-queue";
export type {
  AddPaymentMethodInput,
  AttemptSnapshot,
  ContractActionSnapshot,
  ContractSnapshot,
  CreateContractInput,
  CreateCustomerInput,
  CycleSnapshot,
  OrderSnapshot,
  PaymentMethodInput,
  PaymentMethodSnapshot,
} from "./billing-control";
export type { ContractStatus, PaymentOutcome } from "./billing-state";
export type { FaultStatus } from "./request-faults";
export type { BillingAttemptErrorCode, BillingAttemptUserErrorCode } from "./billing-error-codes";
export { SimulatedClock } from "./simulated-clock";

export const SIMULATOR_API_VERSION: string = SHOPIFY_API_VERSION;

export interface SimulatedRequest {
  shop: string;
  /** The path after the shop domain, as the app addressed it on Shopify, e.g. "/admin/api/2026-10/graphql.json". */
  path: string;
  operationName?: string;
  query?: string;
  status: number;
  /** Query-cost points the request finally took from the shop's bucket (GraphQL requests only). */
  cost?: number;
  /** Present (true) when the GraphQL answer was THROTTLED. */
  throttled?: boolean;
}

export interface StoreSimulator extends BillingControl {
  url: string;
  setAppUrl(url: string): void;
  upsertShop(domain: string, fields?: Partial<Omit<SimulatedShop, "domain">>): SimulatedShop;
  getShop(domain: string): SimulatedShop | undefined;
  issuedAccessTokens(domain: string): string[];
  requests: SimulatedRequest[];
  deliverWebhook(input: DeliverWebhookInput): Promise<{ status: number; body: string; webhookId: string }>;
  /** Business time for contracts, cycles, attempts and orders. */
  clock: SimulatedClock;
  /** Every webhook the simulator raised itself (billing attempts, contract, billing-cycle and payment-method changes), updated as deliveries progress. */
  webhookDeliveries: WebhookDeliveryRecord[];
  /** Resolves once no attempt or bulk job is processing and no webhook is queued, in flight or waiting to retry. */
  waitForIdle(): Promise<void>;
  /** The same as waitForIdle(): attempts raise webhooks, so both must settle. */
  waitForWebhooks(): Promise<void>;
  /** Holds webhook deliveries (in-flight ones finish); waitForIdle() then ignores the held ones. */
  pauseWebhooks(): void;
  /** Sends the held deliveries, optionally reordered first (e.g. `(held) => held.reverse()`). */
  resumeWebhooks(reorder?: (held: WebhookDeliveryRecord[]) => WebhookDeliveryRecord[]): void;
  setRateLimit(shop: string, limits: { bucketSize?: number; restoreRate?: number }): void;
  setLatency(latency: Partial<Latency>): void;
  /** The shop's next `count` GraphQL requests answer `status` instead of running. */
  failNextRequests(shop: string, fault: { status: FaultStatus; count?: number }): void;
  /** The shop's next `count` `operationName` requests run in full, then answer 503 as if the answer was lost. */
  loseNextAnswers(shop: string, operationName: string, count?: number): void;
  /** The shop's next `count` valid GraphQL requests answer THROTTLED whatever their bucket holds. */
  throttleNextRequests(shop: string, count?: number): void;
  /** The next `count` billing attempts on the contract are refused with this BillingAttemptUserErrorCode (say, paused mid-run). */
  failNextBillingAttempt(shop: string, contractId: string, code: BillingAttemptUserErrorCode, count?: number): void;
  close(): Promise<void>;
}

const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;
const DEFAULT_ATTEMPT_PROCESSING_MS = 5;

export async function startStoreSimulator(options: StoreSimulatorOptions): Promise<StoreSimulator> {
  const store = new SimulatedStore(options);
  const requests: SimulatedRequest[] = [];
  let appUrl = options.appUrl;

  const clock = new SimulatedClock(options.startTime);
  const billing = new BillingStore(clock);
  const idle = new IdleSignal();
  const processingMs = options.attemptProcessingMs ?? DEFAULT_ATTEMPT_PROCESSING_MS;
  const webhooks = new WebhookQueue({
    appUrl: () => appUrl,
    secret: options.apiSecret,
    subscriptions: options.webhookSubscriptions ?? loadAppWebhookSubscriptions(),
    concurrency: options.webhookConcurrency ?? 8,
    maxAttempts: options.webhookMaxAttempts ?? 4,
    retryDelayMs: options.webhookRetryDelayMs ?? 20,
    timeoutMs: options.webhookTimeoutMs ?? 5000,
    onSettled: () => idle.changed(),
  });
  const billingWebhooks = new BillingWebhooks(billing, webhooks);
  const changes = new ContractChanges(billing, billingWebhooks);
  const attempts = new BillingAttemptProcessor(billing, { processingMs, webhooks, onSettled: () => idle.changed() });
  const bulkCharges = new BulkChargeRunner(billing, attempts, { processingMs, onSettled: () => idle.changed() });
  const flowTriggers = options.flowTriggers ?? loadAppFlowTriggers();
  const faults = new RequestFaults({ latencyMs: options.latencyMs ?? 0, jitterMs: options.latencyJitterMs ?? 0 });
  const services: GraphqlServices = {
    store,
    faults,
    now: () => clock.now(),
    billingContext: (shop) => ({ shop, billing: billing.forShop(shop), store: billing, attempts, bulkCharges, changes, flowTriggers, searchWarnings: [] }),
  };
  const isIdle = () => attempts.isIdle() && bulkCharges.isIdle() && webhooks.isIdle();

  const server = createServer((req, res) => {
    void handleRequest(services, requests, req, res);
  });
  const address = await listen(server, options.host ?? "127.0.0.1", options.port ?? 0);

  return {
    url: `http://${formatHost(address.address)}:${address.port}`,
    requests,
    setAppUrl(url) {
      appUrl = url;
    },
    upsertShop: (domain, fields) => store.upsertShop(domain, fields),
    getShop: (domain) => store.getShop(domain),
    issuedAccessTokens: (domain) => store.accessTokensOf(domain),
    async deliverWebhook(input) {
      if (!appUrl) {
        throw new Error("StoreSimulator.deliverWebhook: no appUrl; pass appUrl to startStoreSimulator() or call setAppUrl() first");
      }
      return deliverWebhook(appUrl, input.hmacSecret ?? options.apiSecret, input);
    },
    ...createBillingControl(billing, store, { changes, webhooks: billingWebhooks, attempts }),
    clock,
    webhookDeliveries: webhooks.deliveries,
    waitForIdle: () => idle.waitUntil(isIdle),
    waitForWebhooks: () => idle.waitUntil(isIdle),
    pauseWebhooks: () => webhooks.pause(),
    resumeWebhooks: (reorder) => webhooks.resume(reorder),
    setRateLimit: (shop, limits) => store.setRateLimit(shop.toLowerCase(), limits),
    setLatency(latency) {
      faults.latency = { ...faults.latency, ...latency };
    },
    failNextRequests: (shop, fault) => faults.failNext(shop.toLowerCase(), fault),
    loseNextAnswers: (shop, operationName, count) => faults.loseNextAnswers(shop.toLowerCase(), operationName, count),
    throttleNextRequests: (shop, count) => faults.throttleNext(shop.toLowerCase(), count),
    failNextBillingAttempt: (shop, contractId, code, count) => attempts.injectUserError(shop.toLowerCase(), contractId, code, count),
    async close() {
      attempts.close();
      bulkCharges.close();
      webhooks.close();
      await closeServer(server);
    },
  };
}

// ---------------------------------------------------------------------------
// HTTP routing.

async function handleRequest(
  services: GraphqlServices,
  log: SimulatedRequest[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { shop, path } = splitShopPath(new URL(req.url ?? "/", "http://simulator").pathname);
  let response: ApiResponse;
  try {
    response = await route(services, req, shop, path);
  } catch (error) {
    response = { status: 500, body: { errors: `Store simulator failed: ${errorMessage(error)}` } };
  }
  // Logged before answering, so a test that awaited the response always sees its entry.
  const entry: SimulatedRequest = { shop, path, operationName: response.operationName, query: response.query, status: response.status };
  if (response.cost !== undefined) entry.cost = response.cost;
  if (response.throttled) entry.throttled = true;
  log.push(entry);
  sendJson(res, response.status, response.body, response.headers);
}

async function route(services: GraphqlServices, req: IncomingMessage, shop: string, path: string): Promise<ApiResponse> {
  if (!SHOP_DOMAIN.test(shop)) return NOT_FOUND;
  services.store.ensureShop(shop);
  if (req.method !== "POST") return NOT_FOUND;
  if (path === "/admin/oauth/access_token") {
    return handleAccessTokenRequest(services.store, shop, req.headers["content-type"], await readBody(req));
  }
  const graphqlVersion = GRAPHQL_PATH.exec(path)?.[1];
  if (graphqlVersion !== undefined) {
    if (graphqlVersion !== SIMULATOR_API_VERSION) return NOT_FOUND;
    return handleGraphqlRequest(services, shop, req.headers["x-shopify-access-token"], await readBody(req));
  }
  return NOT_FOUND;
}

/** "/demo.myshopify.com/admin/oauth/access_token" -> shop "demo.myshopify.com", path "/admin/oauth/access_token" */
function splitShopPath(pathname: string): { shop: string; path: string } {
  const slash = pathname.indexOf("/", 1);
  const shopSegment = slash === -1 ? pathname.slice(1) : pathname.slice(1, slash);
  return { shop: safeDecode(shopSegment).toLowerCase(), path: slash === -1 ? "/" : pathname.slice(slash) };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
