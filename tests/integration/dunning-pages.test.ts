import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { describeLocalTime } from "../../app/time/due-time";
import { DEFAULT_DUNNING_POLICY, policyFields } from "../../app/dunning/policy";
import type { DunningOverview, TrackerHistory } from "../../app/dunning/dunning-views.server";
import type { StoreSimulator } from "../../simulator/store-simulator";
import {
  BROWSER_USER_AGENT,
  callAction,
  callLoader,
  embeddedAdminRequest,
  runAppInProcess,
  startTestSimulator,
  testEnvironment,
} from "../support/app-under-test";
import { createMigratedDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { pinProcessClock, PINNED_NOW, unpinProcessClock } from "../support/pinned-clock";
import { testProviders } from "../support/providers";

const ROUTES = "../../app/routes";
const DAY = 24 * 3600_000;
const TIME_ZONE = "Pacific/Auckland";
/**
 * The process clock, pinned there for each provider's run: the pages read it as "now", and
 * rows are planted relative to it (a run takes seconds; the pages count in days).
 */
const NOW = PINNED_NOW.getTime();

/** A form post from the embedded admin (App Bridge's session token rides in the URL here). */
function embeddedAdminPost(path: string, shop: string, fields: Record<string, string>): Request {
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
  if (value?.type === "DataWithResponseInit") {
    return { status: value.init?.status ?? 200, body: value.data as Record<string, unknown> };
  }
  return { status: 200, body: result as Record<string, unknown> };
}

/** The tracker page's loader with its route parameter, as Remix calls it; a thrown Response is returned. */
async function loadTrackerPage(shop: string, id: string): Promise<{ history: TrackerHistory } | Response> {
  const route = (await import(/* @vite-ignore */ `${ROUTES}/app.dunning.$id`)) as {
    loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<{ history: TrackerHistory }>;
  };
  try {
    return await route.loader({ request: embeddedAdminRequest(`/app/dunning/${id}`, shop), params: { id }, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const VALID_POLICY = {
  retryCount: "3",
  retryDelaysDays: "2,4",
  finalAction: "CANCEL",
  inventoryRetryCount: "0",
  inventoryRetryDelaysDays: "",
  inventoryFinalAction: "SKIP",
  sendPaymentUpdateEmail: "false",
  paymentUpdateEmailIntervalHours: "48",
};

describe.each(testProviders())("%s: dunning pages", (provider) => {
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let prisma: PrismaClient;

  beforeAll(async () => {
    pinProcessClock(PINNED_NOW);
    database = await createMigratedDatabase(provider);
    simulator = await startTestSimulator();
    ({ prisma } = await runAppInProcess(testEnvironment(database, simulator)));
  });
  afterAll(async () => {
    try {
      await prisma?.$disconnect();
      await simulator?.close();
      await database?.drop();
    } finally {
      unpinProcessClock();
    }
  });

  async function install(shop: string) {
    simulator.upsertShop(shop, { ianaTimezone: TIME_ZONE });
    await callLoader(`${ROUTES}/app._index`, embeddedAdminRequest("/app", shop));
  }

  let contractNumber = 1000;
  function trackerData(shop: string, fields: Record<string, unknown> & { openedAt?: Date }) {
    contractNumber += 1;
    return {
      shop,
      contractId: `gid://shopify/SubscriptionContract/${contractNumber}`,
      billingCycleIndex: 3,
      openedAt: new Date(NOW - 5 * DAY),
      ...fields,
    };
  }

  describe("settings", () => {
    const shop = "settings-store.myshopify.com";
    beforeAll(() => install(shop));

    const loadSettings = () =>
      callLoader<{ fields: Record<string, unknown>; defaults: Record<string, unknown> }>(
        `${ROUTES}/app.settings`,
        embeddedAdminRequest("/app/settings", shop),
      );

    it("the loader returns the defaults while the shop has saved nothing", async () => {
      const defaults = policyFields(DEFAULT_DUNNING_POLICY);
      expect(await loadSettings()).toEqual({ fields: defaults, defaults });
    });

    it("the action saves a valid policy, which the loader then returns", async () => {
      const answer = await answerOf(await callAction(`${ROUTES}/app.settings`, embeddedAdminPost("/app/settings", shop, VALID_POLICY)));
      expect(answer).toEqual({ status: 200, body: { ok: true } });

      const row = await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop } });
      expect(row).toMatchObject({
        retryCount: 3,
        retryDelaysDays: "2, 4",
        finalAction: "CANCEL",
        inventoryRetryCount: 0,
        inventoryRetryDelaysDays: "",
        inventoryFinalAction: "SKIP",
        sendPaymentUpdateEmail: false,
        paymentUpdateEmailIntervalHours: 48,
      });
      const settings = await loadSettings();
      expect(settings).toMatchObject({
        fields: { retryCount: 3, retryDelaysDays: "2, 4", finalAction: "CANCEL", sendPaymentUpdateEmail: false, paymentUpdateEmailIntervalHours: 48 },
        defaults: policyFields(DEFAULT_DUNNING_POLICY),
      });
    });

    it("an invalid policy answers 400 with each error on its field, echoes the input and saves nothing", async () => {
      const before = await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop } });
      const typed = {
        ...VALID_POLICY,
        retryCount: "3",
        retryDelaysDays: "",
        inventoryRetryCount: "2",
        inventoryRetryDelaysDays: "1,-2",
        sendPaymentUpdateEmail: "true",
      };
      const answer = await answerOf(await callAction(`${ROUTES}/app.settings`, embeddedAdminPost("/app/settings", shop, typed)));
      expect(answer.status).toBe(400);
      expect(answer.body.ok).toBe(false);
      const errors = answer.body.errors as Record<string, string>;
      expect(Object.keys(errors).sort()).toEqual(["inventoryRetryDelaysDays", "retryDelaysDays"]);
      expect(errors.retryDelaysDays).toMatch(/no delays are given/);
      expect(errors.inventoryRetryDelaysDays).toMatch(/"-2".*cannot be negative/);
      // What the merchant typed comes back as typed.
      expect(answer.body.fields).toEqual(typed);

      const after = await prisma.dunningPolicy.findUniqueOrThrow({ where: { shop } });
      expect(after).toEqual(before);
      expect(await prisma.dunningPolicy.count({ where: { shop } })).toBe(1);
    });

    it("a shop without a saved policy still has none after an invalid save", async () => {
      const other = "settings-fresh.myshopify.com";
      await install(other);
      const answer = await answerOf(
        await callAction(`${ROUTES}/app.settings`, embeddedAdminPost("/app/settings", other, { ...VALID_POLICY, sendPaymentUpdateEmail: "" })),
      );
      expect(answer.status).toBe(400);
      expect(Object.keys(answer.body.errors as object)).toEqual(["sendPaymentUpdateEmail"]);
      expect(await prisma.dunningPolicy.count({ where: { shop: other } })).toBe(0);
    });
  });

  describe("overview", () => {
    const shop = "dunning-overview.myshopify.com";
    const otherShop = "someone-else.myshopify.com";
    const loadOverview = async () => {
      const data = await callLoader<{ overview: DunningOverview }>(`${ROUTES}/app.dunning._index`, embeddedAdminRequest("/app/dunning", shop));
      if (data instanceof Response) throw new Error(`overview answered ${data.status}`);
      return data.overview;
    };

    it("shows an empty overview for a shop with no dunning", async () => {
      await install(shop);
      const overview = await loadOverview();
      expect(overview).toMatchObject({
        timezone: TIME_ZONE,
        openTotal: 0,
        closedTotal: 0,
        recoveryRate: null,
        recoveredAmounts: [],
        openTrackers: [],
        closedTrackers: [],
        notifications: [],
      });
      expect(overview.openCounts).toEqual({ OPEN: 0, WAITING_FOR_PAYMENT_METHOD: 0, ACTION_REQUIRED: 0 });
    });

    it("counts open and recently closed trackers, the recovery rate and the recovered amounts per currency", async () => {
      const now = NOW;
      const retryAt = new Date(now + 2 * DAY);
      const finalAt = new Date(now + 3 * DAY);
      const waitUntil = new Date(now + 6 * DAY);
      const ago = (days: number) => new Date(now - days * DAY);
      await prisma.dunningTracker.createMany({
        data: [
          trackerData(shop, { status: "OPEN", nextAction: "RETRY", nextActionAt: retryAt, attemptCount: 2, lastErrorCode: "INSUFFICIENT_FUNDS", lastErrorClass: "SOFT", openedAt: ago(4), amount: "12.50", currencyCode: "USD" }),
          trackerData(shop, { status: "OPEN", nextAction: "FINAL_ACTION", nextActionAt: finalAt, finalAction: "PAUSE", attemptCount: 5, openedAt: ago(3) }),
          trackerData(shop, { status: "OPEN", nextAction: null, attemptCount: 3, openedAt: ago(2) }),
          trackerData(shop, { status: "WAITING_FOR_PAYMENT_METHOD", nextAction: "FINAL_ACTION", nextActionAt: waitUntil, finalAction: "PAUSE", lastErrorCode: "EXPIRED_PAYMENT_METHOD", lastErrorClass: "HARD", openedAt: ago(1) }),
          trackerData(shop, { status: "ACTION_REQUIRED", lastErrorCode: "AUTHENTICATION_ERROR", lastErrorClass: "CHALLENGE", openedAt: ago(6) }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "12.50", amount: "12.50", currencyCode: "USD", completedAt: ago(1), completedReason: "Retry 1 succeeded." }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "7.5", amount: "7.5", currencyCode: "USD", completedAt: ago(2), completedReason: "Retry 2 succeeded." }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "10", amount: "10", currencyCode: "EUR", completedAt: ago(3), completedReason: "Retry 1 succeeded." }),
          trackerData(shop, { status: "EXHAUSTED", finalAction: "PAUSE", completedAt: ago(4), completedReason: "All 4 retries failed: pausing the contract." }),
          trackerData(shop, { status: "STOPPED", completedAt: ago(5), completedReason: "Payment gateway not configured." }),
          trackerData(shop, { status: "ABANDONED", completedAt: ago(6), completedReason: "The contract was cancelled." }),
          // Closed before the 30-day window: not counted.
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "99.00", currencyCode: "USD", openedAt: ago(45), completedAt: ago(40) }),
          trackerData(shop, { status: "EXHAUSTED", openedAt: ago(45), completedAt: ago(31) }),
          // Another shop's trackers are never shown.
          trackerData(otherShop, { status: "OPEN", nextAction: "RETRY", nextActionAt: retryAt }),
          trackerData(otherShop, { status: "RECOVERED", recoveredAmount: "500", currencyCode: "USD", completedAt: ago(1) }),
        ],
      });

      const overview = await loadOverview();
      expect(overview.openCounts).toEqual({ OPEN: 3, WAITING_FOR_PAYMENT_METHOD: 1, ACTION_REQUIRED: 1 });
      expect(overview.openTotal).toBe(5);
      expect(overview.closedCounts).toEqual({ RECOVERED: 3, EXHAUSTED: 1, ABANDONED: 1, STOPPED: 1 });
      expect(overview.closedTotal).toBe(6);
      // 3 recovered out of 3 + 1 exhausted + 1 stopped; abandoned ones are not counted.
      expect(overview.recoveryRate).toBeCloseTo(0.6);
      expect(overview.recoveredAmounts).toEqual([
        { currencyCode: "EUR", amount: "10.00", display: "€10.00" },
        { currencyCode: "USD", amount: "20.00", display: "$20.00" },
      ]);

      // Newest first, with the next step in words and in the shop's time zone.
      expect(overview.openTrackers.map((t) => t.status)).toEqual(["WAITING_FOR_PAYMENT_METHOD", "OPEN", "OPEN", "OPEN", "ACTION_REQUIRED"]);
      expect(overview.openTrackers.map((t) => t.nextStep)).toEqual([
        `Waiting for the customer's new payment method until ${describeLocalTime(waitUntil, TIME_ZONE)}`,
        "Retry in flight",
        `Final action (PAUSE) at ${describeLocalTime(finalAt, TIME_ZONE)}`,
        `Retry at ${describeLocalTime(retryAt, TIME_ZONE)}`,
        "Waiting for 3-D Secure",
      ]);
      expect(overview.openTrackers[3]).toMatchObject({
        contractNumber: expect.stringMatching(/^\d+$/),
        billingCycleIndex: 3,
        attemptCount: 2,
        lastErrorCode: "INSUFFICIENT_FUNDS",
        lastErrorClass: "SOFT",
        nextAction: "RETRY",
        nextActionAt: retryAt.toISOString(),
        amount: "12.50",
        currencyCode: "USD",
        amountDisplay: "$12.50",
        statusLabel: "Retrying",
      });
      expect(overview.openTrackers[3].nextActionAtLocal).toMatch(/NZ[DS]T$/);

      expect(overview.closedTrackers.map((t) => t.status)).toEqual(["RECOVERED", "RECOVERED", "RECOVERED", "EXHAUSTED", "STOPPED", "ABANDONED"]);
      expect(overview.closedTrackers[0]).toMatchObject({ completedReason: "Retry 1 succeeded.", nextStep: null });
      expect(overview.closedTrackers[5].completedAtLocal).toMatch(/NZ[DS]T$/);
    });

    it("shows undismissed notifications newest first; dismissing one hides it, another shop's stays", async () => {
      const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000);
      const older = await prisma.merchantNotification.create({
        data: { shop, kind: "INVENTORY_FAILURE", message: "Contract 1, cycle 3 is out of stock.", createdAt: at(30) },
      });
      const newer = await prisma.merchantNotification.create({
        data: { shop, kind: "DUNNING_STOPPED", message: "Contract 2: dunning stopped.", createdAt: at(10) },
      });
      await prisma.merchantNotification.create({
        data: { shop, kind: "INVENTORY_FAILURE", message: "Seen already.", createdAt: at(5), dismissedAt: at(1) },
      });
      const foreign = await prisma.merchantNotification.create({ data: { shop: otherShop, kind: "DUNNING_STOPPED", message: "Not yours." } });

      expect((await loadOverview()).notifications.map((n) => n.id)).toEqual([newer.id, older.id]);

      const dismiss = (id: number) =>
        callAction(`${ROUTES}/app.dunning._index`, embeddedAdminPost("/app/dunning?index", shop, { intent: "dismiss", id: String(id) }));
      expect(await answerOf(await dismiss(newer.id))).toEqual({ status: 200, body: { ok: true, dismissed: true } });
      expect((await loadOverview()).notifications.map((n) => n.id)).toEqual([older.id]);
      expect((await prisma.merchantNotification.findUniqueOrThrow({ where: { id: newer.id } })).dismissedAt).toBeInstanceOf(Date);

      // Another shop's notification cannot be dismissed from here.
      expect(await answerOf(await dismiss(foreign.id))).toEqual({ status: 200, body: { ok: true, dismissed: false } });
      expect((await prisma.merchantNotification.findUniqueOrThrow({ where: { id: foreign.id } })).dismissedAt).toBeNull();

      const bad = await answerOf(
        await callAction(`${ROUTES}/app.dunning._index`, embeddedAdminPost("/app/dunning?index", shop, { intent: "dismiss", id: "x" })),
      );
      expect(bad.status).toBe(400);
    });
  });

  describe("tracker page", () => {
    const shop = "tracker-history.myshopify.com";
    const otherShop = "tracker-other.myshopify.com";

    it("returns the tracker and its history in time order (ties by id)", async () => {
      await install(shop);
      const openedAt = new Date(NOW - 3 * DAY);
      const tracker = await prisma.dunningTracker.create({
        data: trackerData(shop, { status: "OPEN", nextAction: "RETRY", nextActionAt: new Date(NOW + DAY), attemptCount: 2, openedAt, lastErrorCode: "CARD_DECLINED", lastErrorClass: "SOFT" }),
      });
      const event = (minutesAfterOpen: number, kind: string, status: string, detail: string, extra: object = {}) => ({
        trackerId: tracker.id,
        shop,
        at: new Date(openedAt.getTime() + minutesAfterOpen * 60_000),
        kind,
        status,
        detail,
        ...extra,
      });
      // Written out of order: the page orders them by time, then by id.
      await prisma.dunningEvent.create({ data: event(24 * 60, "RETRY_SENT", "OPEN", "Retry 1 sent to Shopify.", { attemptNumber: 2 }) });
      await prisma.dunningEvent.create({
        data: event(0, "OPENED_RETRY_SCHEDULED", "OPEN", "The charge failed with CARD_DECLINED: retry 1 of 4 in 1 day.", { attemptNumber: 1, errorCode: "CARD_DECLINED" }),
      });
      await prisma.dunningEvent.create({ data: event(0, "EMAIL_SENT", "OPEN", "Shopify emailed the customer a link to update their payment method.") });
      await prisma.dunningEvent.create({ data: event(25 * 60, "RETRY_SCHEDULED", "OPEN", "Retry 1 failed with CARD_DECLINED: retry 2 of 4 in 3 days.", { attemptNumber: 2, errorCode: "CARD_DECLINED" }) });
      // Another tracker's event is not part of this history.
      const other = await prisma.dunningTracker.create({ data: trackerData(otherShop, { status: "OPEN" }) });
      await prisma.dunningEvent.create({ data: { ...event(1, "RETRY_SENT", "OPEN", "Someone else's."), trackerId: other.id, shop: otherShop } });

      const page = await loadTrackerPage(shop, String(tracker.id));
      if (page instanceof Response) throw new Error(`tracker page answered ${page.status}`);
      const { history } = page;
      expect(history.tracker).toMatchObject({ id: tracker.id, attemptCount: 2, lastErrorCode: "CARD_DECLINED", status: "OPEN" });
      expect(history.tracker.nextStep).toMatch(/^Retry at .*NZ[DS]T$/);
      expect(history.events.map((e) => [e.kind, e.kindLabel])).toEqual([
        ["OPENED_RETRY_SCHEDULED", "Opened: retry scheduled"],
        ["EMAIL_SENT", "Payment-update email sent"],
        ["RETRY_SENT", "Retry sent to Shopify"],
        ["RETRY_SCHEDULED", "Retry scheduled"],
      ]);
      expect(history.events[0]).toMatchObject({
        at: openedAt.toISOString(),
        atLocal: describeLocalTime(openedAt, TIME_ZONE),
        status: "OPEN",
        statusLabel: "Retrying",
        attemptNumber: 1,
        errorCode: "CARD_DECLINED",
        detail: "The charge failed with CARD_DECLINED: retry 1 of 4 in 1 day.",
      });
    });

    it("answers 404 for another shop's tracker and for unknown ids", async () => {
      await install(otherShop);
      const foreign = await prisma.dunningTracker.findFirstOrThrow({ where: { shop: otherShop } });
      // The other shop sees its own tracker...
      expect(await loadTrackerPage(otherShop, String(foreign.id))).not.toBeInstanceOf(Response);
      // ...and this shop does not.
      for (const id of [String(foreign.id), "987654", "abc", "0"]) {
        const answer = await loadTrackerPage(shop, id);
        expect(answer).toBeInstanceOf(Response);
        expect((answer as Response).status).toBe(404);
      }
    });
  });
});
