import { describe, expect, expectTypeOf, it } from "vitest";
import { parseRetryAfter } from "./admin-api-answer";
import { AdminGraphqlError } from "./admin-api-errors";
import {
  type AdminApiClientOptions,
  type AdminCallRecord,
  type AdminOperation,
  backoffMs,
  createAdminApiClient,
  ShopifyTerminalError,
  ShopifyUnavailableError,
} from "./admin-api-client.server";
import { SHOPIFY_API_VERSION } from "./api-version";
import { FakeAdminApi, type FakeAdminApiOptions, jsonResponse, seededLatency, VirtualClock } from "../../tests/support/fake-admin-api";

const SHOP = "fake-shop.myshopify.com";

interface AttemptData {
  echo: { operation: string; variables: Record<string, unknown> | null };
}

const CHARGE: AdminOperation<AttemptData, { contractId: string; idempotencyKey: string }> = {
  name: "SubscriptionBillingAttemptCreate",
  document: `mutation SubscriptionBillingAttemptCreate($contractId: ID!, $idempotencyKey: String!) {
    subscriptionBillingAttemptCreate(subscriptionContractId: $contractId, subscriptionBillingAttemptInput: { idempotencyKey: $idempotencyKey }) {
      subscriptionBillingAttempt { id }
      userErrors { field message }
    }
  }`,
  estimatedCost: 10,
};

const SHOP_NAME: AdminOperation<AttemptData> = { name: "ShopName", document: "query ShopName { shop { name } }" };

function setUp(fakeOptions: Omit<FakeAdminApiOptions, "clock"> = {}, clientOptions: Partial<AdminApiClientOptions> = {}) {
  const clock = new VirtualClock();
  const shopify = new FakeAdminApi({ clock, ...fakeOptions });
  const calls: AdminCallRecord[] = [];
  const client = createAdminApiClient({
    shop: SHOP,
    accessToken: "shpat_test",
    fetch: shopify.fetch,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    onCall: (call) => calls.push(call),
    ...clientOptions,
  });
  const charge = (n: number) => client.request(CHARGE, { contractId: `gid://shopify/SubscriptionContract/${n}`, idempotencyKey: `key-${n}` });
  return { clock, shopify, client, calls, charge };
}

/** The promise's rejection, for assertions on the error object. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

const status = (code: number, headers: Record<string, string> = {}) => () => jsonResponse(code, { errors: `HTTP ${code}` }, headers);

describe("createAdminApiClient: the cost bucket", () => {
  it("spends a burst at the restore rate without a single THROTTLED answer", async () => {
    const { clock, shopify, charge } = setUp({ bucketSize: 1000, restoreRate: 50, latencyMs: 100 });
    const results = await clock.run(Promise.all(Array.from({ length: 300 }, (_, n) => charge(n))));

    expect(results).toHaveLength(300);
    expect(shopify.throttledCount).toBe(0);
    expect(shopify.calls).toHaveLength(300);
    // 3000 points: 1000 from the full bucket, the other 2000 at 50 a second.
    const lowerBound = 40_000;
    expect(clock.now()).toBeGreaterThanOrEqual(lowerBound);
    expect(clock.now()).toBeLessThan(lowerBound * 1.05);
  });

  it("stays out of THROTTLED when answers overtake each other on a jittery network", async () => {
    const { clock, shopify, charge, client } = setUp({ bucketSize: 400, restoreRate: 100, latencyMs: seededLatency(7, 5, 400) });
    const lookups = Array.from({ length: 100 }, () => client.request(SHOP_NAME, undefined));
    await clock.run(Promise.all([...Array.from({ length: 200 }, (_, n) => charge(n)), ...lookups]));

    expect(shopify.throttledCount).toBe(0);
    // 300 requests at 10 points: 3000 points, 400 in the bucket, 100 a second.
    expect(clock.now()).toBeLessThan(26_000 * 1.1);
  });

  it("uses the points Shopify refunds when a query costs less than it asked for", async () => {
    const { clock, shopify, charge } = setUp({
      bucketSize: 200,
      restoreRate: 50,
      costs: { SubscriptionBillingAttemptCreate: { requested: 20, actual: 5 } },
    });
    await clock.run(Promise.all(Array.from({ length: 200 }, (_, n) => charge(n))));

    expect(shopify.throttledCount).toBe(0);
    // 1000 points spent; the bucket starts with 200 and needs 20 free to run one more.
    const lowerBound = ((1000 - 200 + 20) / 50) * 1000;
    expect(clock.now()).toBeLessThan(lowerBound * 1.15);
  });

  it("sends one request until Shopify has reported the bucket, then up to maxConcurrency", async () => {
    const { clock, shopify, charge } = setUp({ latencyMs: 100 }, { maxConcurrency: 3 });
    await clock.run(Promise.all(Array.from({ length: 10 }, (_, n) => charge(n))));

    expect(shopify.calls[1].at - shopify.calls[0].at).toBeGreaterThanOrEqual(100);
    expect(shopify.maxInFlight).toBe(3);
  });

  it("learns an operation's cost from Shopify instead of trusting the estimate", async () => {
    const { clock, shopify, charge, client } = setUp({
      bucketSize: 100,
      restoreRate: 10,
      costs: { SubscriptionBillingAttemptCreate: { requested: 40 } },
    });
    await clock.run(Promise.all(Array.from({ length: 6 }, (_, n) => charge(n))));

    // Estimated at 10, really 40: the requests queued behind the first one reserve 40 each.
    expect(shopify.throttledCount).toBe(0);
    expect(client.throttleStatus()).toEqual({ maximumAvailable: 100, currentlyAvailable: expect.any(Number), restoreRate: 10 });
  });
});

describe("createAdminApiClient: retries", () => {
  it("waits out a THROTTLED answer for exactly the points it lacks, then succeeds", async () => {
    const { clock, shopify, charge, calls } = setUp({
      initiallyAvailable: 5,
      restoreRate: 50,
      latencyMs: 0,
      costs: { SubscriptionBillingAttemptCreate: { requested: 50 } },
    });
    const result = await clock.run(charge(1));

    expect(result.echo.operation).toBe("SubscriptionBillingAttemptCreate");
    expect(shopify.calls.map((call) => call.answer)).toEqual(["throttled", "ok"]);
    // (50 - 5) points at 50 a second, plus the 50 ms margin.
    expect(clock.sleeps).toEqual([950]);
    expect(calls.map((call) => call.outcome)).toEqual(["throttled", "ok"]);
  });

  it("gives up on THROTTLED answers after a bounded number of them", async () => {
    const { clock, shopify, charge } = setUp({}, { maxAttempts: 2 });
    const throttled = () => jsonResponse(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }], extensions: { cost: shopify.costReport(10, null) } });
    for (let i = 0; i < 20; i++) shopify.script.push(throttled);

    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(ShopifyUnavailableError);
    expect(shopify.calls).toHaveLength(8);
  });

  it("does not retry a query that can never fit in the bucket", async () => {
    const { clock, shopify, charge } = setUp({ bucketSize: 100, costs: { SubscriptionBillingAttemptCreate: { requested: 500 } } });
    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(AdminGraphqlError);
    expect(shopify.calls).toHaveLength(1);
  });

  it("retries 503 with backoff and succeeds", async () => {
    const { clock, shopify, charge, calls } = setUp();
    shopify.script.push(status(503), status(503));
    await clock.run(charge(1));

    expect(shopify.calls).toHaveLength(3);
    // Full jitter with random() = 0.5: half of 250 ms, then half of 500 ms.
    expect(clock.sleeps).toEqual([125, 250]);
    expect(calls.map((call) => [call.status, call.outcome])).toEqual([
      [503, "retryable"],
      [503, "retryable"],
      [200, "ok"],
    ]);
  });

  it("throws ShopifyUnavailableError once 5xx answers use up maxAttempts", async () => {
    const { clock, shopify, charge } = setUp({}, { maxAttempts: 4 });
    for (let i = 0; i < 10; i++) shopify.script.push(status(502));

    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(ShopifyUnavailableError);
    expect(error).toMatchObject({ shop: SHOP, attempts: 4, lastStatus: 502 });
    expect(shopify.calls).toHaveLength(4);
  });

  it("honours Retry-After on 429 for every request of the client", async () => {
    const { clock, shopify, charge } = setUp({ latencyMs: 100 }, { maxConcurrency: 1 });
    await clock.run(charge(0));
    shopify.script.push(status(429, { "Retry-After": "2" }));

    await clock.run(Promise.all([charge(1), charge(2)]));
    const [limited, ...after] = shopify.calls.slice(1);
    expect(after).toHaveLength(2);
    // The second request was queued when the 429 arrived: it waits too.
    for (const call of after) expect(call.at - limited.at).toBeGreaterThanOrEqual(2000);
  });

  it("gives up at once when Retry-After is longer than a run should wait", async () => {
    const { clock, shopify, charge } = setUp();
    shopify.script.push(status(429, { "Retry-After": "3600" }));
    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(ShopifyUnavailableError);
    expect(shopify.calls).toHaveLength(1);
  });

  it("retries network errors and timeouts", async () => {
    const { clock, shopify, charge, calls } = setUp();
    shopify.script.push(
      () => new TypeError("fetch failed"),
      () => new DOMException("The operation was aborted due to timeout", "TimeoutError"),
    );
    await clock.run(charge(1));

    expect(shopify.calls).toHaveLength(3);
    expect(calls.map((call) => [call.status, call.outcome])).toEqual([
      [0, "network-error"],
      [0, "network-error"],
      [200, "ok"],
    ]);
  });

  it("retries Shopify's INTERNAL_SERVER_ERROR", async () => {
    const { clock, shopify, charge } = setUp();
    shopify.script.push(() => jsonResponse(200, { errors: [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] }));
    await clock.run(charge(1));
    expect(shopify.calls).toHaveLength(2);
  });
});

describe("createAdminApiClient: answers that cannot change", () => {
  it.each([
    [401, "unauthorized"],
    [402, "payment_required"],
    [403, "forbidden"],
    [404, "not_found"],
    [423, "locked"],
  ])("HTTP %i is a ShopifyTerminalError (%s) after one call, and the shop is not called again", async (code, reason) => {
    const { clock, shopify, charge, calls } = setUp();
    shopify.script.push(status(code));

    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(ShopifyTerminalError);
    expect(error).toMatchObject({ shop: SHOP, status: code, reason });
    expect(await clock.run(rejectionOf(charge(2)))).toBe(error);
    expect(shopify.calls).toHaveLength(1);
    expect(calls.map((call) => call.outcome)).toEqual(["terminal"]);
  });

  it("does not send requests that were queued when the shop turned out unservable", async () => {
    const { clock, shopify, charge } = setUp();
    shopify.script.push(status(402));
    const results = await clock.run(Promise.all([charge(1), charge(2), charge(3)].map(rejectionOf)));

    for (const error of results) expect(error).toBeInstanceOf(ShopifyTerminalError);
    expect(shopify.calls).toHaveLength(1);
  });

  it("throws AdminGraphqlError for a validation error without retrying", async () => {
    const { clock, shopify, charge, calls } = setUp();
    const errors = [{ message: "Field 'nope' doesn't exist on type 'Shop'", extensions: { code: "undefinedField" } }];
    shopify.script.push(() => jsonResponse(200, { errors, extensions: { cost: shopify.costReport(1, null) } }));

    const error = await clock.run(rejectionOf(charge(1)));
    expect(error).toBeInstanceOf(AdminGraphqlError);
    expect(error).toMatchObject({ operation: "SubscriptionBillingAttemptCreate", errors });
    expect(shopify.calls).toHaveLength(1);
    expect(calls.map((call) => call.outcome)).toEqual(["graphql-error"]);
  });

  it("throws AdminGraphqlError for ACCESS_DENIED without retrying", async () => {
    const { clock, shopify, charge } = setUp();
    shopify.script.push(() => jsonResponse(200, { data: null, errors: [{ message: "Access denied", extensions: { code: "ACCESS_DENIED" } }] }));
    expect(await clock.run(rejectionOf(charge(1)))).toBeInstanceOf(AdminGraphqlError);
    expect(shopify.calls).toHaveLength(1);
  });

  it("returns data with userErrors: callers read them", async () => {
    const { clock, shopify, charge } = setUp();
    const data = { subscriptionBillingAttemptCreate: { subscriptionBillingAttempt: null, userErrors: [{ field: ["idempotencyKey"], message: "taken" }] } };
    shopify.script.push(() => jsonResponse(200, { data }));
    expect(await clock.run(charge(1))).toEqual(data);
  });
});

describe("createAdminApiClient: the wire", () => {
  it("POSTs the document, variables and operation name with the access token", async () => {
    const { clock, shopify, charge } = setUp();
    await clock.run(charge(7));

    const [call] = shopify.calls;
    expect(call.url).toBe(`https://${SHOP}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`);
    expect(Object.fromEntries(call.headers)).toEqual({
      "content-type": "application/json",
      accept: "application/json",
      "x-shopify-access-token": "shpat_test",
    });
    expect(call.body).toEqual({
      query: CHARGE.document,
      variables: { contractId: "gid://shopify/SubscriptionContract/7", idempotencyKey: "key-7" },
      operationName: "SubscriptionBillingAttemptCreate",
    });
    expect(call.signal).toBeInstanceOf(AbortSignal);
  });

  it("leaves out an operation name the document does not declare", async () => {
    const { clock, shopify, client } = setUp({}, { endpoint: "http://simulator.test/graphql.json" });
    await clock.run(client.request({ name: "ProfileForLogs", document: "{ shop { name } }" }, undefined));
    expect(shopify.calls[0].url).toBe("http://simulator.test/graphql.json");
    expect(shopify.calls[0].body).toEqual({ query: "{ shop { name } }" });
  });

  it("records every round trip with its cost and duration", async () => {
    const { clock, shopify, client, calls } = setUp({ latencyMs: 80, costs: { ShopName: { requested: 3, actual: 2 } } });
    shopify.script.push(status(500));
    await clock.run(client.request(SHOP_NAME, undefined));

    expect(calls).toEqual([
      { shop: SHOP, operation: "ShopName", status: 500, outcome: "retryable", durationMs: 80, requestedCost: undefined, actualCost: undefined },
      { shop: SHOP, operation: "ShopName", status: 200, outcome: "ok", durationMs: 80, requestedCost: 3, actualCost: 2 },
    ]);
  });

  it("types the result and variables from the operation", () => {
    const client = createAdminApiClient({ shop: SHOP, accessToken: "x", fetch: () => Promise.reject(new Error("unused")) });
    expectTypeOf(client.request(CHARGE, { contractId: "1", idempotencyKey: "k" })).resolves.toEqualTypeOf<AttemptData>();
    // @ts-expect-error: variables must match the operation's
    void client.request(CHARGE, { contractId: 1 }).catch(() => undefined);
  });
});

describe("retry timing helpers", () => {
  it("backs off exponentially with full jitter up to the cap", () => {
    expect([1, 2, 3, 4, 10].map((failure) => backoffMs(failure, () => 0.999))).toEqual([249, 499, 999, 1998, 9990]);
    expect(backoffMs(3, () => 0)).toBe(0);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
