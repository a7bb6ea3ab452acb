import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import {
  billingRunRequest,
  callAction,
  callLoader,
  embeddedAdminRequest,
  runAppInProcess,
  signedWebhookRequest,
  startTestSimulator,
  testEnvironment,
} from "../support/app-under-test";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { pinProcessClock, PINNED_NOW, unpinProcessClock } from "../support/pinned-clock";
import { testProviders } from "../support/providers";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy";

const ROUTES = "../../app/routes";
const SHOP = "outage.myshopify.com";

// The database goes away while the app runs (a restart, a failover): the billing endpoint and
// the webhooks answer 503 with Retry-After, so the scheduler and Shopify try again, and
// nothing is half-written. Servers only: a SQLite file does not restart.
describe.each(testProviders().filter((provider) => provider !== "sqlite"))("%s: a database restart", (provider) => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let simulator: StoreSimulator;
  let prisma: PrismaClient;

  beforeAll(async () => {
    // The install and the billing calls (no `now` in their body) read the process clock.
    pinProcessClock(PINNED_NOW);
    database = await createMigratedDatabase(provider);
    const direct = new URL(database.url);
    proxy = await startTcpProxy(direct.hostname, Number(direct.port || (provider === "postgresql" ? 5432 : 3306)));
    const throughProxy = new URL(database.url);
    throughProxy.port = String(proxy.port);
    if (provider === "mysql") throughProxy.searchParams.set("connection_limit", "2");
    simulator = await startTestSimulator();
    simulator.upsertShop(SHOP, { ianaTimezone: "UTC" });
    prisma = (await runAppInProcess({ ...testEnvironment(database, simulator), DATABASE_URL: throughProxy.toString() })).prisma;
    const page = await callLoader(`${ROUTES}/app._index`, embeddedAdminRequest("/app", SHOP));
    expect(page).not.toBeInstanceOf(Response);
  });
  afterAll(async () => {
    try {
      await prisma?.$disconnect();
      await proxy?.close();
      await simulator?.close();
      await database?.drop();
    } finally {
      unpinProcessClock();
    }
  });

  const scopesUpdate = () =>
    signedWebhookRequest({
      topic: "app/scopes_update",
      shop: SHOP,
      payload: { current: ["read_orders"], previous: [] },
      webhookId: `outage-scopes-${provider}`,
    });

  it("answers 503 with Retry-After while it is down, and works again once it is back", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await proxy.cut();
    try {
      const webhook = await callAction(`${ROUTES}/webhooks.app.scopes_update`, scopesUpdate());
      expect(webhook.status).toBe(503);
      expect(webhook.headers.get("Retry-After")).toBe("30");
      const billing = await callAction(`${ROUTES}/api.billing.run`, billingRunRequest({}));
      expect(billing.status).toBe(503);
      expect(billing.headers.get("Retry-After")).toBe("30");
      expect(await billing.text()).toMatch(/database is unavailable/);
    } finally {
      await proxy.restore();
      warn.mockRestore();
    }

    // Shopify redelivers the same webhook: processed now, once.
    expect((await callAction(`${ROUTES}/webhooks.app.scopes_update`, scopesUpdate())).status).toBe(200);
    expect((await prisma.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_orders");
    expect((await callAction(`${ROUTES}/api.billing.run`, billingRunRequest({}))).status).toBe(200);
  });

  it("answers a billing-attempt result 503 while it is down (the batched path too), and records it once it is back", async () => {
    const idempotencyKey = `billing-77-cycle-1-attempt-1-${provider}`;
    await prisma.billingAttempt.create({
      data: {
        shop: SHOP,
        contractId: "gid://shopify/SubscriptionContract/77",
        billingCycleIndex: 1,
        attemptNumber: 1,
        idempotencyKey,
        status: "PROCESSING",
        shopifyAttemptId: "gid://shopify/SubscriptionBillingAttempt/770",
        expectedBillingDate: PINNED_NOW,
        runLocalDate: PINNED_NOW.toISOString().slice(0, 10),
      },
    });
    const result = () =>
      signedWebhookRequest({
        topic: "subscription_billing_attempts/success",
        shop: SHOP,
        payload: { id: 770, admin_graphql_api_id: "gid://shopify/SubscriptionBillingAttempt/770", idempotency_key: idempotencyKey, admin_graphql_api_order_id: "gid://shopify/Order/7" },
        webhookId: `outage-result-${provider}`,
      });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await proxy.cut();
    try {
      const answer = await callAction(`${ROUTES}/webhooks.subscription_billing_attempts`, result());
      expect(answer.status).toBe(503);
      expect(answer.headers.get("Retry-After")).toBe("30");
    } finally {
      await proxy.restore();
      warn.mockRestore();
    }
    expect((await callAction(`${ROUTES}/webhooks.subscription_billing_attempts`, result())).status).toBe(200);
    expect(await prisma.billingAttempt.findUniqueOrThrow({ where: { idempotencyKey } })).toMatchObject({ status: "SUCCEEDED", orderId: "gid://shopify/Order/7" });
  });
});
