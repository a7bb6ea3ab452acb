import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { SHOPIFY_API_VERSION } from "../../app/shopify/api-version";
import {
  BROWSER_USER_AGENT,
  callAction,
  callLoader,
  embeddedAdminRequest,
  TEST_API_SECRET,
  TEST_APP_URL,
  TEST_CRON_SECRET,
} from "../support/app-under-test";
import { startAppWithInstalledShop, type InstalledApp } from "../support/installed-app";
import { capturedLogText } from "../support/log-capture";
import { testProviders } from "../support/providers";
import { webhookSubscriptions } from "../support/webhook-subscriptions";

// What Shopify, a scheduler or a browser may send that the app must refuse with a clear 4xx
// and no change of state: a table per route, run on every provider.

const ROUTES = "../../app/routes";
const SHOP = "bad-input.myshopify.com";

/** Each webhook route with the topics shopify.app.toml sends it. */
const WEBHOOK_ROUTES = webhookSubscriptions().map(({ uri, topics }) => ({ module: `${ROUTES}/${uri.slice(1).replaceAll("/", ".")}`, topics }));

interface RawWebhook {
  method?: string;
  body?: string | Uint8Array;
  topic?: string | null;
  shop?: string | null;
  hmac?: string | null;
  webhookId?: string;
}

/** A webhook request with every header under the test's control; the HMAC is right unless given. */
function rawWebhook({ method = "POST", body = "{}", topic, shop = SHOP, hmac, webhookId = "bad-input" }: RawWebhook & { topic: string | null }): Request {
  const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-API-Version": SHOPIFY_API_VERSION,
    "X-Shopify-Webhook-Id": webhookId,
    "X-Shopify-Event-Id": webhookId,
  };
  if (topic !== null) headers["X-Shopify-Topic"] = topic;
  if (shop !== null) headers["X-Shopify-Shop-Domain"] = shop;
  const signature = hmac === undefined ? createHmac("sha256", TEST_API_SECRET).update(bytes).digest("base64") : hmac;
  if (signature !== null) headers["X-Shopify-Hmac-Sha256"] = signature;
  return new Request(`${TEST_APP_URL}/webhooks/x`, { method, headers, body: method === "GET" ? undefined : bytes });
}

/** Row counts of every table the app writes: "nothing changed" is these staying equal. */
async function tableCounts(prisma: PrismaClient) {
  return {
    sessions: await prisma.session.count(),
    schedules: await prisma.billingSchedule.count(),
    attempts: await prisma.billingAttempt.count(),
    trackers: await prisma.dunningTracker.count(),
    events: await prisma.dunningEvent.count(),
    notifications: await prisma.merchantNotification.count(),
    policies: await prisma.dunningPolicy.count(),
    webhooks: await prisma.processedWebhook.count(),
    scopes: (await prisma.session.findMany({ select: { scope: true } })).map((s) => s.scope).join("|"),
  };
}

describe.each(testProviders())("%s: bad input gets a clear 4xx and changes nothing", (provider) => {
  let app: InstalledApp;
  let prisma: PrismaClient;

  beforeAll(async () => {
    app = await startAppWithInstalledShop(provider, SHOP, { ianaTimezone: "Europe/Berlin" });
    prisma = app.prisma;
  });
  afterAll(async () => {
    await app?.close();
  });

  const otherTopic = (topics: string[]) => WEBHOOK_ROUTES.flatMap((r) => r.topics).find((t) => !topics.includes(t))!;
  const webhookCases: Array<[string, (topics: string[]) => RawWebhook & { topic: string | null }, number]> = [
    ["GET", (t) => ({ method: "GET", topic: t[0] }), 405],
    ["no HMAC header", (t) => ({ topic: t[0], hmac: null }), 401],
    ["a wrong HMAC", (t) => ({ topic: t[0], hmac: createHmac("sha256", "not-the-secret").update("{}").digest("base64") }), 401],
    ["an HMAC that is not base64", (t) => ({ topic: t[0], hmac: "%%%" }), 401],
    ["no topic header", () => ({ topic: null }), 400],
    ["a topic of another route", (t) => ({ topic: otherTopic(t) }), 400],
    ["no shop header", (t) => ({ topic: t[0], shop: null }), 400],
    ["a shop that is not a myshopify.com domain", (t) => ({ topic: t[0], shop: "evil.example.com" }), 400],
    ["a body that is not JSON", (t) => ({ topic: t[0], body: "{not json" }), 400],
    ["invalid UTF-8", (t) => ({ topic: t[0], body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }), 400],
    ["a JSON array", (t) => ({ topic: t[0], body: "[]" }), 400],
    ["JSON null", (t) => ({ topic: t[0], body: "null" }), 400],
    ["an empty body", (t) => ({ topic: t[0], body: "" }), 400],
    ["a 2 MB body", (t) => ({ topic: t[0], body: JSON.stringify({ padding: "x".repeat(2 * 1024 * 1024) }) }), 413],
    ["a 500-character webhook id", (t) => ({ topic: t[0], webhookId: "w".repeat(500) }), 400],
  ];

  it.each(WEBHOOK_ROUTES.flatMap((route) => webhookCases.map(([name, build, status]) => [route.module.split("/").pop(), name, route, build, status] as const)))(
    "%s: %s",
    async (_routeName, _caseName, route, build, status) => {
      const before = await tableCounts(prisma);
      const response = await callAction(route.module, rawWebhook(build(route.topics)));
      expect(response.status).toBe(status);
      expect((await response.text()).length).toBeLessThan(300);
      expect(await tableCounts(prisma)).toEqual(before);
    },
  );

  const cron = (init: { method?: string; authorization?: string | null; body?: string }) => {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const authorization = init.authorization === undefined ? `Bearer ${TEST_CRON_SECRET}` : init.authorization;
    if (authorization !== null) headers.Authorization = authorization;
    return new Request(`${TEST_APP_URL}/api/billing/run`, { method: init.method ?? "POST", headers, body: init.body });
  };
  it.each<[string, Parameters<typeof cron>[0], number]>([
    ["no Authorization", { authorization: null, body: "{}" }, 401],
    ["a wrong secret", { authorization: "Bearer wrong-secret-wrong-secret-wrong-secret", body: "{}" }, 401],
    ["Basic instead of Bearer", { authorization: `Basic ${TEST_CRON_SECRET}`, body: "{}" }, 401],
    ["a body that is not JSON", { body: "{dryRun:true" }, 400],
    ["a JSON array", { body: "[]" }, 400],
    ["an unknown field with a 5 MB name", { body: `{"${"f".repeat(5 * 1024 * 1024)}":1}` }, 413],
    ["an unknown field", { body: '{"shops":["x"]}' }, 400],
    ["a time budget of 0", { body: '{"timeBudgetSeconds":0}' }, 400],
    ["a malformed now", { body: '{"now":"tomorrow"}' }, 400],
  ])("billing endpoint, %s", async (_name, init, status) => {
    const before = await tableCounts(prisma);
    const response = await callAction(`${ROUTES}/api.billing.run`, cron(init));
    expect(response.status).toBe(status);
    expect((await response.text()).length).toBeLessThan(600);
    expect(await tableCounts(prisma)).toEqual(before);
  });

  it("billing endpoint: GET is 405; metrics: POST is 405, no secret 401", async () => {
    expect(((await callLoader(`${ROUTES}/api.billing.run`, cron({ method: "GET" }))) as Response).status).toBe(405);
    expect((await callAction(`${ROUTES}/api.metrics`, cron({ method: "POST", body: "{}" }))).status).toBe(405);
    const unauthorized = (await callLoader(`${ROUTES}/api.metrics`, cron({ method: "GET", authorization: null }))) as Response;
    expect(unauthorized.status).toBe(401);
  });

  /** A post from the embedded admin with a body that is not a form. */
  const adminPost = (pagePath: string, contentType: string, body: string) =>
    new Request(embeddedAdminRequest(pagePath, SHOP).url, {
      method: "POST",
      headers: { "User-Agent": BROWSER_USER_AGENT, "Content-Type": contentType },
      body,
    });
  it.each([
    ["/app/settings", "app.settings", "application/json", '{"retryCount":"2"}'],
    ["/app/settings", "app.settings", "multipart/form-data; boundary=xyz", "--xyz\r\nbroken"],
    ["/app/dunning", "app.dunning._index", "application/json", '{"intent":"dismiss","id":"1"}'],
    ["/app/dunning", "app.dunning._index", "multipart/form-data; boundary=xyz", "not multipart at all"],
    ["/app/dunning/1", "app.dunning.$id", "application/json", '{"intent":"retry","seen":"OPEN.1.0"}'],
    ["/app/dunning/1", "app.dunning.$id", "multipart/form-data; boundary=xyz", "--xyz\r\nbroken"],
  ])("admin action %s with %s: 400", async (pagePath, module, contentType, body) => {
    const before = await tableCounts(prisma);
    const response = await callAction(`${ROUTES}/${module}`, adminPost(pagePath, contentType, body));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/form could not be read/);
    expect(await tableCounts(prisma)).toEqual(before);
  });

  it.each(["1e3", "-1", "0", "2147483648", "99999999999999999999", ""])("the dunning page refuses the notice id %j with 400", async (id) => {
    const response = await callAction(
      `${ROUTES}/app.dunning._index`,
      adminPost("/app/dunning", "application/x-www-form-urlencoded", `intent=dismiss&id=${id}`),
    );
    const status = response instanceof Response ? response.status : (response as { init?: { status?: number } }).init?.status;
    expect(status).toBe(400);
  });

  it.each(["abc", "0", "2147483648", "99999999999999999999", "1.5"])("a tracker page for id %j is 404", async (id) => {
    const route = (await import(/* @vite-ignore */ `${ROUTES}/app.dunning.$id`)) as {
      loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;
    };
    const thrown = await route
      .loader({ request: embeddedAdminRequest(`/app/dunning/${id}`, SHOP), params: { id }, context: {} })
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(404);
  });

  it("logs no personal data and no session tokens for refused requests", async () => {
    const route = WEBHOOK_ROUTES.find((r) => r.topics.includes("customers/redact"))!;
    await callAction(route.module, rawWebhook({ topic: "customers/redact", body: '{"customer":{"email":"who@example.com"}}' }));
    expect(capturedLogText()).toContain("customers/redact");
    expect(capturedLogText()).not.toContain("who@example.com");
  });
});
