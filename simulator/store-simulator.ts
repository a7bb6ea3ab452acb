import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { SHOPIFY_API_VERSION } from "../app/shopify/api-version";
import { handleGraphqlRequest } from "./graphql-endpoint";
import { type ApiResponse, closeServer, errorMessage, formatHost, listen, NOT_FOUND, readBody, sendJson } from "./http";
import { handleAccessTokenRequest } from "./oauth-endpoint";
import { SHOP_DOMAIN, SimulatedStore, type SimulatedShop, type StoreSimulatorOptions } from "./shop-state";
import { deliverWebhook, type DeliverWebhookInput } from "./webhook-delivery";

export type { QueryCost } from "./graphql-endpoint";
export type { SimulatedShop, StoreSimulatorOptions } from "./shop-state";
export type { DeliverWebhookInput } from "./webhook-delivery";

export const SIMULATOR_API_VERSION: string = SHOPIFY_API_VERSION;

export interface SimulatedRequest {
  shop: string;
  /** The path after the shop domain, as the app addressed it on Shopify, e.g. "/admin/api/2026-10/graphql.json". */
  path: string;
  operationName?: string;
  query?: string;
  status: number;
}

export interface StoreSimulator {
  url: string;
  setAppUrl(url: string): void;
  upsertShop(domain: string, fields?: Partial<Omit<SimulatedShop, "domain">>): SimulatedShop;
  getShop(domain: string): SimulatedShop | undefined;
  issuedAccessTokens(domain: string): string[];
  requests: SimulatedRequest[];
  deliverWebhook(input: DeliverWebhookInput): Promise<{ status: number; body: string; webhookId: string }>;
  close(): Promise<void>;
}

const GRAPHQL_PATH = /^\/admin\/api\/([^/]+)\/graphql\.json$/;

export async function startStoreSimulator(options: StoreSimulatorOptions): Promise<StoreSimulator> {
  const store = new SimulatedStore(options);
  const requests: SimulatedRequest[] = [];
  let appUrl = options.appUrl;

  const server = createServer((req, res) => {
    void handleRequest(store, requests, req, res);
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
    close: () => closeServer(server),
  };
}

// ---------------------------------------------------------------------------
// HTTP routing.

async function handleRequest(
  store: SimulatedStore,
  log: SimulatedRequest[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { shop, path } = splitShopPath(new URL(req.url ?? "/", "http://simulator").pathname);
  let response: ApiResponse;
  try {
    response = await route(store, req, shop, path);
  } catch (error) {
    response = { status: 500, body: { errors: `Store simulator failed: ${errorMessage(error)}` } };
  }
  // Logged before answering, so a test that awaited the response always sees its entry.
  log.push({ shop, path, operationName: response.operationName, query: response.query, status: response.status });
  sendJson(res, response.status, response.body);
}

async function route(store: SimulatedStore, req: IncomingMessage, shop: string, path: string): Promise<ApiResponse> {
  if (!SHOP_DOMAIN.test(shop)) return NOT_FOUND;
  store.ensureShop(shop);
  if (req.method !== "POST") return NOT_FOUND;
  if (path === "/admin/oauth/access_token") {
    return handleAccessTokenRequest(store, shop, req.headers["content-type"], await readBody(req));
  }
  const graphqlVersion = GRAPHQL_PATH.exec(path)?.[1];
  if (graphqlVersion !== undefined) {
    if (graphqlVersion !== SIMULATOR_API_VERSION) return NOT_FOUND;
    return handleGraphqlRequest(store, shop, req.headers["x-shopify-access-token"], await readBody(req));
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
