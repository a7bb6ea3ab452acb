import { type Answer, type CostReport, interpretResponse } from "./admin-api-answer";
import { AdminGraphqlError, type ShopifyTerminalError, ShopifyUnavailableError } from "./admin-api-errors";
import { logger } from "../observability/logger.server";
import { SHOPIFY_API_VERSION } from "./api-version";
import { type CostReservation, ThrottleGovernor, type ThrottleStatus } from "./throttle-governor";

export { ShopifyTerminalError, ShopifyUnavailableError } from "./admin-api-errors";
export type { ThrottleStatus } from "./throttle-governor";

// Admin GraphQL client for one shop: spends the shop's cost bucket without being throttled,
// retries what can change (THROTTLED, 429, 5xx, network) and never retries what cannot.

// Data and Variables only type `request`'s result and variables; nothing at run time carries them.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface AdminOperation<Data, Variables extends Record<string, unknown> | undefined = undefined> {
  /** Operation name, for logs and metrics, e.g. "SubscriptionBillingAttemptCreate". */
  name: string;
  /** The GraphQL document. */
  document: string;
  /** Optional cost estimate before the first response teaches the real one. */
  estimatedCost?: number;
  /**
   * A mutation without an idempotency key whose repetition reaches a person (an email): a
   * 5xx or a lost connection may have run it, so it is not sent again; 429 and THROTTLED
   * (refused before running) still are.
   */
  notRepeatable?: true;
}

export interface AdminApiClientOptions {
  shop: string;
  accessToken: string;
  /** Full GraphQL endpoint URL; default https://{shop}/admin/api/{SHOPIFY_API_VERSION}/graphql.json */
  endpoint?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic ms clock; default performance.now. */
  now?: () => number;
  /** Round trips per request that may fail with 429/5xx/network errors; default 6. */
  maxAttempts?: number;
  /** In-flight requests per client; default 8. */
  maxConcurrency?: number;
  /**
   * Slots shared with other shops' clients (one billing call's), taken once the shop's
   * bucket lets a request go: a shop waiting for its rate limit holds none of them.
   */
  sharedSlots?: RequestSlots;
  /** Per HTTP request, body included; default 30 s. */
  timeoutMs?: number;
  /** One record per HTTP round trip (metrics). */
  onCall?: (call: AdminCallRecord) => void;
  /** Source of backoff jitter in [0, 1); default Math.random. */
  random?: () => number;
}

export interface AdminCallRecord {
  shop: string;
  operation: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  outcome: "ok" | "throttled" | "retryable" | "terminal" | "graphql-error" | "network-error";
  durationMs: number;
  requestedCost?: number;
  actualCost?: number;
}

export interface AdminApiClient {
  readonly shop: string;
  request<Data, Variables extends Record<string, unknown> | undefined>(
    operation: AdminOperation<Data, Variables>,
    variables: Variables,
  ): Promise<Data>;
  /** Last throttle status Shopify reported, for logs/tests. */
  throttleStatus(): ThrottleStatus | undefined;
}

const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_MAX_CONCURRENCY = 8;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Cost reserved for an operation never seen before and without an estimate. */
const DEFAULT_OPERATION_COST = 50;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 10_000;
/** Added to the computed THROTTLED wait: Shopify's clock and ours are not the same clock. */
const THROTTLED_MARGIN_MS = 50;
/** THROTTLED answers are expected when other processes share the bucket, so they get their own, larger budget. */
const THROTTLED_ANSWERS_PER_ATTEMPT = 4;
/** A Retry-After longer than this is not waited out: the caller leaves the work for a later run. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * A client for one shop. Requests wait in the ThrottleGovernor until the shop's bucket holds
 * their cost, so a burst runs at the restore rate instead of into THROTTLED answers. THROTTLED
 * waits out the points it lacks (its own budget: maxAttempts x 4 answers); 429, 5xx and network
 * errors back off with full jitter up to maxAttempts; 429's Retry-After holds the whole client.
 * A terminal answer (401/402/403/404/423) is remembered: later requests fail without a call.
 */
export function createAdminApiClient(options: AdminApiClientOptions): AdminApiClient {
  const { shop, accessToken } = options;
  const endpoint = options.endpoint ?? `https://${shop}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const maxThrottledAnswers = maxAttempts * THROTTLED_ANSWERS_PER_ATTEMPT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const governor = new ThrottleGovernor({ now, sleep });
  const slots = new RequestSlots(Math.max(1, options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
  const learnedCosts = new Map<string, number>();
  // Once Shopify says the shop cannot be served, no further request is sent to it.
  let terminal: ShopifyTerminalError | undefined;

  async function roundTrip(operation: AdminOperation<unknown, Record<string, unknown> | undefined>, body: () => string): Promise<Answer | undefined> {
    const release = await slots.acquire();
    try {
      const reservation = await governor.reserve(
        () => learnedCosts.get(operation.name) ?? operation.estimatedCost ?? DEFAULT_OPERATION_COST,
      );
      if (terminal) {
        governor.cancel(reservation);
        return undefined;
      }
      const releaseShared = await options.sharedSlots?.acquire();
      try {
        const startedAt = now();
        // Built only now: a request waiting for its bucket or a slot holds no copy of the document.
        const { answer, status } = await send(operation.name, body(), reservation);
        report(operation.name, status, answer, now() - startedAt);
        return answer;
      } finally {
        releaseShared?.();
      }
    } finally {
      release();
    }
  }

  async function send(operationName: string, body: string, reservation: CostReservation): Promise<{ answer: Answer; status: number }> {
    let status = 0;
    let answer: Answer;
    try {
      const response = await fetchImpl(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-Shopify-Access-Token": accessToken,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      answer = interpretResponse(shop, response.status, response.headers, await response.text(), operationName);
    } catch (error) {
      answer = { kind: "network-error", error };
    }
    // Learnt before settling, which may let queued requests go: they must see what was learnt.
    if (answer.kind === "terminal") terminal ??= answer.error;
    if ((answer.kind === "ok" || answer.kind === "throttled") && positive(answer.cost?.requestedQueryCost)) {
      learnedCosts.set(operationName, answer.cost.requestedQueryCost);
    }
    governor.settle(reservation, "cost" in answer ? answer.cost?.throttleStatus : undefined);
    return { answer, status };
  }

  function report(operation: string, status: number, answer: Answer, durationMs: number): void {
    if (!options.onCall) return;
    const cost = "cost" in answer ? answer.cost : undefined;
    try {
      options.onCall({ shop, operation, status, outcome: answer.kind, durationMs, requestedCost: cost?.requestedQueryCost, actualCost: cost?.actualQueryCost });
    } catch (error) {
      // Metrics must never turn a charge that went through into a failure.
      logger().warn({ event: "metrics_failed", error }, "counting an Admin API call failed");
    }
  }

  async function request<Data, Variables extends Record<string, unknown> | undefined>(
    operation: AdminOperation<Data, Variables>,
    variables: Variables,
  ): Promise<Data> {
    const body = () => JSON.stringify({ query: operation.document, variables, operationName: declaredOperationName(operation) });
    let failures = 0;
    let throttledAnswers = 0;
    let lastStatus: number | undefined;
    let lastError: unknown;
    const unavailable = (message?: string) =>
      new ShopifyUnavailableError(shop, failures + throttledAnswers, lastStatus, {
        message: message ?? `Shopify Admin API ${operation.name} for ${shop} kept failing after ${failures + throttledAnswers} attempts (last status ${lastStatus ?? "none"})`,
        cause: lastError,
      });

    for (;;) {
      if (terminal) throw terminal;
      const answer = await roundTrip(operation, body);
      if (!answer) continue;
      switch (answer.kind) {
        case "ok":
          return answer.data as Data;
        case "terminal":
          throw answer.error;
        case "graphql-error":
          throw answer.error;
        case "throttled": {
          lastStatus = 200;
          lastError = undefined;
          throttledAnswers += 1;
          const cost = answer.cost;
          const bucket = cost?.throttleStatus;
          if (bucket && cost.requestedQueryCost !== undefined && cost.requestedQueryCost > bucket.maximumAvailable) {
            // No amount of waiting fits this query into the bucket.
            throw new AdminGraphqlError(operation.name, { code: "THROTTLED", requestedQueryCost: cost.requestedQueryCost, throttleStatus: bucket });
          }
          if (throttledAnswers >= maxThrottledAnswers) throw unavailable();
          await sleep(throttledWaitMs(cost) ?? backoffMs(throttledAnswers, random));
          break;
        }
        case "retryable":
        case "network-error": {
          failures += 1;
          lastStatus = answer.kind === "retryable" ? answer.status : undefined;
          lastError = answer.error;
          if (operation.notRepeatable && lastStatus !== 429) {
            throw unavailable(`Shopify Admin API ${operation.name} for ${shop} may or may not have run (${lastStatus ?? "no answer"}); not sent again`);
          }
          if (failures >= maxAttempts) throw unavailable();
          const retryAfterMs = answer.kind === "retryable" ? answer.retryAfterMs : undefined;
          if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
            throw unavailable(`Shopify asked to wait ${Math.round(retryAfterMs / 1000)} s before calling ${shop} again`);
          }
          const delay = retryAfterMs ?? backoffMs(failures, random);
          // A 429 is about the shop, not this request: hold every request of the client back.
          if (answer.kind === "retryable" && answer.status === 429) governor.pauseFor(delay);
          else await sleep(delay);
          break;
        }
      }
    }
  }

  return {
    shop,
    request,
    throttleStatus: () => governor.status(),
  };
}

/** Milliseconds until the bucket holds the throttled query's cost, as Shopify reported it. */
export function throttledWaitMs(cost: CostReport | undefined): number | undefined {
  const bucket = cost?.throttleStatus;
  if (!bucket || cost.requestedQueryCost === undefined || !(bucket.restoreRate > 0)) return undefined;
  const shortfall = Math.max(0, cost.requestedQueryCost - bucket.currentlyAvailable);
  return Math.ceil((shortfall / bucket.restoreRate) * 1000) + THROTTLED_MARGIN_MS;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(failure-1))). */
export function backoffMs(failure: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failure - 1));
  return Math.floor(random() * ceiling);
}

/** The operation's name when the document declares it; sending an undeclared one would fail. */
function declaredOperationName(operation: { name: string; document: string }): string | undefined {
  if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(operation.name)) return undefined;
  return new RegExp(`\\b(query|mutation)\\s+${operation.name}\\b`).test(operation.document) ? operation.name : undefined;
}

function positive(value: number | undefined): value is number {
  return value !== undefined && value > 0;
}

/** At most `limit` holders at once; waiters are served first come, first served. */
/** At most `limit` holders at once; the others wait in line. */
export class RequestSlots {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<() => void> {
    if (this.active < this.limit) this.active += 1;
    // The releasing holder hands its slot straight to the next waiter, so `active` stays put.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    };
  }
}
