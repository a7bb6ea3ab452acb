import type { ApiResponse } from "./http";

// Faults and latency for tests and benchmarks: the next N GraphQL requests of a shop fail
// with an HTTP status or come back THROTTLED, an operation runs but its answer is lost, and
// every GraphQL request can be delayed.

export const FAULT_STATUSES = [401, 402, 403, 404, 423, 429, 500, 502, 503] as const;
export type FaultStatus = (typeof FAULT_STATUSES)[number];

export const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export interface Latency {
  /** Added before answering each GraphQL request, in real milliseconds. */
  latencyMs: number;
  /** Up to this much more, at random. */
  jitterMs: number;
}

/** The bodies Shopify answers with for each status (REST-style `errors` strings). */
const FAULT_BODIES: Record<FaultStatus, string> = {
  401: INVALID_TOKEN_MESSAGE,
  402: "Unavailable Shop",
  403: "Forbidden",
  404: "Not Found",
  423: "Locked",
  429: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export function faultResponse(status: FaultStatus): ApiResponse {
  return {
    status,
    body: { errors: FAULT_BODIES[status] },
    headers: status === 429 ? { "Retry-After": "2.0" } : undefined,
  };
}

export class RequestFaults {
  private readonly failures = new Map<string, FaultStatus[]>();
  private readonly throttles = new Map<string, number>();
  private readonly lostAnswers = new Map<string, string[]>();

  constructor(public latency: Latency) {}

  failNext(shop: string, fault: { status: FaultStatus; count?: number }): void {
    if (!(FAULT_STATUSES as readonly number[]).includes(fault.status)) {
      throw new Error(`StoreSimulator.failNextRequests: status must be one of ${FAULT_STATUSES.join(", ")}`);
    }
    const queue = this.failures.get(shop) ?? [];
    queue.push(...Array<FaultStatus>(fault.count ?? 1).fill(fault.status));
    this.failures.set(shop, queue);
  }

  /** The next `count` `operationName` requests of `shop` run, but their answers are lost (a 503 after the work). */
  loseNextAnswers(shop: string, operationName: string, count = 1): void {
    this.lostAnswers.set(shop, [...(this.lostAnswers.get(shop) ?? []), ...Array<string>(count).fill(operationName)]);
  }

  takeLostAnswer(shop: string, operationName: string | undefined): boolean {
    const pending = this.lostAnswers.get(shop) ?? [];
    const index = operationName ? pending.indexOf(operationName) : -1;
    if (index === -1) return false;
    pending.splice(index, 1);
    return true;
  }

  throttleNext(shop: string, count = 1): void {
    this.throttles.set(shop, (this.throttles.get(shop) ?? 0) + count);
  }

  /** The status the next request of `shop` must fail with, if one is scripted. */
  takeFailure(shop: string): FaultStatus | undefined {
    return this.failures.get(shop)?.shift();
  }

  takeThrottle(shop: string): boolean {
    const remaining = this.throttles.get(shop) ?? 0;
    if (remaining <= 0) return false;
    this.throttles.set(shop, remaining - 1);
    return true;
  }

  async delay(): Promise<void> {
    const ms = this.latency.latencyMs + Math.random() * this.latency.jitterMs;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
