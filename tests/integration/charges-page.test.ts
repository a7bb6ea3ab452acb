import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChargesPage } from "../../app/charges/charge-views.server";
import { MerchantFormat } from "../../app/format/merchant-format";
import { localDateAt } from "../../app/time/due-time";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { callAction, callLoader, embeddedAdminRequest, signedWebhookRequest } from "../support/app-under-test";
import { moveProcessClock } from "../support/pinned-clock";
import { testProviders } from "../support/providers";

const ROUTES = "../../app/routes";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** 10:00 UTC: 23:00 in Auckland, whose 09:00 billing run is due. */
const START = new Date("2026-01-14T10:00:00Z");
const SHOP = "charges-store.myshopify.com";
const TIME_ZONE = "Pacific/Auckland";

// The Charges page end to end: the billing run learns each contract's customer (name and
// email) from the due-cycles query and dunning from its contract read, stores them in one
// statement per batch, and the page finds every attempt by customer, contract or order.
describe.each(testProviders())("%s: the Charges page and the customers it names", (provider) => {
  let harness: BillingHarness;

  beforeEach(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
    await harness.install(SHOP, { ianaTimezone: TIME_ZONE });
  });
  afterEach(async () => {
    await harness?.close();
  });

  const loadCharges = async (search = "") => {
    const data = await callLoader<{ charges: ChargesPage }>(`${ROUTES}/app.charges`, embeddedAdminRequest(`/app/charges${search}`, SHOP));
    if (data instanceof Response) throw new Error(`the Charges page answered ${data.status}`);
    return data.charges;
  };
  /** Moves both clocks (the simulated one keeps its offset from the process clock) and calls the billing endpoint. */
  const runAfter = async (ms: number) => {
    moveProcessClock(ms);
    const summary = await harness.runBilling();
    await harness.simulator.waitForIdle();
    return summary;
  };

  /** Three subscribers due an hour ago: Grace pays, José's card is short once, Anon's has expired. */
  async function threeSubscribers() {
    const { simulator } = harness;
    const due = new Date(simulator.clock.now().getTime() - HOUR);
    const grace = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: due, amount: "29.00", currencyCode: "NZD", firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    const jose = simulator.createContract(SHOP, {
      interval: "MONTH",
      nextBillingDate: due,
      amount: "12.50",
      currencyCode: "NZD",
      firstName: "José",
      lastName: "Núñez",
      email: "jose@example.com",
      paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }, "success"],
    });
    const anon = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: due, amount: "5.00", currencyCode: "NZD", firstName: "", lastName: "", email: "anon@example.com", defaultOutcome: { error: "EXPIRED_CARD" } });
    await runAfter(0);
    return { grace, jose, anon };
  }

  it("the billing run stores each charged contract's customer, and the page names them, newest first", async () => {
    const { grace, jose, anon } = await threeSubscribers();
    const stored = await harness.prisma.customer.findMany({ where: { shop: SHOP } });
    const byName = (a: { displayName: string }, b: { displayName: string }) => a.displayName.localeCompare(b.displayName);
    expect(stored.map(({ customerId, displayName, email }) => ({ customerId, displayName, email })).sort(byName)).toEqual([
      { customerId: anon.customerId, displayName: "anon@example.com", email: "anon@example.com" },
      { customerId: grace.customerId, displayName: "Grace Hopper", email: "grace@example.com" },
      { customerId: jose.customerId, displayName: "José Núñez", email: "jose@example.com" },
    ]);

    // A day later dunning retries José's payment, which goes through.
    await runAfter(DAY + HOUR);
    const charges = await loadCharges();
    expect(charges.timezone).toBe(TIME_ZONE);
    expect(charges.total).toBe(4);
    expect(charges.totalLabel).toBe("4 charges");
    expect(charges.counts).toEqual({ charged: 2, failed: 2, authentication: 0, processing: 0, refused: 0 });
    expect(charges.rows.map((row) => [row.customer?.name, row.attempt, row.outcomeLabel])).toEqual([
      ["José Núñez", "Retry 1", "Charged"],
      [expect.any(String), "First charge", expect.any(String)],
      [expect.any(String), "First charge", expect.any(String)],
      [expect.any(String), "First charge", expect.any(String)],
    ]);
    const retry = charges.rows[0];
    expect(retry).toMatchObject({
      customer: { name: "José Núñez", email: "jose@example.com", adminUrl: `shopify://admin/customers/${jose.customerId.split("/").pop()}` },
      contractNumber: jose.contractId.split("/").pop(),
      contractUrl: `/app/charges?contract=${jose.contractId.split("/").pop()}`,
      trackerUrl: expect.stringMatching(/^\/app\/dunning\/\d+$/),
      outcomeTone: "success",
      // The cycle's price, as dunning read it from the contract.
      amount: "NZ$12.50",
      order: { number: expect.stringMatching(/^\d+$/), adminUrl: expect.stringMatching(/^shopify:\/\/admin\/orders\/\d+$/) },
    });
    const format = new MerchantFormat({ locale: "en-US", timeZone: TIME_ZONE, now: new Date() });
    const attempt = await harness.prisma.billingAttempt.findFirstOrThrow({ where: { shop: SHOP, attemptNumber: 2 } });
    expect(retry.date).toBe(format.dateTime(attempt.sentAt!));
    const declined = charges.rows.find((row) => row.customer?.name === "anon@example.com")!;
    expect(declined).toMatchObject({ outcome: "failed", errorCode: expect.stringMatching(/^expired_card$/i), outcomeLabel: "Failed" });
    // Nothing a merchant should not read: no GIDs (links are shopify: URLs), no enums.
    expect(JSON.stringify(charges.rows.map(({ errorCode: _code, ...row }) => row))).not.toMatch(/gid:\/\/|SUCCEEDED|FAILED|_[a-z]+_/);
  });

  it("one search answers whether a customer was charged, and when: by name (any case, no accents), email, contract or order; and filters by outcome and date", async () => {
    const { grace, jose } = await threeSubscribers();
    await runAfter(DAY + HOUR);
    const names = async (search: string) => (await loadCharges(search)).rows.map((row) => `${row.customer?.name}: ${row.attempt}, ${row.outcomeLabel}`);
    expect(await names("?query=nunez")).toEqual(["José Núñez: Retry 1, Charged", "José Núñez: First charge, Failed"]);
    expect(await names("?query=JOSE%40EXAMPLE")).toEqual(["José Núñez: Retry 1, Charged", "José Núñez: First charge, Failed"]);
    expect(await names("?query=hopper")).toEqual(["Grace Hopper: First charge, Charged"]);
    expect(await names("?query=nobody")).toEqual([]);
    expect(await names(`?query=%23${grace.contractId.split("/").pop()}`)).toEqual(["Grace Hopper: First charge, Charged"]);
    const graceOrder = (await harness.prisma.billingAttempt.findFirstOrThrow({ where: { shop: SHOP, contractId: grace.contractId } })).orderId!;
    expect(await names(`?query=${graceOrder.split("/").pop()}`)).toEqual(["Grace Hopper: First charge, Charged"]);
    expect(await names(`?contract=${jose.contractId.split("/").pop()}&outcome=charged`)).toEqual(["José Núñez: Retry 1, Charged"]);
    expect(await names("?outcome=failed&query=jose")).toEqual(["José Núñez: First charge, Failed"]);

    // Dates are the shop's calendar days: the first charges on one, the retry on the next.
    const [firstDay, retryDay] = await Promise.all(
      [1, 2].map(async (attemptNumber) => {
        const { sentAt, runLocalDate } = await harness.prisma.billingAttempt.findFirstOrThrow({ where: { shop: SHOP, attemptNumber } });
        expect(localDateAt(sentAt!, TIME_ZONE)).toBe(runLocalDate);
        return runLocalDate;
      }),
    );
    expect(retryDay > firstDay).toBe(true);
    const onFirstDay = await loadCharges(`?from=${firstDay}&to=${firstDay}`);
    expect(onFirstDay.rows.map((row) => row.attempt)).toEqual(["First charge", "First charge", "First charge"]);
    expect(onFirstDay.dateRangeLabel).toBe(new MerchantFormat({ locale: "en-US", timeZone: TIME_ZONE, now: new Date() }).localDate(firstDay));
    expect((await loadCharges(`?from=${retryDay}`)).rows.map((row) => row.attempt)).toEqual(["Retry 1"]);
    // A range given backwards is read forwards; nonsense is ignored.
    expect((await loadCharges(`?from=${retryDay}&to=${firstDay}`)).total).toBe(4);
    expect((await loadCharges("?from=2026-02-30&outcome=everything&after=%3Bdrop")).total).toBe(4);
  });

  it("pages through many charges by keyset, with the counts from aggregates", async () => {
    const { simulator } = harness;
    const due = new Date(simulator.clock.now().getTime() - HOUR);
    for (let i = 0; i < 60; i++) {
      simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: due, amount: "3.00", firstName: `Subscriber`, lastName: `${i}`, defaultOutcome: i % 4 === 0 ? { error: "CARD_DECLINED" } : "success" });
    }
    await runAfter(0);
    const seen: number[] = [];
    let page = await loadCharges();
    expect(page.counts).toMatchObject({ charged: 45, failed: 15 });
    const first = page.rows.map((row) => row.id);
    for (;;) {
      expect(page.rows.length).toBeLessThanOrEqual(25);
      seen.push(...page.rows.map((row) => row.id));
      if (!page.nextCursor) break;
      page = await loadCharges(`?after=${page.nextCursor}`);
    }
    expect(seen).toHaveLength(60);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const second = await loadCharges(`?after=${(await loadCharges()).nextCursor}`);
    expect((await loadCharges(`?before=${second.previousCursor}`)).rows.map((row) => row.id)).toEqual(first);
    const failedOnly = await loadCharges("?outcome=failed");
    expect(failedOnly.total).toBe(15);
    expect(failedOnly.rows.every((row) => row.outcome === "failed")).toBe(true);
  });

  it("follows a name changed in Shopify at the next read, and erases it on customers/redact and shop/redact; the data request lists it", async () => {
    const { jose } = await threeSubscribers();
    harness.simulator.updateCustomer(SHOP, jose.customerId, { firstName: "Josefina", email: "josefina@example.com" });
    // Dunning reads José's contract before the retry and learns the new name.
    await runAfter(DAY + HOUR);
    expect(await harness.prisma.customer.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: jose.customerId } } })).toMatchObject({
      displayName: "Josefina Núñez",
      email: "josefina@example.com",
    });
    expect((await loadCharges("?query=josefina")).rows).toHaveLength(2);

    const customerNumber = Number(jose.customerId.split("/").pop());
    const privacy = (topic: string, webhookId: string) =>
      callAction(
        `${ROUTES}/webhooks.${topic.replace("/", ".")}`,
        signedWebhookRequest({ topic, shop: SHOP, webhookId, payload: { shop_id: 1, shop_domain: SHOP, customer: { id: customerNumber, email: "josefina@example.com" }, orders_to_redact: [], orders_requested: [], data_request: { id: 1 } } }),
      );
    expect((await privacy("customers/data_request", "data-request-1")).status).toBe(200);
    const notice = await harness.prisma.merchantNotification.findFirstOrThrow({ where: { shop: SHOP, kind: "CUSTOMER_DATA_REQUEST" } });
    expect(notice.message).toMatch(/their name and email as last read from Shopify \(Josefina Núñez, josefina@example\.com, .*\); and 1 failed-payment record/);

    expect((await privacy("customers/redact", "redact-1")).status).toBe(200);
    expect(await harness.prisma.customer.count({ where: { shop: SHOP, customerId: jose.customerId } })).toBe(0);
    expect(await harness.prisma.customer.count({ where: { shop: SHOP } })).toBe(2);
    // The charges stay (the shop's records), without the customer.
    expect((await loadCharges("?query=josefina")).rows).toEqual([]);
    expect((await loadCharges(`?contract=${jose.contractId.split("/").pop()}`)).rows.map((row) => row.customer)).toEqual([null, null]);

    const redactShop = await callAction(
      `${ROUTES}/webhooks.shop.redact`,
      signedWebhookRequest({ topic: "shop/redact", shop: SHOP, payload: { shop_id: 1, shop_domain: SHOP }, webhookId: "shop-redact-1" }),
    );
    expect(redactShop.status).toBe(200);
    expect(await harness.prisma.customer.count({ where: { shop: SHOP } })).toBe(0);
  });
});
