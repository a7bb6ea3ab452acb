import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TrackerPage } from "../../app/dunning/dunning-views.server";
import type { PaymentOutcome } from "../../simulator/billing-state";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { BROWSER_USER_AGENT, embeddedAdminRequest } from "../support/app-under-test";
import { moveProcessClock } from "../support/pinned-clock";
import { testProviders } from "../support/providers";

const ROUTES = "../../app/routes";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = new Date("2026-01-14T10:00:00Z");
const SHOP = "actions-store.myshopify.com";

type RouteArgs = { request: Request; params: Record<string, string>; context: object };
type TrackerRoute = { loader(args: RouteArgs): Promise<{ page: TrackerPage }>; action(args: RouteArgs): Promise<unknown> };
const trackerRoute = () => import(/* @vite-ignore */ `${ROUTES}/app.dunning.$id`) as Promise<TrackerRoute>;

/** What an action answered: a plain object (200) or data(..., { status }). */
function answerOf(result: unknown): { status: number; body: { ok: boolean; changed?: boolean; message: string } } {
  const value = result as { type?: string; data?: unknown; init?: { status?: number } | null };
  if (value?.type === "DataWithResponseInit") return { status: value.init?.status ?? 200, body: value.data as never };
  return { status: 200, body: result as never };
}

// The tracker page's actions (retry now, stop dunning, send the email again) through the
// route as the admin posts them, against the billing endpoint and the store simulator: each
// confirmed click does it once, a second click changes nothing, and a cron call at the same
// moment never doubles an attempt or an email.
describe.each(testProviders())("%s: a merchant's actions on a failed payment", (provider) => {
  let harness: BillingHarness;

  beforeEach(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
    // Shopify's clock (the simulated one) and the app's agree, as they do in production: the
    // merchant's actions run on the app's clock, Shopify's news on the simulated one.
    harness.simulator.clock.set(new Date());
    await harness.install(SHOP);
  });
  afterEach(async () => {
    await harness?.close();
  });

  const loadPage = async (id: number) => (await (await trackerRoute()).loader({ request: embeddedAdminRequest(`/app/dunning/${id}`, SHOP), params: { id: String(id) }, context: {} })).page;
  const post = async (id: number, fields: Record<string, string>, shop = SHOP) => {
    const request = new Request(embeddedAdminRequest(`/app/dunning/${id}`, shop).url, {
      method: "POST",
      headers: { "User-Agent": BROWSER_USER_AGENT, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
    return answerOf(await (await trackerRoute()).action({ request, params: { id: String(id) }, context: {} }));
  };
  /** Moves both clocks on (the simulated one keeps its offset from the process clock). */
  const later = (ms: number) => moveProcessClock(ms);
  const runBilling = async () => {
    const summary = await harness.runBilling();
    await harness.simulator.waitForIdle();
    return summary;
  };
  const tracker = () => harness.prisma.dunningTracker.findFirstOrThrow({ where: { shop: SHOP } });
  const history = async () =>
    (await harness.prisma.dunningEvent.findMany({ where: { shop: SHOP }, orderBy: [{ at: "asc" }, { id: "asc" }] })).map((event) => event.kind);
  const attemptsInShopify = () => harness.simulator.billingAttempts(SHOP).length;

  /** One monthly contract due an hour ago, charged once by the billing run: its card answers `outcomes`. */
  async function failedOnce(outcomes: PaymentOutcome[], defaultOutcome: PaymentOutcome = "success") {
    const due = new Date(harness.simulator.clock.now().getTime() - HOUR);
    const contract = harness.simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: due, amount: "29.00", paymentMethodOutcomes: outcomes, defaultOutcome });
    await runBilling();
    const opened = await tracker();
    return { ...contract, trackerId: opened.id };
  }

  it("retry now sends the next attempt at once under its own key, and the timeline shows it; a second click changes nothing", async () => {
    const { trackerId } = await failedOnce([{ error: "INSUFFICIENT_FUNDS" }, "success"]);
    expect(await tracker()).toMatchObject({ status: "OPEN", nextAction: "RETRY", attemptCount: 1 });
    const page = await loadPage(trackerId);
    expect(page.actions.retry).toEqual({ available: true, why: null });

    const first = await post(trackerId, { intent: "retry", seen: page.tracker.seen });
    expect(first).toEqual({ status: 200, body: { ok: true, changed: true, message: expect.stringMatching(/^Retry sent to Shopify/) } });
    await harness.simulator.waitForIdle();
    expect(await tracker()).toMatchObject({ status: "RECOVERED", attemptCount: 2, recoveredAmount: "29.00" });
    expect(harness.simulator.chargeCount(SHOP)).toBe(1);
    expect(harness.simulator.billingAttempts(SHOP).map((attempt) => attempt.idempotencyKey)).toEqual([
      expect.stringMatching(/-cycle-1-attempt-1$/),
      expect.stringMatching(/-cycle-1-attempt-2$/),
    ]);
    expect(await history()).toEqual(["OPENED_RETRY_SCHEDULED", "RETRY_REQUESTED", "RETRY_SENT", "RECOVERED"]);
    const timeline = (await loadPage(trackerId)).timeline.events.map((event) => event.title);
    expect(timeline).toEqual(["Payment recovered", "Retry sent to Shopify", "You asked to retry now", "Opened: retry scheduled"]);

    // The same click again (the page as it was): nothing is sent.
    const second = await post(trackerId, { intent: "retry", seen: page.tracker.seen });
    expect(second).toEqual({ status: 200, body: { ok: true, changed: false, message: expect.stringMatching(/no longer followed up|already sent/) } });
    expect(attemptsInShopify()).toBe(2);
    // And the cron does nothing more either.
    later(DAY + HOUR);
    await runBilling();
    expect(attemptsInShopify()).toBe(2);
  });

  it("a second retry click while the first is still with Shopify finds the attempt already sent", async () => {
    const { trackerId } = await failedOnce([], { error: "CARD_DECLINED" });
    const { seen } = (await loadPage(trackerId)).tracker;
    const [one, two] = [await post(trackerId, { intent: "retry", seen }), await post(trackerId, { intent: "retry", seen })];
    expect(one.body).toMatchObject({ ok: true, changed: true });
    expect(two.body).toMatchObject({ ok: true, changed: false, message: "Retry 1 was already sent; its result is in the timeline." });
    await harness.simulator.waitForIdle();
    expect(attemptsInShopify()).toBe(2);
    expect((await history()).filter((kind) => kind === "RETRY_SENT")).toHaveLength(1);
  });

  it("retry now racing a cron call that has the same retry due: one attempt, one history line, whoever wins", async () => {
    const { trackerId } = await failedOnce([{ error: "INSUFFICIENT_FUNDS" }, "success"]);
    const { seen } = (await loadPage(trackerId)).tracker;
    // The retry is due: the cron call and the merchant reach for it together (and both find the
    // shop's token expired, which is refreshed once for both).
    later(DAY + HOUR);
    const [summary, answer] = await Promise.all([harness.runBilling(), post(trackerId, { intent: "retry", seen })]);
    await harness.simulator.waitForIdle();
    expect([200, 409]).toContain(answer.status);
    expect(summary.dunning.retriesSent + (answer.body.changed ? 1 : 0)).toBeLessThanOrEqual(1);
    expect(attemptsInShopify()).toBe(2);
    expect(harness.simulator.chargeCount(SHOP)).toBe(1);
    expect(await tracker()).toMatchObject({ status: "RECOVERED", attemptCount: 2 });
    expect((await history()).filter((kind) => kind === "RETRY_SENT")).toHaveLength(1);
  });

  it("retry now refuses an eleventh attempt on the card within 30 days (the networks' cap), says why, and sends nothing", async () => {
    const { trackerId, contractId } = await failedOnce([], { error: "CARD_DECLINED" });
    const attempt = await harness.prisma.billingAttempt.findFirstOrThrow({ where: { shop: SHOP, contractId } });
    // Nine earlier cycles of the same contract were attempted this month (planted: only their count matters).
    await harness.prisma.billingAttempt.createMany({
      data: Array.from({ length: 9 }, (_, i) => ({
        shop: SHOP,
        contractId,
        billingCycleIndex: 100 + i,
        attemptNumber: 1,
        idempotencyKey: `planted-${i}`,
        status: "FAILED",
        expectedBillingDate: attempt.expectedBillingDate,
        runLocalDate: attempt.runLocalDate,
      })),
    });
    const page = await loadPage(trackerId);
    expect(page.tracker.attemptsIn30Days).toBe("10 of the 10 card networks allow on this contract");
    expect(page.actions.retry).toEqual({ available: false, why: expect.stringMatching(/charged 10 times in the last 30 days; card networks penalise more than 10/) });
    const answer = await post(trackerId, { intent: "retry", seen: page.tracker.seen });
    expect(answer.body).toMatchObject({ ok: true, changed: false, message: expect.stringMatching(/card networks penalise/) });
    expect(attemptsInShopify()).toBe(1);
    expect(await history()).toEqual(["OPENED_RETRY_SCHEDULED"]);
  });

  it("stop dunning closes the tracker once, without a notice to the merchant, and the cron then leaves it alone", async () => {
    const { trackerId } = await failedOnce([], { error: "INSUFFICIENT_FUNDS" });
    const { seen } = (await loadPage(trackerId)).tracker;
    expect(await post(trackerId, { intent: "stop", seen })).toEqual({ status: 200, body: { ok: true, changed: true, message: "Dunning stopped for this payment." } });
    expect(await post(trackerId, { intent: "stop", seen })).toEqual({ status: 200, body: { ok: true, changed: false, message: "Dunning is already stopped for this payment." } });
    expect(await tracker()).toMatchObject({ status: "STOPPED", nextAction: null, leaseOwner: null });
    expect(await history()).toEqual(["OPENED_RETRY_SCHEDULED", "STOPPED_BY_MERCHANT"]);
    expect(await harness.prisma.merchantNotification.count({ where: { shop: SHOP, kind: "DUNNING_STOPPED" } })).toBe(0);
    const page = await loadPage(trackerId);
    expect(page.tracker).toMatchObject({ isOpen: false, statusLabel: "Stopped" });
    expect(page.actions.retry.available).toBe(false);
    later(DAY + HOUR);
    await runBilling();
    expect(attemptsInShopify()).toBe(1);
    expect(harness.simulator.paymentUpdateEmails(SHOP)).toHaveLength(0);
  });

  it("sends the payment-update email again once per interval, whether the cron or the merchant sent the last one", async () => {
    const { trackerId, paymentMethodId } = await failedOnce([], { error: "EXPIRED_CARD" });
    // The failure wants an email; the merchant asks before the next cron call sends it.
    const { seen } = (await loadPage(trackerId)).tracker;
    const [one, two] = [await post(trackerId, { intent: "email", seen }), await post(trackerId, { intent: "email", seen })];
    expect(one.body).toEqual({ ok: true, changed: true, message: "Shopify emailed the customer a link to update their payment method." });
    expect(two.body).toEqual({ ok: true, changed: false, message: "The payment-update email was already sent; see the timeline." });
    expect(harness.simulator.paymentUpdateEmails(SHOP)).toEqual([expect.objectContaining({ paymentMethodId })]);
    // The cron's next call finds it sent (the interval holds), and so does a fresh click.
    later(HOUR);
    await runBilling();
    expect(harness.simulator.paymentUpdateEmails(SHOP)).toHaveLength(1);
    const page = await loadPage(trackerId);
    expect(page.actions.email).toEqual({ available: false, why: "A payment-update email went out less than 72 hours ago: at most one per 72 hours." });
    expect((await post(trackerId, { intent: "email", seen: page.tracker.seen })).body).toMatchObject({ ok: true, changed: false });
    // After the interval it goes again, and the timeline says the merchant asked.
    later(72 * HOUR);
    const again = await post(trackerId, { intent: "email", seen: (await loadPage(trackerId)).tracker.seen });
    expect(again.body).toMatchObject({ ok: true, changed: true });
    expect(harness.simulator.paymentUpdateEmails(SHOP)).toHaveLength(2);
    const details = (await harness.prisma.dunningEvent.findMany({ where: { shop: SHOP, kind: "EMAIL_SENT" } })).map((event) => event.detail);
    expect(details).toEqual([
      "As you asked, Shopify emailed the customer a link to update their payment method.",
      "As you asked, Shopify emailed the customer a link to update their payment method.",
    ]);
  });

  it("the email racing a cron call that has the same email due: one email", async () => {
    const { trackerId } = await failedOnce([], { error: "EXPIRED_CARD" });
    const { seen } = (await loadPage(trackerId)).tracker;
    later(2 * HOUR);
    await Promise.all([harness.runBilling(), post(trackerId, { intent: "email", seen })]);
    await harness.simulator.waitForIdle();
    expect(harness.simulator.paymentUpdateEmails(SHOP)).toHaveLength(1);
    expect((await tracker()).emailsSent).toBe(1);
  });

  it("answers 409 while a cron call holds the tracker, 404 for another shop's or a missing tracker, 400 for an unknown action", async () => {
    const { trackerId } = await failedOnce([], { error: "INSUFFICIENT_FUNDS" });
    const { seen } = (await loadPage(trackerId)).tracker;
    await harness.prisma.dunningTracker.update({ where: { id: trackerId }, data: { leaseOwner: "cron-elsewhere", leaseExpiresAt: new Date(Date.now() + 60_000) } });
    expect(await post(trackerId, { intent: "retry", seen })).toEqual({ status: 409, body: { ok: false, status: 409, message: expect.stringMatching(/working on this payment right now/) } });
    expect(attemptsInShopify()).toBe(1);
    await harness.prisma.dunningTracker.update({ where: { id: trackerId }, data: { leaseOwner: null, leaseExpiresAt: null } });

    await harness.install("someone-else.myshopify.com");
    expect((await post(trackerId, { intent: "stop", seen }, "someone-else.myshopify.com")).status).toBe(404);
    expect((await post(987654, { intent: "stop", seen })).status).toBe(404);
    expect((await post(trackerId, { intent: "cancel-everything", seen })).status).toBe(400);
    expect((await post(trackerId, { intent: "__proto__", seen })).status).toBe(400);
    expect((await tracker()).status).toBe("OPEN");
  });
});
