import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { embeddedAdminRequest, startTestSimulator, testEnvironment } from "../support/shopify-requests";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const SHOP = "browser-store.myshopify.com";

describe("the embedded home page in headless Chromium", () => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    database = await createMigratedDatabase("sqlite");
    simulator = await startTestSimulator();
    simulator.upsertShop(SHOP, { ianaTimezone: "Pacific/Auckland", name: "Browser Store" });
    app = await startBuiltApp(testEnvironment(database, simulator));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await simulator?.close();
    await database?.drop();
  });

  it("renders the billing schedule with Polaris and keeps a screenshot", async () => {
    // shopify-app-remix answers bots (HeadlessChrome included) with 410: present as Chrome.
    const userAgent = (await browser.newBrowserCDPSession().then(async (cdp) => {
      const { userAgent: ua } = await cdp.send("Browser.getVersion");
      return ua;
    })).replace("HeadlessChrome", "Chrome");
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, userAgent });
    // Shopify's CDN (App Bridge, fonts) is out of reach here; without it the page still renders.
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    const url = new URL(embeddedAdminRequest("/app", SHOP).url);
    const response = await page.goto(`${app.url}${url.pathname}${url.search}`);
    expect(response?.status()).toBe(200);
    // In the merchant's locale (the browser's, en-US here) and the shop's zone, named as people name it.
    const scheduleText = page.getByText(/Subscriptions are charged every day at 9:00\sAM, New Zealand Time \(the shop's time zone, Pacific\/Auckland\)/);
    await scheduleText.waitFor({ timeout: 15_000 });
    expect(await page.getByRole("heading", { name: "Billing schedule" }).isVisible()).toBe(true);
    // The next run in the shop's local time, with the zone's own abbreviation.
    expect(await page.getByText(/(Next billing run:|Due now \(since) \w{3}, \w{3} \d+,( \d{4},)? 9:00\sAM NZ[DS]T/).isVisible()).toBe(true);
    expect(await page.getByText("No billing run yet for this shop.").isVisible()).toBe(true);
    // Polaris' stylesheet was served by the app and applied (cards get a surface background).
    // (The card's own box: without App Bridge the page also shows its Polaris title, whose box is transparent.)
    const cardBackground = await page.locator(".Polaris-ShadowBevel > .Polaris-Box").first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(cardBackground).not.toBe("rgba(0, 0, 0, 0)");

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, "admin-home.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    await page.close();
  });

  it("refuses an invalid delay list in the dunning settings, showing the error on its field and keeping the input", async () => {
    const page = await openAsChrome();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    const url = new URL(embeddedAdminRequest("/app/settings", SHOP).url);
    const response = await page.goto(`${app.url}${url.pathname}${url.search}`);
    expect(response?.status()).toBe(200);
    const delays = page.getByLabel("Days between payment retries");
    await delays.waitFor({ timeout: 15_000 });
    expect(await delays.inputValue()).toBe("1, 3, 5, 7");
    // Wait for hydration, so the form submits through Remix (as in the admin) rather than natively.
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");

    await delays.fill("1, -2");
    await page.getByRole("button", { name: "Save" }).click();

    const message = 'Payment retry delay 2 is "-2"';
    await page.getByText("The settings were not saved").waitFor({ timeout: 15_000 });
    // Polaris puts a field's error under it and points the input at it.
    expect(await delays.getAttribute("aria-invalid")).toBe("true");
    const errorId = (await delays.getAttribute("aria-describedby"))?.split(" ").find((id) => id.endsWith("Error"));
    expect(errorId).toBeTruthy();
    const fieldError = page.locator(`[id="${errorId}"]`);
    expect(await fieldError.isVisible()).toBe(true);
    expect(await fieldError.textContent()).toContain(message);
    // Bad input loses nothing.
    expect(await delays.inputValue()).toBe("1, -2");
    expect(pageErrors).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, "dunning-settings.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    await page.close();
  });

  it("sends a visitor without a session to the login page, which asks for the shop domain", async () => {
    const page = await openAsChrome();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    const response = await page.goto(`${app.url}/app`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/auth/login");
    const shopField = page.getByLabel("Shop domain");
    await shopField.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");

    await shopField.fill("not a shop!");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("That is not a Shopify shop domain").waitFor({ timeout: 15_000 });
    expect(await shopField.getAttribute("aria-invalid")).toBe("true");
    expect(pageErrors).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "login.png"), fullPage: true });
    await page.close();
  });

  async function openAsChrome() {
    const userAgent = (await browser.newBrowserCDPSession().then(async (cdp) => {
      const { userAgent: ua } = await cdp.send("Browser.getVersion");
      return ua;
    })).replace("HeadlessChrome", "Chrome");
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent });
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    return page;
  }
});
