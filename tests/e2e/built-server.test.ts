import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type PrismaClient } from "../../app/db/client.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { runBuiltAppUntilExit, startBuiltApp, type RunningAppServer } from "../../scripts/app-server";
import {
  BROWSER_USER_AGENT,
  embeddedAdminRequest,
  startTestSimulator,
  testEnvironment,
  TEST_API_SECRET,
} from "../support/shopify-requests";
import { createEmptyDatabase, createMigratedDatabase, type TestDatabase } from "../support/databases";
import { testProviders } from "../support/providers";

const SHOP = "e2e-store.myshopify.com";

describe.each(testProviders())("%s: the built server (npm start) against the store simulator", (provider) => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createMigratedDatabase(provider);
    simulator = await startTestSimulator();
    simulator.upsertShop(SHOP, { ianaTimezone: "America/Los_Angeles", name: "E2E Store" });
    app = await startBuiltApp(testEnvironment(database, simulator));
    simulator.setAppUrl(app.url);
    prisma = createPrismaClient(database.target);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await app?.stop();
    await simulator?.close();
    await database?.drop();
  });

  /** The embedded request, re-addressed to the running server. */
  function adminPage(path: string) {
    const request = embeddedAdminRequest(path, SHOP);
    const url = new URL(request.url);
    return fetch(`${app.url}${url.pathname}${url.search}`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
  }

  it("reports itself healthy", async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ db: "ok", migrations: "current" });
  });

  it("serves the embedded home page with the shop's billing schedule", async () => {
    const response = await adminPage("/app");
    const html = await response.text();
    expect(response.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain("Billing schedule");
    expect(html).toContain("America/Los_Angeles");
    expect(html).toContain("09:00");
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBeGreaterThan(0);
    expect(simulator.requests.some((r) => r.shop === SHOP && r.operationName === "ShopProfile")).toBe(true);
  });

  it("absorbs a webhook the simulator delivers over HTTP, once, and refuses a forged one", async () => {
    const bad = await simulator.deliverWebhook({
      shop: SHOP,
      topic: "app/uninstalled",
      payload: { domain: SHOP },
      path: "/webhooks/app/uninstalled",
      hmacSecret: `${TEST_API_SECRET}-forged`,
    });
    expect(bad.status).toBe(401);
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBeGreaterThan(0);

    const delivery = { shop: SHOP, topic: "app/uninstalled", payload: { domain: SHOP }, path: "/webhooks/app/uninstalled", webhookId: "e2e-uninstall" };
    expect((await simulator.deliverWebhook(delivery)).status).toBe(200);
    expect((await simulator.deliverWebhook(delivery)).status).toBe(200);
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ active: false });
    expect(await prisma.processedWebhook.count({ where: { webhookId: "e2e-uninstall" } })).toBe(1);
  });
  it("exits on SIGTERM, as a container orchestrator stops it", async () => {
    expect(await app.stop()).toEqual({ exitCode: 0, killed: false });
  });
});

describe("the built server refuses to start, saying why", () => {
  it("lists every missing or malformed environment variable", async () => {
    const { code, output } = await runBuiltAppUntilExit({
      SHOPIFY_API_KEY: "",
      SHOPIFY_API_SECRET: "",
      SHOPIFY_APP_URL: "not-a-url",
      DATABASE_URL: "file:./unused.sqlite",
    });
    expect(code).not.toBe(0);
    expect(output).toMatch(/The app cannot start: the environment is invalid/);
    expect(output).toMatch(/SHOPIFY_API_KEY: required/);
    expect(output).toMatch(/SHOPIFY_API_SECRET: required/);
    expect(output).toMatch(/SHOPIFY_APP_URL: must be an absolute URL/);
  });

  it("on a database without tables, says to run npm run setup", async () => {
    const empty = await createEmptyDatabase("sqlite");
    const simulator = await startTestSimulator();
    try {
      const { code, output } = await runBuiltAppUntilExit(testEnvironment(empty, simulator));
      expect(code).not.toBe(0);
      expect(output).toMatch(/The database has no app tables yet .*run `npm run setup`/);
    } finally {
      await simulator.close();
      await empty.drop();
    }
  });
});
