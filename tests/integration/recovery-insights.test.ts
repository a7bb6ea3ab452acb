import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getInstallationHistory, historySince, readInstallationHistory, readRecoveryHistory } from "../../app/dunning/recovery-history.server";
import { DEFAULT_DUNNING_POLICY } from "../../app/dunning/policy";
import { simulatePolicy } from "../../app/dunning/policy-what-if";
import type { InsightsView } from "../../app/dunning/insights-view.server";
import type { ShopSettingsView } from "../../app/shop-settings/shop-settings.server";
import { callLoader, embeddedAdminRequest } from "../support/app-under-test";
import { startAppWithInstalledShop, type InstalledApp } from "../support/installed-app";
import { PINNED_NOW } from "../support/pinned-clock";
import { testProviders } from "../support/providers";
import { seedRecoveryHistory, type SeededHistory } from "../support/recovery-history-seed";

// The what-if's and the Insights page's aggregate read, and both pages' loaders, on each
// provider: a seeded 90 days (tests/support/recovery-history-seed.ts) for the shop and three
// others, the process clock pinned at PINNED_NOW (Wed 2026-01-14 10:00 UTC).

const ROUTES = "../../app/routes";
const SHOP = "insights-auckland.myshopify.com";
const EMPTY_SHOP = "insights-new.myshopify.com";
const OTHER_SHOPS = ["other-a.myshopify.com", "other-b.myshopify.com", "other-c.myshopify.com"];
const DAY = 86_400_000;

/** Intl puts narrow no-break spaces in some locales' numbers and dates; compare with plain spaces. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(/\\u202f|\\u00a0|\u202f|\u00a0/g, " "));

describe.each(testProviders())("%s: recovery history, the what-if and Insights", (provider) => {
  let app: InstalledApp;
  let seeded: SeededHistory;
  const others: SeededHistory[] = [];

  beforeAll(async () => {
    app = await startAppWithInstalledShop(provider, SHOP, { ianaTimezone: "Pacific/Auckland" });
    seeded = await seedRecoveryHistory(app.prisma, { shop: SHOP, now: PINNED_NOW, timeZone: "Pacific/Auckland", currencyCode: "NZD" });
    for (const [index, shop] of OTHER_SHOPS.entries()) {
      others.push(await seedRecoveryHistory(app.prisma, { shop, now: PINNED_NOW, timeZone: "Europe/London", currencyCode: "GBP", payments: 80, seed: 7 + index, firstContract: 100_000 * (index + 1) }));
    }
    // Outside the window: a failure of 91 days ago is not read.
    await app.prisma.dunningTracker.create({
      data: { shop: SHOP, contractId: "gid://shopify/SubscriptionContract/1", billingCycleIndex: 1, status: "EXHAUSTED", openedAt: new Date(PINNED_NOW.getTime() - 91 * DAY), amount: "99.00", currencyCode: "NZD" },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it("reads the shop's window as aggregates that add up to what was written", async () => {
    const history = await readRecoveryHistory(SHOP, PINNED_NOW);
    expect(history.windowDays).toBe(90);
    expect(history.since).toBe(historySince(PINNED_NOW).toISOString());
    expect(history.reasons.reduce((total, reason) => total + reason.payments, 0)).toBe(seeded.payments);
    const byStatus: Record<string, number> = {};
    for (const reason of history.reasons) for (const [status, count] of Object.entries(reason.statuses)) byStatus[status] = (byStatus[status] ?? 0) + (count ?? 0);
    expect(byStatus).toEqual(seeded.byStatus);
    expect(history.reasons.reduce((total, reason) => total + reason.emailsSent, 0)).toBe(seeded.emailsSent);
    // Codes by name (either case is one reason); 3-D Secure without a code is its own.
    expect(history.reasons.map((reason) => reason.reason).sort()).toEqual(["CARD_DECLINED", "CHALLENGE", "DO_NOT_HONOR", "EXPIRED_CARD", "INSUFFICIENT_FUNDS", "INSUFFICIENT_INVENTORY", "TEST_MODE"]);
    const recovered = history.reasons.flatMap((reason) => reason.recoveredAmounts);
    expect(recovered.every((sum) => sum.currencyCode === "NZD")).toBe(true);
    expect(recovered.reduce((cents, sum) => cents + Math.round(Number(sum.total) * 100), 0)).toBe(Math.round(Number(seeded.recoveredAmounts.NZD) * 100));

    // Every retry with a result, by retry number; temporary declines' 4th retries on day 16, none recovered.
    for (const [retryNumber, counts] of Object.entries(seeded.retries)) {
      const cells = history.retries.filter((retry) => retry.retryNumber === Number(retryNumber));
      expect({ attempts: cells.reduce((sum, cell) => sum + cell.attempts, 0), recovered: cells.reduce((sum, cell) => sum + cell.recovered, 0) }).toEqual(counts);
    }
    const fourth = history.retries.filter((retry) => retry.declineClass === "SOFT" && retry.retryNumber === 4);
    expect(fourth.map((cell) => cell.delayBucket)).toEqual(fourth.map(() => 5));
    expect(fourth.reduce((sum, cell) => sum + cell.attempts, 0)).toBe(seeded.fourthRetries);
    expect(fourth.reduce((sum, cell) => sum + cell.recovered, 0)).toBe(0);

    // Expired cards: all of them wait on day 0; those that waited the full 16 days end there.
    const hard = history.reasons.find((reason) => reason.reason === "EXPIRED_CARD")!;
    expect(history.cardUpdates.waiting[0]).toBe(hard.payments);
    expect(history.cardUpdates.recovered.reduce((sum, count) => sum + count, 0)).toBe(hard.statuses.RECOVERED);
    expect(history.cardUpdates.waiting[16]).toBe(0);
  });

  it("reads the installation's aggregate by class only, from every shop, and keeps it for an hour", async () => {
    const installation = await readInstallationHistory(PINNED_NOW);
    expect(installation.shops).toBe(4);
    const attempts = installation.retries.reduce((sum, cell) => sum + cell.attempts, 0);
    const seededAttempts = [seeded, ...others].flatMap((shop) => Object.values(shop.retries)).reduce((sum, counts) => sum + counts.attempts, 0);
    expect(attempts).toBe(seededAttempts);
    // Counts by class, retry and delay: nothing names a shop, a code or an amount.
    expect(Object.keys(installation.retries[0]).sort()).toEqual(["attempts", "declineClass", "delayBucket", "recovered", "retryNumber"]);
    expect(JSON.stringify(installation)).not.toMatch(/myshopify|INSUFFICIENT_FUNDS|NZD|GBP/);

    const cached = await getInstallationHistory(PINNED_NOW);
    await app.prisma.dunningTracker.create({ data: { shop: "late.myshopify.com", contractId: "gid://shopify/SubscriptionContract/2", billingCycleIndex: 1, openedAt: PINNED_NOW } });
    expect((await getInstallationHistory(new Date(PINNED_NOW.getTime() + 30 * 60_000))).shops).toBe(cached.shops);
    await app.prisma.dunningTracker.deleteMany({ where: { shop: "late.myshopify.com" } });
  });

  it("the Settings loader brings the what-if's aggregates: small, in the shop's currency and the merchant's locale", async () => {
    const page = await callLoader<ShopSettingsView>(`${ROUTES}/app.settings`, embeddedAdminRequest("/app/settings?locale=en-NZ", SHOP));
    if (page instanceof Response) throw new Error(`settings answered ${page.status}`);
    const { whatIf } = plain(page);
    expect(whatIf).toMatchObject({ locale: "en-NZ", timeZone: "Pacific/Auckland", windowText: "16 Oct 2025 to 14 Jan", now: expect.stringMatching(/^2026-01-14T10:0/) });
    expect(whatIf.inputs.actual).toMatchObject({ payments: seeded.payments, recovered: seeded.byStatus.RECOVERED, emailsSent: seeded.emailsSent });
    expect(whatIf.inputs.odds.installation?.shops).toBe(4);
    // A few kilobytes whatever the shop's size: counts by class, never a row per payment.
    expect(JSON.stringify(whatIf).length).toBeLessThan(12_000);

    // The saved policy is the one the history was made with: the estimate is close to what happened.
    const current = simulatePolicy(whatIf.inputs, DEFAULT_DUNNING_POLICY);
    const followed = seeded.payments - (seeded.byStatus.ABANDONED ?? 0) - (seeded.byStatus.ACTION_REQUIRED ?? 0) - (seeded.byStatus.STOPPED ?? 0);
    expect(current.payments).toBe(followed);
    expect(current.revenue.amounts.map((amount) => amount.currencyCode)).toEqual(["NZD"]);
    expect(current.recovered.basis.shopCases).toBeGreaterThan(100);
    // Payments still open are followed to their end by the estimate: it may only be higher than what is settled so far.
    expect(current.recovered.value).toBeGreaterThan(0.9 * seeded.byStatus.RECOVERED);
    expect(current.recovered.value).toBeLessThan(1.25 * seeded.byStatus.RECOVERED);
  });

  it("the Insights loader: outcomes by reason in words, and the suggestion the evidence supports, as Settings fields", async () => {
    const page = await callLoader<{ insights: InsightsView }>(`${ROUTES}/app.insights`, embeddedAdminRequest("/app/insights?locale=en-NZ", SHOP));
    if (page instanceof Response) throw new Error(`insights answered ${page.status}`);
    const { insights } = plain(page);
    expect(insights.emptyText).toBeNull();
    expect(insights.windowText).toBe("16 Oct 2025 to 14 Jan");
    expect(insights.summaryText).toMatch(new RegExp(`^${seeded.payments} failed payments: ${seeded.byStatus.RECOVERED} recovered of the \\d+ settled \\(\\d+(\\.\\d)?%\\); \\d+ still being followed up\\.$`));
    expect(insights.suggestions).toEqual([
      {
        title: "Stop retrying temporary declines after the 3rd retry",
        evidence: expect.stringMatching(new RegExp(`^In the last 90 days, none of the ${seeded.fourthRetries} retries after the 3rd recovered a payment \\(95% confidence: at most \\d\\.\\d%\\)\\. Most were first declined as “`)),
        change: "Payment retries: 4 → 3. The final action would come on day 9 after the failure instead of day 16, and each card is charged at most 4 times for one payment. Cards that need updating would wait 9 days for the customer instead of 16.",
        fields: { retryCount: "3" },
      },
    ]);
    const labels = insights.reasons.map((reason) => reason.label);
    expect(labels).toEqual(expect.arrayContaining(["Insufficient funds", "Do not honor", "Card declined", "Expired card", "Out of stock", "Needs 3-D Secure", "Provider in test mode"]));
    const insufficient = insights.reasons.find((reason) => reason.label === "Insufficient funds")!;
    expect(insufficient.rows[0]).toMatchObject({ label: "Retry 1, after 1 day", countText: expect.stringMatching(/^\d+ of \d+ recovered$/), rangeText: expect.stringMatching(/^95% range: \d+(\.\d)?% to \d+(\.\d)?%$/) });
    expect(insights.reasons.find((reason) => reason.label === "Needs 3-D Secure")?.noRowsText).toBe("Never retried: only the customer can complete 3-D Secure.");
    // Nothing raw: no codes, enums or ISO dates.
    const text = JSON.stringify({ ...insights, suggestions: insights.suggestions.map(({ fields: _fields, ...rest }) => rest), reasons: insights.reasons.map(({ key: _key, ...rest }) => rest) });
    expect(text).not.toMatch(/\b[A-Z]{2,}_[A-Z_]+\b|\b(SOFT|HARD|PAUSE|EXHAUSTED|RECOVERED)\b|\d{4}-\d{2}-\d{2}/);
  });

  it("a shop without failed payments: both pages say what will appear, and when", async () => {
    app.simulator.upsertShop(EMPTY_SHOP, { ianaTimezone: "Europe/Paris" });
    const insights = await callLoader<{ insights: InsightsView }>(`${ROUTES}/app.insights`, embeddedAdminRequest("/app/insights", EMPTY_SHOP));
    if (insights instanceof Response) throw new Error(`insights answered ${insights.status}`);
    expect(insights.insights).toMatchObject({ payments: 0, suggestions: [], reasons: [] });
    expect(insights.insights.emptyText).toMatch(/^No payment failed in the last 90 days\. When a charge fails, this page shows how its retries went/);
    const settings = await callLoader<ShopSettingsView>(`${ROUTES}/app.settings`, embeddedAdminRequest("/app/settings", EMPTY_SHOP));
    if (settings instanceof Response) throw new Error(`settings answered ${settings.status}`);
    expect(settings.whatIf.inputs).toMatchObject({ cases: [], actual: { payments: 0 } });
    const result = simulatePolicy(settings.whatIf.inputs, DEFAULT_DUNNING_POLICY);
    expect(result.recovered.value).toBe(0);
  });
});
