import type { DunningTracker, Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { countContractAttemptsIn30Days, findCycleOrder } from "../attempts/attempt-history.server";
import { findCustomers, searchCustomers, type StoredCustomer } from "../customers/customer-records.server";
import { contractNumber, customerAdminUrl, orderAdminUrl } from "../format/admin-links";
import { MerchantFormat } from "../format/merchant-format";
import { merchantText } from "../format/merchant-text";
import { sumDecimals } from "../lib/decimal";
import { decodeCursor, keysetQuery, pageOf, type PageRequest } from "../lib/keyset-page";
import { shopTimeZone } from "../schedules/schedule.server";
import type { DeclineClass } from "./decline-classes";
import { DECLINE_CATEGORY_LABELS, declineCategoryLabel, describeDecline } from "./decline-descriptions";
import { CLOSED_TRACKER_STATUSES, decideNextStep, NextAction, OPEN_TRACKER_STATUSES, TrackerStatus, type TrackerView } from "./next-step";
import { MAX_ATTEMPTS_IN_30_DAYS, type DunningPolicy, type FinalAction } from "./policy";
import { getDunningPolicy } from "./policy.server";
import { trackerView } from "./tracker-changes.server";
import { DECLINE_CATEGORIES, TRACKER_SORTS, TRACKER_STATUS_LABELS, TRACKER_TABS, type StatusTone, type TrackerSort, type TrackerTab } from "./dunning-list-options";

/**
 * Read models for the admin's dunning pages: the list of trackers (filtered, searched,
 * sorted, a page at a time, with counts by aggregate) and one tracker with a page of its
 * history. Everything is worded for the merchant: the shop's time zone, the merchant's
 * locale, no codes or ids (`now` and `locale` come from the route).
 */

export const TRACKERS_PER_PAGE = 25;
export const EVENTS_PER_PAGE = 25;
const SUMMARY_WINDOW_DAYS = 30;

export interface ViewContext {
  now: Date;
  locale: string;
}

const FINAL_ACTION_WORDS: Record<FinalAction, { verb: string; done: string }> = {
  SKIP: { verb: "Skip the billing cycle", done: "Billing cycle skipped" },
  PAUSE: { verb: "Pause the contract", done: "Contract paused" },
  CANCEL: { verb: "Cancel the contract", done: "Contract cancelled" },
};

// ---------------------------------------------------------------------------------------
// The list

export interface TrackerListQuery {
  tab: TrackerTab;
  statuses: string[];
  categories: DeclineClass[];
  /** A customer's name or email, or a contract number ("#1042"). */
  query: string;
  sort: TrackerSort;
}

/** The list a URL asks for; anything malformed is left out rather than refused. */
export function parseTrackerListQuery(params: URLSearchParams): { list: TrackerListQuery; page: PageRequest } {
  const tab = (params.get("tab") ?? "open") in TRACKER_TABS ? ((params.get("tab") ?? "open") as TrackerTab) : "open";
  const sort = (params.get("sort") ?? "") in TRACKER_SORTS ? (params.get("sort") as TrackerSort) : "next asc";
  const known = TRACKER_TABS.all.statuses as readonly string[];
  return {
    list: {
      tab,
      sort,
      statuses: [...new Set(params.getAll("status").filter((status) => known.includes(status)))],
      categories: [...new Set(params.getAll("category").filter((category): category is DeclineClass => (DECLINE_CATEGORIES as string[]).includes(category)))],
      query: (params.get("query") ?? "").trim().slice(0, 200),
    },
    page: { after: decodeCursor(params.get("after")), before: decodeCursor(params.get("before")) },
  };
}

export interface TrackerListRow {
  id: number;
  customer: { name: string; email: string | null } | null;
  contractNumber: string;
  billingCycleIndex: number;
  statusLabel: string;
  statusTone: StatusTone;
  /** "Card needs updating"; null before any decline was recorded. */
  declineCategory: string | null;
  /** The decline in a sentence. */
  lastError: string | null;
  amount: string | null;
  attemptCount: number;
  /** What happens next, in words with its time; for a closed tracker, how it ended and when. */
  nextStep: string;
  opened: string;
}

export interface DunningSummary {
  windowDays: number;
  openCounts: Record<string, number>;
  openTotal: number;
  openTotalLabel: string;
  closedCounts: Record<string, number>;
  closedTotal: number;
  /** recovered / (recovered + exhausted + stopped) over the window; null when none of those closed. */
  recoveryRate: number | null;
  recoveryRateLabel: string | null;
  recoveredAmounts: RecoveredAmount[];
}

export interface TrackerListPage {
  timezone: string;
  list: TrackerListQuery;
  rows: TrackerListRow[];
  nextCursor: string | null;
  previousCursor: string | null;
  /** Trackers the search and filters match, per tab: aggregates (and as the merchant's locale writes them). */
  tabCounts: Record<TrackerTab, number>;
  tabCountLabels: Record<TrackerTab, string>;
  /** "1,234 failed payments": the selected tab's count. */
  totalLabel: string;
  summary: DunningSummary;
  /** The name search matched more customers than it looks through. */
  customersCut: boolean;
}

export async function getTrackerList(shop: string, list: TrackerListQuery, page: PageRequest, context: ViewContext): Promise<TrackerListPage> {
  const timezone = await shopTimeZone(shop);
  const format = new MerchantFormat({ locale: context.locale, timeZone: timezone, now: context.now });
  const { where, customersCut } = await listFilter(shop, list);
  const inTab: Prisma.DunningTrackerWhereInput = { AND: [where, { status: { in: [...TRACKER_TABS[list.tab].statuses] } }] };
  const query = keysetQuery(TRACKER_SORTS[list.sort].order, page, TRACKERS_PER_PAGE);
  const [fetched, groups, summary] = await Promise.all([
    prisma().dunningTracker.findMany({
      where: query.where ? { AND: [inTab, query.where] } : inTab,
      orderBy: query.orderBy as Prisma.DunningTrackerOrderByWithRelationInput[],
      take: query.take,
    }),
    // The filters without the tab's statuses: every tab's count in one aggregate.
    prisma().dunningTracker.groupBy({ by: ["status"], where, _count: { _all: true } }),
    getDunningSummary(shop, context.now, format),
  ]);
  const [field] = TRACKER_SORTS[list.sort].order.fields;
  const { rows, nextCursor, previousCursor } = pageOf(fetched, query, page, (row) => [row[field]]);
  const customers = await findCustomers(shop, rows.map((row) => row.customerId));
  const countOf = (tab: TrackerTab) =>
    groups.filter((group) => (TRACKER_TABS[tab].statuses as readonly string[]).includes(group.status)).reduce((sum, group) => sum + group._count._all, 0);
  const tabCounts = { open: countOf("open"), closed: countOf("closed"), all: countOf("all") };
  const shown = tabCounts[list.tab];
  return {
    timezone,
    list,
    rows: rows.map((tracker) => listRow(tracker, customers, format)),
    nextCursor,
    previousCursor,
    tabCounts,
    tabCountLabels: { open: format.number(tabCounts.open), closed: format.number(tabCounts.closed), all: format.number(tabCounts.all) },
    totalLabel: `${format.number(shown)} failed ${shown === 1 ? "payment" : "payments"}`,
    summary,
    customersCut,
  };
}

async function listFilter(shop: string, list: TrackerListQuery) {
  const and: Prisma.DunningTrackerWhereInput[] = [{ shop }];
  let customersCut = false;
  const number = /^#?\s*(\d{1,20})$/.exec(list.query)?.[1];
  if (number) {
    and.push({ contractId: `gid://shopify/SubscriptionContract/${number}` });
  } else if (list.query) {
    const found = await searchCustomers(shop, list.query);
    customersCut = found.cut;
    and.push({ customerId: { in: found.customerIds } });
  }
  if (list.statuses.length) and.push({ status: { in: list.statuses } });
  if (list.categories.length) and.push({ lastErrorClass: { in: list.categories } });
  return { where: { AND: and } satisfies Prisma.DunningTrackerWhereInput, customersCut };
}

function listRow(tracker: DunningTracker, customers: Map<string, StoredCustomer>, format: MerchantFormat): TrackerListRow {
  const customer = tracker.customerId ? customers.get(tracker.customerId) : undefined;
  return {
    id: tracker.id,
    customer: customer ? { name: customer.displayName || customer.email || "Customer", email: customer.email } : null,
    contractNumber: contractNumber(tracker.contractId),
    billingCycleIndex: tracker.billingCycleIndex,
    ...statusBadge(tracker.status),
    declineCategory: tracker.lastErrorClass || tracker.lastErrorCode ? declineCategoryLabel(tracker.lastErrorClass ?? tracker.lastErrorCode) : null,
    lastError: tracker.lastErrorCode ? describeDecline(tracker.lastErrorCode) : null,
    amount: tracker.amount ? format.money(tracker.amount, tracker.currencyCode) : null,
    attemptCount: tracker.attemptCount,
    nextStep: describeNextStep(tracker, format),
    opened: format.dateTime(tracker.openedAt),
  };
}

/** What an open tracker waits for, or how a closed one ended, in words with its time. */
export function describeNextStep(
  tracker: Pick<DunningTracker, "status" | "nextAction" | "nextActionAt" | "finalAction" | "completedAt">,
  format: MerchantFormat,
): string {
  const at = tracker.nextActionAt ? format.dateTime(tracker.nextActionAt) : null;
  const finalAction = FINAL_ACTION_WORDS[tracker.finalAction as FinalAction];
  const closed = tracker.completedAt ? ` on ${format.date(tracker.completedAt)}` : "";
  switch (tracker.status) {
    case TrackerStatus.ActionRequired:
      return "Waiting for the customer to complete 3-D Secure";
    case TrackerStatus.WaitingForPaymentMethod:
      return at
        ? `Waiting for the customer's new payment method until ${at}, then: ${finalAction ? finalAction.verb.toLowerCase() : "the final action"}`
        : "Waiting for the customer's new payment method";
    case TrackerStatus.Open:
      if (tracker.nextAction === NextAction.Retry && at) return `Retry on ${at}`;
      if (tracker.nextAction === NextAction.FinalAction && at) return `${finalAction?.verb ?? "Final action"} on ${at}`;
      return "Retry with Shopify, waiting for its result";
    case TrackerStatus.Recovered:
      return `Recovered${closed}`;
    case TrackerStatus.Exhausted:
      return `${finalAction?.done ?? "Retries exhausted"}${closed}`;
    case TrackerStatus.Stopped:
      return `Stopped${closed}`;
    default:
      return `Closed${closed}`;
  }
}

// ---------------------------------------------------------------------------------------
// The summary over the last 30 days (aggregates only)

export interface RecoveredAmount {
  /** null when recovered trackers did not record their currency. */
  currencyCode: string | null;
  /** Exact decimal sum, e.g. "37.50". */
  amount: string;
  display: string;
}

export async function getDunningSummary(shop: string, now: Date, format: MerchantFormat): Promise<DunningSummary> {
  const since = new Date(now.getTime() - SUMMARY_WINDOW_DAYS * 24 * 3600_000);
  const closedWhere = { shop, status: { in: [...CLOSED_TRACKER_STATUSES] }, completedAt: { gte: since } };
  const [openGroups, closedGroups, recovered] = await Promise.all([
    prisma().dunningTracker.groupBy({ by: ["status"], where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] } }, _count: { _all: true } }),
    prisma().dunningTracker.groupBy({ by: ["status"], where: closedWhere, _count: { _all: true } }),
    // Amounts are decimal strings: summed exactly here, grouped by distinct amount (few: prices repeat).
    prisma().dunningTracker.groupBy({
      by: ["currencyCode", "recoveredAmount"],
      where: { ...closedWhere, status: TrackerStatus.Recovered, recoveredAmount: { not: null } },
      _count: { _all: true },
    }),
  ]);
  const openCounts = countsFor(OPEN_TRACKER_STATUSES, openGroups);
  const closedCounts = countsFor(CLOSED_TRACKER_STATUSES, closedGroups);
  const decided = closedCounts[TrackerStatus.Recovered] + closedCounts[TrackerStatus.Exhausted] + closedCounts[TrackerStatus.Stopped];
  const recoveryRate = decided === 0 ? null : closedCounts[TrackerStatus.Recovered] / decided;
  return {
    windowDays: SUMMARY_WINDOW_DAYS,
    openCounts,
    openTotal: sum(Object.values(openCounts)),
    openTotalLabel: format.number(sum(Object.values(openCounts))),
    closedCounts,
    closedTotal: sum(Object.values(closedCounts)),
    recoveryRate,
    recoveryRateLabel: recoveryRate === null ? null : format.percent(recoveryRate),
    recoveredAmounts: sumByCurrency(
      recovered.map((group) => ({ recoveredAmount: group.recoveredAmount, currencyCode: group.currencyCode, count: group._count._all })),
      format,
    ),
  };
}

function countsFor(statuses: readonly string[], groups: Array<{ status: string; _count: { _all: number } }>): Record<string, number> {
  const counts = Object.fromEntries(statuses.map((status) => [status, 0]));
  for (const group of groups) counts[group.status] = group._count._all;
  return counts;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Sums decimal strings (each `count` times) per currency exactly; unparseable amounts are left out. */
export function sumByCurrency(
  rows: Array<{ recoveredAmount: string | null; currencyCode: string | null; count?: number }>,
  format: MerchantFormat,
): RecoveredAmount[] {
  const byCurrency = new Map<string | null, Array<{ amount: string; count?: number }>>();
  for (const row of rows) {
    if (row.recoveredAmount === null) continue;
    byCurrency.set(row.currencyCode, [...(byCurrency.get(row.currencyCode) ?? []), { amount: row.recoveredAmount, count: row.count }]);
  }
  return [...byCurrency.entries()]
    .flatMap(([currencyCode, terms]) => {
      const total = sumDecimals(terms);
      if (total === null) return [];
      // At least cents: "12" and "0.5" read as 12.00 and 0.50.
      const amount = /\.\d{2,}$/.test(total) ? total : /\.\d$/.test(total) ? `${total}0` : `${total}.00`;
      return [{ currencyCode, amount, display: format.money(amount, currencyCode) }];
    })
    .sort((a, b) => (a.currencyCode ?? "").localeCompare(b.currencyCode ?? ""));
}

// ---------------------------------------------------------------------------------------
// One tracker

export interface TrackerEventView {
  id: number;
  at: string;
  title: string;
  detail: string;
  statusLabel: string;
  statusTone: StatusTone;
  /** "First charge", "Retry 2". */
  attempt: string | null;
}

/** Whether a merchant action can be taken now, and if not, why. */
export interface ActionAvailability {
  available: boolean;
  why: string | null;
}

export interface TrackerPage {
  timezone: string;
  /** The shop's zone as people name it, in the merchant's language ("New Zealand Time"). */
  timeZoneName: string;
  tracker: {
    id: number;
    isOpen: boolean;
    contractNumber: string;
    billingCycleIndex: number;
    statusLabel: string;
    statusTone: StatusTone;
    customer: { name: string; email: string | null; adminUrl: string | null } | null;
    amount: string | null;
    attempts: string;
    attemptsIn30Days: string;
    lastError: string | null;
    declineCategory: string | null;
    nextStep: string;
    opened: string;
    closed: string | null;
    outcome: string | null;
    /** What the merchant saw, sent back with an action: a second click finds it changed. */
    seen: string;
  };
  links: { customerAdminUrl: string | null; orderAdminUrl: string | null; chargesUrl: string };
  actions: { retry: ActionAvailability; stop: ActionAvailability; email: ActionAvailability };
  timeline: {
    events: TrackerEventView[];
    total: number;
    /** "3,000 events" */
    totalLabel: string;
    /** Links to older and newer events (the timeline is newest first). */
    olderCursor: string | null;
    newerCursor: string | null;
  };
}

/** What the merchant saw of a tracker: its status, attempts and emails. */
export function seenToken(tracker: Pick<DunningTracker, "status" | "attemptCount" | "emailsSent">): string {
  return `${tracker.status}.${tracker.attemptCount}.${tracker.emailsSent}`;
}

/** A tracker and a page of its history (newest first), or null when the shop has no tracker with this id. */
export async function getTrackerPage(shop: string, trackerId: number, page: PageRequest, context: ViewContext): Promise<TrackerPage | null> {
  if (!Number.isSafeInteger(trackerId) || trackerId <= 0) return null;
  const tracker = await prisma().dunningTracker.findFirst({ where: { id: trackerId, shop } });
  if (!tracker) return null;
  const query = keysetQuery({ fields: ["at"], direction: "desc" }, page, EVENTS_PER_PAGE);
  const cycle = { shop, contractId: tracker.contractId, billingCycleIndex: tracker.billingCycleIndex };
  const [timezone, fetched, total, customers, order, attemptsIn30Days, policy] = await Promise.all([
    shopTimeZone(shop),
    prisma().dunningEvent.findMany({
      where: { trackerId, shop, ...query.where },
      orderBy: query.orderBy as Prisma.DunningEventOrderByWithRelationInput[],
      take: query.take,
    }),
    prisma().dunningEvent.count({ where: { trackerId, shop } }),
    findCustomers(shop, [tracker.customerId]),
    findCycleOrder(cycle),
    countContractAttemptsIn30Days(shop, tracker.contractId, context.now),
    getDunningPolicy(shop),
  ]);
  const format = new MerchantFormat({ locale: context.locale, timeZone: timezone, now: context.now });
  const events = pageOf(fetched, query, page, (event) => [event.at]);
  const customer = tracker.customerId ? customers.get(tracker.customerId) : undefined;
  const number = contractNumber(tracker.contractId);
  const customerUrl = customerAdminUrl(tracker.customerId) ?? null;
  return {
    timezone,
    timeZoneName: format.timeZoneName(),
    tracker: {
      id: tracker.id,
      isOpen: (OPEN_TRACKER_STATUSES as readonly string[]).includes(tracker.status),
      contractNumber: number,
      billingCycleIndex: tracker.billingCycleIndex,
      ...statusBadge(tracker.status),
      customer: customer ? { name: customer.displayName || customer.email || "Customer", email: customer.email, adminUrl: customerUrl } : null,
      amount: tracker.amount ? format.money(tracker.amount, tracker.currencyCode) : null,
      attempts: tracker.attemptCount === 1 ? "The first charge" : `The first charge and ${tracker.attemptCount - 1} ${tracker.attemptCount === 2 ? "retry" : "retries"}`,
      attemptsIn30Days: `${format.number(attemptsIn30Days)} of the ${MAX_ATTEMPTS_IN_30_DAYS} card networks allow on this contract`,
      lastError: tracker.lastErrorCode ? describeDecline(tracker.lastErrorCode) : null,
      declineCategory: tracker.lastErrorClass ? DECLINE_CATEGORY_LABELS[tracker.lastErrorClass as DeclineClass] ?? null : null,
      nextStep: describeNextStep(tracker, format),
      opened: format.dateTime(tracker.openedAt),
      closed: tracker.completedAt ? format.dateTime(tracker.completedAt) : null,
      outcome: tracker.completedReason ? merchantText(tracker.completedReason, format) : null,
      seen: seenToken(tracker),
    },
    links: {
      customerAdminUrl: customerUrl,
      orderAdminUrl: orderAdminUrl(order?.orderId) ?? null,
      chargesUrl: `/app/charges?contract=${encodeURIComponent(number)}`,
    },
    actions: actionsFor(trackerView(tracker), { now: context.now, attemptsIn30Days, policy }),
    timeline: {
      events: events.rows.map((event) => ({
        id: event.id,
        at: format.dateTime(event.at),
        title: describeEventKind(event.kind),
        detail: merchantText(event.detail, format),
        ...statusBadge(event.status),
        attempt: event.attemptNumber ? (event.attemptNumber === 1 ? "First charge" : `Retry ${event.attemptNumber - 1}`) : null,
      })),
      total,
      totalLabel: `${format.number(total)} ${total === 1 ? "event" : "events"}`,
      olderCursor: events.nextCursor,
      newerCursor: events.previousCursor,
    },
  };
}

/** The merchant's actions as the decisions see them now (the action decides again when it runs). */
function actionsFor(view: TrackerView | null, facts: { now: Date; attemptsIn30Days: number; policy: DunningPolicy }) {
  const availability = (step: { kind: string; reason: string }): ActionAvailability =>
    step.kind === "IGNORE" ? { available: false, why: step.reason } : { available: true, why: null };
  return {
    retry: availability(decideNextStep({ kind: "MERCHANT_RETRY_REQUESTED", at: facts.now, attemptsInLast30Days: facts.attemptsIn30Days }, view)),
    stop: availability(decideNextStep({ kind: "MERCHANT_STOP_REQUESTED" }, view)),
    // Whether the contract still has a payment method is known once the action reads it.
    email: availability(decideNextStep({ kind: "MERCHANT_EMAIL_REQUESTED", at: facts.now, policy: facts.policy, hasPaymentMethod: true }, view)),
  };
}

/** Hides a notification; false when the shop has no such undismissed notification. */
export async function dismissNotification(shop: string, id: number, now: Date): Promise<boolean> {
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  const { count } = await prisma().merchantNotification.updateMany({
    where: { id, shop, dismissedAt: null },
    data: { dismissedAt: now },
  });
  return count > 0;
}

const EVENT_KIND_LABELS: Record<string, string> = {
  RETRY_SCHEDULED: "Retry scheduled",
  RETRY_REQUESTED: "You asked to retry now",
  WAITING_FOR_PAYMENT_METHOD: "Waiting for a new payment method",
  FINAL_ACTION_SCHEDULED: "Final action scheduled",
  CUSTOMER_ACTION_REQUIRED: "Customer must complete 3-D Secure",
  RECOVERED: "Payment recovered",
  STOPPED: "Dunning stopped",
  STOPPED_BY_MERCHANT: "You stopped dunning",
  CLOSED: "Closed",
  RETRY_SENT: "Retry sent to Shopify",
  RETRY_DEFERRED: "Retry deferred",
  FINAL_ACTION_APPLIED: "Final action applied",
  EMAIL_SENT: "Payment-update email sent",
  EMAIL_UNCONFIRMED: "Payment-update email not confirmed",
  EMAIL_NOT_SENT: "Payment-update email not sent",
  PAYMENT_METHOD_REVOKED: "Payment method revoked",
};

/** "OPENED_RETRY_SCHEDULED" -> "Opened: retry scheduled"; unknown kinds are spelled out. */
export function describeEventKind(kind: string): string {
  if (kind.startsWith("OPENED_")) {
    const rest = describeEventKind(kind.slice("OPENED_".length));
    return `Opened: ${rest.charAt(0).toLowerCase()}${rest.slice(1)}`;
  }
  if (kind === "OPENED") return "Opened";
  const known = EVENT_KIND_LABELS[kind];
  if (known) return known;
  const words = kind.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function statusBadge(status: string): { statusLabel: string; statusTone: StatusTone } {
  const known = TRACKER_STATUS_LABELS[status];
  return known ? { statusLabel: known.label, statusTone: known.tone } : { statusLabel: "Unknown", statusTone: undefined };
}
