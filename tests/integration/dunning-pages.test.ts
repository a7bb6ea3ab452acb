import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { searchKey } from "../../app/customers/customer-records.server";
import { MerchantFormat } from "../../app/format/merchant-format";
import { DEFAULT_DUNNING_POLICY, policyFields } from "../../app/dunning/policy";
import type { TrackerListPage, TrackerPage } from "../../app/dunning/dunning-views.server";
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
async function loadTrackerPage(shop: string, id: string, search = ""): Promise<{ page: TrackerPage } | Response> {
  const route = (await import(/* @vite-ignore */ `${ROUTES}/app.dunning.$id`)) as {
    loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<{ page: TrackerPage }>;
  };
  try {
    return await route.loader({ request: embeddedAdminRequest(`/app/dunning/${id}${search}`, shop), params: { id }, context: {} });
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
      // The page also shows the billing hour since issue 12 (tests/integration/overview-settings.test.ts).
      expect(await loadSettings()).toMatchObject({ fields: defaults, defaults });
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

  /** The dunning list's loader at `search` (URL parameters), as the merchant's browser asks for it. */
  const loadList = async (shop: string, search = "", headers: Record<string, string> = {}) => {
    const request = embeddedAdminRequest(`/app/dunning${search}`, shop);
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    const data = await callLoader<{ trackers: TrackerListPage }>(`${ROUTES}/app.dunning._index`, request);
    if (data instanceof Response) throw new Error(`the dunning list answered ${data.status}`);
    return data.trackers;
  };
  /** How the pages write an instant for a merchant of `locale` in the shop's zone. */
  const shown = (at: Date, locale = "en-US") => new MerchantFormat({ locale, timeZone: TIME_ZONE, now: new Date(NOW) }).dateTime(at);
  const customer = (shop: string, id: number, displayName: string, email: string) =>
    prisma.customer.create({ data: { shop, customerId: `gid://shopify/Customer/${id}`, displayName, email, searchText: searchKey(`${displayName} ${email}`), updatedAt: new Date(NOW) } });

  describe("the dunning list", () => {
    const shop = "dunning-overview.myshopify.com";
    const otherShop = "someone-else.myshopify.com";

    it("is empty for a shop with no dunning, with zero counts", async () => {
      await install(shop);
      const list = await loadList(shop);
      expect(list).toMatchObject({ timezone: TIME_ZONE, rows: [], nextCursor: null, previousCursor: null, tabCounts: { open: 0, closed: 0, all: 0 } });
      expect(list.summary).toMatchObject({ openTotal: 0, closedTotal: 0, recoveryRate: null, recoveredAmounts: [] });
      expect(list.summary.openCounts).toEqual({ OPEN: 0, WAITING_FOR_PAYMENT_METHOD: 0, ACTION_REQUIRED: 0 });
    });

    it("counts open and recently closed trackers, the recovery rate and the recovered amounts per currency, and lists the open ones by next step", async () => {
      const now = NOW;
      const retryAt = new Date(now + 2 * DAY);
      const finalAt = new Date(now + 3 * DAY);
      const waitUntil = new Date(now + 6 * DAY);
      const ago = (days: number) => new Date(now - days * DAY);
      await customer(shop, 501, "José Núñez", "jose@example.com");
      await customer(shop, 502, "Ada Lovelace", "ada@example.org");
      await prisma.dunningTracker.createMany({
        data: [
          trackerData(shop, { status: "OPEN", nextAction: "RETRY", nextActionAt: retryAt, attemptCount: 2, lastErrorCode: "insufficient_funds", lastErrorClass: "SOFT", openedAt: ago(4), amount: "12.50", currencyCode: "USD", customerId: "gid://shopify/Customer/501" }),
          trackerData(shop, { status: "OPEN", nextAction: "FINAL_ACTION", nextActionAt: finalAt, finalAction: "PAUSE", attemptCount: 5, openedAt: ago(3) }),
          trackerData(shop, { status: "OPEN", nextAction: null, attemptCount: 3, openedAt: ago(2) }),
          trackerData(shop, { status: "WAITING_FOR_PAYMENT_METHOD", nextAction: "FINAL_ACTION", nextActionAt: waitUntil, finalAction: "PAUSE", lastErrorCode: "expired_payment_method", lastErrorClass: "HARD", openedAt: ago(1), customerId: "gid://shopify/Customer/502" }),
          trackerData(shop, { status: "ACTION_REQUIRED", lastErrorCode: "authentication_error", lastErrorClass: "CHALLENGE", openedAt: ago(6) }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "12.50", amount: "12.50", currencyCode: "USD", completedAt: ago(1), completedReason: "Retry 1 succeeded." }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "7.5", amount: "7.5", currencyCode: "USD", completedAt: ago(2), completedReason: "Retry 2 succeeded." }),
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "10", amount: "10", currencyCode: "EUR", completedAt: ago(3), completedReason: "Retry 1 succeeded." }),
          trackerData(shop, { status: "EXHAUSTED", finalAction: "PAUSE", completedAt: ago(4), completedReason: "All 4 retries failed: pausing the contract." }),
          trackerData(shop, { status: "STOPPED", completedAt: ago(5), completedReason: "Payment gateway not configured." }),
          trackerData(shop, { status: "ABANDONED", completedAt: ago(6), completedReason: "The contract was cancelled." }),
          // Closed before the 30-day window: not in the summary.
          trackerData(shop, { status: "RECOVERED", recoveredAmount: "99.00", currencyCode: "USD", openedAt: ago(45), completedAt: ago(40) }),
          trackerData(shop, { status: "EXHAUSTED", openedAt: ago(45), completedAt: ago(31) }),
          // Another shop's trackers are never shown.
          trackerData(otherShop, { status: "OPEN", nextAction: "RETRY", nextActionAt: retryAt }),
          trackerData(otherShop, { status: "RECOVERED", recoveredAmount: "500", currencyCode: "USD", completedAt: ago(1) }),
        ],
      });

      const list = await loadList(shop);
      const { summary } = list;
      expect(summary.openCounts).toEqual({ OPEN: 3, WAITING_FOR_PAYMENT_METHOD: 1, ACTION_REQUIRED: 1 });
      expect(summary.openTotal).toBe(5);
      expect(summary.closedCounts).toEqual({ RECOVERED: 3, EXHAUSTED: 1, ABANDONED: 1, STOPPED: 1 });
      expect(summary.closedTotal).toBe(6);
      // 3 recovered out of 3 + 1 exhausted + 1 stopped; abandoned ones are not counted.
      expect(summary.recoveryRate).toBeCloseTo(0.6);
      expect(summary.recoveryRateLabel).toBe("60%");
      expect(summary.recoveredAmounts).toEqual([
        { currencyCode: "EUR", amount: "10.00", display: "€10.00" },
        { currencyCode: "USD", amount: "20.00", display: "$20.00" },
      ]);
      expect(list.tabCounts).toEqual({ open: 5, closed: 8, all: 13 });
      expect(list.totalLabel).toBe("5 failed payments");

      // Open ones by next step (soonest first, those waiting on nothing dated last), in words and in the shop's time.
      expect(list.rows.map((row) => row.statusLabel)).toEqual(["Retrying", "Retrying", "Waiting for payment method", "Retrying", "Needs 3-D Secure"]);
      expect(list.rows.map((row) => row.nextStep)).toEqual([
        `Retry on ${shown(retryAt)}`,
        `Pause the contract on ${shown(finalAt)}`,
        `Waiting for the customer's new payment method until ${shown(waitUntil)}, then: pause the contract`,
        "Retry with Shopify, waiting for its result",
        "Waiting for the customer to complete 3-D Secure",
      ]);
      expect(list.rows[0]).toMatchObject({
        customer: { name: "José Núñez", email: "jose@example.com" },
        contractNumber: expect.stringMatching(/^\d+$/),
        billingCycleIndex: 3,
        attemptCount: 2,
        declineCategory: "Temporary decline",
        lastError: "The card had insufficient funds.",
        amount: "$12.50",
      });
      expect(list.rows[0].opened).toMatch(/NZ[DS]T$/);
      // Nothing a merchant should not read: no GIDs, codes or enums.
      expect(JSON.stringify(list.rows)).not.toMatch(/gid:\/\/|_[a-z]+_|[A-Z]{3,}_[A-Z]|"(PAUSE|OPEN|RETRY)"/);

      // The merchant's locale (the browser's, when admin gave none): dates and money in French.
      const french = await loadList(shop, "", { "Accept-Language": "fr-FR,fr;q=0.9" });
      expect(french.rows[0].nextStep).toBe(`Retry on ${shown(retryAt, "fr-FR")}`);
      expect(french.rows[0].amount?.replace(/\u202f|\u00a0/g, " ")).toBe("12,50 $US");
    });

    it("filters by status and decline category, and searches customers (any case, no accents) and contract numbers", async () => {
      const statuses = (search: string) => loadList(shop, search).then((list) => list.rows.map((row) => row.statusLabel));
      expect(await statuses("?status=WAITING_FOR_PAYMENT_METHOD&status=ACTION_REQUIRED")).toEqual(["Waiting for payment method", "Needs 3-D Secure"]);
      expect(await statuses("?category=HARD")).toEqual(["Waiting for payment method"]);
      expect(await statuses("?tab=closed&category=SOFT")).toEqual([]);
      const names = (search: string) => loadList(shop, search).then((list) => list.rows.map((row) => row.customer?.name));
      expect(await names("?query=jose")).toEqual(["José Núñez"]);
      expect(await names("?query=NUÑEZ")).toEqual(["José Núñez"]);
      expect(await names("?query=ada%40example")).toEqual(["Ada Lovelace"]);
      expect(await names("?query=nobody")).toEqual([]);
      const [first] = (await loadList(shop)).rows;
      const byContract = await loadList(shop, `?query=%23${first.contractNumber}`);
      expect(byContract.rows.map((row) => row.id)).toEqual([first.id]);
      // Closed ones, newest first, say how they ended.
      const closed = await loadList(shop, "?tab=closed&sort=opened+desc");
      expect(closed.rows).toHaveLength(8);
      expect(closed.rows.find((row) => row.statusLabel === "Retries exhausted")?.nextStep).toMatch(/^Contract paused on \w{3} \d+$/);
      // Unknown values are left out, not refused.
      expect((await loadList(shop, "?tab=everything&status=NOPE&category=x&sort=sideways")).rows).toHaveLength(5);
    });

    it("pages through many trackers by keyset, forwards and back, in every sort", async () => {
      const paged = "dunning-many.myshopify.com";
      await install(paged);
      await prisma.dunningTracker.createMany({
        data: Array.from({ length: 60 }, (_, i) =>
          trackerData(paged, {
            status: "OPEN",
            nextAction: i % 3 === 0 ? null : "RETRY",
            // Ties on purpose: ids break them.
            nextActionAt: i % 3 === 0 ? null : new Date(NOW + (i % 7) * DAY),
            openedAt: new Date(NOW - (i % 5) * DAY),
          }),
        ),
      });
      for (const sort of ["next+asc", "opened+desc", "opened+asc"]) {
        const seen: number[] = [];
        let list = await loadList(paged, `?sort=${sort}`);
        const first = list.rows.map((row) => row.id);
        expect(list.previousCursor).toBeNull();
        for (;;) {
          seen.push(...list.rows.map((row) => row.id));
          if (!list.nextCursor) break;
          list = await loadList(paged, `?sort=${sort}&after=${list.nextCursor}`);
        }
        expect(seen).toHaveLength(60);
        expect(new Set(seen).size).toBe(60);
        // Back from the second page comes the first.
        const second = await loadList(paged, `?sort=${sort}&after=${(await loadList(paged, `?sort=${sort}`)).nextCursor}`);
        const back = await loadList(paged, `?sort=${sort}&before=${second.previousCursor}`);
        expect(back.rows.map((row) => row.id)).toEqual(first);
      }
      const trackers = await prisma.dunningTracker.findMany({ where: { shop: paged } });
      const bySort = (await loadList(paged)).rows.map((row) => trackers.find((tracker) => tracker.id === row.id)!.nextActionAt?.getTime() ?? Infinity);
      expect(bySort).toEqual([...bySort].sort((a, b) => a - b));
    });

    it("no longer lists notices (the overview does); the dismiss action still hides one, and not another shop's", async () => {
      const notice = await prisma.merchantNotification.create({ data: { shop, kind: "DUNNING_STOPPED", message: "Contract 2: dunning stopped." } });
      const foreign = await prisma.merchantNotification.create({ data: { shop: otherShop, kind: "DUNNING_STOPPED", message: "Not yours." } });
      expect(await loadList(shop)).not.toHaveProperty("notifications");

      const dismiss = (id: number) =>
        callAction(`${ROUTES}/app.dunning._index`, embeddedAdminPost("/app/dunning?index", shop, { intent: "dismiss", id: String(id) }));
      expect(await answerOf(await dismiss(notice.id))).toEqual({ status: 200, body: { ok: true, dismissed: true } });
      expect((await prisma.merchantNotification.findUniqueOrThrow({ where: { id: notice.id } })).dismissedAt).toBeInstanceOf(Date);
      expect(await answerOf(await dismiss(foreign.id))).toEqual({ status: 200, body: { ok: true, dismissed: false } });
      expect((await prisma.merchantNotification.findUniqueOrThrow({ where: { id: foreign.id } })).dismissedAt).toBeNull();
      const bad = await answerOf(await callAction(`${ROUTES}/app.dunning._index`, embeddedAdminPost("/app/dunning?index", shop, { intent: "dismiss", id: "x" })));
      expect(bad.status).toBe(400);
    });
  });

  describe("tracker page", () => {
    const shop = "tracker-history.myshopify.com";
    const otherShop = "tracker-other.myshopify.com";

    it("shows the customer, the amount and links, and its history newest first (ties by id), worded for the merchant", async () => {
      await install(shop);
      await customer(shop, 77, "Grace Hopper", "grace@example.com");
      const openedAt = new Date(NOW - 3 * DAY);
      const tracker = await prisma.dunningTracker.create({
        data: trackerData(shop, {
          status: "OPEN",
          nextAction: "RETRY",
          nextActionAt: new Date(NOW + DAY),
          attemptCount: 2,
          openedAt,
          lastErrorCode: "card_declined",
          lastErrorClass: "SOFT",
          customerId: "gid://shopify/Customer/77",
          amount: "29.00",
          currencyCode: "NZD",
        }),
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
        data: event(0, "OPENED_RETRY_SCHEDULED", "OPEN", "The charge failed with card_declined: retry 1 of 4 in 1 day.", { attemptNumber: 1, errorCode: "card_declined" }),
      });
      await prisma.dunningEvent.create({ data: event(0, "EMAIL_SENT", "OPEN", "Shopify emailed the customer a link to update their payment method.") });
      await prisma.dunningEvent.create({
        data: event(25 * 60, "EMAIL_NOT_SENT", "OPEN", `A payment-update email went out at ${openedAt.toISOString()}; at most one per 72 hours.`),
      });
      // Another tracker's event is not part of this history.
      const other = await prisma.dunningTracker.create({ data: trackerData(otherShop, { status: "OPEN" }) });
      await prisma.dunningEvent.create({ data: { ...event(1, "RETRY_SENT", "OPEN", "Someone else's."), trackerId: other.id, shop: otherShop } });

      const page = await loadTrackerPage(shop, String(tracker.id));
      if (page instanceof Response) throw new Error(`tracker page answered ${page.status}`);
      const { tracker: shownTracker, timeline, links, actions } = page.page;
      expect(shownTracker).toMatchObject({
        id: tracker.id,
        isOpen: true,
        statusLabel: "Retrying",
        customer: { name: "Grace Hopper", email: "grace@example.com", adminUrl: "shopify://admin/customers/77" },
        amount: "NZ$29.00",
        attempts: "The first charge and 1 retry",
        lastError: "The bank declined the card without giving a reason.",
        declineCategory: "Temporary decline",
        nextStep: `Retry on ${shown(new Date(NOW + DAY))}`,
        seen: "OPEN.2.0",
      });
      expect(links).toEqual({ customerAdminUrl: "shopify://admin/customers/77", orderAdminUrl: null, chargesUrl: `/app/charges?contract=${tracker.contractId.split("/").pop()}` });
      expect(actions).toEqual({ retry: { available: true, why: null }, stop: { available: true, why: null }, email: { available: true, why: null } });
      expect(timeline.total).toBe(4);
      expect(timeline.events.map((e) => e.title)).toEqual(["Payment-update email not sent", "Retry sent to Shopify", "Payment-update email sent", "Opened: retry scheduled"]);
      expect(timeline.events[3]).toMatchObject({
        at: shown(openedAt),
        statusLabel: "Retrying",
        attempt: "First charge",
        detail: "The charge failed with card declined: retry 1 of 4 in 1 day.",
      });
      expect(timeline.events[0].detail).toBe(`A payment-update email went out at ${shown(openedAt)}; at most one per 72 hours.`);
      expect(timeline.events[1].attempt).toBe("Retry 1");
    });

    it("pages a long history: a tracker with 3,000 events loads 25 at a time", async () => {
      const tracker = await prisma.dunningTracker.create({ data: trackerData(shop, { status: "OPEN", nextAction: "RETRY", nextActionAt: new Date(NOW + DAY) }) });
      const start = NOW - 30 * DAY;
      for (let chunk = 0; chunk < 3; chunk++) {
        await prisma.dunningEvent.createMany({
          data: Array.from({ length: 1000 }, (_, i) => ({
            trackerId: tracker.id,
            shop,
            at: new Date(start + (chunk * 1000 + i) * 60_000),
            kind: "RETRY_SCHEDULED",
            status: "OPEN",
            detail: `Event ${chunk * 1000 + i}.`,
          })),
        });
      }
      const first = await loadTrackerPage(shop, String(tracker.id));
      if (first instanceof Response) throw new Error(`answered ${first.status}`);
      expect(first.page.timeline.total).toBe(3000);
      expect(first.page.timeline.events.map((e) => e.detail)).toEqual(Array.from({ length: 25 }, (_, i) => `Event ${2999 - i}.`));
      expect(first.page.timeline.newerCursor).toBeNull();
      const older = await loadTrackerPage(shop, String(tracker.id), `?older=${first.page.timeline.olderCursor}`);
      if (older instanceof Response) throw new Error(`answered ${older.status}`);
      expect(older.page.timeline.events[0].detail).toBe("Event 2974.");
      const newer = await loadTrackerPage(shop, String(tracker.id), `?newer=${older.page.timeline.newerCursor}`);
      if (newer instanceof Response) throw new Error(`answered ${newer.status}`);
      expect(newer.page.timeline.events.map((e) => e.detail)).toEqual(first.page.timeline.events.map((e) => e.detail));
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
