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

// The Overview and Settings pages in headless Chromium, against the built server and the
// store simulator, at desktop (1280 px) and phone (390 px) widths. Four simulated days of
// billing come first (a scheduler outage in the middle), so the chart, the rates and the
// notices have something to show. The server's clock and this process's read END (fixed
// dates), the simulated billing clock runs from START to END.

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const SHOP = "kauri-coffee.myshopify.com";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Midnight UTC, 13:00 in Auckland: the shop's 09:00 (NZDT, 20:00 UTC) runs on Jan 11 to 14 fall in the span. */
const START = new Date("2026-01-10T00:00:00Z");
const END = new Date("2026-01-14T02:00:00Z");
/** The scheduler is down from here for 33 hours: the Jan 12 run is caught up by Jan 13's. */
const OUTAGE = { from: START.getTime() + 1.5 * DAY, to: START.getTime() + 2.875 * DAY };
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

describe("the Overview and Settings pages in headless Chromium", () => {
  let simulator: StoreSimulator;
  let app: RunningAppServer;
  let prisma: PrismaClient;
  let admin: BrowserAdmin | undefined;
  let browser: Browser;
  let userAgent: string;

  beforeAll(async () => {
    admin = await startBrowserAdmin({
      clockAt: END,
      simulatorStart: START,
      attemptProcessingMs: 2,
      shops: [{ domain: SHOP, ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", name: "Kauri Coffee" }],
    });
    ({ simulator, app, prisma, browser, userAgent } = admin);

    // Shopify admin opens the app (install), then four days of hourly scheduler calls.
    const install = await fetch(adminUrl("/app"), { headers: { "User-Agent": userAgent } });
    expect(install.status).toBe(200);
    await startScheduleAt(prisma, SHOP, START);
    createSubscribers();
    for (let at = START.getTime() + HOUR; at <= END.getTime(); at += HOUR) {
      if (at > OUTAGE.from && at < OUTAGE.to) continue;
      simulator.clock.set(new Date(at));
      for (let calls = 1; ; calls++) {
        const answer = await callScheduler(new Date(at));
        if (answer.remainingShops === 0) break;
        if (calls >= 10) throw new Error(`${new Date(at).toISOString()}: the shop is still due after ${calls} calls`);
      }
      await simulator.waitForIdle();
    }
  }, 240_000);
  afterAll(async () => {
    await admin?.close();
  });

  /** Daily subscribers who pay, and weekly ones whose cards tell every story dunning has. */
  function createSubscribers() {
    const at = (ms: number) => new Date(START.getTime() + ms);
    const names = [
      ["Aroha", "Ngata"],
      ["Tama", "Walker"],
      ["Mere", "Tipene"],
      ["Liam", "Chen"],
    ];
    for (const [firstName, lastName] of names) {
      simulator.createContract(SHOP, { interval: "DAY", nextBillingDate: at(2 * HOUR), amount: "9.50", firstName, lastName, email: `${firstName.toLowerCase()}@example.com` });
    }
    const weekly = (firstName: string, lastName: string, amount: string, outcome: Parameters<StoreSimulator["createContract"]>[1]["defaultOutcome"], script: Parameters<StoreSimulator["createContract"]>[1]["paymentMethodOutcomes"] = [], due = at(12 * HOUR)) =>
      simulator.createContract(SHOP, { interval: "WEEK", nextBillingDate: due, amount, firstName, lastName, email: `${firstName.toLowerCase()}@example.com`, defaultOutcome: outcome, paymentMethodOutcomes: script });
    weekly("Sione", "Fifita", "24.00", "success", [{ error: "INSUFFICIENT_FUNDS" }]); // recovered the next day
    weekly("Hana", "Kerr", "31.50", { error: "EXPIRED_CARD" }); // waits for a new card
    weekly("Nikau", "Reid", "18.00", "success", ["action_required"]); // 3-D Secure
    weekly("Ruby", "Hale", "27.00", { error: "PAYMENT_PROVIDER_IS_NOT_ENABLED" }); // the shop's setup
    weekly("Ari", "Moana", "42.00", { error: "INSUFFICIENT_INVENTORY" }, [], at(2 * DAY + 22 * HOUR)); // out of stock, the last day
  }

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
  function adminUrl(pathname: string): string {
    const url = new URL(pathname, app.url);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", SHOP);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${SHOP.split(".")[0]}`).toString("base64"));
    url.searchParams.set("id_token", signSessionToken({ shop: SHOP, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, expiresInSeconds: 600 }));
    return url.toString();
  }

  async function open(pathname: string, viewport: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    // New Zealand English, as the merchant's admin and browser would be.
    const page = await browser.newPage({ viewport, userAgent, locale: "en-NZ" });
    // App Bridge (Shopify's CDN) is out of reach: the pages must work without it.
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const response = await page.goto(adminUrl(pathname));
    expect(response?.status()).toBe(200);
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    return { page, errors };
  }

  async function screenshot(page: Page, name: string, fullPage = true) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage });
  }

  /** Nothing raw reaches the merchant: no GIDs, codes, enums or ISO dates in the page's text. */
  async function expectNothingRaw(page: Page) {
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/gid:\/\//);
    expect(text).not.toMatch(/\b\d{4}-\d{2}-\d{2}/);
    expect(text).not.toMatch(/\b[A-Z]{2,}_[A-Z_]+\b/);
    expect(text).not.toMatch(/\b(SOFT|HARD|PAUSE|CANCEL|SKIP|SUCCEEDED|FAILED)\b/);
    // The page fits the viewport: nothing wider than it (cut off or scrolling sideways).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }

  it.each([
    ["desktop", DESKTOP],
    ["phone", PHONE],
  ])("the overview shows the runs, recovery, revenue at risk and what needs the merchant (%s)", async (name, viewport) => {
    const { page, errors } = await open("/app", viewport);
    await page.getByRole("heading", { name: "Billing runs, last 30 days" }).waitFor();
    // The shop's zone and the merchant's locale (en-NZ writes "9:00 am").
    expect(await page.getByTestId("billing-time").innerText()).toMatch(/every day at 9:00\sam, New Zealand Time \(the shop's time zone, Pacific\/Auckland\)/);
    expect(await page.getByTestId("next-run").innerText()).toMatch(/^Next billing run: Thu, 15 Jan, 9:00\sam NZDT$/);
    // 4 daily subscribers on each of 4 days; the Jan 12 run was caught up by Jan 13's.
    expect(await page.getByTestId("runs-summary").innerText()).toMatch(/^Last 30 days: \d+ charged, \d+ failed.*; 4 charges caught up after missed runs\.$/);
    expect(await page.locator('[data-testid="runs-chart"] rect[style]').count()).toBeGreaterThan(4);
    const thirty = await page.getByTestId("recovery-30").innerText();
    expect(thirty).toMatch(/\$24\.00/);
    expect(thirty).toMatch(/Recovery rate = recovered ÷ \(recovered \+ retries ran out \+ stopped\), of the failed payments settled in these 30 days: 1 ÷ \(1 \+ 0 \+ 1\) = 50%\./);
    expect(await page.getByTestId("at-risk").innerText()).toMatch(/\$\d+\.\d{2}/);
    const lines = page.getByTestId("attention-line");
    expect(await lines.count()).toBe(3);
    const attention = (await lines.allInnerTexts()).join("\n");
    expect(attention).toMatch(/Needs 3-D Secure/);
    expect(attention).toMatch(/Out of stock/);
    expect(attention).toMatch(/Shop setup problem/);
    expect(attention).toMatch(/Nikau Reid|Ari Moana|Ruby Hale/);
    await expectNothingRaw(page);
    expect(errors).toEqual([]);
    await screenshot(page, `overview-${name}.png`);
    await page.close();
  });

  it("changing the billing hour moves the next run (desktop)", async () => {
    const { page, errors } = await open("/app/settings", DESKTOP);
    const hour = page.getByLabel("Billing hour");
    await hour.waitFor();
    expect(await page.getByTestId("settings-next-run").innerText()).toMatch(/^Next billing run: Thu, 15 Jan, 9:00\sam NZDT\.$/);
    await screenshot(page, "settings-desktop.png");

    await hour.selectOption("18");
    // Before saving, the field says where the next run would move: today was billed already, so tomorrow.
    expect(await page.getByTestId("billing-hour-help").innerText()).toMatch(/After saving, the next run is Thu, 15 Jan, 6:00\spm NZDT\./);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Settings saved").waitFor();
    expect(await page.getByTestId("settings-next-run").innerText()).toMatch(/^Next billing run: Thu, 15 Jan, 6:00\spm NZDT\.$/);
    expect((await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).billingHour).toBe(18);
    await expectNothingRaw(page);
    expect(errors).toEqual([]);
    await screenshot(page, "settings-hour-saved-desktop.png");
    await page.close();

    // The overview follows.
    const overview = await open("/app", DESKTOP);
    expect(await overview.page.getByTestId("next-run").innerText()).toMatch(/^Next billing run: Thu, 15 Jan, 6:00\spm NZDT$/);
    await overview.page.close();
  });

  it("pausing billing asks first, then pauses; the overview says so; resuming restores it (phone)", async () => {
    const { page, errors } = await open("/app/settings", PHONE);
    await page.getByRole("button", { name: "Pause billing…" }).click();
    await page.getByText("Pause billing for this shop?").waitFor();
    await screenshot(page, "settings-pause-confirm-phone.png");
    await page.getByRole("button", { name: "Pause billing", exact: true }).click();
    await page.getByText("Billing paused", { exact: true }).waitFor();
    expect(await page.getByTestId("settings-next-run").innerText()).toMatch(/^Billing is paused: .*If you resume now, the next run is Thu, 15 Jan, 6:00\spm NZDT\.$/);
    expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ active: false, deactivatedReason: "paused by the merchant" });
    // The confirmation is on screen, not below the fold.
    expect(await page.getByText("Billing paused", { exact: true }).isVisible()).toBe(true);
    await expect.poll(() => inViewport(page, page.getByTestId("settings-confirmation"))).toBe(true);
    await expectNothingRaw(page);
    await screenshot(page, "settings-paused-phone.png", false);

    const overview = await open("/app", PHONE);
    expect(await overview.page.getByTestId("billing-paused").innerText()).toMatch(/^Billing is paused: no subscription is charged/);
    // The billing hour changed since: the history reads the same.
    expect(await overview.page.getByTestId("runs-summary").innerText()).toMatch(/; 4 charges caught up after missed runs\.$/);
    await screenshot(overview.page, "overview-paused-phone.png");
    await overview.page.close();

    await page.getByRole("button", { name: "Resume billing" }).click();
    await page.getByText("Billing resumed").waitFor();
    expect((await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).active).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the policy preview follows the form; fewer retries than delays saves, trimmed, and the confirmation is on screen (phone)", async () => {
    const { page, errors } = await open("/app/settings", PHONE);
    const retries = page.getByLabel("Payment retries", { exact: true });
    await retries.waitFor();
    const preview = page.getByTestId("policy-preview");
    expect(await preview.innerText()).toMatch(/retried 4 times, after 1, 3, 5 and 7 days/);

    await retries.fill("2");
    await page.getByLabel("When payment retries run out").selectOption("CANCEL");
    expect(await preview.innerText()).toMatch(
      /A temporary decline \(such as insufficient funds\) is retried 2 times, after 1 and 3 days \(days 1 and 4 after the first failure\); if the last retry fails, the contract is cancelled\./,
    );
    // The four delays are still listed: accepted, the extra two ignored.
    expect(await page.getByLabel("Days between payment retries").inputValue()).toBe("1, 3, 5, 7");
    expect(await page.getByText("The settings were not saved").count()).toBe(0);
    await preview.scrollIntoViewIfNeeded();
    await screenshot(page, "settings-policy-preview-phone.png", false);

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Settings saved").waitFor();
    await expect.poll(() => inViewport(page, page.getByTestId("settings-confirmation"))).toBe(true);
    expect(await page.getByLabel("Days between payment retries").inputValue()).toBe("1, 3");
    expect(await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ retryCount: 2, retryDelaysDays: "1, 3", finalAction: "CANCEL" });
    await expectNothingRaw(page);
    expect(errors).toEqual([]);
    await screenshot(page, "settings-policy-saved-phone.png", false);
    await page.close();
  });

  it("checks the form in the browser with the server's rules, naming every bad delay, and posts nothing (phone)", async () => {
    const { page, errors } = await open("/app/settings", PHONE);
    const delays = page.getByLabel("Days between payment retries");
    await delays.waitFor();
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(request.url());
    });
    await delays.fill("1, -2, x");
    await page.getByLabel("Hours between emails").fill("0");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("The settings were not saved").waitFor();
    await expect.poll(() => inViewport(page, page.getByText("The settings were not saved"))).toBe(true);
    const banner = await page.getByTestId("settings-confirmation").innerText();
    expect(banner).toMatch(/Days between payment retries: Payment retry delay 2 is "-2", delay 3 is "x"/);
    expect(banner).toMatch(/Hours between emails: .*from 1 to 720/);
    expect(await delays.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByTestId("policy-preview").innerText()).toMatch(/Correct the highlighted fields/);
    expect(posts).toEqual([]);
    expect(await delays.inputValue()).toBe("1, -2, x");
    expect(errors).toEqual([]);
    await screenshot(page, "settings-invalid-phone.png", false);
    await page.close();
  });

  it("with App Bridge in the page (a stand-in for Shopify's script): the save bar follows the form and a toast confirms (desktop)", async () => {
    const page = await browser.newPage({ viewport: DESKTOP, userAgent, locale: "en-NZ" });
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    // What the script provides that the page uses: the shopify global's toast, and the elements.
    await page.addInitScript(() => {
      const calls: string[] = [];
      Object.assign(window, { appBridgeCalls: calls, shopify: { toast: { show: (message: string) => calls.push(`toast:${message}`) } } });
      class SaveBarElement extends HTMLElement {
        connectedCallback() {
          this.style.display = "none";
        }
        show() {
          calls.push("save-bar:show");
        }
        hide() {
          calls.push("save-bar:hide");
        }
      }
      customElements.define("ui-save-bar", SaveBarElement);
      for (const name of ["ui-title-bar", "ui-nav-menu"]) customElements.define(name, class extends HTMLElement {});
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(adminUrl("/app/settings"));
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    const calls = () => page.evaluate(() => (window as unknown as { appBridgeCalls: string[] }).appBridgeCalls.slice());
    // The title is admin's (the title bar), not also the page's.
    await expect.poll(() => page.locator("ui-title-bar[title='Settings']").count()).toBe(1);
    expect(await page.getByRole("heading", { name: "Settings", exact: true }).count()).toBe(0);

    await page.getByLabel("Hours between emails").fill("48");
    await expect.poll(calls).toContain("save-bar:show");
    // Admin's save bar's Save button is the page's <button variant="primary"> inside ui-save-bar.
    await page.locator("ui-save-bar button[variant='primary']").evaluate((button: HTMLButtonElement) => button.click());
    await expect.poll(calls).toContain("toast:Settings saved");
    expect((await calls()).filter((call) => call.startsWith("save-bar:")).pop()).toBe("save-bar:hide");
    expect((await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).paymentUpdateEmailIntervalHours).toBe(48);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("an unknown page of the app answers 404 with the same way back (desktop)", async () => {
    const page = await browser.newPage({ viewport: DESKTOP, userAgent, locale: "en-NZ" });
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const response = await page.goto(adminUrl("/app/no-such-page"));
    expect(response?.status()).toBe(404);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await page.getByRole("link", { name: "Overview" }).isVisible()).toBe(true);
    await screenshot(page, "not-found-desktop.png");
    await page.close();
  });

  it("an unexpected loader error shows a Polaris page with a way back, and is logged without personal data (phone)", async () => {
    // A schedule no code path would write: its zone is unknown, so the overview's loader throws.
    await prisma.billingSchedule.update({ where: { shop: SHOP }, data: { timezone: "Mars/Olympus_Mons" } });
    try {
      const page = await browser.newPage({ viewport: PHONE, userAgent, locale: "en-NZ" });
      await page.route("https://cdn.shopify.com/**", (route) => route.abort());
      const response = await page.goto(adminUrl("/app"));
      expect(response?.status()).toBe(500);
      await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
      expect(await page.getByText("Application Error").count()).toBe(0);
      for (const name of ["Try again", "Overview", "Charges", "Dunning", "Settings"]) expect(await page.getByRole("link", { name }).isVisible()).toBe(true);
      // The links keep the admin's shop and host, so the session carries over.
      expect(await page.getByRole("link", { name: "Settings" }).getAttribute("href")).toMatch(/^\/app\/settings\?embedded=1&shop=kauri-coffee/);
      await screenshot(page, "error-page-phone.png");
      await page.close();

      const logged = app
        .output()
        .split("\n")
        .find((line) => line.includes('"unexpected_error"'));
      expect(logged).toBeDefined();
      const entry = JSON.parse(logged!);
      expect(entry).toMatchObject({ level: "error", method: "GET", path: "/app", shop: SHOP, error: { name: "InvalidScheduleError" } });
      expect(logged).not.toMatch(/id_token|host=|@example\.com/);
    } finally {
      await prisma.billingSchedule.update({ where: { shop: SHOP }, data: { timezone: "Pacific/Auckland" } });
    }
  });
});

async function inViewport(page: Page, locator: ReturnType<Page["locator"]>): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  return Boolean(box && viewport && box.y >= 0 && box.y < viewport.height && box.height > 0);
}
