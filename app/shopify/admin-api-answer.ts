import { AdminGraphqlError, ShopifyTerminalError, TERMINAL_REASONS } from "./admin-api-errors";
import type { ThrottleStatus } from "./throttle-governor";

// What one HTTP answer from the Admin GraphQL API means for the request that got it.

const RETRYABLE_GRAPHQL_CODES = new Set(["INTERNAL_SERVER_ERROR"]);

export interface CostReport {
  requestedQueryCost?: number;
  actualQueryCost?: number;
  throttleStatus?: ThrottleStatus;
}

/** What one HTTP round trip came to. */
export type Answer =
  | { kind: "ok"; data: unknown; cost?: CostReport }
  | { kind: "throttled"; cost?: CostReport }
  | { kind: "retryable"; status: number; retryAfterMs?: number; cost?: CostReport; error?: unknown }
  | { kind: "network-error"; error: unknown }
  | { kind: "terminal"; error: ShopifyTerminalError }
  | { kind: "graphql-error"; error: AdminGraphqlError; cost?: CostReport };

/**
 * Classifies one HTTP answer. Retried: THROTTLED, INTERNAL_SERVER_ERROR, 408, 429 and 5xx other
 * than 501. Terminal for the shop: 401, 402, 403, 404, 423. Anything else (validation errors,
 * ACCESS_DENIED, an unexpected 4xx) is a bug or a permission problem that a retry cannot fix.
 */
export function interpretResponse(shop: string, status: number, headers: Headers, text: string, operation: string): Answer {
  const terminalReason = TERMINAL_REASONS[status];
  if (terminalReason) {
    const message = `Shopify cannot serve ${shop}: HTTP ${status} (${terminalReason}) ${text.slice(0, 200)}`.trim();
    return { kind: "terminal", error: new ShopifyTerminalError(shop, status, message) };
  }
  if (status === 408 || status === 429 || (status >= 500 && status !== 501)) {
    return { kind: "retryable", status, retryAfterMs: parseRetryAfter(headers.get("Retry-After")) };
  }
  if (status < 200 || status >= 300) {
    return { kind: "graphql-error", error: new AdminGraphqlError(operation, { status, body: text.slice(0, 500) }) };
  }
  let body: { data?: unknown; errors?: unknown; extensions?: { cost?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (error) {
    // A 200 that is not JSON comes from something in front of Shopify, not from Shopify.
    return { kind: "retryable", status, error };
  }
  const cost = parseCost(body?.extensions?.cost);
  const errors = body?.errors;
  if (errors !== undefined && errors !== null && !(Array.isArray(errors) && errors.length === 0)) {
    const codes = Array.isArray(errors) ? errors.map(errorCode) : [undefined];
    if (codes.includes("THROTTLED")) return { kind: "throttled", cost };
    if (codes.every((code) => code !== undefined && RETRYABLE_GRAPHQL_CODES.has(code))) {
      return { kind: "retryable", status, cost, error: new AdminGraphqlError(operation, errors) };
    }
    return { kind: "graphql-error", error: new AdminGraphqlError(operation, errors), cost };
  }
  if (body?.data === undefined || body.data === null) {
    return { kind: "graphql-error", error: new AdminGraphqlError(operation, "no data"), cost };
  }
  return { kind: "ok", data: body.data, cost };
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, wallClockNow: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - wallClockNow);
}

function parseCost(raw: unknown): CostReport | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const cost = raw as Record<string, unknown>;
  const bucket = (typeof cost.throttleStatus === "object" && cost.throttleStatus !== null ? cost.throttleStatus : {}) as Record<string, unknown>;
  const throttleStatus =
    isNumber(bucket.maximumAvailable) && isNumber(bucket.currentlyAvailable) && isNumber(bucket.restoreRate)
      ? { maximumAvailable: bucket.maximumAvailable, currentlyAvailable: bucket.currentlyAvailable, restoreRate: bucket.restoreRate }
      : undefined;
  return {
    requestedQueryCost: isNumber(cost.requestedQueryCost) ? cost.requestedQueryCost : undefined,
    actualQueryCost: isNumber(cost.actualQueryCost) ? cost.actualQueryCost : undefined,
    throttleStatus,
  };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const extensions = (error as { extensions?: { code?: unknown } }).extensions;
  return typeof extensions?.code === "string" ? extensions.code : undefined;
}

function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
