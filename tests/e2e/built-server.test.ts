import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type PrismaClient } from "../../app/db/client.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { eventIdOf } from "../../simulator/webhook-delivery";
import { runBuiltAppUntilExit, startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import {
  BROWSER_USER_AGENT,
  embeddedAdminRequest,
  startTestSimulator,
  testEnvironment,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../support/shopify-requests";
import { createEmptyDatabase, createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
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
    expect(await prisma.processedWebhook.count({ where: { webhookId: `event:${eventIdOf("e2e-uninstall")}` } })).toBe(1);
  });
  it("sends a visitor without a session to /auth/login, which asks for the shop and forwards to Shopify admin", async () => {
    const headers = { "User-Agent": BROWSER_USER_AGENT };
    const unauthenticated = await fetch(`${app.url}/app`, { headers, redirect: "manual" });
    expect(unauthenticated.status).toBe(302);
    expect(new URL(unauthenticated.headers.get("location")!, app.url).pathname).toBe("/auth/login");

    const login = await fetch(`${app.url}/auth/login`, { headers });
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Shop domain");

    const form = (shop: string) => ({ method: "POST", headers, body: new URLSearchParams({ shop }), redirect: "manual" as const });
    const forwarded = await fetch(`${app.url}/auth/login`, form("my-store"));
    expect(forwarded.status).toBe(302);
    expect(forwarded.headers.get("location")).toBe(
      `https://admin.shopify.com/store/my-store/oauth/install?client_id=${TEST_API_KEY}`,
    );
    const invalid = await fetch(`${app.url}/auth/login`, form("not a shop!"));
    expect(invalid.status).toBe(200);
    expect(await invalid.text()).toContain("That is not a Shopify shop domain");

    const broken = await fetch(`${app.url}/auth/login`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "multipart/form-data; boundary=x" },
      body: "not multipart",
    });
    expect(broken.status).toBe(400);
  });

  it("exits on SIGTERM, as a container orchestrator stops it", async () => {
    expect(await app.stop()).toEqual({ exitCode: 0, killed: false });
  });
});

describe("the built server reads .env", () => {
  it("takes missing variables from the file, and those already set from the environment", async () => {
    const database = await createMigratedDatabase("sqlite");
    const simulator = await startTestSimulator();
    const folder = mkdtempSync(path.join(os.tmpdir(), "env-file-"));
    const { SHOPIFY_API_KEY, SHOPIFY_API_SECRET, ...rest } = testEnvironment(database, simulator);
    const envFile = path.join(folder, ".env");
    writeFileSync(
      envFile,
      [`SHOPIFY_API_KEY=${SHOPIFY_API_KEY}`, `SHOPIFY_API_SECRET=${SHOPIFY_API_SECRET}`, "SHOPIFY_APP_URL=not-a-url"].join("\n"),
    );
    // The file's SHOPIFY_APP_URL is invalid: starting proves the environment's value won.
    const server = await startBuiltApp({ ...rest, APP_ENV_FILE: envFile, SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: "" }).catch(
      (error: Error) => error,
    );
    try {
      // An empty variable counts as set: the file does not fill it.
      expect(server).toBeInstanceOf(Error);
      expect(String(server)).toMatch(/SHOPIFY_API_KEY: required/);
      const started = await startBuiltApp({ ...rest, APP_ENV_FILE: envFile });
      expect((await fetch(`${started.url}/healthz`)).status).toBe(200);
      expect(await started.stop()).toEqual({ exitCode: 0, killed: false });
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await simulator.close();
      await database.drop();
    }
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
    expect(code).toBe(1);
    expect(output).toMatch(/The app cannot start: the environment is invalid/);
    expect(output).toMatch(/SHOPIFY_API_KEY: required/);
    expect(output).toMatch(/SHOPIFY_API_SECRET: required/);
    expect(output).toMatch(/SHOPIFY_APP_URL: must be an absolute URL/);
    // The list alone: an operator's mistake gets no stack trace.
    expect(output).not.toMatch(/^\s+at /m);
  });

  it("on a database without tables, says to run npm run setup", async () => {
    const empty = await createEmptyDatabase("sqlite");
    const simulator = await startTestSimulator();
    try {
      const { code, output } = await runBuiltAppUntilExit(testEnvironment(empty, simulator));
      expect(code).toBe(1);
      expect(output).toMatch(/The database has no app tables yet .*run `npm run setup`/);
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      await simulator.close();
      await empty.drop();
    }
  });
});
