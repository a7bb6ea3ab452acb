import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { billingAttemptIdempotencyKey } from "../../app/attempts/idempotency-key";
import type { OverviewView } from "../../app/overview/overview.server";
import { callLoader, embeddedAdminRequest } from "../support/app-under-test";
import { startBillingHarness, type BillingHarness } from "../support/billing-harness";
import { testProviders } from "../support/providers";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** 10:00 UTC: an hour after the default 09:00 billing hour of a UTC shop. */
const START = new Date("2026-01-14T10:00:00Z");

// The daily charge reconciliation end to end: the billing endpoint bills a shop on Jan 14,
// its run on Jan 15 makes Jan 14 due for checking, and the same call (or the next) reads
// Shopify's attempts of Jan 14 from the store simulator, counts the figures, leaves a notice
// when they do not add up, and marks the day checked. Fixed dates, simulated clock.
describe.each(testProviders())("%s: charge reconciliation", (provider) => {
  let harness: BillingHarness;

  beforeEach(async () => {
    harness = await startBillingHarness(provider, { startTime: START });
  });
  afterEach(async () => {
    await harness?.close();
  });

  /** A UTC shop with `count` monthly contracts due now, billed once (Jan 14). */
  async function billedShop(shop: string, count = 3): Promise<string[]> {
    const { simulator } = harness;
    await harness.install(shop);
    const contracts = Array.from({ length: count }, () =>
      simulator.createContract(shop, { interval: "MONTH", nextBillingDate: new Date(START.getTime() - HOUR), amount: "20.00" }).contractId,
    );
    await harness.runBilling();
    await simulator.waitForIdle();
    expect(simulator.chargeCount(shop)).toBe(count);
    return contracts;
  }

  /** The next day's call (Jan 15, 10:00): bills Jan 15 and checks Jan 14. */
  async function nextDay() {
    harness.simulator.clock.set(new Date(START.getTime() + DAY));
    const summary = await harness.runBilling();
    await harness.simulator.waitForIdle();
    return summary;
  }

  const dayOf = (shop: string) => harness.prisma.chargeReconciliation.findUniqueOrThrow({ where: { shop_localDate: { shop, localDate: "2026-01-14" } } });
  const noticesOf = (shop: string) => harness.prisma.merchantNotification.findMany({ where: { shop, kind: "CHARGE_RECONCILIATION" } });
  const figures = { cyclesCharged: 3, cyclesChargedMoreThanOnce: 0, ordersWithoutAttempt: 0, attemptsWithoutOutcome: 0 };

  it("reports 0 on a clean shop: every cycle charged once, once checked, and shows it on the Overview", async () => {
    const shop = "clean.myshopify.com";
    await billedShop(shop);
    // The first run of a shop has no earlier day to check.
    expect(await harness.prisma.chargeReconciliation.count()).toBe(0);

    const summary = await nextDay();

    expect(summary.reconciliation).toMatchObject({ claimed: 1, completed: 1, discrepancies: 0, remaining: 0 });
    expect(await dayOf(shop)).toMatchObject({ status: "COMPLETED", ...figures, attemptsRead: 3, completedAt: new Date(START.getTime() + DAY) });
    expect(await noticesOf(shop)).toEqual([]);
    expect(await harness.prisma.chargeLedgerEntry.count({ where: { shop, localDate: "2026-01-14", billingAttemptId: { not: null } } })).toBe(3);

    // Later calls of the same day do not check it again, nor read Shopify's attempts again.
    const listed = () => harness.simulator.requests.filter((request) => request.operationName === "SubscriptionBillingAttemptsCreated").length;
    const before = listed();
    harness.simulator.clock.set(new Date(START.getTime() + DAY + 2 * HOUR));
    expect((await harness.runBilling()).reconciliation).toMatchObject({ due: 0, completed: 0 });
    expect(listed()).toBe(before);

    const page = (await callLoader("../../app/routes/app._index", embeddedAdminRequest("/app", shop))) as { overview: OverviewView };
    expect(page.overview.reconciliation).toMatchObject({
      dayText: "Wed, Jan 14",
      tone: "success",
      figures: [
        { label: "Billing cycles charged", value: "3", problem: false },
        { label: "Charged more than once", value: "0", note: "expected 0", problem: false },
        { label: "Orders without a matching charge", value: "0", problem: false },
        { label: "Charges without an outcome", value: "0", problem: false },
      ],
    });
    expect(page.overview.reconciliation.checkedText).toMatch(/Thu, Jan 15, 10:00/);
    expect(page.overview.reconciliation.windowText).toMatch(/^Last 30 days, 1 day checked: 3 billing cycles charged, 0 more than once/);
  });

  it("finds a planted double charge and a planted orphan order, and tells the merchant with the contract and order numbers", async () => {
    const shop = "planted.myshopify.com";
    const [twice, orphaned] = await billedShop(shop);
    const { simulator } = harness;
    // A second paid order for a cycle the app charged, and an order for a cycle it never charged, both under keys it never used.
    harness.simulator.clock.advance(HOUR);
    const double = simulator.plantOrder(shop, { contractId: twice, cycleIndex: 1 });
    const orphan = simulator.plantOrder(shop, { contractId: orphaned, cycleIndex: 2 });
    await simulator.waitForIdle();

    const summary = await nextDay();

    expect(summary.reconciliation).toMatchObject({ completed: 1, discrepancies: 1 });
    expect(await dayOf(shop)).toMatchObject({ status: "COMPLETED", cyclesCharged: 4, cyclesChargedMoreThanOnce: 1, ordersWithoutAttempt: 2, attemptsWithoutOutcome: 0 });
    // Neither planted key says its cycle: Shopify's cycles did.
    expect(await harness.prisma.chargeLedgerEntry.findMany({ where: { shop, billingAttemptId: null }, select: { shopifyAttemptId: true, billingCycleIndex: true }, orderBy: { id: "asc" } })).toEqual([
      { shopifyAttemptId: double.attemptId, billingCycleIndex: 1 },
      { shopifyAttemptId: orphan.attemptId, billingCycleIndex: 2 },
    ]);
    const notices = await noticesOf(shop);
    expect(notices).toHaveLength(1);
    const number = (gid: string) => gid.split("/").pop();
    const firstOrder = simulator.orders(shop).find((order) => order.contractId === twice && order.billingAttemptId !== double.attemptId)!;
    expect(notices[0].message).toContain("The charges of 2026-01-14 (the shop's day) do not add up.");
    expect(notices[0].message).toMatch(
      new RegExp(`1 billing cycle was charged more than once: contract #${number(twice)}, billing cycle 1 \\(order ${firstOrder.name} at 2026-01-14T10:\\d\\d:\\d\\d\\.\\d{3}Z, order ${double.orderName} at 2026-01-14T11:`),
    );
    expect(notices[0].message).toContain(`2 orders were created by a charge this app did not make: order ${double.orderName} for contract #${number(twice)}, billing cycle 1 at `);
    expect(notices[0].message).toContain(`and order ${orphan.orderName} for contract #${number(orphaned)}, billing cycle 2 at `);

    // On the Overview: the figure in its card, the notice under "Needs your attention" in the shop's time.
    const page = (await callLoader("../../app/routes/app._index", embeddedAdminRequest("/app", shop))) as { overview: OverviewView };
    expect(page.overview.reconciliation).toMatchObject({ tone: "critical", figures: [{ value: "4" }, { value: "1", problem: true }, { value: "2", problem: true }, { value: "0" }] });
    const line = page.overview.attention.lines.find((candidate) => candidate.label === "Charge check")!;
    expect(line).toMatchObject({ tone: "critical", title: "Charges that do not match Shopify's orders" });
    expect(line.text).toMatch(/^The charges of Wed, Jan 14 \(the shop's day\) do not add up\./);
    expect(line.text).toMatch(/order #100\d at Wed, Jan 14, 11:00\sAM UTC/);
    expect(line.text).not.toMatch(/\dZ\b/);
  });

  it("counts an attempt of the day that still has no outcome, and names what Shopify says of it", async () => {
    const shop = "no-outcome.myshopify.com";
    const [contract] = await billedShop(shop, 1);
    // A retry the app recorded on Jan 14 whose result never came (and polling finds nothing at Shopify).
    await harness.prisma.billingAttempt.create({
      data: {
        shop,
        contractId: contract,
        billingCycleIndex: 1,
        attemptNumber: 2,
        idempotencyKey: billingAttemptIdempotencyKey(contract, 1, 2),
        status: "PROCESSING",
        shopifyAttemptId: "gid://shopify/SubscriptionBillingAttempt/99999999",
        expectedBillingDate: new Date(START.getTime() - HOUR),
        runLocalDate: "2026-01-14",
        sentAt: new Date(START.getTime() + HOUR),
      },
    });

    await nextDay();

    expect(await dayOf(shop)).toMatchObject({ cyclesCharged: 1, cyclesChargedMoreThanOnce: 0, ordersWithoutAttempt: 0, attemptsWithoutOutcome: 1 });
    const [notice] = await noticesOf(shop);
    expect(notice.message).toContain(`1 charge has no outcome recorded yet: contract #${contract.split("/").pop()}, billing cycle 1, sent at 2026-01-14T11:00:00.000Z.`);
  });

  it("checks a day once under two concurrent calls: one reads Shopify, one notice", async () => {
    const shop = "concurrent.myshopify.com";
    const [twice] = await billedShop(shop);
    harness.simulator.plantOrder(shop, { contractId: twice, cycleIndex: 1 });
    harness.simulator.clock.set(new Date(START.getTime() + DAY));
    // The first call bills Jan 15 (which makes Jan 14 due); then two calls at once check it.
    await harness.runBilling();
    await harness.prisma.chargeReconciliation.updateMany({ where: { shop }, data: { status: "DUE", cursor: null, leaseOwner: null, leaseExpiresAt: null } });
    await harness.prisma.merchantNotification.deleteMany({ where: { shop } });
    const listed = () => harness.simulator.requests.filter((request) => request.operationName === "SubscriptionBillingAttemptsCreated").length;
    const before = listed();

    const [a, b] = await Promise.all([harness.runBilling(), harness.runBilling()]);

    expect(a.reconciliation.completed + b.reconciliation.completed).toBe(1);
    expect(listed() - before).toBe(1);
    expect(await noticesOf(shop)).toHaveLength(1);
    expect(await dayOf(shop)).toMatchObject({ status: "COMPLETED", cyclesChargedMoreThanOnce: 1, leaseOwner: null });
  });

  it("catches up the days an outage missed, each checked once", async () => {
    const shop = "big-day.myshopify.com";
    await billedShop(shop, 3);
    // Jan 15 and 16 are missed (the scheduler is down); the run on Jan 17 catches up and checks Jan 14, 15 and 16.
    harness.simulator.clock.set(new Date(START.getTime() + 3 * DAY));
    await harness.runBilling();
    await harness.simulator.waitForIdle();
    const days = await harness.prisma.chargeReconciliation.findMany({ where: { shop }, orderBy: { localDate: "asc" } });
    expect(days.map((day) => [day.localDate, day.status])).toEqual([
      ["2026-01-14", "COMPLETED"],
      ["2026-01-15", "COMPLETED"],
      ["2026-01-16", "COMPLETED"],
    ]);
    expect(days.map((day) => day.cyclesCharged)).toEqual([3, 0, 0]);
  });
});
