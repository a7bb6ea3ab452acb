import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from "graphql";
import { adminSchema } from "./admin-schema";
import { billingMutationRoot } from "./billing-mutations";
import { billingQueryRoot } from "./billing-queries";
import { flowMutationRoot } from "./flow-triggers";
import type { BillingContext } from "./billing-views";
import { type ApiResponse, isPlainObject, parseJson } from "./http";
import { actualQueryCost, type LeakyBucket, requestedQueryCost } from "./query-cost";
import { faultResponse, INVALID_TOKEN_MESSAGE, type RequestFaults } from "./request-faults";
import { type ShopRecord, type SimulatedStore, timezoneAbbreviation } from "./shop-state";

// POST /<shop>/admin/api/<version>/graphql.json

/** Shopify's `extensions.cost` on every GraphQL response. */
export interface QueryCost {
  requestedQueryCost: number;
  /** null when the query was not executed (invalid or throttled). */
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

/** Shopify refuses, without charging, any single query that would cost more. */
export const MAX_QUERY_COST = 1000;

export interface GraphqlServices {
  store: SimulatedStore;
  faults: RequestFaults;
  /** The billing resolvers' context for one request of `shop`. */
  billingContext(shop: string): BillingContext;
  /** The simulated clock's now: what "now" is for the shop's answers. */
  now(): Date;
}

interface GraphqlRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

type GraphqlErrorBody = GraphQLError | { message: string; extensions: Record<string, unknown> };

interface GraphqlResponseBody {
  data?: ExecutionResult["data"];
  errors?: ReadonlyArray<GraphqlErrorBody>;
  extensions: { cost: QueryCost; search?: Array<{ path: string[]; warnings: Array<{ field: string; message: string }> }> };
}

interface GraphqlOutcome {
  body: GraphqlResponseBody;
  operationName?: string;
  /** Points finally taken from the bucket, after the refund. */
  charged: number;
  throttled?: boolean;
}

export async function handleGraphqlRequest(
  services: GraphqlServices,
  shop: string,
  accessToken: string | string[] | undefined,
  rawBody: string,
): Promise<ApiResponse> {
  await services.faults.delay();
  const fault = services.faults.takeFailure(shop);
  if (fault) return faultResponse(fault);
  if (typeof accessToken !== "string" || !services.store.isValidAccessToken(accessToken, shop)) {
    return { status: 401, body: { errors: INVALID_TOKEN_MESSAGE } };
  }
  const parsed = parseJson(rawBody);
  if (parsed === undefined) return { status: 400, body: { errors: "Invalid JSON in request body" } };
  const request = toGraphqlRequestBody(parsed);
  if (!request) return { status: 400, body: { errors: "Request body must be an object with a string `query`" } };

  const result = await runGraphql(services, shop, request);
  // The work is done; the gateway times out before the answer reaches the app.
  if (services.faults.takeLostAnswer(shop, result.operationName)) return faultResponse(503);
  return {
    status: 200,
    body: result.body,
    query: request.query,
    operationName: result.operationName,
    cost: result.charged,
    throttled: result.throttled,
  };
}

function toGraphqlRequestBody(parsed: unknown): GraphqlRequestBody | undefined {
  if (!isPlainObject(parsed) || typeof parsed.query !== "string") return undefined;
  const { query, variables, operationName } = parsed;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== "string") return undefined;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined };
}

/** Parse, validate, charge the requested cost, execute, refund down to the actual cost: the order Shopify reports costs in. */
async function runGraphql(services: GraphqlServices, shop: string, request: GraphqlRequestBody): Promise<GraphqlOutcome> {
  const bucket = services.store.bucketFor(shop);
  const refused = (errors: GraphqlErrorBody[], requested: number, operationName?: string): GraphqlOutcome => ({
    body: { errors, extensions: { cost: costReport(requested, null, bucket) } },
    operationName,
    charged: 0,
  });
  const checked = checkedDocument(request.query);
  if (checked instanceof GraphQLError) return refused([checked], 0, request.operationName);
  const { document, validationErrors } = checked;
  const operationName = request.operationName ?? getOperationAST(document)?.name?.value;
  const requested = requestedQueryCost(adminSchema, document, request.operationName, request.variables);

  if (validationErrors.length > 0) return refused([...validationErrors], requested, operationName);
  if (requested > MAX_QUERY_COST) return refused([maxCostExceeded(requested)], requested, operationName);
  if (services.faults.takeThrottle(shop) || !bucket.tryTake(requested)) {
    return { ...refused([{ message: "Throttled", extensions: { code: "THROTTLED" } }], requested, operationName), throttled: true };
  }

  // Reported as of the charge: refill while executing is real but would make the numbers jitter.
  const availableAfterCharge = bucket.currentlyAvailable();
  const context = services.billingContext(shop);
  const result = await execute({
    schema: adminSchema,
    document,
    rootValue: { shop: () => shopView(services.store.ensureShop(shop), services.now()), ...billingQueryRoot, ...billingMutationRoot, ...flowMutationRoot },
    contextValue: context,
    variableValues: request.variables,
    operationName: request.operationName,
  });
  const actual = Math.min(requested, actualQueryCost(adminSchema, document, request.operationName, request.variables, result.data));
  bucket.refund(requested - actual);
  const available = Math.min(bucket.size, availableAfterCharge + requested - actual);
  const extensions: GraphqlResponseBody["extensions"] = { cost: costReport(requested, actual, bucket, available) };
  if (context.searchWarnings.length > 0) {
    extensions.search = context.searchWarnings.map(({ path, ...warning }) => ({ path: [path], warnings: [warning] }));
  }
  return { body: { ...result, extensions }, operationName, charged: actual };
}

// A client sends the same few documents again and again (the app's operations): parsing and
// validating each once keeps the simulator's CPU for what a request really does.
const checkedDocuments = new Map<string, { document: DocumentNode; validationErrors: readonly GraphQLError[] }>();
const MAX_CHECKED_DOCUMENTS = 500;

function checkedDocument(query: string): { document: DocumentNode; validationErrors: readonly GraphQLError[] } | GraphQLError {
  const known = checkedDocuments.get(query);
  if (known) return known;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  const checked = { document, validationErrors: validate(adminSchema, document) };
  if (checkedDocuments.size >= MAX_CHECKED_DOCUMENTS) checkedDocuments.clear();
  checkedDocuments.set(query, checked);
  return checked;
}

function maxCostExceeded(cost: number): GraphqlErrorBody {
  return {
    message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
    extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: MAX_QUERY_COST },
  };
}

function costReport(requested: number, actual: number | null, bucket: LeakyBucket, available = bucket.currentlyAvailable()): QueryCost {
  return {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: {
      maximumAvailable: bucket.size,
      currentlyAvailable: available,
      restoreRate: bucket.restoreRate,
    },
  };
}

/** The shop as Shopify answers now: the zone's abbreviation is the one in force at that instant (EST or EDT). */
function shopView({ shop, numericId }: ShopRecord, now: Date): Record<string, string> {
  return {
    id: `gid://shopify/Shop/${numericId}`,
    name: shop.name,
    email: shop.email,
    myshopifyDomain: shop.domain,
    ianaTimezone: shop.ianaTimezone,
    timezoneAbbreviation: shop.timezoneAbbreviation ?? timezoneAbbreviation(shop.ianaTimezone, now),
    currencyCode: shop.currencyCode,
  };
}
