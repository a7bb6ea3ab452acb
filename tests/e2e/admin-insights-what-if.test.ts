import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { signSessionToken } from "../../simulator/session-token";
import type { RunningAppServer } from "../../tools/built-app";
import { startBrowserAdmin, type BrowserAdmin } from "../support/browser-admin";
import { seedRecoveryHistory, type SeededHistory } from "../support/recovery-history-seed";
import { BROWSER_USER_AGENT, TEST_API_KEY, TEST_API_SECRET } from "../support/shopify-requests";

// The Settings page's what-if and the Insights page in headless Chromium, against the built
// server and the store simulator, at 1280 and 390 px. The shop's last 90 days of failed
// payments are seeded (tests/support/recovery-history-seed.ts; three other shops for the
// installation's aggregate); the server's clock (shifted-clock.mjs) and this process's read NOW.

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "test-artifacts");
const SHOP = "pohutukawa-tea.myshopify.com";
const NEW_SHOP = "brand-new-shop.myshopify.com";
const NOW = new Date("2026-01-14T10:00:00Z");
const WIDTHS = [
  { name: "1280", viewport: { width: 1280, height: 900 } },
  { name: "390", viewport: { width: 390, height: 844 } },
] as const;

describe("the what-if on Settings and the Insights page in headless Chromium", () => {
  let app: RunningAppServer;
  let prisma: PrismaClient;
  let admin: BrowserAdmin | undefined;
  let browser: Browser;
  let userAgent: string;
  let seeded: SeededHistory;

  beforeAll(async () => {
    admin = await startBrowserAdmin({
      clockAt: NOW,
      simulatorStart: NOW,
      shops: [
        { domain: SHOP, ianaTimezone: "Pacific/Auckland", currencyCode: "NZD", name: "Pōhutukawa Tea" },
        { domain: NEW_SHOP, ianaTimezone: "Europe/Paris", currencyCode: "EUR", name: "Brand New" },
      ],
    });
    ({ app, prisma, browser, userAgent } = admin);

    for (const shop of [SHOP, NEW_SHOP]) {
      const install = await fetch(adminUrl("/app", shop), { headers: { "User-Agent": BROWSER_USER_AGENT } });
      expect(install.status).toBe(200);
    }
    seeded = await seedRecoveryHistory(prisma, { shop: SHOP, now: NOW, timeZone: "Pacific/Auckland", currencyCode: "NZD" });
    for (const [index, shop] of ["other-1.myshopify.com", "other-2.myshopify.com", "other-3.myshopify.com"].entries()) {
      await seedRecoveryHistory(prisma, { shop, now: NOW, timeZone: "Europe/London", currencyCode: "GBP", payments: 120, seed: 31 + index, firstContract: 100_000 * (index + 1) });
    }
  }, 120_000);
  afterAll(async () => {
    await admin?.close();
  });

  /** A page as Shopify admin embeds it, with a session token good for the whole test. */
  function adminUrl(pathname: string, shop = SHOP): string {
    const url = new URL(pathname, app.url);
    url.searchParams.set("embedded", "1");
    url.searchParams.set("shop", shop);
    url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
    url.searchParams.set("id_token", signSessionToken({ shop, apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, expiresInSeconds: 900 }));
    return url.toString();
  }

  async function open(pathname: string, viewport: { width: number; height: number }, shop = SHOP): Promise<{ page: Page; errors: string[] }> {
    // New Zealand English, as the merchant's admin and browser would be.
    const page = await browser.newPage({ viewport, userAgent, locale: "en-NZ" });
    // App Bridge (Shopify's CDN) is out of reach: the pages must work without it.
    await page.route("https://cdn.shopify.com/**", (route) => route.abort());
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      // A hydration mismatch (server and browser wording a figure differently) is a console error.
      // Not the pages' own: Shopify's CDN, blocked here, fails to load; the server and client builds name Polaris' stylesheet differently.
      if (message.type() === "error" && !/^Failed to load resource|\/assets\/styles-/.test(message.text())) errors.push(message.text());
    });
    const response = await page.goto(adminUrl(pathname, shop));
    expect(response?.status()).toBe(200);
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    return { page, errors };
  }

  async function screenshot(page: Page, name: string) {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
  }

  /** Nothing raw reaches the merchant, and nothing is wider than the screen. */
  async function expectNothingRaw(page: Page) {
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/gid:\/\/|\b[A-Z]{2,}_[A-Z_]+\b|\b[a-z]+_[a-z_]+\b|\d{4}-\d{2}-\d{2}|NaN|undefined|Infinity/);
    expect(text).not.toMatch(/\b(SOFT|HARD|INVENTORY|PAUSE|CANCEL|SKIP|SUCCEEDED|FAILED|RECOVERED|EXHAUSTED)\b/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }

  const cells = (page: Page) => page.getByTestId("what-if-table").locator("tbody tr");

  for (const { name, viewport } of WIDTHS) {
    it(`${name} px: the what-if shows what the saved policy did, then a change next to it as the merchant types`, async () => {
      const { page, errors } = await open("/app/settings", viewport);
      const whatIf = page.getByTestId("what-if");
      await whatIf.waitFor();
      expect(await whatIf.innerText()).toMatch(new RegExp(`Estimated for the \\d+ payments that failed from 16 Oct 2025 to 14 Jan`));
      expect(await page.getByTestId("what-if-actual").innerText()).toMatch(new RegExp(`^What happened in fact: ${seeded.byStatus.RECOVERED} of the ${seeded.payments} failed payments were recovered \\(\\$[\\d,]+\\.\\d\\d\\)`));
      expect(await page.getByTestId("what-if-table").locator("thead th").allInnerTexts()).toEqual(["Figure", "Your settings"]);

      await page.getByLabel("Payment retries", { exact: true }).fill("3");
      await expect.poll(() => page.getByTestId("what-if-table").locator("thead th").allInnerTexts()).toEqual(["Figure", "Saved settings", "With your changes"]);
      const recovered = await cells(page).nth(0).innerText();
      // Each figure with what it rests on: the shop's own retries, in brackets their count.
      expect(recovered).toMatch(/Payments recovered\s+\d+\s+your history \(\d+\)\s+\d+\s+(−|\+)?\d+|same/);
      expect(await cells(page).nth(1).innerText()).toMatch(/Revenue recovered\s+\$[\d,]+\s+your history/);
      expect(await cells(page).nth(2).innerText()).toMatch(/Contracts paused\s+\d+/);
      expect(await cells(page).nth(6).innerText()).toMatch(/Most attempts on one card in any 30 days\s+5 of 10\s+settings only\s+4 of 10\s+settings only/);
      // A retry the shop never made: other shops' anonymous totals, else the app's assumptions.
      await page.getByLabel("Payment retries", { exact: true }).fill("5");
      await page.getByLabel("Days between payment retries").fill("1, 3, 5, 7, 7");
      await expect.poll(() => cells(page).nth(0).innerText()).toMatch(/other shops \(\d[\d,]*\)|assumptions/);
      await page.getByTestId("what-if").scrollIntoViewIfNeeded();
      await expectNothingRaw(page);
      expect(errors).toEqual([]);
      await screenshot(page, `settings-what-if-${name}.png`);

      // An invalid form: the what-if says so instead of guessing.
      await page.getByLabel("Days between payment retries").fill("1, x");
      await expect.poll(() => whatIf.innerText()).toMatch(/Correct the highlighted fields to see what your changes would have done\./);
      await page.close();
    });

    it(`${name} px: Insights shows outcomes by decline reason with their ranges, and the suggestion the evidence supports`, async () => {
      const { page, errors } = await open("/app/insights", viewport);
      const suggestion = page.getByTestId("insights-suggestion");
      await suggestion.waitFor();
      expect(await suggestion.count()).toBe(1);
      expect(await suggestion.innerText()).toMatch(/Stop retrying temporary declines after the 3rd retry\s+In the last 90 days, none of the \d+ retries after the 3rd recovered a payment/);
      expect(await page.getByTestId("insights-summary").innerText()).toMatch(new RegExp(`Failed payments, 16 Oct 2025 to 14 Jan\\s+${seeded.payments} failed payments: ${seeded.byStatus.RECOVERED} recovered`));
      const reasons = await page.getByTestId("insights-reason").allInnerTexts();
      expect(reasons.join("\n")).toMatch(/Insufficient funds\s+Temporary decline/);
      expect(reasons.join("\n")).toMatch(/Expired card\s+Card needs updating/);
      expect(reasons.join("\n")).toMatch(/Retry 1, after 1 day\s+\d+ of \d+ recovered: \d+(\.\d)?%/);
      expect(reasons.join("\n")).toMatch(/95% range: \d+(\.\d)?% to \d+(\.\d)?%/);
      await expectNothingRaw(page);
      expect(errors).toEqual([]);
      await screenshot(page, `insights-${name}.png`);
      await page.close();
    });

    it(`${name} px: a suggestion clicked opens Settings with it filled in, unsaved, and its what-if; saving applies it`, async () => {
      const { page, errors } = await open("/app/insights", viewport);
      await page.getByRole("link", { name: "Try it in Settings" }).click();
      await page.waitForURL(/\/app\/settings\?.*retryCount=3/);
      const banner = page.getByTestId("settings-suggestion");
      await banner.waitFor();
      expect(await banner.innerText()).toMatch(/Suggested on Insights\s+Payment retries: 4 → 3\./);
      expect(await page.getByLabel("Payment retries", { exact: true }).inputValue()).toBe("3");
      expect(await page.getByTestId("policy-preview").innerText()).toMatch(/retried 3 times, after 1, 3 and 5 days/);
      await expect.poll(() => page.getByTestId("what-if-table").locator("thead th").allInnerTexts()).toEqual(["Figure", "Saved settings", "With your changes"]);
      await expectNothingRaw(page);
      expect(errors).toEqual([]);
      await screenshot(page, `insights-suggestion-in-settings-${name}.png`);
      // The banner leads to the what-if, far down a phone's page.
      await page.getByRole("button", { name: "See the what-if" }).click();
      await expect.poll(() => page.getByTestId("what-if").evaluate((element) => element.getBoundingClientRect().top < window.innerHeight)).toBe(true);
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(ARTIFACTS, `insights-suggestion-what-if-${name}.png`) });

      if (name === "390") {
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.getByText("Settings saved").waitFor();
        expect(await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ retryCount: 3, retryDelaysDays: "1, 3, 5" });
        // Saved: nothing to compare any more, and the suggestion is gone from Insights (3 is now the policy).
        await expect.poll(() => page.getByTestId("what-if-table").locator("thead th").allInnerTexts()).toEqual(["Figure", "Your settings"]);
        expect(await page.getByTestId("settings-suggestion").count()).toBe(0);
        const insights = await open("/app/insights", viewport);
        await insights.page.getByTestId("insights-suggestions").waitFor();
        expect(await insights.page.getByTestId("insights-suggestion").count()).toBe(0);
        expect(await insights.page.getByTestId("insights-suggestions").innerText()).toMatch(/No change is suggested yet: a suggestion needs at least 30 retries that point the same way/);
        await expectNothingRaw(insights.page);
        await screenshot(insights.page, "insights-no-suggestion-390.png");
        await insights.page.close();
      }
      await page.close();
    });
  }

  it("390 px: a shop without failed payments is told what will appear, and when", async () => {
    const insights = await open("/app/insights", WIDTHS[1].viewport, NEW_SHOP);
    const empty = insights.page.getByTestId("insights-empty");
    await empty.waitFor();
    expect(await empty.innerText()).toMatch(/No payment failed in the last 90 days\. When a charge fails, this page shows how its retries went/);
    await expectNothingRaw(insights.page);
    await screenshot(insights.page, "insights-empty-390.png");
    await insights.page.close();

    const settings = await open("/app/settings", WIDTHS[1].viewport, NEW_SHOP);
    const whatIf = settings.page.getByTestId("what-if");
    await whatIf.waitFor();
    expect(await whatIf.innerText()).toMatch(/No payment failed from 16 Oct 2025 to 14 Jan, so there is nothing to compare yet\./);
    expect(insights.errors.concat(settings.errors)).toEqual([]);
    await whatIf.scrollIntoViewIfNeeded();
    await screenshot(settings.page, "settings-what-if-empty-390.png");
    await settings.page.close();
  });
});
