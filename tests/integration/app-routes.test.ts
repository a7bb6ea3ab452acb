import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import {
  callAction,
  callLoader,
  embeddedAdminRequest,
  runAppInProcess,
  signedWebhookRequest,
  startTestSimulator,
  testEnvironment,
} from "../support/app-under-test";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { allowConsoleErrors } from "../support/fail-on-console-error";
import { capturedLogs, capturedLogText } from "../support/log-capture";
import { pinProcessClock, PINNED_NOW, unpinProcessClock } from "../support/pinned-clock";
import { testProviders } from "../support/providers";

const ROUTES = "../../app/routes";
/**
 * The process clock is pinned here for each provider's run (installs, webhook receipt and
 * the rows planted below read it). January: the time-zone test below counts on Paris' winter time.
 */
const NOW = PINNED_NOW;

describe.each(testProviders())("%s: app routes", (provider) => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let prisma: PrismaClient;

  beforeAll(async () => {
    pinProcessClock(NOW);
    database = await createMigratedDatabase(provider);
    simulator = await startTestSimulator();
    ({ prisma } = await runAppInProcess(testEnvironment(database, simulator)));
  });
  afterAll(async () => {
    try {
      await prisma?.$disconnect();
      await simulator?.close();
      await database?.drop();
    } finally {
      unpinProcessClock();
    }
  });

  async function install(shop: string) {
    return callLoader<{ schedule: { timezone: string; billingHour: number; active: boolean } }>(
      `${ROUTES}/app._index`,
      embeddedAdminRequest("/app", shop),
    );
  }

  it("installs a shop by token exchange and shows its billing schedule in the shop's time zone", async () => {
    simulator.upsertShop("tokyo-tea.myshopify.com", { ianaTimezone: "Asia/Tokyo" });
    const data = await install("tokyo-tea.myshopify.com");
    expect(data).toMatchObject({ schedule: { timezone: "Asia/Tokyo", billingHour: 9, active: true } });

    const session = await prisma.session.findFirst({ where: { shop: "tokyo-tea.myshopify.com" } });
    expect(session?.accessToken).toMatch(/^shpat_sim_/);
    expect(session?.refreshToken).toMatch(/^shprt_sim_/); // expiring offline token
    expect(simulator.issuedAccessTokens("tokyo-tea.myshopify.com")).toContain(session?.accessToken);
  });

  it("installs once when Remix runs the layout's and the page's loaders at once", async () => {
    const shop = "parallel-loaders.myshopify.com";
    simulator.upsertShop(shop, { ianaTimezone: "Europe/Berlin" });
    const [layout, page] = await Promise.all([
      callLoader(`${ROUTES}/app`, embeddedAdminRequest("/app", shop)),
      callLoader(`${ROUTES}/app._index`, embeddedAdminRequest("/app", shop)),
    ]);
    expect(layout).toMatchObject({ apiKey: "test-api-key" });
    expect(page).toMatchObject({ schedule: { timezone: "Europe/Berlin" } });
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect(await prisma.billingSchedule.count({ where: { shop } })).toBe(1);
  });

  it("follows the shop when the merchant changes its time zone", async () => {
    simulator.upsertShop("moving.myshopify.com", { ianaTimezone: "Europe/Paris" });
    await install("moving.myshopify.com");
    simulator.upsertShop("moving.myshopify.com", { ianaTimezone: "Pacific/Kiritimati" });
    // A new session token without a stored session triggers token exchange and afterAuth again.
    await prisma.session.deleteMany({ where: { shop: "moving.myshopify.com" } });
    const data = await install("moving.myshopify.com");
    expect(data).toMatchObject({ schedule: { timezone: "Pacific/Kiritimati" } });
  });

  it("follows the shop's time zone from the shop/update webhook, moving the next run", async () => {
    const shop = "shop-update.myshopify.com";
    simulator.upsertShop(shop, { ianaTimezone: "Europe/Paris" });
    await install(shop);
    const before = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    const deliver = (iana_timezone: string | null) =>
      callAction(`${ROUTES}/webhooks.shop.update`, signedWebhookRequest({ topic: "shop/update", shop, payload: { iana_timezone, name: "Moved" } }));

    expect((await deliver("Asia/Tokyo")).status).toBe(200);
    const after = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    expect(after.timezone).toBe("Asia/Tokyo");
    // 09:00 in Tokyo is eight hours earlier than 09:00 in Paris (winter).
    expect(after.nextRunAt?.getTime()).not.toBe(before.nextRunAt?.getTime());
    const DAY = 24 * 3600_000;
    expect((((after.nextRunAt!.getTime() - before.nextRunAt!.getTime()) % DAY) + DAY) % DAY).toBe(16 * 3600_000);

    // An unknown, empty or null zone (Shopify's sample payload has null) is acknowledged and logged.
    for (const zone of ["Mars/Olympus_Mons", "", null]) expect((await deliver(zone)).status).toBe(200);
    expect(capturedLogs({ level: "warn", shop })).toHaveLength(3);
    expect((await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).timezone).toBe("Asia/Tokyo");
  });

  it("falls back to UTC when the shop reports a time zone this runtime does not know", async () => {
    const { ensureShopIsSetUp } = await import("../../app/schedules/schedule.server");
    const schedule = await ensureShopIsSetUp("odd-zone.myshopify.com", "Mars/Olympus_Mons", new Date());
    expect(schedule.timezone).toBe("UTC");
    const [line] = capturedLogs({ event: "unknown_time_zone", shop: "odd-zone.myshopify.com" });
    expect(line).toMatchObject({ level: "warn", timeZone: "Mars/Olympus_Mons", msg: expect.stringContaining('unknown time zone "Mars/Olympus_Mons"') });
  });

  it("rejects an admin request without a valid session token", async () => {
    const request = embeddedAdminRequest("/app", "forged.myshopify.com");
    const url = new URL(request.url);
    url.searchParams.set("id_token", "not.a.jwt");
    const response = await callLoader(`${ROUTES}/app._index`, new Request(url, { headers: request.headers }));
    expect(response).toBeInstanceOf(Response);
    expect([400, 401, 302]).toContain((response as Response).status);
    expect(await prisma.billingSchedule.count({ where: { shop: "forged.myshopify.com" } })).toBe(0);
  });

  it("app/uninstalled deletes the sessions and stops billing; a redelivery changes nothing", async () => {
    const shop = "leaving.myshopify.com";
    await install(shop);
    const webhookId = "uninstall-delivery-1";
    const deliver = () =>
      callAction(`${ROUTES}/webhooks.app.uninstalled`, signedWebhookRequest({ topic: "app/uninstalled", shop, payload: { id: 1, domain: shop }, webhookId }));

    expect((await deliver()).status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    const schedule = await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    expect(schedule).toMatchObject({ active: false, deactivatedReason: "app uninstalled" });

    // The merchant reinstalls; then Shopify retries the old delivery: it must not uninstall again.
    await install(shop);
    expect((await deliver()).status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).toMatchObject({ active: true });
    // Deliveries are keyed by Shopify's event id (the helper sends the webhook id as both).
    expect(await prisma.processedWebhook.count({ where: { webhookId: `event:${webhookId}` } })).toBe(1);
  });

  it("app/uninstalled, customers/redact and shop/redact work once the offline token has expired and cannot be refreshed", async () => {
    const shop = "expired-token.myshopify.com";
    await install(shop);
    const longAgo = new Date(NOW.getTime() - 90 * 24 * 3600_000);
    await prisma.session.updateMany({ where: { shop }, data: { expires: longAgo, refreshTokenExpires: longAgo, refreshToken: "revoked" } });
    // Shopify would refuse any refresh now (the shop uninstalled the app).
    simulator.failNextRequests(shop, { status: 401, count: 10 });
    const deliver = (topic: string, module: string, payload: unknown) =>
      callAction(`${ROUTES}/${module}`, signedWebhookRequest({ topic, shop, payload }));

    expect((await deliver("app/uninstalled", "webhooks.app.uninstalled", { domain: shop })).status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).toMatchObject({ active: false });
    const customer = { shop_id: 1, shop_domain: shop, customer: { id: 5 }, orders_to_redact: [] };
    expect((await deliver("customers/redact", "webhooks.customers.redact", customer)).status).toBe(200);
    expect((await deliver("shop/redact", "webhooks.shop.redact", { shop_id: 1, shop_domain: shop })).status).toBe(200);
    expect(await prisma.billingSchedule.count({ where: { shop } })).toBe(0);
  });

  it("a webhook with a bad HMAC gets 401 and changes nothing", async () => {
    const shop = "guarded.myshopify.com";
    await install(shop);
    allowConsoleErrors();
    const response = await callAction(
      `${ROUTES}/webhooks.app.uninstalled`,
      signedWebhookRequest({ topic: "app/uninstalled", shop, payload: {}, secret: "not-the-app-secret" }),
    );
    expect(response.status).toBe(401);
    expect(await prisma.session.count({ where: { shop } })).toBe(1);
    expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop } })).toMatchObject({ active: true });
  });

  it("app/scopes_update records the granted scopes", async () => {
    const shop = "scoped.myshopify.com";
    await install(shop);
    const response = await callAction(
      `${ROUTES}/webhooks.app.scopes_update`,
      signedWebhookRequest({ topic: "app/scopes_update", shop, payload: { current: ["read_orders", "read_customers"], previous: [] } }),
    );
    expect(response.status).toBe(200);
    expect((await prisma.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_orders,read_customers");
  });

  it("the same delivery arriving twice at once is processed once", async () => {
    const shop = "scoped.myshopify.com";
    const deliver = () =>
      callAction(
        `${ROUTES}/webhooks.app.scopes_update`,
        signedWebhookRequest({
          topic: "app/scopes_update",
          shop,
          payload: { current: ["read_orders", "read_customers"], previous: [] },
          webhookId: "concurrent-scopes-1",
        }),
      );
    const responses = await Promise.all([deliver(), deliver()]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await prisma.processedWebhook.count({ where: { webhookId: "event:concurrent-scopes-1" } })).toBe(1);
  });

  it("a JSON payload without what the handler needs is acknowledged, logged and changes nothing", async () => {
    const shop = "scoped.myshopify.com";
    const response = await callAction(
      `${ROUTES}/webhooks.app.scopes_update`,
      signedWebhookRequest({ topic: "app/scopes_update", shop, payload: { current: "everything" } }),
    );
    // Shopify retries a refused delivery for hours and may then drop the subscription.
    expect(response.status).toBe(200);
    const [ignored] = capturedLogs({ event: "webhook_ignored" });
    expect(ignored).toMatchObject({ level: "warn", topic: "app/scopes_update", shop, problems: [expect.stringMatching(/^current: /)] });
    expect(ignored.msg).toMatch(/ignored.*current/);
    expect((await prisma.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_orders,read_customers");
  });

  it("customers/redact erases that customer's dunning records only", async () => {
    const shop = "private.myshopify.com";
    const tracker = (contract: number, customer: number) => ({
      shop,
      contractId: `gid://shopify/SubscriptionContract/${contract}`,
      billingCycleIndex: 1,
      customerId: `gid://shopify/Customer/${customer}`,
      openedAt: NOW,
    });
    await prisma.dunningTracker.createMany({ data: [tracker(1, 7), tracker(2, 7), tracker(3, 8)] });
    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 7, email: "c@example.com" }, orders_to_redact: [] };
    const request = () => signedWebhookRequest({ topic: "customers/redact", shop, payload, webhookId: "redact-7" });

    expect((await callAction(`${ROUTES}/webhooks.customers.redact`, request())).status).toBe(200);
    expect((await callAction(`${ROUTES}/webhooks.customers.redact`, request())).status).toBe(200);
    const left = await prisma.dunningTracker.findMany({ where: { shop } });
    expect(left.map((t) => t.customerId)).toEqual(["gid://shopify/Customer/8"]);
  });

  it("customers/data_request gives the merchant what the app holds, and logs no personal data", async () => {
    const shop = "private.myshopify.com";
    const payload = { shop_id: 1, shop_domain: shop, customer: { id: 8, email: "eight@example.com" }, orders_requested: [], data_request: { id: 9 } };
    const response = await callAction(
      `${ROUTES}/webhooks.customers.data_request`,
      signedWebhookRequest({ topic: "customers/data_request", shop, payload }),
    );
    const logged = capturedLogText();
    expect(response.status).toBe(200);
    expect(await prisma.dunningTracker.count({ where: { shop } })).toBe(1);
    const notice = await prisma.merchantNotification.findFirstOrThrow({ where: { shop, kind: "CUSTOMER_DATA_REQUEST" } });
    expect(notice.message).toMatch(/Shopify customer 8 asked .* 1 failed-payment record: subscription contract 3, billing cycle 1: payment failed .*Include it/);
    expect(logged).toContain("1 record(s) reported to the merchant");
    expect(logged).not.toMatch(/eight@example\.com|SubscriptionContract|customer 8/);
  });

  it("shop/redact deletes every row of the shop and no other shop's", async () => {
    const shop = "gone.myshopify.com";
    await install(shop);
    await install("stays.myshopify.com");
    const tracker = await prisma.dunningTracker.create({
      data: { shop, contractId: "gid://shopify/SubscriptionContract/5", billingCycleIndex: 2, openedAt: NOW },
    });
    await prisma.dunningEvent.create({ data: { trackerId: tracker.id, shop, at: NOW, kind: "OPENED", status: "OPEN", detail: "x" } });
    await prisma.merchantNotification.create({ data: { shop, kind: "INVENTORY_FAILURE", message: "x" } });
    await prisma.dunningPolicy.create({
      data: { shop, retryCount: 1, retryDelaysDays: "1", finalAction: "SKIP", inventoryRetryCount: 0, inventoryRetryDelaysDays: "", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: true, paymentUpdateEmailIntervalHours: 24 },
    });
    const response = await callAction(
      `${ROUTES}/webhooks.shop.redact`,
      signedWebhookRequest({ topic: "shop/redact", shop, payload: { shop_id: 2, shop_domain: shop }, webhookId: "shop-redact-1" }),
    );
    expect(response.status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect(await prisma.billingSchedule.count({ where: { shop } })).toBe(0);
    expect(await prisma.dunningTracker.count({ where: { shop } })).toBe(0);
    expect(await prisma.dunningEvent.count({ where: { shop } })).toBe(0);
    expect(await prisma.merchantNotification.count({ where: { shop } })).toBe(0);
    expect(await prisma.dunningPolicy.count({ where: { shop } })).toBe(0);
    // Only this delivery's own id remains, so a redelivery is still recognised.
    expect(await prisma.processedWebhook.findMany({ where: { shop }, select: { webhookId: true } })).toEqual([
      { webhookId: "event:shop-redact-1" },
    ]);
    expect(await prisma.billingSchedule.count({ where: { shop: "stays.myshopify.com" } })).toBe(1);
  });

  it("/healthz reports a current database", async () => {
    const response = (await callLoader(`${ROUTES}/healthz`, new Request("https://billing-app.test/healthz"))) as Response;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok", migrations: "current" });
  });
});
