import type { Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { findCustomers, searchCustomers } from "../customers/customer-records.server";
import { contractNumber, customerAdminUrl, orderAdminUrl } from "../format/admin-links";
import { MerchantFormat } from "../format/merchant-format";
import { merchantText } from "../format/merchant-text";
import { decodeCursor, keysetQuery, pageOf, type PageRequest } from "../lib/keyset-page";
import { shopTimeZone } from "../schedules/schedule.server";
import { CHARGE_OUTCOME_KEYS, CHARGE_OUTCOMES, OUTCOME_OF_STATUS, type ChargeOutcome } from "./charge-outcomes";

/**
 * The Charges page: every billing attempt the app made (first charges and retries), newest
 * first, searched by customer, contract or order and filtered by outcome and dates, a page
 * at a time. One search answers "was this customer charged, and when?".
 */

export const CHARGES_PER_PAGE = 25;

export interface ChargeFilters {
  /** A customer's name or email, or a contract or order number ("#1042"). */
  query: string;
  outcomes: ChargeOutcome[];
  /** The shop's calendar dates, inclusive ("2026-01-14"). */
  from: string | null;
  to: string | null;
  /** One contract's charges (the contract link of a row). */
  contract: string | null;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

function localDateOrNull(text: string | null): string | null {
  if (!text || !LOCAL_DATE.test(text)) return null;
  const [year, month, day] = text.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? text : null;
}

/** The filters and page a URL asks for; anything malformed is left out rather than refused. */
export function parseChargesQuery(params: URLSearchParams): { filters: ChargeFilters; page: PageRequest } {
  const outcomes = params.getAll("outcome").filter((key): key is ChargeOutcome => key in CHARGE_OUTCOMES);
  let from = localDateOrNull(params.get("from"));
  let to = localDateOrNull(params.get("to"));
  if (from && to && from > to) [from, to] = [to, from];
  const contract = /^\d{1,20}$/.test(params.get("contract") ?? "") ? params.get("contract") : null;
  return {
    filters: { query: (params.get("query") ?? "").trim().slice(0, 200), outcomes: [...new Set(outcomes)], from, to, contract },
    page: { after: decodeCursor(params.get("after")), before: decodeCursor(params.get("before")) },
  };
}

export interface ChargeRow {
  id: number;
  /** When the app asked Shopify to charge, in the shop's time. */
  date: string;
  /** "First charge", "Retry 2". */
  attempt: string;
  billingCycleIndex: number;
  customer: { name: string; email: string | null; adminUrl: string | null } | null;
  contractNumber: string;
  /** The contract's charges (this page, filtered). */
  contractUrl: string;
  /** The cycle's dunning tracker, when it had one. */
  trackerUrl: string | null;
  outcome: ChargeOutcome;
  outcomeLabel: string;
  outcomeTone: (typeof CHARGE_OUTCOMES)[ChargeOutcome]["tone"];
  /** A failed payment's code (the page words it); Shopify's reason for a refusal, readable. */
  errorCode: string | null;
  refusal: string | null;
  /** The cycle's price as dunning read it from the contract, when the app knows it. */
  amount: string | null;
  order: { number: string; adminUrl: string } | null;
}

export interface ChargesPage {
  timezone: string;
  /** The shop's zone as people name it, in the merchant's language ("New Zealand Time"). */
  timeZoneName: string;
  filters: ChargeFilters;
  /** The date filter in words ("Jan 1 – Jan 14"), or null. */
  dateRangeLabel: string | null;
  rows: ChargeRow[];
  nextCursor: string | null;
  previousCursor: string | null;
  /** Matching attempts by outcome (the outcome filter aside): aggregates, not rows. */
  counts: Record<ChargeOutcome, number>;
  /** Matching attempts with the outcome filter applied. */
  total: number;
  /** The counts as the merchant's locale writes numbers ("12,345"), and "all". */
  countLabels: Record<ChargeOutcome | "all", string>;
  totalLabel: string;
  /** The name search matched more customers than it looks through. */
  customersCut: boolean;
}

/** One page of the shop's charges. `now` and `locale` say how dates and money read. */
export async function getChargesPage(
  shop: string,
  filters: ChargeFilters,
  page: PageRequest,
  context: { now: Date; locale: string },
): Promise<ChargesPage> {
  const timezone = await shopTimeZone(shop);
  const format = new MerchantFormat({ locale: context.locale, timeZone: timezone, now: context.now });
  const { where, customersCut } = await matching(shop, filters);
  const withOutcome: Prisma.BillingAttemptWhereInput = filters.outcomes.length
    ? { AND: [where, { status: { in: filters.outcomes.flatMap((key) => [...CHARGE_OUTCOMES[key].statuses]) } }] }
    : where;
  // Newest first: by the shop's date of the run that made the attempt, then when it was recorded.
  const query = keysetQuery({ fields: ["runLocalDate", "createdAt"], direction: "desc" }, page, CHARGES_PER_PAGE);
  const [fetched, groups] = await Promise.all([
    prisma().billingAttempt.findMany({
      where: query.where ? { AND: [withOutcome, query.where] } : withOutcome,
      orderBy: query.orderBy as Prisma.BillingAttemptOrderByWithRelationInput[],
      take: query.take,
      select: {
        id: true,
        contractId: true,
        billingCycleIndex: true,
        attemptNumber: true,
        customerId: true,
        status: true,
        orderId: true,
        errorCode: true,
        errorMessage: true,
        sentAt: true,
        createdAt: true,
        runLocalDate: true,
      },
    }),
    prisma().billingAttempt.groupBy({ by: ["status"], where, _count: { _all: true } }),
  ]);
  const { rows, nextCursor, previousCursor } = pageOf(fetched, query, page, (row) => [row.runLocalDate, row.createdAt]);
  const [customers, trackers] = await Promise.all([findCustomers(shop, rows.map((row) => row.customerId)), cycleTrackers(shop, rows)]);

  const counts = Object.fromEntries(CHARGE_OUTCOME_KEYS.map((key) => [key, 0])) as Record<ChargeOutcome, number>;
  for (const group of groups) {
    const key = OUTCOME_OF_STATUS[group.status];
    if (key) counts[key] += group._count._all;
  }
  const shown = filters.outcomes.length ? filters.outcomes : CHARGE_OUTCOME_KEYS;
  const total = shown.reduce((sum, key) => sum + counts[key], 0);
  const all = CHARGE_OUTCOME_KEYS.reduce((sum, key) => sum + counts[key], 0);
  return {
    timezone,
    timeZoneName: format.timeZoneName(),
    filters,
    dateRangeLabel: dateRangeLabel(filters, format),
    rows: rows.map((row) => {
      const customer = row.customerId ? customers.get(row.customerId) : undefined;
      const tracker = trackers.get(`${row.contractId}|${row.billingCycleIndex}`);
      const outcome = OUTCOME_OF_STATUS[row.status] ?? "processing";
      const number = contractNumber(row.contractId);
      const orderUrl = orderAdminUrl(row.orderId);
      return {
        id: row.id,
        // Sent: when the billing run (its clock) asked Shopify; recorded, for one never confirmed.
        date: format.dateTime(row.sentAt ?? row.createdAt),
        attempt: row.attemptNumber === 1 ? "First charge" : `Retry ${row.attemptNumber - 1}`,
        billingCycleIndex: row.billingCycleIndex,
        customer: customer
          ? { name: customer.displayName || customer.email || "Customer", email: customer.email, adminUrl: customerAdminUrl(row.customerId) ?? null }
          : null,
        contractNumber: number,
        contractUrl: `/app/charges?contract=${encodeURIComponent(number)}`,
        trackerUrl: tracker ? `/app/dunning/${tracker.id}` : null,
        outcome,
        outcomeLabel: CHARGE_OUTCOMES[outcome].label,
        outcomeTone: CHARGE_OUTCOMES[outcome].tone,
        errorCode: row.status === "FAILED" ? row.errorCode : null,
        refusal: row.status === "REJECTED" && row.errorMessage ? merchantText(row.errorMessage, format) : null,
        amount: tracker?.amount ? format.money(tracker.amount, tracker.currencyCode) : null,
        order: row.orderId && orderUrl ? { number: row.orderId.split("/").pop() ?? row.orderId, adminUrl: orderUrl } : null,
      };
    }),
    nextCursor,
    previousCursor,
    counts,
    total,
    countLabels: { all: format.number(all), ...(Object.fromEntries(CHARGE_OUTCOME_KEYS.map((key) => [key, format.number(counts[key])])) as Record<ChargeOutcome, string>) },
    totalLabel: `${format.number(total)} ${total === 1 ? "charge" : "charges"}`,
    customersCut,
  };
}

/** The attempts the filters (but the outcome) select: search, contract, dates. */
async function matching(shop: string, filters: ChargeFilters) {
  const and: Prisma.BillingAttemptWhereInput[] = [{ shop }];
  let customersCut = false;
  const number = /^#?\s*(\d{1,20})$/.exec(filters.query)?.[1];
  if (number) {
    and.push({ OR: [{ contractId: `gid://shopify/SubscriptionContract/${number}` }, { orderId: `gid://shopify/Order/${number}` }] });
  } else if (filters.query) {
    const found = await searchCustomers(shop, filters.query);
    customersCut = found.cut;
    and.push({ customerId: { in: found.customerIds } });
  }
  if (filters.contract) and.push({ contractId: `gid://shopify/SubscriptionContract/${filters.contract}` });
  // The shop's calendar day of the run (or dunning pass) that made the attempt.
  if (filters.from) and.push({ runLocalDate: { gte: filters.from } });
  if (filters.to) and.push({ runLocalDate: { lte: filters.to } });
  return { where: { AND: and } satisfies Prisma.BillingAttemptWhereInput, customersCut };
}

/** The trackers of the page's cycles (at most a page's worth), by contract and cycle. */
async function cycleTrackers(shop: string, rows: Array<{ contractId: string; billingCycleIndex: number }>) {
  if (rows.length === 0) return new Map<string, { id: number; amount: string | null; currencyCode: string | null }>();
  const cycles = [...new Map(rows.map((row) => [`${row.contractId}|${row.billingCycleIndex}`, row])).values()];
  const trackers = await prisma().dunningTracker.findMany({
    where: { shop, OR: cycles.map(({ contractId, billingCycleIndex }) => ({ contractId, billingCycleIndex })) },
    select: { id: true, contractId: true, billingCycleIndex: true, amount: true, currencyCode: true },
  });
  return new Map(trackers.map((tracker) => [`${tracker.contractId}|${tracker.billingCycleIndex}`, tracker]));
}

function dateRangeLabel(filters: ChargeFilters, format: MerchantFormat): string | null {
  const day = (date: string) => format.localDate(date);
  if (filters.from && filters.to) return filters.from === filters.to ? day(filters.from) : `${day(filters.from)} – ${day(filters.to)}`;
  if (filters.from) return `From ${day(filters.from)}`;
  if (filters.to) return `Until ${day(filters.to)}`;
  return null;
}
