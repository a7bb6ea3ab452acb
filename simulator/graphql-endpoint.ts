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
import { type ApiResponse, isPlainObject, parseJson } from "./http";
import { type LeakyBucket, requestedQueryCost } from "./query-cost";
import { type ShopRecord, type SimulatedStore, timezoneAbbreviation } from "./shop-state";

// POST /<shop>/admin/api/<version>/graphql.json

/** Shopify's `extensions.cost` on every GraphQL response. */
export interface QueryCost {
  requestedQueryCost: number;
  /** null when the query was not executed (invalid or throttled). */
  actualQueryCost: number | null;
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

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

export async function handleGraphqlRequest(
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
