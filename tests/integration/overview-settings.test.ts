import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DUNNING_POLICY, policyFields } from "../../app/dunning/policy";
import { databaseStatementCount } from "../../app/observability/metrics.server";
import type { OverviewView } from "../../app/overview/overview.server";
import { ensureShopIsSetUp, PAUSED_REASON, UNINSTALLED_REASON } from "../../app/schedules/schedule.server";
import type { ShopSettingsView } from "../../app/shop-settings/shop-settings.server";
import { BROWSER_USER_AGENT, callAction, callLoader, embeddedAdminRequest } from "../support/app-under-test";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { startAppWithInstalledShop, type InstalledApp } from "../support/installed-app";
import { moveProcessClock, PINNED_NOW } from "../support/pinned-clock";
import { testProviders } from "../support/providers";

// The Overview and Settings pages' loaders and actions, called in process as Remix calls
// them, on each provider. The process clock is pinned at PINNED_NOW (Wed 2026-01-14 10:00 UTC).

const ROUTES = "../../app/routes";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = PINNED_NOW.getTime();
const SHOP = "settings-london.myshopify.com";
const OVERVIEW_SHOP = "overview-auckland.myshopify.com";

/** Intl puts a narrow no-break space before AM/PM and in French amounts; compare with plain spaces. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/\\u202f|\\u00a0|\u202f|\u00a0/g, " "));

function post(path: string, shop: string, fields: Record<string, string>): Request {
  return new Request(embeddedAdminRequest(path, shop).url, {
    method: "POST",
    headers: { "User-Agent": BROWSER_USER_AGENT, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  });
}

/** An action's answer: a plain object (200), a data(..., { status }) result, or a Response. */
async function answerOf(result: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  if (result instanceof Response) return { status: result.status, body: await result.json() };
  const value = result as { type?: string; data?: unknown; init?: { status?: number } | null };
  if (value?.type === "DataWithResponseInit") return { status: value.init?.status ?? 200, body: value.data as Record<string, unknown> };
  return { status: 200, body: result as Record<string, unknown> };
}

const DEFAULT_FIELDS = Object.fromEntries(Object.entries(policyFields(DEFAULT_DUNNING_POLICY)).map(([name, value]) => [name, String(value)]));

describe.each(testProviders())("%s: the Overview and Settings pages", (provider) => {
  let app: InstalledApp;

  beforeAll(async () => {
    app = await startAppWithInstalledShop(provider, SHOP, { ianaTimezone: "Europe/London" });
  });
  afterAll(async () => {
    await app?.close();
  });

  const loadSettings = async (shop = SHOP, query = "") => {
    const page = await callLoader<ShopSettingsView>(`${ROUTES}/app.settings`, embeddedAdminRequest(`/app/settings${query}`, shop));
    if (page instanceof Response) throw new Error(`settings answered ${page.status}`);
    return plain(page) as ShopSettingsView;
  };
  const save = async (fields: Record<string, string>, shop = SHOP) =>
    answerOf(await callAction(`${ROUTES}/app.settings`, post("/app/settings", shop, { intent: "save", ...fields })));
  const schedule = () => app.prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } });

  describe("settings: the billing hour", () => {
    it("shows the hour, the shop's time zone and the next run each hour would give, in the merchant's locale", async () => {
      const { billing } = await loadSettings();
      // 10:00 in London: today's 09:00 run has not happened yet, so the shop is due now.
      expect(billing).toMatchObject({
        billingHour: 9,
        active: true,
        paused: false,
        timeZone: "Europe/London",
        timeZoneName: "United Kingdom Time",
        nextRunText: "Wed, Jan 14, 9:00 AM GMT",
        runIsDue: true,
      });
      expect(billing.hourOptions).toHaveLength(24);
      expect(billing.hourOptions[0]).toEqual({ value: "0", label: "12:00 AM", nextRunText: "Wed, Jan 14, 12:00 AM GMT", runIsDue: true });
      expect(billing.hourOptions[14]).toEqual({ value: "14", label: "2:00 PM", nextRunText: "Wed, Jan 14, 2:00 PM GMT", runIsDue: false });

      // Shopify admin's locale parameter: French hours and dates.
      const french = await loadSettings(SHOP, "?locale=fr-FR");
      expect(french.billing.hourOptions[14]).toMatchObject({ label: "14:00", nextRunText: "mer. 14 janv., 14:00 GMT" });
      expect(french.billing.timeZoneName).toBe("heure : Royaume-Uni");
    });

    it("a new billing hour moves the next run; an hour already passed today makes the shop due now", async () => {
      expect(await save({ ...DEFAULT_FIELDS, billingHour: "14" })).toEqual({ status: 200, body: { ok: true } });
      expect(await schedule()).toMatchObject({ billingHour: 14, nextRunAt: new Date("2026-01-14T14:00:00Z") });
      expect((await loadSettings()).billing).toMatchObject({ billingHour: 14, nextRunText: "Wed, Jan 14, 2:00 PM GMT", runIsDue: false });

      expect((await save({ ...DEFAULT_FIELDS, billingHour: "6" })).status).toBe(200);
      expect(await schedule()).toMatchObject({ billingHour: 6, nextRunAt: new Date("2026-01-14T06:00:00Z") });
      expect((await loadSettings()).billing).toMatchObject({ runIsDue: true });
    });

    it("never bills a day twice: once today is billed, a later hour moves the next run to tomorrow", async () => {
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { lastBilledLocalDate: "2026-01-14" } });
      expect((await save({ ...DEFAULT_FIELDS, billingHour: "20" })).status).toBe(200);
      expect(await schedule()).toMatchObject({ billingHour: 20, nextRunAt: new Date("2026-01-15T20:00:00Z") });
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { lastBilledLocalDate: "2026-01-13" } });
    });

    it("saving the same settings twice is harmless", async () => {
      const fields = { ...DEFAULT_FIELDS, retryCount: "3", retryDelaysDays: "2, 4, 6", billingHour: "9" };
      expect((await save(fields)).status).toBe(200);
      const [scheduleBefore, policyBefore] = [await schedule(), await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })];
      expect(await save(fields)).toEqual({ status: 200, body: { ok: true } });
      expect(await schedule()).toEqual(scheduleBefore);
      const { updatedAt: _policyUpdated, ...policyAfter } = await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } });
      const { updatedAt: _before, ...policyFieldsBefore } = policyBefore;
      expect(policyAfter).toEqual(policyFieldsBefore);
      expect(await app.prisma.dunningPolicy.count({ where: { shop: SHOP } })).toBe(1);
    });

    it("answers 400 with every bad field and every bad delay, echoes what was typed and saves nothing", async () => {
      const [scheduleBefore, policyBefore] = [await schedule(), await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })];
      const typed = { ...DEFAULT_FIELDS, retryCount: "abc", retryDelaysDays: "1, -2, x", finalAction: "REFUND", inventoryRetryDelaysDays: "1, 0", billingHour: "24" };
      const answer = await save(typed);
      expect(answer.status).toBe(400);
      const errors = answer.body.errors as Record<string, string>;
      expect(Object.keys(errors).sort()).toEqual(["billingHour", "finalAction", "inventoryRetryDelaysDays", "retryCount", "retryDelaysDays"]);
      expect(errors.retryDelaysDays).toBe(
        'Payment retry delay 2 is "-2", delay 3 is "x" (a delay cannot be negative). Each delay must be a whole number of days from 1 to 30.',
      );
      expect(errors.inventoryRetryDelaysDays).toMatch(/^Inventory retry delay 2 is "0"\./);
      expect(errors.billingHour).toMatch(/from 0 to 23/);
      // No enum or code reaches the merchant.
      expect(Object.values(errors).join(" ")).not.toMatch(/SKIP|PAUSE|CANCEL|REFUND/);
      const { billingHour, intent: _intent, ...policyTyped } = { intent: "save", ...typed };
      expect(answer.body.fields).toEqual(policyTyped);
      expect(answer.body.billingHour).toBe(billingHour);

      expect(await schedule()).toEqual(scheduleBefore);
      expect(await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(policyBefore);
    });

    it("accepts fewer retries than listed delays and keeps only the delays it uses", async () => {
      expect((await save({ ...DEFAULT_FIELDS, retryCount: "2", retryDelaysDays: "1, 3, 5, 7" })).status).toBe(200);
      expect(await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ retryCount: 2, retryDelaysDays: "1, 3" });
      expect((await loadSettings()).fields).toMatchObject({ retryCount: 2, retryDelaysDays: "1, 3" });
    });

    it("does not move the hour under a run in progress: 409, and neither the hour nor the policy is saved", async () => {
      const before = await schedule();
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { leaseOwner: "worker-1", leaseExpiresAt: new Date(NOW + HOUR) } });
      const policyBefore = await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } });
      const answer = await save({ ...DEFAULT_FIELDS, retryCount: "1", retryDelaysDays: "2", billingHour: "15" });
      expect(answer.status).toBe(409);
      expect((answer.body.errors as Record<string, string>).billingHour).toMatch(/running for this shop right now.*nothing was saved/);
      expect(await schedule()).toMatchObject({ billingHour: before.billingHour, nextRunAt: before.nextRunAt });
      expect(await app.prisma.dunningPolicy.findUniqueOrThrow({ where: { shop: SHOP } })).toEqual(policyBefore);
      // The same hour as now needs no change and saves under a lease (the policy only).
      expect((await save({ ...DEFAULT_FIELDS, billingHour: String(before.billingHour) })).status).toBe(200);
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { leaseOwner: null, leaseExpiresAt: null } });
    });

    it("a form without a billing hour saves the policy and leaves the hour alone", async () => {
      const before = await schedule();
      expect(await save({ ...DEFAULT_FIELDS })).toEqual({ status: 200, body: { ok: true } });
      expect(await schedule()).toMatchObject({ billingHour: before.billingHour, nextRunAt: before.nextRunAt });
    });
  });

  describe("settings: pause and resume", () => {
    const act = async (intent: string) => answerOf(await callAction(`${ROUTES}/app.settings`, post("/app/settings", SHOP, { intent })));

    it("pauses billing with its own reason, twice harmlessly, and a new sign-in does not resume it", async () => {
      expect(await act("pause")).toEqual({ status: 200, body: { ok: true, intent: "pause", changed: true } });
      expect(await schedule()).toMatchObject({ active: false, deactivatedReason: PAUSED_REASON });
      expect(await act("pause")).toEqual({ status: 200, body: { ok: true, intent: "pause", changed: false } });

      // afterAuth runs again on the next token exchange: only an uninstalled shop is re-activated.
      await ensureShopIsSetUp(SHOP, "Europe/London", new Date());
      expect(await schedule()).toMatchObject({ active: false, deactivatedReason: PAUSED_REASON });

      const { billing } = await loadSettings();
      expect(billing).toMatchObject({ active: false, paused: true });
      // What resuming now would give, for the page to say.
      expect(billing.nextRunText).toMatch(/^Wed, Jan 14, \d+:00 [AP]M GMT$/);
    });

    it("resumes: billing active again, the next run recomputed, the paused days not caught up; twice is harmless", async () => {
      // As if paused since January 5: without care, resuming would catch up two days and report the rest missed.
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { lastBilledLocalDate: "2026-01-05", nextRunAt: null, billingHour: 9 } });
      expect(await act("resume")).toEqual({ status: 200, body: { ok: true, intent: "resume", changed: true } });
      expect(await schedule()).toMatchObject({
        active: true,
        deactivatedReason: null,
        lastBilledLocalDate: "2026-01-13",
        nextRunAt: new Date("2026-01-14T09:00:00Z"),
      });
      expect(await act("resume")).toEqual({ status: 200, body: { ok: true, intent: "resume", changed: false } });
      expect((await loadSettings()).billing).toMatchObject({ active: true, paused: false, runIsDue: true });
    });

    it("resuming never re-bills a day billed before the pause", async () => {
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { lastBilledLocalDate: "2026-01-14" } });
      await act("pause");
      await act("resume");
      expect(await schedule()).toMatchObject({ active: true, lastBilledLocalDate: "2026-01-14", nextRunAt: new Date("2026-01-15T09:00:00Z") });
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { lastBilledLocalDate: "2026-01-13" } });
    });

    it("does not resume a shop that uninstalled the app", async () => {
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { active: false, deactivatedReason: UNINSTALLED_REASON } });
      expect(await act("resume")).toEqual({ status: 200, body: { ok: true, intent: "resume", changed: false } });
      expect(await schedule()).toMatchObject({ active: false, deactivatedReason: UNINSTALLED_REASON });
      await app.prisma.billingSchedule.update({ where: { shop: SHOP }, data: { active: true, deactivatedReason: null } });
    });
  });

  describe("overview", () => {
    const loadOverview = async (query = "") => {
      const page = await callLoader<{ overview: OverviewView }>(`${ROUTES}/app._index`, embeddedAdminRequest(`/app${query}`, OVERVIEW_SHOP));
      if (page instanceof Response) throw new Error(`overview answered ${page.status}`);
      return plain(page.overview) as OverviewView;
    };
    let contract = 5000;
    const contractId = () => `gid://shopify/SubscriptionContract/${++contract}`;
    const ago = (ms: number) => new Date(NOW - ms);

    beforeAll(async () => {
      app.simulator.upsertShop(OVERVIEW_SHOP, { ianaTimezone: "Pacific/Auckland" });
      // It is Wed Jan 14, 23:00 in Auckland (NZDT, UTC+13).
      await callLoader(`${ROUTES}/app._index`, embeddedAdminRequest("/app", OVERVIEW_SHOP));
    });

    it("says what will appear, and when, while the shop has no data", async () => {
      const overview = await loadOverview();
      expect(overview.billing).toMatchObject({
        active: true,
        hourText: "9:00 AM",
        timeZoneName: "New Zealand Time",
        timeZone: "Pacific/Auckland",
        nextRunText: "Wed, Jan 14, 9:00 AM NZDT",
        runIsDue: true,
        lastRun: null,
      });
      expect(overview.runs.days).toHaveLength(30);
      expect(overview.runs.days[0]).toMatchObject({ localDate: "2025-12-16", label: "Dec 16, 2025", charged: 0 });
      expect(overview.runs.days[29]).toMatchObject({ localDate: "2026-01-14", label: "Jan 14", description: "Wed, Jan 14: no charges" });
      expect(overview.runs.totals).toEqual({ charged: 0, failed: 0, pending: 0, caughtUp: 0, runDays: 0 });
      expect(overview.recovery.map((window) => [window.days, window.settled, window.rateText])).toEqual([
        [30, 0, null],
        [90, 0, null],
      ]);
      expect(overview.atRisk).toMatchObject({ trackers: 0, amountText: null });
      expect(overview.attention).toEqual({ lines: [], more: false });
    });

    it("charts the first charges of the last 30 local days, with the caught-up ones", async () => {
      let key = 0;
      const attempt = (runLocalDate: string, status: string, fields: { attemptNumber?: number; expectedBillingDate?: Date; shop?: string } = {}) => ({
        shop: fields.shop ?? OVERVIEW_SHOP,
        contractId: contractId(),
        billingCycleIndex: 1,
        attemptNumber: fields.attemptNumber ?? 1,
        idempotencyKey: `overview-${++key}`,
        status,
        runLocalDate,
        // Due just before the run: 09:00 NZDT is 20:00 UTC the day before.
        expectedBillingDate: fields.expectedBillingDate ?? new Date(`${runLocalDate}T00:00:00Z`),
      });
      await app.prisma.billingAttempt.createMany({
        data: [
          ...["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "PROCESSING"].map((status) => attempt("2026-01-14", status)),
          attempt("2026-01-12", "SUCCEEDED"),
          // Due on Jan 10 (23:00 NZDT), before Jan 11 began, charged by Jan 12's run: caught up.
          attempt("2026-01-12", "SUCCEEDED", { expectedBillingDate: new Date("2026-01-10T10:00:00Z") }),
          // Due on Jan 11 at 10:00 NZDT, after that day's 09:00 run: Jan 12's to charge.
          attempt("2026-01-12", "SUCCEEDED", { expectedBillingDate: new Date("2026-01-10T21:00:00Z") }),
          attempt("2026-01-12", "REJECTED"),
          attempt("2025-12-20", "SUCCEEDED"),
          // Not counted: before the 30 days, a dunning retry, another shop's.
          attempt("2025-12-15", "SUCCEEDED"),
          attempt("2026-01-14", "SUCCEEDED", { attemptNumber: 2 }),
          attempt("2026-01-14", "SUCCEEDED", { shop: SHOP }),
        ],
      });
      const { runs } = await loadOverview();
      expect(runs.totals).toEqual({ charged: 7, failed: 2, pending: 1, caughtUp: 1, runDays: 3 });
      expect(runs.largestDay).toBe(5);
      // A billing hour changed since does not re-read the history.
      await app.prisma.billingSchedule.update({ where: { shop: OVERVIEW_SHOP }, data: { billingHour: 20 } });
      expect((await loadOverview()).runs.totals).toEqual(runs.totals);
      await app.prisma.billingSchedule.update({ where: { shop: OVERVIEW_SHOP }, data: { billingHour: 9 } });
      const day = (date: string) => runs.days.find((d) => d.localDate === date)!;
      expect(day("2026-01-14")).toMatchObject({ charged: 3, failed: 1, pending: 1, caughtUp: 0, description: "Wed, Jan 14: 3 charged, 1 failed, 1 not settled yet" });
      expect(day("2026-01-12")).toMatchObject({ charged: 3, failed: 1, caughtUp: 1, description: "Mon, Jan 12: 3 charged, 1 failed; 1 of them caught up from earlier days" });
      expect(day("2025-12-20")).toMatchObject({ charged: 1, label: "Dec 20, 2025", description: "Sat, Dec 20, 2025: 1 charged" });
    });

    it("counts recovery over 30 and 90 local days, overall and by decline category, with the formula; the revenue at risk", async () => {
      const tracker = (status: string, fields: Record<string, unknown>) => ({
        shop: OVERVIEW_SHOP,
        contractId: contractId(),
        billingCycleIndex: 1,
        status,
        openedAt: ago(120 * DAY),
        ...fields,
      });
      await app.prisma.dunningTracker.createMany({
        data: [
          tracker("RECOVERED", { lastErrorClass: "SOFT", recoveredAmount: "12.50", amount: "12.50", currencyCode: "USD", completedAt: ago(1 * DAY) }),
          tracker("RECOVERED", { lastErrorClass: "SOFT", recoveredAmount: "7.5", amount: "7.5", currencyCode: "USD", completedAt: ago(2 * DAY) }),
          tracker("RECOVERED", { lastErrorClass: "HARD", recoveredAmount: "10", amount: "10", currencyCode: "USD", completedAt: ago(3 * DAY) }),
          tracker("EXHAUSTED", { lastErrorClass: "SOFT", completedAt: ago(4 * DAY) }),
          tracker("STOPPED", { lastErrorClass: "MERCHANT", completedAt: ago(5 * DAY) }),
          tracker("ABANDONED", { lastErrorClass: "SOFT", completedAt: ago(6 * DAY) }),
          // In the 90 days only.
          tracker("RECOVERED", { lastErrorClass: "INVENTORY", recoveredAmount: "20.00", amount: "20.00", currencyCode: "EUR", completedAt: ago(60 * DAY) }),
          tracker("EXHAUSTED", { lastErrorClass: "HARD", completedAt: ago(45 * DAY) }),
          // Neither.
          tracker("RECOVERED", { lastErrorClass: "SOFT", recoveredAmount: "99", currencyCode: "USD", completedAt: ago(100 * DAY) }),
          // Open: at risk.
          tracker("OPEN", { lastErrorClass: "SOFT", amount: "12.50", currencyCode: "USD", openedAt: ago(DAY) }),
          tracker("OPEN", { lastErrorClass: "SOFT", amount: "12.50", currencyCode: "USD", openedAt: ago(DAY) }),
          tracker("WAITING_FOR_PAYMENT_METHOD", { lastErrorClass: "HARD", amount: "20", currencyCode: "USD", openedAt: ago(DAY) }),
          tracker("ACTION_REQUIRED", { lastErrorClass: "CHALLENGE", openedAt: ago(DAY) }),
        ],
      });
      const { recovery, atRisk } = await loadOverview();
      const [thirty, ninety] = recovery;
      expect(thirty).toEqual({
        days: 30,
        recoveredText: "$30.00",
        rateText: "60%",
        formulaText: "3 ÷ (3 + 1 + 1) = 60%",
        abandonedText: "1 closed without charging (the contract was paused or cancelled elsewhere, or the cycle skipped): not counted.",
        settled: 5,
        byCategory: [
          { label: "Temporary decline", text: "2 of 3 recovered (66.7%)", recoveredText: "$20.00" },
          { label: "Card needs updating", text: "1 of 1 recovered (100%)", recoveredText: "$10.00" },
          { label: "Shop setup problem", text: "0 of 1 recovered (0%)", recoveredText: null },
        ],
      });
      expect(ninety).toMatchObject({
        days: 90,
        recoveredText: "€20.00 and $30.00",
        rateText: "57.1%",
        formulaText: "4 ÷ (4 + 2 + 1) = 57.1%",
        settled: 7,
      });
      expect(ninety.byCategory.map((category) => [category.label, category.text])).toEqual([
        ["Temporary decline", "2 of 3 recovered (66.7%)"],
        ["Card needs updating", "1 of 2 recovered (50%)"],
        ["Out of stock", "1 of 1 recovered (100%)"],
        ["Shop setup problem", "0 of 1 recovered (0%)"],
      ]);
      expect(atRisk).toEqual({
        trackers: 4,
        amountText: "$45.00",
        statusText: "2 retrying, 1 waiting for a new card, 1 waiting for 3-D Secure",
        unknownText: "and 1 more whose amount is not known yet",
      });

      // In the merchant's locale: French amounts and rates.
      const french = await loadOverview("?locale=fr-FR");
      expect(french.recovery[0]).toMatchObject({ recoveredText: "30,00 $US", rateText: "60 %" });
      expect(french.billing.hourText).toBe("09:00");
    });

    it("lists what needs the merchant, one line per tracker, without resolved or dismissed ones; a dismissal hides the line", async () => {
      const open = await app.prisma.dunningTracker.findMany({ where: { shop: OVERVIEW_SHOP, status: { in: ["OPEN", "ACTION_REQUIRED"] } }, orderBy: { id: "asc" } });
      const [retrying, otherRetrying] = open.filter((t) => t.status === "OPEN");
      const challenged = open.find((t) => t.status === "ACTION_REQUIRED")!;
      const stopped = await app.prisma.dunningTracker.findFirstOrThrow({ where: { shop: OVERVIEW_SHOP, status: "STOPPED" } });
      const recovered = await app.prisma.dunningTracker.findFirstOrThrow({ where: { shop: OVERVIEW_SHOP, status: "RECOVERED" } });
      await app.prisma.dunningTracker.update({
        where: { id: retrying.id },
        data: { lastErrorClass: "INVENTORY", lastErrorCode: "INSUFFICIENT_INVENTORY", customerId: "gid://shopify/Customer/77" },
      });
      await app.prisma.dunningTracker.update({ where: { id: stopped.id }, data: { lastErrorCode: "PAYMENT_PROVIDER_IS_NOT_ENABLED" } });
      await app.prisma.customer.create({
        data: { shop: OVERVIEW_SHOP, customerId: "gid://shopify/Customer/77", displayName: "Aroha Ngata", email: "aroha@example.com", searchText: "aroha ngata", updatedAt: ago(DAY) },
      });
      const notice = (kind: string, trackerId: number | null, hoursAgo: number, extra: Record<string, unknown> = {}) =>
        app.prisma.merchantNotification.create({
          data: { shop: OVERVIEW_SHOP, kind, trackerId, message: `gid://shopify/SubscriptionContract/1 ${kind}`, createdAt: ago(hoursAgo * HOUR), ...extra },
        });
      await notice("INVENTORY_FAILURE", retrying.id, 10);
      await notice("DUNNING_STOPPED", stopped.id, 5);
      await notice("INVENTORY_FAILURE", recovered.id, 4);
      const newestInventory = await notice("INVENTORY_FAILURE", retrying.id, 3);
      await notice("CUSTOMER_ACTION_REQUIRED", challenged.id, 2);
      await notice("INVENTORY_FAILURE", otherRetrying.id, 0.5, { dismissedAt: ago(HOUR / 4) });
      await notice("CUSTOMER_DATA_REQUEST", null, 1, { message: "Shopify customer 77 asked for the data apps hold about them. This app holds nothing about them." });

      const { attention } = await loadOverview();
      expect(attention.more).toBe(false);
      expect(attention.lines.map((line) => [line.label, line.title, line.trackerId])).toEqual([
        ["Customer data request", "A customer asked for their data", null],
        ["Needs 3-D Secure", `Contract #${challenged.contractId.split("/").pop()}`, challenged.id],
        ["Out of stock", `Contract #${retrying.contractId.split("/").pop()} · Aroha Ngata`, retrying.id],
        ["Shop setup problem", `Contract #${stopped.contractId.split("/").pop()}`, stopped.id],
      ]);
      expect(attention.lines[0]).toMatchObject({
        text: "Shopify customer 77 asked for the data apps hold about them. This app holds nothing about them.",
        sinceText: "Since Wed, Jan 14, 10:00 PM NZDT",
      });
      expect(attention.lines[1].text).toBe("The customer's bank wants them to confirm the payment (3-D Secure). Shopify asks them; nothing is retried meanwhile.");
      expect(attention.lines[2]).toMatchObject({
        noticeId: newestInventory.id,
        text: "A product in the subscription is out of stock. Restock it so the next retry can charge $12.50; the customer is not emailed.",
        customerUrl: "shopify://admin/customers/77",
        sinceText: "Since Wed, Jan 14, 8:00 PM NZDT",
      });
      expect(attention.lines[3].text).toBe(
        "The shop's payment provider is not enabled. No retry can help until this is fixed in your shop's payment settings, so the payment is not retried.",
      );

      // Dismissing a line hides its tracker's older notices too.
      const dismiss = (id: string) => callAction(`${ROUTES}/app._index`, post("/app?index", OVERVIEW_SHOP, { intent: "dismiss", id }));
      expect(await answerOf(await dismiss(String(newestInventory.id)))).toEqual({ status: 200, body: { ok: true, dismissed: true } });
      expect(await app.prisma.merchantNotification.count({ where: { trackerId: retrying.id, dismissedAt: null } })).toBe(0);
      expect((await loadOverview()).attention.lines.map((line) => line.label)).toEqual(["Customer data request", "Needs 3-D Secure", "Shop setup problem"]);
      // Twice is harmless; another shop's notice, or a bad id, is not dismissed from here.
      expect(await answerOf(await dismiss(String(newestInventory.id)))).toEqual({ status: 200, body: { ok: true, dismissed: false } });
      const foreign = await app.prisma.merchantNotification.create({ data: { shop: SHOP, kind: "INVENTORY_FAILURE", message: "not yours" } });
      expect(await answerOf(await dismiss(String(foreign.id)))).toEqual({ status: 200, body: { ok: true, dismissed: false } });
      expect((await app.prisma.merchantNotification.findUniqueOrThrow({ where: { id: foreign.id } })).dismissedAt).toBeNull();
      expect((await answerOf(await dismiss("x"))).status).toBe(400);
    });

    it("shows the merchant no ids, codes, enums or ISO dates", async () => {
      const overview = await loadOverview();
      const shown = JSON.stringify({ ...overview, runs: { ...overview.runs, days: overview.runs.days.map(({ localDate: _key, ...day }) => day) } });
      expect(shown).not.toMatch(/gid:\/\//);
      expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}/);
      expect(shown).not.toMatch(/\b[A-Z]+_[A-Z_]+\b/);
      expect(shown).not.toMatch(/"(SOFT|HARD|INVENTORY|CHALLENGE|MERCHANT|OPEN|RECOVERED|SUCCEEDED|FAILED)"/);
    });

    it("reads a bounded number of statements, however much the shop holds", async () => {
      const statements = async () => {
        const before = databaseStatementCount();
        await loadOverview();
        return databaseStatementCount() - before;
      };
      const few = await statements();
      const trackers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          app.prisma.dunningTracker.create({
            data: { shop: OVERVIEW_SHOP, contractId: contractId(), billingCycleIndex: 1, status: "ACTION_REQUIRED", openedAt: ago(DAY), amount: `${i + 1}.00`, currencyCode: "USD" },
          }),
        ),
      );
      await app.prisma.merchantNotification.createMany({
        data: trackers.map((t) => ({ shop: OVERVIEW_SHOP, kind: "CUSTOMER_ACTION_REQUIRED", trackerId: t.id, message: "x", createdAt: ago(HOUR / 10) })),
      });
      await app.prisma.billingAttempt.createMany({
        data: Array.from({ length: 60 }, (_, i) => ({
          shop: OVERVIEW_SHOP,
          contractId: contractId(),
          billingCycleIndex: 1,
          attemptNumber: 1,
          idempotencyKey: `bounded-${i}`,
          status: i % 3 ? "SUCCEEDED" : "FAILED",
          runLocalDate: `2026-01-${String(1 + (i % 13)).padStart(2, "0")}`,
          expectedBillingDate: ago(5 * DAY),
        })),
      });
      expect(await statements()).toBe(few);
      const { attention } = await loadOverview();
      expect(attention.lines).toHaveLength(10);
      expect(attention.more).toBe(true);
    });
  });
});

// Pausing end to end: the billing endpoint against the store simulator, the webhook routes
// over HTTP, and the settings action as the merchant's click. The simulated clock (billing)
// and the process clock (the pages' "now") both start at START and are moved together.
describe.each(testProviders())("%s: a paused shop is neither billed nor dunned", (provider) => {
  const START = new Date("2026-01-14T10:00:00Z");
  const shop = "paused-billing.myshopify.com";
  let harness: BillingHarness;

  beforeAll(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const settingsAction = async (intent: string) =>
    answerOf(await callAction(`${ROUTES}/app.settings`, post("/app/settings", shop, { intent })));
  /** Calls the billing endpoint `ms` after START (the scheduler) and waits for Shopify's webhooks. */
  const runAt = async (ms: number) => {
    const { simulator } = harness;
    const before = simulator.billingAttempts(shop).length;
    simulator.clock.set(new Date(START.getTime() + ms));
    const summary = await harness.runBilling();
    await simulator.waitForIdle();
    return { summary, attemptsSent: simulator.billingAttempts(shop).length - before };
  };

  it("waits while paused (no run, retry, email or final action) and picks both up at the first call after resuming", async () => {
    const { simulator } = harness;
    await harness.install(shop);
    const failing = simulator.createContract(shop, {
      interval: "MONTH",
      nextBillingDate: new Date(START.getTime() - HOUR),
      amount: "29.00",
      paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }],
    });
    expect((await runAt(0)).attemptsSent).toBe(1);
    expect(await harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop } })).toMatchObject({ status: "OPEN", nextAction: "RETRY" });
    const emailsBefore = simulator.paymentUpdateEmails(shop).length;

    expect(await settingsAction("pause")).toMatchObject({ status: 200, body: { changed: true } });
    // While paused, the first contract's retry falls due (a day after its failure), and two
    // more contracts: one early in the pause, one in its last 2 days (the catch-up window).
    const early = simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(START.getTime() + DAY - HOUR), amount: "15.00" });
    const late = simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(START.getTime() + 2.5 * DAY), amount: "18.00" });
    for (const ms of [DAY + HOUR, 2 * DAY, 3 * DAY]) {
      const { summary, attemptsSent } = await runAt(ms);
      expect(attemptsSent).toBe(0);
      expect(summary.shops.due).toBe(0);
      expect(summary.dunning).toMatchObject({ due: 0, retriesSent: 0, emailsSent: 0, remaining: 0 });
    }
    expect((await harness.runBilling({ dryRun: true })).dunning.due).toBe(0);
    expect(simulator.paymentUpdateEmails(shop)).toHaveLength(emailsBefore);
    expect(simulator.contractActions(shop)).toEqual([]);

    // Resumed on day 3 (the page's clock moves with the scheduler's).
    moveProcessClock(3 * DAY);
    expect(await settingsAction("resume")).toMatchObject({ status: 200, body: { changed: true } });
    const { attemptsSent, summary } = await runAt(3 * DAY + HOUR);
    // The first contract's due retry, and the contract due in the catch-up window; not the one due early in the pause.
    expect(summary.dunning.retriesSent).toBe(1);
    expect(attemptsSent).toBe(2);
    const charged = simulator.billingAttempts(shop).map((attempt) => attempt.contractId);
    expect(charged).toContain(late.contractId);
    expect(charged).not.toContain(early.contractId);
    const tracker = await harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop, contractId: failing.contractId } });
    expect(tracker).toMatchObject({ status: "RECOVERED", recoveredAmount: "29.00" });
  });
});

describe.each(testProviders())("%s: notices leave the merchant's list once their tracker is resolved", (provider) => {
  const START = new Date("2026-01-14T10:00:00Z");
  let harness: BillingHarness;

  beforeAll(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const undismissed = (shop: string) => harness.prisma.merchantNotification.findMany({ where: { shop, dismissedAt: null } });

  it("keeps one notice per out-of-stock tracker, and none once its final action is applied", async () => {
    const { simulator } = harness;
    const shop = "restock.myshopify.com";
    await harness.install(shop);
    simulator.createContract(shop, {
      interval: "MONTH",
      nextBillingDate: new Date(START.getTime() - HOUR),
      amount: "29.00",
      paymentMethodOutcomes: [],
      defaultOutcome: { error: "INSUFFICIENT_INVENTORY" },
    });
    const runOnDay = async (days: number) => {
      simulator.clock.set(new Date(START.getTime() + days * DAY + (days ? HOUR : 0)));
      await harness.runBilling();
      await simulator.waitForIdle();
    };
    await runOnDay(0);
    await runOnDay(1);
    // The first failure's notice and the retry's: one shown.
    expect(await harness.prisma.merchantNotification.count({ where: { shop } })).toBe(2);
    expect(await undismissed(shop)).toHaveLength(1);
    await runOnDay(3.1);
    await runOnDay(3.2);
    expect(await harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop } })).toMatchObject({ status: "EXHAUSTED" });
    expect(await undismissed(shop)).toEqual([]);
  });

  it("takes a 3-D Secure notice off once the customer completes the challenge", async () => {
    const { simulator } = harness;
    const shop = "challenge-done.myshopify.com";
    await harness.install(shop);
    simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(simulator.clock.now().getTime() - HOUR), amount: "29.00", paymentMethodOutcomes: ["action_required"] });
    await harness.runBilling();
    await simulator.waitForIdle();
    expect((await undismissed(shop)).map((notice) => notice.kind)).toEqual(["CUSTOMER_ACTION_REQUIRED"]);
    const challenged = simulator.webhookDeliveries.find((record) => record.shop === shop && record.topic.endsWith("/challenged"))!;
    const answer = await simulator.deliverWebhook({
      shop,
      topic: "subscription_billing_attempts/success",
      payload: { ...(challenged.payload as object), admin_graphql_api_order_id: "gid://shopify/Order/424243", ready: true },
      path: `${harness.webhookUrl}/webhooks/subscription_billing_attempts`,
    });
    expect(answer.status).toBe(200);
    expect(await harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop } })).toMatchObject({ status: "RECOVERED" });
    expect(await undismissed(shop)).toEqual([]);
  });
});
