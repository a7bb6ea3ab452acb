// Test doubles for the Admin API client: a virtual clock and a Shopify GraphQL endpoint with
// a cost bucket that answers THROTTLED the way Shopify does. Virtual time makes bucket math
// exact and a minute-long billing burst run in milliseconds.

interface Timer {
  at: number;
  order: number;
  resolve: () => void;
}

export class VirtualClock {
  private current = 0;
  private order = 0;
  private readonly timers: Timer[] = [];
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];

  readonly now = (): number => this.current;

  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    return this.after(ms);
  };

  /** A timer that is not recorded in `sleeps` (the fake server's latency). */
  after(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.current + Math.max(0, ms), order: this.order++, resolve });
    });
  }

  /** Settles `work`, moving time to the next timer whenever nothing else can happen. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      await drainPendingCallbacks();
      if (settled) return work;
      this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.timers.shift();
      if (!next) throw new Error("VirtualClock: the work is stuck, with no timer left to fire");
      this.current = Math.max(this.current, next.at);
      next.resolve();
    }
  }
}

async function drainPendingCallbacks(): Promise<void> {
  // Response.text() hops through a few ticks; a handful of turns lets every chain settle.
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export interface OperationCost {
  requested: number;
  actual?: number;
}

export interface FakeAdminApiOptions {
  clock: VirtualClock;
  bucketSize?: number;
  restoreRate?: number;
  /** Points in the bucket at time 0; default full. */
  initiallyAvailable?: number;
  /** Round-trip time, or a function giving each leg's time; the bucket is charged halfway. */
  latencyMs?: number | (() => number);
  /** Cost by operation name; default 10. */
  costs?: Record<string, OperationCost>;
}

export interface ReceivedCall {
  url: string;
  /** Virtual time at which the server handled the call. */
  at: number;
  headers: Headers;
  body: { query: string; variables?: Record<string, unknown>; operationName?: string };
  signal?: AbortSignal | null;
  answer: "ok" | "throttled" | "scripted";
}

/** Replaces the normal answer to one call: a Response, or an Error to reject fetch with. */
export type ScriptedAnswer = (call: ReceivedCall) => Response | Error;

export class FakeAdminApi {
  readonly calls: ReceivedCall[] = [];
  /** Answers for the next calls, first in first out; the bucket answers once it is empty. */
  readonly script: ScriptedAnswer[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private available: number;
  private refilledAt = 0;
  readonly bucketSize: number;
  readonly restoreRate: number;

  constructor(private readonly options: FakeAdminApiOptions) {
    this.bucketSize = options.bucketSize ?? 1000;
    this.restoreRate = options.restoreRate ?? 50;
    this.available = options.initiallyAvailable ?? this.bucketSize;
  }

  get throttledCount(): number {
    return this.calls.filter((call) => call.answer === "throttled").length;
  }

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const clock = this.options.clock;
    const latency = this.options.latencyMs ?? 100;
    const leg = () => (typeof latency === "function" ? latency() : latency / 2);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await clock.after(leg());
      const call: ReceivedCall = {
        url: String(input),
        at: clock.now(),
        headers: new Headers(init?.headers),
        body: JSON.parse(String(init?.body)) as ReceivedCall["body"],
        signal: init?.signal,
        answer: "scripted",
      };
      this.calls.push(call);
      const scripted = this.script.shift();
      const response = scripted ? scripted(call) : this.answerFromBucket(call);
      await clock.after(leg());
      if (response instanceof Error) throw response;
      return response;
    } finally {
      this.inFlight -= 1;
    }
  };

  /** The bucket as Shopify would report it now. */
  currentlyAvailable(): number {
    this.refill();
    return Math.floor(this.available);
  }

  private answerFromBucket(call: ReceivedCall): Response {
    const name = call.body.operationName ?? "unnamed";
    const cost = this.options.costs?.[name] ?? { requested: 10 };
    this.refill();
    if (this.available < cost.requested) {
      call.answer = "throttled";
      return jsonResponse(200, {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: this.costReport(cost.requested, null) },
      });
    }
    call.answer = "ok";
    // Shopify takes the requested cost up front and refunds what the query did not use.
    const actual = cost.actual ?? cost.requested;
    this.available -= actual;
    return jsonResponse(200, { data: { echo: { operation: name, variables: call.body.variables ?? null } }, extensions: { cost: this.costReport(cost.requested, actual) } });
  }

  costReport(requested: number, actual: number | null) {
    return {
      requestedQueryCost: requested,
      actualQueryCost: actual,
      throttleStatus: { maximumAvailable: this.bucketSize, currentlyAvailable: this.currentlyAvailable(), restoreRate: this.restoreRate },
    };
  }

  private refill(): void {
    const now = this.options.clock.now();
    this.available = Math.min(this.bucketSize, this.available + ((now - this.refilledAt) / 1000) * this.restoreRate);
    this.refilledAt = now;
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** Deterministic numbers in [min, max): network latency that varies without making tests flaky. */
export function seededLatency(seed: number, min: number, max: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return min + (state / 2 ** 31) * (max - min);
  };
}
