import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { signSessionToken } from "../../simulator/session-token";
import type { StoreSimulator } from "../../simulator/store-simulator";
import type { PaymentOutcome } from "../../simulator/billing-state";
import type { RunningAppServer } from "../../tools/built-app";
import { startBrowserAdmin, type BrowserAdmin } from "../support/browser-admin";
import { BROWSER_USER_AGENT, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL, TEST_CRON_SECRET } from "../support/shopify-requests";

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const SHOP = "kiwi-subscriptions.myshopify.com";
const HOUR = 3600_000;
/**
 * Every clock starts here: the built server's (shifted-clock.mjs), this process's (pinned) and
 * the simulated one. 10:00 on Jan 15 in Auckland, an hour after the shop's first billing run
 * fell due, weeks from its daylight-saving changes.
 */
const START = new Date("2026-01-14T21:00:00Z");
const WIDTHS = [
  { name: "1280", viewport: { width: 1280, height: 900 } },
  { name: "390", viewport: { width: 390, height: 844 } },
] as const;

const SUBSCRIBERS: Array<{ firstName: string; lastName: string; email: string; amount: string; outcomes?: PaymentOutcome[]; otherwise?: PaymentOutcome }> = [
  { firstName: "José", lastName: "Núñez", email: "jose.nunez@example.com", amount: "29.00", outcomes: [{ error: "INSUFFICIENT_FUNDS" }], otherwise: "success" },
  { firstName: "Grace", lastName: "Hopper", email: "grace@example.com", amount: "49.50" },
  { firstName: "Ada", lastName: "Lovelace", email: "ada@example.org", amount: "19.00", otherwise: { error: "EXPIRED_CARD" } },
  { firstName: "Aroha", lastName: "Ngata", email: "aroha@example.co.nz", amount: "35.00", otherwise: { error: "INSUFFICIENT_INVENTORY" } },
  { firstName: "Wiremu", lastName: "Parata", email: "wiremu@example.co.nz", amount: "12.00", otherwise: "action_required" },
  { firstName: "Mei", lastName: "Chen", email: "mei.chen@example.com", amount: "64.00" },
  { firstName: "Liam", lastName: "O'Connor", email: "liam@example.ie", amount: "22.00", otherwise: { error: "CARD_DECLINED" } },
  { firstName: "Sofia", lastName: "Rossi", email: "sofia.rossi@example.it", amount: "27.00" },
];

/**
 * The merchant's Charges and Dunning pages in headless Chromium, against the built server
 * and the store simulator: a billing run charges eight subscribers (some cards fail), then
 * a merchant searches a customer's charges, filters the dunning list, and retries a failed
 * payment, at desktop and phone width. Screenshots are kept in test-artifacts/.
 */
describe("the Charges and Dunning pages in headless Chromium", () => {
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let prisma: PrismaClient;
  let admin: BrowserAdmin | undefined;
  let browser: Browser;
  let userAgent: string;

  beforeAll(async () => {
    admin = await startBrowserAdmin({
      clockAt: START,
      simulatorStart: START,
      attemptProcessingMs: 2,
      shops: [{ domain: SHOP, ianaTimezone: "Pacific/Auckland", name: "Kiwi Subscriptions", currencyCode: "NZD" }],
    });
    ({ simulator, app, prisma, browser, userAgent } = admin);

    // Install as Shopify admin does: the shop's first run (09:00 today in Auckland) is due.
    const install = await fetch(adminUrl("/app/charges"), { headers: { "User-Agent": BROWSER_USER_AGENT } });
    expect(install.status).toBe(200);
    for (const subscriber of SUBSCRIBERS) {
      simulator.createContract(SHOP, {
        interval: "MONTH",
        nextBillingDate: new Date(START.getTime() - HOUR),
        amount: subscriber.amount,
        firstName: subscriber.firstName,
        lastName: subscriber.lastName,
        email: subscriber.email,
        paymentMethodOutcomes: subscriber.outcomes,
        defaultOutcome: subscriber.otherwise,
      });
    }
    // The scheduler's call bills the shop; the next one has dunning read each failed contract
    // (its customer and price) and email the customers whose card was declined.
    await callBilling();
    await callBilling();
  });
  afterAll(async () => {
    await admin?.close();
  });

  /** An admin URL as Shopify admin opens the app (a session token that outlives the test, the merchant's locale). */
  function adminUrl(pathAndQuery: string, locale = "en-NZ"): string {
    const url = new URL(pathAndQuery, app?.url ?? TEST_APP_URL);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", SHOP);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64"));
    url.searchParams.set("locale", locale);
    url.searchParams.set("id_token", signSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, expiresInSeconds: 900 }));
    return url.toString();
  }

  /** The scheduler, on the same clock as everything else. */
  async function callBilling() {
    const now = new Date();
    simulator.clock.set(now);
    const response = await fetch(`${app.url}/api/billing/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_CRON_SECRET}`, "Content-Type": "application/json" },
      body: JSON.stringify({ now: now.toISOString() }),
    });
    expect(response.status).toBe(200);
    await simulator.waitForIdle();
  }

  async function openPage(viewport: { width: number; height: number }, pathAndQuery: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport, userAgent });
    // Shopify's CDN (App Bridge, fonts) is out of reach here; without it the pages still work.
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await page.goto(adminUrl(pathAndQuery));
    expect(response?.status()).toBe(200);
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    return { page, errors };
  }

  async function screenshot(page: Page, name: string) {
    // At phone width a list switches to its condensed rows once the browser knows the width.
    if ((page.viewportSize()?.width ?? 1280) < 490 && (await page.locator(".Polaris-IndexTable").count()) > 0) {
      await page.locator(".Polaris-IndexTable__CondensedList").waitFor({ timeout: 15_000 });
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  /** Until the list has its data: no loading overlay in a screenshot. */
  async function settled(page: Page) {
    await page.waitForFunction(() => !document.body.innerText.includes("Loading "), undefined, { timeout: 15_000 });
  }

  /** What a merchant must never read on a page. */
  async function expectNothingRaw(page: Page) {
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/gid:\/\/|\b[A-Z]+_[A-Z_]+\b|\b[a-z]+_[a-z_]+\b|\d{4}-\d{2}-\d{2}T\d{2}/);
    expect(text).not.toMatch(/\b(PAUSE|SKIP|CANCEL|SUCCEEDED|FAILED|OPEN)\b/);
  }

  for (const { name, viewport } of WIDTHS) {
    it(`${name} px: one search finds a customer's charges, with when, how much and the outcome in words`, async () => {
      const { page, errors } = await openPage(viewport, "/app/charges");
      await expect.poll(() => page.getByText("Grace Hopper").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      // The outcome tabs, with their counts: five first charges went through, three failed.
      if (name === "1280") await expect.poll(async () => (await page.getByRole("tab").allInnerTexts()).join(" | "), { timeout: 15_000 }).toMatch(/All\s*8/);
      await screenshot(page, `charges-${name}.png`);
      await page.getByRole("button", { name: "Search and filter results" }).click();
      const search = page.getByPlaceholder("Customer, email, contract or order");
      await search.fill("nunez");
      await page.waitForURL(/query=nunez/, { timeout: 15_000 });
      await expect.poll(() => page.getByText("Grace Hopper").count(), { timeout: 15_000 }).toBe(0);
      const body = page.locator("body");
      await expect.poll(() => body.innerText()).toMatch(/José Núñez/);
      const text = await body.innerText();
      expect(text).toMatch(/jose\.nunez@example\.com/);
      expect(text).toMatch(/First charge, cycle 1/);
      expect(text).toMatch(/The card had insufficient funds\./);
      expect(text).toMatch(/Failed/);
      // In the shop's time (New Zealand daylight time) and the merchant's locale (en-NZ: day before month).
      expect(text).toMatch(/\b15 Jan\b.*NZDT/);
      await expectNothingRaw(page);
      expect(errors).toEqual([]);
      await settled(page);
      await screenshot(page, `charges-search-${name}.png`);
      await page.close();
    });

    it(`${name} px: the dunning list filters by decline category`, async () => {
      const { page, errors } = await openPage(viewport, "/app/dunning");
      await page.getByText("Being followed up").first().waitFor({ timeout: 15_000 });
      if (name === "1280") await expect.poll(async () => (await page.getByRole("tab").allInnerTexts()).join(" | "), { timeout: 15_000 }).toMatch(/Open\s*5/);
      await expect.poll(() => page.locator("body").innerText()).toMatch(/Ada Lovelace/);
      await screenshot(page, `dunning-${name}.png`);
      await page.getByRole("button", { name: "Search and filter results" }).click();
      await page.getByRole("button", { name: /^Decline/ }).first().click();
      // Controlled by the URL: the box shows ticked once the filtered list has loaded.
      await page.getByLabel("Card needs updating").click();
      await page.waitForURL(/category=HARD/, { timeout: 15_000 });
      await page.keyboard.press("Escape");
      await expect.poll(() => page.locator("body").innerText(), { timeout: 15_000 }).not.toMatch(/José Núñez/);
      const text = await page.locator("body").innerText();
      expect(text).toMatch(/Ada Lovelace/);
      expect(text).toMatch(/Waiting for payment method/);
      // At phone width a row names the decline's category; the sentence is on the tracker's page.
      expect(text).toMatch(name === "1280" ? /The card has expired\./ : /Card needs updating/);
      expect(text).toMatch(/NZ\$19\.00|\$19\.00/);
      expect(text).toMatch(/Waiting for the customer's new payment method until .*NZDT, then: pause the contract/);
      await expectNothingRaw(page);
      expect(errors).toEqual([]);
      await settled(page);
      await screenshot(page, `dunning-filtered-${name}.png`);
      await page.close();
    });
  }

  it("retrying a failed payment from its page (confirmed) sends it, and the timeline grows; at phone width too", async () => {
    const customer = await prisma.customer.findFirstOrThrow({ where: { shop: SHOP, displayName: "José Núñez" } });
    const tracker = await prisma.dunningTracker.findFirstOrThrow({ where: { shop: SHOP, customerId: customer.customerId } });
    const eventsBefore = await prisma.dunningEvent.count({ where: { trackerId: tracker.id } });
    simulator.clock.set(new Date());

    const { page, errors } = await openPage(WIDTHS[0].viewport, `/app/dunning/${tracker.id}`);
    await page.getByRole("heading", { name: "José Núñez", exact: true }).waitFor({ timeout: 15_000 });
    const timeline = page.getByTestId("tracker-timeline").locator("li");
    expect(await timeline.count()).toBe(eventsBefore);
    await page.getByRole("button", { name: "Retry now" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Retry the payment now?").waitFor();
    await screenshot(page, "tracker-retry-confirm-1280.png");
    await dialog.getByRole("button", { name: "Retry now" }).click();
    await page.getByTestId("action-answer").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("action-answer").innerText()).toMatch(/Retry sent to Shopify/);
    // The retry's result comes by webhook; the timeline shows it once the page reloads its data.
    await simulator.waitForIdle();
    await expect.poll(async () => (await prisma.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } })).status, { timeout: 15_000 }).toBe("RECOVERED");
    await page.reload();
    await page.getByTestId("tracker-timeline").waitFor({ timeout: 15_000 });
    expect(await timeline.count()).toBe(eventsBefore + 3);
    const text = await page.locator("body").innerText();
    expect(text).toMatch(/Payment recovered[\s\S]*Retry sent to Shopify[\s\S]*You asked to retry now/);
    expect(text).toMatch(/Recovered/);
    await expectNothingRaw(page);
    expect(errors).toEqual([]);
    await screenshot(page, "tracker-after-retry-1280.png");
    await page.close();

    const phone = await openPage(WIDTHS[1].viewport, `/app/dunning/${tracker.id}`);
    await phone.page.getByTestId("tracker-timeline").waitFor({ timeout: 15_000 });
    await expectNothingRaw(phone.page);
    // Nothing wider than the phone's screen.
    const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, "tracker-after-retry-390.png");
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });
});
