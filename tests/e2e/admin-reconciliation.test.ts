import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScheduleAt } from "../../demo/app";
import type { PrismaClient } from "../../app/db/client.server";
import { signSessionToken } from "../../simulator/session-token";
import type { StoreSimulator } from "../../simulator/store-simulator";
import type { RunningAppServer } from "../../tools/built-app";
import { startBrowserAdmin, type BrowserAdmin } from "../support/browser-admin";
import { TEST_API_KEY, TEST_API_SECRET, TEST_CRON_SECRET } from "../support/shopify-requests";

// The Overview's charge reconciliation card in headless Chromium, against the built server
// and the store simulator, at 1280 and 390 px: a shop whose charges add up, and one where the
// simulated Shopify was made to charge a cycle twice and charge a cycle the app never asked
// for. Two simulated days of hourly scheduler calls (the second day's run checks the first
// day); the server's clock and this process's read END (fixed dates).

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const CLEAN = "kowhai-bakery.myshopify.com";
const PLANTED = "totara-tea.myshopify.com";
const HOUR = 3600_000;
/** 13:00 in Auckland on Jan 10: the shops' 09:00 NZDT runs of Jan 11 and 12 (20:00 UTC the day before) fall in the span. */
const START = new Date("2026-01-10T00:00:00Z");
const END = new Date("2026-01-12T02:00:00Z");
const VIEWPORTS = [
  ["1280", { width: 1280, height: 900 }],
  ["390", { width: 390, height: 844 }],
] as const;

describe("the Overview's charge reconciliation card in headless Chromium", () => {
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let prisma: PrismaClient;
  let admin: BrowserAdmin | undefined;
  let browser: Browser;
  let userAgent: string;
  const planted: { double?: string; orphan?: string } = {};

  beforeAll(async () => {
    admin = await startBrowserAdmin({
      clockAt: END,
      simulatorStart: START,
      attemptProcessingMs: 2,
      shops: [
        { domain: CLEAN, ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", name: "Kowhai Bakery" },
        { domain: PLANTED, ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", name: "Totara Tea" },
      ],
    });
    ({ simulator, app, prisma, browser, userAgent } = admin);

    const contracts = new Map<string, string[]>();
    for (const shop of [CLEAN, PLANTED]) {
      expect((await fetch(adminUrl(shop, "/app"), { headers: { "User-Agent": userAgent } })).status).toBe(200);
      await startScheduleAt(prisma, shop, START);
      contracts.set(
        shop,
        ["Aroha", "Tama", "Mere", "Liam", "Sione"].map(
          (firstName) =>
            simulator.createContract(shop, { interval: "DAY", nextBillingDate: new Date(START.getTime() + 2 * HOUR), amount: "9.50", firstName, lastName: "Ngata", email: `${firstName.toLowerCase()}@example.com` })
              .contractId,
        ),
      );
    }
    for (let at = START.getTime() + HOUR; at <= END.getTime(); at += HOUR) {
      simulator.clock.set(new Date(at));
      await callScheduler(new Date(at));
      await simulator.waitForIdle();
      // Two hours after the shops' Jan 11 run: a second order for a cycle the app charged, and one for a cycle it never charged.
      if (at === START.getTime() + 22 * HOUR) {
        const [first, second] = contracts.get(PLANTED)!;
        planted.double = simulator.plantOrder(PLANTED, { contractId: first, cycleIndex: 1 }).orderName;
        planted.orphan = simulator.plantOrder(PLANTED, { contractId: second, cycleIndex: 3 }).orderName;
        await simulator.waitForIdle();
      }
    }
  }, 240_000);
  afterAll(async () => {
    await admin?.close();
  });

  async function callScheduler(now: Date) {
    const response = await fetch(`${app.url}/api/billing/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_CRON_SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify({ now: now.toISOString() }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { remainingShops: number };
  }

  /** A page as Shopify admin embeds it, with a session token good for the whole test. */
  function adminUrl(shop: string, pathname: string): string {
    const url = new URL(pathname, app.url);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", shop);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
    url.searchParams.set("id_token", signSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, expiresInSeconds: 600 }));
    return url.toString();
  }

  async function openOverview(shop: string, viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport, userAgent, locale: "en-NZ" });
    // App Bridge (Shopify's CDN) is out of reach: the pages must work without it.
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await page.goto(adminUrl(shop, "/app"));
    expect(response?.status()).toBe(200);
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    await page.getByRole("heading", { name: "Charge reconciliation" }).waitFor();
    return { page, errors };
  }

  /** The card alone, and nothing raw in it (ids, codes, ISO dates), nor wider than the page. */
  async function shootCard(page: Page, name: string) {
    const card = page.getByTestId("reconciliation");
    const text = await card.innerText();
    expect(text).not.toMatch(/gid:\/\/|\b\d{4}-\d{2}-\d{2}|\b[A-Z]{2,}_[A-Z_]+\b/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: path.join(ARTIFACTS, name) });
    return text;
  }

  it.each(VIEWPORTS)("shows a day whose charges add up: 0 of each problem, when it was checked (%s px)", async (width, viewport) => {
    const { page, errors } = await openOverview(CLEAN, viewport);
    const text = await shootCard(page, `reconciliation-card-${width}.png`);
    expect(text).toMatch(/All match/);
    expect(text).toMatch(/Charges of Sun, 11 Jan, checked against Shopify's orders on Mon, 12 Jan, 9:00\sam NZDT\. Every charge the app made matches an order Shopify created, once\./);
    expect((await page.getByTestId("reconciliation-figure").allInnerTexts()).map((figure) => figure.replace(/\s+/g, " ").trim())).toEqual([
      "Billing cycles charged 5",
      "Charged more than once 0 expected 0",
      "Orders without a matching charge 0 expected 0",
      "Charges without an outcome 0 expected 0",
    ]);
    expect(await page.getByTestId("reconciliation-window").innerText()).toMatch(/^Last 30 days, 1 day checked: 5 billing cycles charged, 0 more than once, 0 orders without a matching charge, 0 charges without an outcome\.$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(VIEWPORTS)("shows a day that does not add up, and names the contracts and orders under Needs your attention (%s px)", async (width, viewport) => {
    const { page, errors } = await openOverview(PLANTED, viewport);
    const text = await shootCard(page, `reconciliation-mismatch-${width}.png`);
    expect(text).toMatch(/Does not match/);
    expect((await page.getByTestId("reconciliation-figure").allInnerTexts()).map((figure) => figure.replace(/\s+/g, " ").trim())).toEqual([
      "Billing cycles charged 6",
      "Charged more than once 1 expected 0",
      "Orders without a matching charge 2 expected 0",
      "Charges without an outcome 0 expected 0",
    ]);
    const line = page.getByTestId("attention-line").filter({ hasText: "Charge check" });
    const notice = await line.innerText();
    expect(notice).toMatch(/Charges that do not match Shopify's orders/);
    expect(notice).toContain(`${planted.double}`);
    expect(notice).toContain(`${planted.orphan}`);
    expect(notice).toMatch(/at Sun, 11 Jan, 11:00\sam NZDT/);
    expect(notice).not.toMatch(/gid:\/\/|\d{4}-\d{2}-\d{2}T/);
    await line.scrollIntoViewIfNeeded();
    mkdirSync(ARTIFACTS, { recursive: true });
    await line.screenshot({ path: path.join(ARTIFACTS, `reconciliation-notice-${width}.png`) });
    expect(errors).toEqual([]);
    await page.close();
  });
});
