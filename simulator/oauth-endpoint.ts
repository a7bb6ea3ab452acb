import { type ApiResponse, isPlainObject, parseJson } from "./http";
import { verifySessionToken } from "./session-token";
import type { SimulatedStore } from "./shop-state";

// POST /<shop>/admin/oauth/access_token

const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ONLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";

export function handleAccessTokenRequest(
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
