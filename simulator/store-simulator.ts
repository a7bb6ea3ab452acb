import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  execute,
  getOperationAST,
  GraphQLError,
  isEnumType,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from "graphql";
import { SHOPIFY_API_VERSION } from "../app/shopify/api-version";
import { adminSchema } from "./admin-schema";
import { LeakyBucket, requestedQueryCost } from "./query-cost";
import { verifySessionToken } from "./session-token";

export const SIMULATOR_API_VERSION: string = SHOPIFY_API_VERSION;

export interface SimulatedShop {
  domain: string;
  name: string;
  email: string;
  ianaTimezone: string;
  timezoneAbbreviation?: string;
  currencyCode: string;
}

export interface StoreSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** Comma-separated scopes granted on token exchange. */
  scopes?: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Base URL of the app, where webhooks are POSTed; can also be set later with setAppUrl(). */
  appUrl?: string;
  /** Query-cost points each shop's bucket holds. */
  bucketSize?: number;
  /** Points per second each shop's bucket refills. */
  restoreRate?: number;
}

export interface SimulatedRequest {
  shop: string;
  /** The path after the shop domain, as the app addressed it on Shopify, e.g. "/admin/api/2026-10/graphql.json". */
  path: string;
  operationName?: string;
  query?: string;
  status: number;
}

/** Shopify's `extensions.cost` on every GraphQL response. */
export interface QueryCost {
  requestedQueryCost: number;
  /** null when the query was not executed (invalid or throttled). */
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface DeliverWebhookInput {
  shop: string;
  topic: string;
  payload: unknown;
  /** Path on the app, e.g. "/webhooks/app/uninstalled". */
  path: string;
  webhookId?: string;
  /** Signs with this instead of the API secret, to send a bad signature. */
  hmacSecret?: string;
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

const DEFAULT_SCOPES =
  "read_own_subscription_contracts,write_own_subscription_contracts,read_customer_payment_methods,read_customers,write_customers,read_orders";
const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";
const EXPIRING_TOKEN_TTL_SECONDS = 3600;
const ONLINE_TOKEN_TTL_SECONDS = 86_400;
const REFRESH_TOKEN_TTL_SECONDS = 2_592_000;
const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
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
// State: shops, issued tokens and rate-limit buckets.

interface ShopRecord {
  shop: SimulatedShop;
  numericId: number;
}

interface IssuedAccessToken {
  shop: string;
  expiresAt?: number;
}

interface IssuedRefreshToken {
  shop: string;
  expiresAt: number;
}

interface AccessTokenGrant {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  associated_user_scope?: string;
  associated_user?: {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
    account_owner: boolean;
    locale: string;
    collaborator: boolean;
    email_verified: boolean;
  };
}

class SimulatedStore {
  readonly scopes: string;
  private readonly shops = new Map<string, ShopRecord>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly refreshTokens = new Map<string, IssuedRefreshToken>();
  private readonly buckets = new Map<string, LeakyBucket>();
  private nextShopId = 1;

  constructor(readonly options: StoreSimulatorOptions) {
    this.scopes = options.scopes ?? DEFAULT_SCOPES;
  }

  /** Any *.myshopify.com shop exists as soon as something touches it. */
  ensureShop(domain: string): ShopRecord {
    const existing = this.shops.get(domain);
    if (existing) return existing;
    const record = { shop: defaultShop(domain), numericId: this.nextShopId++ };
    this.shops.set(domain, record);
    return record;
  }

  upsertShop(domain: string, fields: Partial<Omit<SimulatedShop, "domain">> = {}): SimulatedShop {
    const normalized = normalizeShopDomain(domain);
    if (!normalized) throw new Error(`StoreSimulator.upsertShop: "${domain}" is not a *.myshopify.com domain`);
    const record = this.ensureShop(normalized);
    const updated = { ...record.shop, ...withoutUndefined(fields), domain: normalized };
    if (fields.ianaTimezone !== undefined && fields.timezoneAbbreviation === undefined) {
      updated.timezoneAbbreviation = timezoneAbbreviation(updated.ianaTimezone);
    }
    assertCurrencyCode(updated.currencyCode);
    record.shop = updated;
    return { ...updated };
  }

  getShop(domain: string): SimulatedShop | undefined {
    const record = this.shops.get(normalizeShopDomain(domain) ?? domain);
    return record ? { ...record.shop } : undefined;
  }

  accessTokensOf(domain: string): string[] {
    const shop = normalizeShopDomain(domain) ?? domain;
    return [...this.accessTokens].filter(([, issued]) => issued.shop === shop).map(([token]) => token);
  }

  isValidAccessToken(token: string, shop: string): boolean {
    const issued = this.accessTokens.get(token);
    return issued?.shop === shop && (issued.expiresAt === undefined || issued.expiresAt > Date.now());
  }

  bucketFor(shop: string): LeakyBucket {
    let bucket = this.buckets.get(shop);
    if (!bucket) {
      bucket = new LeakyBucket(this.options.bucketSize ?? 2000, this.options.restoreRate ?? 100);
      this.buckets.set(shop, bucket);
    }
    return bucket;
  }

  grantOfflineToken(shop: string, expiring: boolean): AccessTokenGrant {
    if (!expiring) return { access_token: this.issueAccessToken(shop), scope: this.scopes };
    const refreshToken = `shprt_sim_${randomHex()}`;
    this.refreshTokens.set(refreshToken, { shop, expiresAt: Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000 });
    return {
      access_token: this.issueAccessToken(shop, EXPIRING_TOKEN_TTL_SECONDS),
      scope: this.scopes,
      expires_in: EXPIRING_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
    };
  }

  grantOnlineToken(shop: string, userId: string): AccessTokenGrant {
    const numericUserId = Number(userId);
    return {
      access_token: this.issueAccessToken(shop, ONLINE_TOKEN_TTL_SECONDS),
      scope: this.scopes,
      expires_in: ONLINE_TOKEN_TTL_SECONDS,
      associated_user_scope: this.scopes,
      associated_user: {
        id: Number.isSafeInteger(numericUserId) ? numericUserId : 1,
        first_name: "Sim",
        last_name: "Owner",
        email: this.ensureShop(shop).shop.email,
        account_owner: true,
        locale: "en",
        collaborator: false,
        email_verified: true,
      },
    };
  }

  /** Refresh tokens are single-use: Shopify rotates them on every refresh. */
  redeemRefreshToken(refreshToken: string, shop: string): boolean {
    const issued = this.refreshTokens.get(refreshToken);
    if (!issued || issued.shop !== shop || issued.expiresAt <= Date.now()) return false;
    this.refreshTokens.delete(refreshToken);
    return true;
  }

  private issueAccessToken(shop: string, ttlSeconds?: number): string {
    const token = `shpat_sim_${randomHex()}`;
    const expiresAt = ttlSeconds === undefined ? undefined : Date.now() + ttlSeconds * 1000;
    this.accessTokens.set(token, { shop, expiresAt });
    return token;
  }
}

function defaultShop(domain: string): SimulatedShop {
  const ianaTimezone = "America/New_York";
  return {
    domain,
    name: titleFromSubdomain(domain),
    email: `owner@${domain}`,
    ianaTimezone,
    timezoneAbbreviation: timezoneAbbreviation(ianaTimezone),
    currencyCode: "USD",
  };
}

/** "demo-shop.myshopify.com" -> "Demo Shop" */
function titleFromSubdomain(domain: string): string {
  const subdomain = domain.slice(0, domain.indexOf("."));
  return subdomain
    .split("-")
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(" ");
}

function timezoneAbbreviation(ianaTimezone: string, at: Date = new Date()): string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone: ianaTimezone, timeZoneName: "short" });
  } catch {
    throw new Error(`StoreSimulator: unknown IANA time zone "${ianaTimezone}"`);
  }
  return format.formatToParts(at).find((part) => part.type === "timeZoneName")?.value ?? ianaTimezone;
}

function assertCurrencyCode(code: string): void {
  const enumType = adminSchema.getType("CurrencyCode");
  if (isEnumType(enumType) && !enumType.getValue(code)) {
    const known = enumType.getValues().map((value) => value.name).join(", ");
    throw new Error(`StoreSimulator: currency "${code}" is not in the simulated CurrencyCode enum (${known}); add it to admin-schema.ts`);
  }
}

function normalizeShopDomain(domain: string): string | undefined {
  const lower = domain.toLowerCase();
  return SHOP_DOMAIN.test(lower) ? lower : undefined;
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function randomHex(): string {
  return randomBytes(16).toString("hex");
}

// ---------------------------------------------------------------------------
// HTTP routing.

interface ApiResponse {
  status: number;
  body: unknown;
  operationName?: string;
  query?: string;
}

const NOT_FOUND: ApiResponse = { status: 404, body: { errors: "Not Found" } };

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

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------
// POST /<shop>/admin/oauth/access_token

function handleAccessTokenRequest(
  store: SimulatedStore,
  shop: string,
  contentType: string | undefined,
  rawBody: string,
): ApiResponse {
  const params = parseTokenRequestParams(rawBody, contentType);
  if (!params) return oauthError(400, "invalid_request");
  if (params.client_id !== store.options.apiKey || params.client_secret !== store.options.apiSecret) {
    return oauthError(401, "invalid_client");
  }
  switch (params.grant_type) {
    case TOKEN_EXCHANGE_GRANT:
      return exchangeSessionToken(store, shop, params);
    case "refresh_token":
      return refreshAccessToken(store, shop, params);
    default:
      return oauthError(400, "unsupported_grant_type");
  }
}

function exchangeSessionToken(store: SimulatedStore, shop: string, params: Record<string, string>): ApiResponse {
  if (params.subject_token_type !== ID_TOKEN_TYPE) return oauthError(400, "invalid_request");
  const verification = verifySessionToken(params.subject_token ?? "", store.options);
  if (!verification.ok || hostOf(verification.payload.dest) !== shop) return oauthError(400, "invalid_subject_token");

  switch (params.requested_token_type) {
    case OFFLINE_TOKEN_TYPE:
      return { status: 200, body: store.grantOfflineToken(shop, params.expiring === "1") };
    case ONLINE_TOKEN_TYPE:
      return { status: 200, body: store.grantOnlineToken(shop, verification.payload.sub) };
    default:
      return oauthError(400, "invalid_request");
  }
}

function refreshAccessToken(store: SimulatedStore, shop: string, params: Record<string, string>): ApiResponse {
  if (!store.redeemRefreshToken(params.refresh_token ?? "", shop)) return oauthError(400, "invalid_grant");
  return { status: 200, body: store.grantOfflineToken(shop, true) };
}

/** Token requests come as JSON or as a form; either way every value is read as a string ("expiring": 1 -> "1"). */
function parseTokenRequestParams(rawBody: string, contentType: string | undefined): Record<string, string> | undefined {
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(rawBody));
  }
  const parsed = parseJson(rawBody);
  if (!isPlainObject(parsed)) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") params[key] = String(value);
  }
  return params;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function oauthError(status: number, error: string): ApiResponse {
  return { status, body: { error } };
}

// ---------------------------------------------------------------------------
// POST /<shop>/admin/api/<version>/graphql.json

interface GraphqlRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

interface GraphqlResponseBody {
  data?: ExecutionResult["data"];
  errors?: ReadonlyArray<GraphQLError | { message: string; extensions: { code: string } }>;
  extensions: { cost: QueryCost };
}

async function handleGraphqlRequest(
  store: SimulatedStore,
  shop: string,
  accessToken: string | string[] | undefined,
  rawBody: string,
): Promise<ApiResponse> {
  if (typeof accessToken !== "string" || !store.isValidAccessToken(accessToken, shop)) {
    return { status: 401, body: { errors: INVALID_TOKEN_MESSAGE } };
  }
  const parsed = parseJson(rawBody);
  if (parsed === undefined) return { status: 400, body: { errors: "Invalid JSON in request body" } };
  const request = toGraphqlRequestBody(parsed);
  if (!request) return { status: 400, body: { errors: "Request body must be an object with a string `query`" } };

  const result = await runGraphql(request, store.ensureShop(shop), store.bucketFor(shop));
  return { status: 200, body: result.body, query: request.query, operationName: result.operationName };
}

function toGraphqlRequestBody(parsed: unknown): GraphqlRequestBody | undefined {
  if (!isPlainObject(parsed) || typeof parsed.query !== "string") return undefined;
  const { query, variables, operationName } = parsed;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined };
}

/** Parse, validate, charge the shop's bucket, then execute: the order Shopify reports costs in. */
async function runGraphql(
  request: GraphqlRequestBody,
  record: ShopRecord,
  bucket: LeakyBucket,
): Promise<{ body: GraphqlResponseBody; operationName?: string }> {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { body: { errors: [error], extensions: { cost: costReport(0, null, bucket) } }, operationName: request.operationName };
  }
  const operationName = request.operationName ?? getOperationAST(document)?.name?.value;
  const requested = requestedQueryCost(adminSchema, document, request.operationName);

  const validationErrors = validate(adminSchema, document);
  if (validationErrors.length > 0) {
    return { body: { errors: validationErrors, extensions: { cost: costReport(requested, null, bucket) } }, operationName };
  }
  if (!bucket.tryTake(requested)) {
    const throttled = { message: "Throttled", extensions: { code: "THROTTLED" } };
    return { body: { errors: [throttled], extensions: { cost: costReport(requested, null, bucket) } }, operationName };
  }
  const result = await execute({
    schema: adminSchema,
    document,
    rootValue: rootValueFor(record),
    variableValues: request.variables,
    operationName: request.operationName,
  });
  // With no connections yet, a query costs exactly what was requested.
  return { body: { ...result, extensions: { cost: costReport(requested, requested, bucket) } }, operationName };
}

function costReport(requested: number, actual: number | null, bucket: LeakyBucket): QueryCost {
  return {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: {
      maximumAvailable: bucket.size,
      currentlyAvailable: bucket.currentlyAvailable(),
      restoreRate: bucket.restoreRate,
    },
  };
}

/** Root value for graphql-js's default resolvers: properties named like the schema's fields. */
function rootValueFor(record: ShopRecord): { shop: () => Record<string, string> } {
  return {
    shop: () => {
      const { shop, numericId } = record;
      return {
        id: `gid://shopify/Shop/${numericId}`,
        name: shop.name,
        email: shop.email,
        myshopifyDomain: shop.domain,
        ianaTimezone: shop.ianaTimezone,
        timezoneAbbreviation: shop.timezoneAbbreviation ?? timezoneAbbreviation(shop.ianaTimezone),
        currencyCode: shop.currencyCode,
      };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Webhooks and server lifecycle.

async function deliverWebhook(
  appUrl: string,
  secret: string,
  input: DeliverWebhookInput,
): Promise<{ status: number; body: string; webhookId: string }> {
  const webhookId = input.webhookId ?? randomUUID();
  const body = JSON.stringify(input.payload);
  const url = `${appUrl.replace(/\/+$/, "")}${input.path.startsWith("/") ? "" : "/"}${input.path}`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": input.topic,
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body, "utf8").digest("base64"),
      "X-Shopify-Shop-Domain": input.shop,
      "X-Shopify-API-Version": SIMULATOR_API_VERSION,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
      "X-Shopify-Event-Id": randomUUID(),
    },
    body,
    // Shopify does not follow redirects; a redirect (say, to a login page) is a failed delivery.
    redirect: "manual",
  });
  return { status: response.status, body: await response.text(), webhookId };
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections from fetch() would otherwise hold close() open.
    server.closeAllConnections();
  });
}

function formatHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}
