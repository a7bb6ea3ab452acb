import { afterEach, describe, expect, it } from "vitest";
import { signSessionToken } from "../../simulator/session-token";
import { startStoreSimulator, type StoreSimulator } from "../../simulator/store-simulator";
import { AdminGraphqlError } from "./admin-api-errors";
import { type AdminCallRecord, type AdminOperation, createAdminApiClient, ShopifyTerminalError } from "./admin-api-client.server";
import { SHOPIFY_API_VERSION } from "./api-version";

// The client against the store simulator over real HTTP and the real clock: the wire format
// (headers, body, cost extensions, THROTTLED) as the rest of the app's tests see it.

const API_KEY = "client-test-api-key";
const API_SECRET = "client-test-api-secret";
const SHOP = "client-test.myshopify.com";

const SHOP_NAME: AdminOperation<{ shop: { name: string } }> = {
  name: "ShopName",
  document: "query ShopName { shop { name } }",
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startSimulator(bucketSize: number, restoreRate: number): Promise<StoreSimulator> {
  const simulator = await startStoreSimulator({ apiKey: API_KEY, apiSecret: API_SECRET, bucketSize, restoreRate });
  cleanups.push(() => simulator.close());
  return simulator;
}

async function offlineToken(simulator: StoreSimulator): Promise<string> {
  const response = await fetch(`${simulator.url}/${SHOP}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET }),
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

function clientFor(simulator: StoreSimulator, accessToken: string, calls: AdminCallRecord[] = []) {
  return createAdminApiClient({
    shop: SHOP,
    accessToken,
    endpoint: `${simulator.url}/${SHOP}/admin/api/${SHOPIFY_API_VERSION}/graphql.json`,
    onCall: (call) => calls.push(call),
  });
}

describe("createAdminApiClient against the store simulator", () => {
  it("drains a burst through a small bucket without THROTTLED answers", async () => {
    const simulator = await startSimulator(5, 25);
    const calls: AdminCallRecord[] = [];
    const client = clientFor(simulator, await offlineToken(simulator), calls);

    const startedAt = performance.now();
    const results = await Promise.all(Array.from({ length: 40 }, () => client.request(SHOP_NAME, undefined)));
    const elapsedMs = performance.now() - startedAt;

    expect(results.every((data) => typeof data.shop.name === "string")).toBe(true);
    expect(calls.filter((call) => call.outcome !== "ok")).toEqual([]);
    expect(calls).toHaveLength(40);
    // 40 points, 5 in the bucket, 25 a second: 1.4 s at best, which no machine can beat.
    // The upper bound catches a governor that waits much longer than the bucket needs; it is
    // three times the best, so a busy machine's slower round trips cannot reach it.
    expect(elapsedMs).toBeGreaterThan(1300);
    expect(elapsedMs).toBeLessThan(1400 * 3);
    expect(client.throttleStatus()).toMatchObject({ maximumAvailable: 5, restoreRate: 25 });
  });

  it("turns the simulator's 401 into a ShopifyTerminalError", async () => {
    const simulator = await startSimulator(100, 100);
    const error = await clientFor(simulator, "shpat_wrong").request(SHOP_NAME, undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ShopifyTerminalError);
    expect(error).toMatchObject({ status: 401, reason: "unauthorized" });
  });

  it("turns a validation error into an AdminGraphqlError", async () => {
    const simulator = await startSimulator(100, 100);
    const client = clientFor(simulator, await offlineToken(simulator));
    const bad: AdminOperation<unknown> = { name: "Bad", document: "query Bad { shop { noSuchField } }" };
    await expect(client.request(bad, undefined)).rejects.toBeInstanceOf(AdminGraphqlError);
    expect(simulator.requests.filter((request) => request.operationName === "Bad")).toHaveLength(1);
  });
});
