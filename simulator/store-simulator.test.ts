import { describe, expect, it, onTestFinished } from "vitest";
import { signSessionToken } from "./session-token";
import { moveProcessClock, pinProcessClock, PINNED_NOW, unpinProcessClock } from "../tests/support/pinned-clock";
import {
  API_KEY,
  API_SECRET,
  closeAfterEachTest,
  graphql,
  offlineToken,
  postJson,
  SHOP,
  startSimulator,
  startWebhookReceiver,
  tokenExchangeBody,
  type GraphqlResponseBody,
} from "../tests/support/simulator-connection";
import { SIMULATOR_API_VERSION, type StoreSimulator } from "./store-simulator";

const ONLINE = "urn:shopify:params:oauth:token-type:online-access-token";
const SHOP_QUERY = "query ShopSettings { shop { id name email myshopifyDomain ianaTimezone timezoneAbbreviation currencyCode } }";

closeAfterEachTest();

/** What the tests expect back; the assertions check it. */
interface TokenResponseBody {
  access_token?: string;
  scope?: string;
  expires_in?: number;
  refresh_token?: string;
  associated_user_scope?: string;
  associated_user?: Record<string, unknown>;
  error?: string;
}

function requestToken(simulator: StoreSimulator, shop: string, body: Record<string, unknown>) {
  return postJson<TokenResponseBody>(`${simulator.url}/${shop}/admin/oauth/access_token`, body);
}

describe("token exchange", () => {
  it("exchanges a session token for a non-expiring offline token", async () => {
    const simulator = await startSimulator();
    const { status, json } = await requestToken(simulator, SHOP, tokenExchangeBody(SHOP));

    expect(status).toBe(200);
    expect(json).toEqual({
      access_token: expect.stringMatching(/^shpat_sim_[0-9a-f]{32}$/),
      scope:
        "read_own_subscription_contracts,write_own_subscription_contracts,read_customer_payment_methods,read_customers,write_customers,read_orders",
    });
    expect(simulator.issuedAccessTokens(SHOP)).toEqual([json.access_token]);
    expect(simulator.getShop(SHOP)?.name).toBe("Demo Shop");
  });

  it("issues an expiring offline token whose refresh token works once", async () => {
    const simulator = await startSimulator({ scopes: "read_orders" });
    const first = await requestToken(simulator, SHOP, tokenExchangeBody(SHOP, { expiring: 1 }));
    expect(first.json).toEqual({
      access_token: expect.stringMatching(/^shpat_sim_/),
      scope: "read_orders",
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_sim_/),
      refresh_token_expires_in: 2592000,
    });

    const refreshBody = {
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "refresh_token",
      refresh_token: first.json.refresh_token,
    };
    const refreshed = await requestToken(simulator, SHOP, refreshBody);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.access_token).not.toBe(first.json.access_token);
    expect(refreshed.json.refresh_token).not.toBe(first.json.refresh_token);

    const reused = await requestToken(simulator, SHOP, refreshBody);
    expect(reused).toEqual({ status: 400, json: { error: "invalid_grant" } });
    expect(simulator.issuedAccessTokens(SHOP)).toHaveLength(2);
  });

  it("issues an online token with the associated user", async () => {
    const simulator = await startSimulator();
    const subjectToken = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: 42 });
    const { status, json } = await requestToken(
      simulator,
      SHOP,
      tokenExchangeBody(SHOP, { subject_token: subjectToken, requested_token_type: ONLINE }),
    );

    expect(status).toBe(200);
    expect(json.expires_in).toBeGreaterThan(0);
    expect(json.associated_user_scope).toBe(json.scope);
    expect(json.associated_user).toMatchObject({ id: 42, first_name: "Sim", email: `owner@${SHOP}`, account_owner: true });
  });

  it("accepts a form-encoded body", async () => {
    const simulator = await startSimulator();
    const form = new URLSearchParams(tokenExchangeBody(SHOP) as Record<string, string>);
    const response = await fetch(`${simulator.url}/${SHOP}/admin/oauth/access_token`, { method: "POST", body: form });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { access_token: string }).access_token).toMatch(/^shpat_sim_/);
  });

  it("rejects a wrong client secret", async () => {
    const simulator = await startSimulator();
    const response = await requestToken(simulator, SHOP, tokenExchangeBody(SHOP, { client_secret: "nope" }));

    expect(response).toEqual({ status: 401, json: { error: "invalid_client" } });
    expect(simulator.issuedAccessTokens(SHOP)).toEqual([]);
  });

  it("rejects a session token signed with another secret", async () => {
    const simulator = await startSimulator();
    const forged = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "attacker-secret" });
    const response = await requestToken(simulator, SHOP, tokenExchangeBody(SHOP, { subject_token: forged }));

    expect(response).toEqual({ status: 400, json: { error: "invalid_subject_token" } });
  });

  it("rejects an expired session token", async () => {
    const simulator = await startSimulator();
    const expired = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, expiresInSeconds: -5 });
    const response = await requestToken(simulator, SHOP, tokenExchangeBody(SHOP, { subject_token: expired }));

    expect(response).toEqual({ status: 400, json: { error: "invalid_subject_token" } });
  });

  it("rejects a session token whose dest is another shop", async () => {
    const simulator = await startSimulator();
    const body = tokenExchangeBody("other-shop.myshopify.com");
    const response = await requestToken(simulator, SHOP, body);

    expect(response).toEqual({ status: 400, json: { error: "invalid_subject_token" } });
  });
});

describe("GraphQL Admin API", () => {
  it("answers the shop query with defaults, then with upserted fields", async () => {
    // The simulator names the zone's abbreviation at the process clock's instant: pinned, so
    // it is the same whatever today is (January: EST, GMT).
    pinProcessClock(PINNED_NOW);
    onTestFinished(unpinProcessClock);
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);

    const before = await graphql<{ shop: Record<string, string> }>(simulator, SHOP, token, { query: SHOP_QUERY });
    expect(before.status).toBe(200);
    expect(before.json.data?.shop).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/Shop\/\d+$/),
      name: "Demo Shop",
      email: `owner@${SHOP}`,
      myshopifyDomain: SHOP,
      ianaTimezone: "America/New_York",
      timezoneAbbreviation: expect.stringMatching(/^E[SD]T$/),
      currencyCode: "USD",
    });

    simulator.upsertShop(SHOP, { ianaTimezone: "Europe/London", currencyCode: "GBP" });
    const after = await graphql<{ shop: Record<string, string> }>(simulator, SHOP, token, { query: SHOP_QUERY });
    expect(after.json.data?.shop).toMatchObject({
      ianaTimezone: "Europe/London",
      timezoneAbbreviation: expect.stringMatching(/^(GMT|BST|GMT\+1)$/),
      currencyCode: "GBP",
    });
  });

  it("passes variables and reports the cost of every response", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);
    const query = "query Tz($withName: Boolean!) { shop { ianaTimezone name @include(if: $withName) } }";

    const { json } = await graphql(simulator, SHOP, token, { query, variables: { withName: false } });

    expect(json.data).toEqual({ shop: { ianaTimezone: "America/New_York" } });
    expect(json.extensions?.cost).toEqual({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
    });
  });

  it("answers an unknown field with a validation error, as HTTP 200", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);

    const { status, json } = await graphql(simulator, SHOP, token, { query: "{ shop { timezone } }" });

    expect(status).toBe(200);
    expect(json.data).toBeUndefined();
    expect(json.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Cannot query field "timezone" on type "Shop".') }),
    ]);
    expect(json.extensions?.cost.actualQueryCost).toBeNull();
  });

  it("answers a syntax error with errors and a cost", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);

    const { status, json } = await graphql(simulator, SHOP, token, { query: "{ shop { name }" });

    expect(status).toBe(200);
    expect(json.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) })]);
    expect(json.extensions?.cost.requestedQueryCost).toBe(0);
  });

  it("rejects a missing token, an unknown token and another shop's token", async () => {
    const simulator = await startSimulator();
    const otherShopToken = await offlineToken(simulator, "other-shop.myshopify.com");
    const unauthorized = {
      status: 401,
      json: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" },
    };

    expect(await graphql(simulator, SHOP, undefined, { query: SHOP_QUERY })).toEqual(unauthorized);
    expect(await graphql(simulator, SHOP, "shpat_made_up", { query: SHOP_QUERY })).toEqual(unauthorized);
    expect(await graphql(simulator, SHOP, otherShopToken, { query: SHOP_QUERY })).toEqual(unauthorized);
  });

  it("answers 404 for another API version and for a non-myshopify host", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);
    const notFound = { status: 404, json: { errors: "Not Found" } };

    expect(await graphql(simulator, SHOP, token, { query: SHOP_QUERY }, "2025-01")).toEqual(notFound);
    expect(await graphql(simulator, "example.com", token, { query: SHOP_QUERY })).toEqual(notFound);
  });

  it("answers 400 to a malformed JSON body", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);

    const { status, json } = await graphql(simulator, SHOP, token, "{ not json");

    expect(status).toBe(400);
    expect(typeof json.errors).toBe("string");
  });

  it("throttles once the shop's bucket is empty", async () => {
    const simulator = await startSimulator({ bucketSize: 5, restoreRate: 1 });
    const token = await offlineToken(simulator);

    const available: number[] = [];
    let throttled: GraphqlResponseBody | undefined;
    for (let attempt = 0; attempt < 20 && !throttled; attempt++) {
      const { status, json } = await graphql(simulator, SHOP, token, { query: "{ shop { name } }" });
      expect(status).toBe(200);
      available.push(json.extensions?.cost.throttleStatus.currentlyAvailable ?? Number.NaN);
      if (json.errors) throttled = json;
    }

    expect(available[1]).toBeLessThan(available[0]!);
    expect(throttled).toEqual({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: {
        cost: {
          requestedQueryCost: 1,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 5, currentlyAvailable: 0, restoreRate: 1 },
        },
      },
    });
  });

  it("refills the bucket with time", async () => {
    // The bucket refills by the process clock: frozen here, it refills only when the test
    // moves the clock, not while the requests take their time.
    pinProcessClock(PINNED_NOW, { frozen: true });
    onTestFinished(unpinProcessClock);
    const simulator = await startSimulator({ bucketSize: 2, restoreRate: 20 });
    const token = await offlineToken(simulator);
    const query = { query: "{ shop { name } }" };

    for (let attempt = 0; attempt < 10; attempt++) {
      if ((await graphql(simulator, SHOP, token, query)).json.errors) break;
    }
    // 150 ms at 20 points a second: 3 points, more than the query's 1.
    moveProcessClock(150);

    expect((await graphql(simulator, SHOP, token, query)).json.data).toEqual({ shop: { name: "Demo Shop" } });
  });

  it("keeps a separate bucket per shop", async () => {
    const simulator = await startSimulator({ bucketSize: 1, restoreRate: 0.01 });
    const [demoToken, otherToken] = [await offlineToken(simulator), await offlineToken(simulator, "other-shop.myshopify.com")];

    await graphql(simulator, SHOP, demoToken, { query: "{ shop { name } }" });
    const other = await graphql(simulator, "other-shop.myshopify.com", otherToken, { query: "{ shop { name } }" });

    expect(other.json.data).toEqual({ shop: { name: "Other Shop" } });
  });

  it("logs every request, GraphQL ones with the points they cost", async () => {
    const simulator = await startSimulator();
    const token = await offlineToken(simulator);
    await graphql(simulator, SHOP, token, { query: SHOP_QUERY });
    await graphql(simulator, SHOP, token, { query: SHOP_QUERY }, "2024-01");

    expect(simulator.requests).toEqual([
      { shop: SHOP, path: "/admin/oauth/access_token", status: 200 },
      {
        shop: SHOP,
        path: `/admin/api/${SIMULATOR_API_VERSION}/graphql.json`,
        operationName: "ShopSettings",
        query: SHOP_QUERY,
        status: 200,
        cost: 1,
      },
      { shop: SHOP, path: "/admin/api/2024-01/graphql.json", status: 404 },
    ]);
  });
});

describe("shops", () => {
  it("re-exports the app's API version", () => {
    expect(SIMULATOR_API_VERSION).toBe("2026-10");
  });

  it("creates a shop on upsert and rejects unknown currencies and time zones", async () => {
    const simulator = await startSimulator();

    expect(simulator.getShop("new-store.myshopify.com")).toBeUndefined();
    expect(simulator.upsertShop("new-store.myshopify.com", { name: "Renamed" })).toMatchObject({
      domain: "new-store.myshopify.com",
      name: "Renamed",
      currencyCode: "USD",
    });
    expect(() => simulator.upsertShop(SHOP, { currencyCode: "XXX" })).toThrow(/CurrencyCode/);
    expect(() => simulator.upsertShop(SHOP, { ianaTimezone: "Mars/Olympus" })).toThrow(/time zone/);
    expect(() => simulator.upsertShop("example.com")).toThrow(/myshopify/);
  });
});

describe("deliverWebhook", () => {
  it("posts a payload signed with the API secret and Shopify's headers", async () => {
    const receiver = await startWebhookReceiver(API_SECRET);
    const simulator = await startSimulator({ appUrl: receiver.url });
    const payload = { id: 1, name: "Demo Shop", note: "ünïcode" };

    const result = await simulator.deliverWebhook({
      shop: SHOP,
      topic: "app/uninstalled",
      payload,
      path: "/webhooks/app/uninstalled",
      webhookId: "webhook-1",
    });

    expect(result).toEqual({ status: 200, body: "ok", webhookId: "webhook-1" });
    const [delivery] = receiver.received;
    expect(delivery?.path).toBe("/webhooks/app/uninstalled");
    expect(JSON.parse(delivery?.body ?? "")).toEqual(payload);
    expect(delivery?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Shopify-Captain-Hook",
      "x-shopify-topic": "app/uninstalled",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": "webhook-1",
      "x-shopify-event-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Number.isNaN(Date.parse(String(delivery?.headers["x-shopify-triggered-at"])))).toBe(false);
  });

  it("signs with an overriding secret, which the app must reject", async () => {
    const receiver = await startWebhookReceiver(API_SECRET);
    const simulator = await startSimulator();
    simulator.setAppUrl(`${receiver.url}/`);
    const input = { shop: SHOP, topic: "app/uninstalled", payload: { id: 1 }, path: "/webhooks/app/uninstalled" };

    const good = await simulator.deliverWebhook(input);
    const bad = await simulator.deliverWebhook({ ...input, hmacSecret: "wrong-secret" });

    expect(good.status).toBe(200);
    expect(bad).toMatchObject({ status: 401, body: "bad hmac" });
    expect(bad.webhookId).not.toBe(good.webhookId);
    const [goodDelivery, badDelivery] = receiver.received;
    expect(goodDelivery?.path).toBe("/webhooks/app/uninstalled");
    expect(badDelivery?.headers["x-shopify-hmac-sha256"]).not.toBe(goodDelivery?.headers["x-shopify-hmac-sha256"]);
  });

  it("fails clearly without an app URL", async () => {
    const simulator = await startSimulator();

    await expect(
      simulator.deliverWebhook({ shop: SHOP, topic: "app/uninstalled", payload: {}, path: "/webhooks/app/uninstalled" }),
    ).rejects.toThrow(/appUrl/);
  });
});
