import { describeLocalTime } from "../time/due-time";
import { shopTimeZone } from "../schedules/schedule.server";
import type { Prisma } from "../db/client.server";
import { eraseCustomer, eraseShopCustomers, findCustomer } from "../customers/customer-records.server";

/** Shopify's numeric customer id, as the GID the app stores. */
export function customerGid(id: number | string): string {
  return `gid://shopify/Customer/${id}`;
}

/** customers/redact: erase what the app holds about one customer of the shop. */
export async function redactCustomer(tx: Prisma.TransactionClient, shop: string, customerId: number | string) {
  const customer = customerGid(customerId);
  const trackers = await tx.dunningTracker.findMany({ where: { shop, customerId: customer }, select: { id: true } });
  const trackerIds = trackers.map((tracker) => tracker.id);
  await tx.dunningEvent.deleteMany({ where: { shop, trackerId: { in: trackerIds } } });
  await tx.merchantNotification.deleteMany({ where: { shop, trackerId: { in: trackerIds } } });
  // The Shopify Flow triggers about them (sent or not): their customer id and their payments.
  const flowTriggers = await tx.flowTriggerEvent.deleteMany({ where: { shop, OR: [{ customerId: customer }, { trackerId: { in: trackerIds } }] } });
  const { count } = await tx.dunningTracker.deleteMany({ where: { shop, customerId: customer } });
  // The attempts stay (the shop's charge records) without the link to the customer.
  await tx.billingAttempt.updateMany({ where: { shop, customerId: customer }, data: { customerId: null } });
  // Their name and email, as the admin pages showed them.
  const customersDeleted = await eraseCustomer(tx, shop, customer);
  // The charge ledger holds no customer data (contract, cycle and order ids).
  return { dunningTrackersDeleted: count, customersDeleted, flowTriggersDeleted: flowTriggers.count };
}

/**
 * customers/data_request: the merchant must be given what the app stores about the
 * customer, to answer the customer: their name and email as last read from Shopify, and
 * their dunning trackers (contract numbers, declines, dates). They go to the merchant as a
 * notice in the app, never to the log.
 */
export async function answerCustomerDataRequest(tx: Prisma.TransactionClient, shop: string, customerId: number | string) {
  const trackers = await tx.dunningTracker.findMany({
    where: { shop, customerId: customerGid(customerId) },
    select: { contractId: true, billingCycleIndex: true, status: true, lastErrorCode: true, openedAt: true },
    orderBy: { openedAt: "asc" },
  });
  const stored = await findCustomer(tx, shop, customerGid(customerId));
  const flowEvents = await tx.flowTriggerEvent.count({ where: { shop, customerId: customerGid(customerId) } });
  // Read in this transaction: another connection could wait on it (SQLite has one writer).
  const timezone = trackers.length || stored ? await shopTimeZone(shop, tx) : "UTC";
  const words = (code: string) => code.toLowerCase().replaceAll("_", " ");
  const records = trackers.map(
    (tracker) =>
      `subscription contract ${tracker.contractId.split("/").pop()}, billing cycle ${tracker.billingCycleIndex}: ` +
      `payment failed ${describeLocalTime(tracker.openedAt, timezone)}, now ${words(tracker.status)}` +
      (tracker.lastErrorCode ? `, last decline: ${words(tracker.lastErrorCode)}` : ""),
  );
  const contact = stored
    ? `their name and email as last read from Shopify (${stored.displayName}${stored.email ? `, ${stored.email}` : ""}, ${describeLocalTime(stored.updatedAt, timezone)})`
    : null;
  const held = [
    contact,
    records.length ? `${records.length === 1 ? "1 failed-payment record" : `${records.length} failed-payment records`}: ${records.join("; ")}` : null,
    flowEvents ? `${flowEvents === 1 ? "1 Shopify Flow event" : `${flowEvents} Shopify Flow events`} about those payments (their customer id, contract, amount and decline)` : null,
  ].filter(Boolean);
  const message =
    `Shopify customer ${customerId} asked for the data apps hold about them. ` +
    (held.length ? `This app holds ${held.join("; and ")}. Include ${held.length === 1 && records.length <= 1 ? "it" : "them"} in your answer.` : "This app holds nothing about them.");
  await tx.merchantNotification.create({ data: { shop, kind: "CUSTOMER_DATA_REQUEST", message } });
  return { dunningTrackers: trackers.length, customerRecords: stored ? 1 : 0, flowTriggerEvents: flowEvents };
}

/**
 * shop/redact (48 hours after uninstall): delete every row of the shop. The delivery
 * record of this very webhook is written after this runs, in the same transaction.
 */
export async function redactShop(tx: Prisma.TransactionClient, shop: string) {
  return {
    sessions: (await tx.session.deleteMany({ where: { shop } })).count,
    billingSchedules: (await tx.billingSchedule.deleteMany({ where: { shop } })).count,
    billingAttempts: (await tx.billingAttempt.deleteMany({ where: { shop } })).count,
    dunningTrackers: (await tx.dunningTracker.deleteMany({ where: { shop } })).count,
    dunningEvents: (await tx.dunningEvent.deleteMany({ where: { shop } })).count,
    merchantNotifications: (await tx.merchantNotification.deleteMany({ where: { shop } })).count,
    dunningPolicies: (await tx.dunningPolicy.deleteMany({ where: { shop } })).count,
    processedWebhooks: (await tx.processedWebhook.deleteMany({ where: { shop } })).count,
    chargeReconciliations: (await tx.chargeReconciliation.deleteMany({ where: { shop } })).count,
    chargeLedgerEntries: (await tx.chargeLedgerEntry.deleteMany({ where: { shop } })).count,
    flowTriggerEvents: (await tx.flowTriggerEvent.deleteMany({ where: { shop } })).count,
    customers: await eraseShopCustomers(tx, shop),
  };
}
