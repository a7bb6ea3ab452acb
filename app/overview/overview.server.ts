import { countFirstChargesByRunDate, type RunDay } from "../attempts/run-history.server";
import { findCustomers } from "../customers/customer-records.server";
import { declineCategoryLabel, describeDecline } from "../dunning/decline-descriptions";
import { CUSTOMER_DATA_REQUEST, getMerchantAttention, type AttentionItem } from "../dunning/merchant-attention.server";
import { getRecoveryStats, getRevenueAtRisk, type MoneyTotal, type RecoveryCounts } from "../dunning/recovery-stats.server";
import { TrackerStatus } from "../dunning/next-step";
import { MerchantNotificationKind } from "../dunning/tracker-changes.server";
import { contractNumber, customerAdminUrl } from "../format/admin-links";
import { MerchantFormat } from "../format/merchant-format";
import { merchantText } from "../format/merchant-text";
import { CHARGE_RECONCILIATION_NOTICE, reconciliationNoticeText } from "../reconciliation/reconciliation-notice";
import { getReconciliationSummary, type ReconciliationSummary } from "../reconciliation/reconciliation-view.server";
import { getBillingScheduleView, type BillingScheduleView } from "../schedules/schedule.server";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { addLocalDays, lastLocalDates, startOfLocalDate, windowStart } from "../time/local-days";

// The app's home page: when billing runs, what the last 30 days of runs charged, what dunning
// recovered and what is still at risk, and what needs the merchant. It composes the domain
// read models (each an aggregate or a bounded read) and words them for the merchant: dates
// in the shop's zone and the merchant's locale, money exact in its currency, no codes.

export const RUN_CHART_DAYS = 30;
export const RECOVERY_WINDOWS_DAYS = [30, 90] as const;
export const RECONCILIATION_WINDOW_DAYS = 30;
const ATTENTION_LINES = 10;

export interface OverviewContext {
  now: Date;
  /** The merchant's locale (app/http/merchant-locale.ts). */
  locale: string;
}

export interface BillingSummary {
  active: boolean;
  paused: boolean;
  /** "9:00 AM" */
  hourText: string;
  /** "New Zealand Time" */
  timeZoneName: string;
  /** "Pacific/Auckland" */
  timeZone: string;
  /** "Tue, Jan 13, 9:00 AM NZDT"; null while billing is off. */
  nextRunText: string | null;
  runIsDue: boolean;
  lastRun: { dateText: string; finishedText: string | null; countsText: string; failedReason: string | null } | null;
}

export interface RunChartDay extends RunDay {
  /** "Jan 14" (with the year when not this year) */
  label: string;
  /** "Wed, Jan 14: 12 charged, 1 failed, 2 of them caught up" */
  description: string;
}

export interface RunChart {
  days: RunChartDay[];
  totals: { charged: number; failed: number; pending: number; caughtUp: number; runDays: number };
  /** The largest day (charged + failed + pending), for the chart's scale. */
  largestDay: number;
}

export interface RecoveryCategoryView {
  label: string;
  /** "2 of 3 recovered (66.7%)" */
  text: string;
  recoveredText: string | null;
}

export interface RecoveryView {
  days: number;
  /** "$20.00 and €10.00"; null when nothing was recovered. */
  recoveredText: string | null;
  /** "60%"; null when no failed payment was settled in the window. */
  rateText: string | null;
  /** The rate's formula with the window's numbers: "3 ÷ (3 + 1 + 1) = 60%" */
  formulaText: string | null;
  /** "1 closed without charging (contract cancelled or paused elsewhere), not counted." */
  abandonedText: string | null;
  settled: number;
  byCategory: RecoveryCategoryView[];
}

export interface AtRiskView {
  trackers: number;
  /** "$45.00"; null when no amount is known. */
  amountText: string | null;
  /** "3 retrying, 1 waiting for a new card, 1 needs 3-D Secure" */
  statusText: string;
  /** "1 more whose amount is not known yet" */
  unknownText: string | null;
}

export interface AttentionLine {
  noticeId: number;
  label: string;
  tone: "warning" | "critical" | "attention" | "info";
  /** "Contract #1042 · Jane Doe" */
  title: string;
  text: string;
  /** "Since Tue, Jan 13, 9:04 AM NZDT" */
  sinceText: string;
  trackerId: number | null;
  customerUrl: string | null;
}

export interface ReconciliationFigureView {
  label: string;
  value: string;
  /** "expected 0" */
  note: string | null;
  /** Not what it should be: shown in the critical tone. */
  problem: boolean;
}

export interface ReconciliationView {
  /** The day last checked ("Tue, Jan 13"); null before the first one. */
  dayText: string | null;
  /** When it was checked ("Wed, Jan 14, 9:04 AM NZDT"). */
  checkedText: string | null;
  tone: "success" | "critical" | "warning" | "info";
  /** One line on the last day checked: it adds up, or what does not. */
  statusText: string;
  figures: ReconciliationFigureView[];
  /** "Last 30 days, 12 days checked: 4,210 cycles charged, ..."; null before the first day. */
  windowText: string | null;
  /** "1 more day waits to be checked: at the next billing endpoint call." */
  waitingText: string | null;
  /** A day Shopify would not let the app check, with why. */
  failedText: string | null;
}

export interface OverviewView {
  billing: BillingSummary;
  runs: RunChart;
  recovery: RecoveryView[];
  atRisk: AtRiskView;
  attention: { lines: AttentionLine[]; more: boolean };
  reconciliation: ReconciliationView;
}

/**
 * Everything the home page shows. `schedule` is the billing schedule's own view (kept for the
 * callers that read it); `overview` is what the page renders.
 */
export async function getOverview(
  shop: string,
  graphql: AdminGraphql,
  { now, locale }: OverviewContext,
): Promise<{ schedule: BillingScheduleView; overview: OverviewView }> {
  const schedule = await getBillingScheduleView(shop, graphql, now);
  const { timezone } = schedule;
  const format = new MerchantFormat({ locale, timeZone: timezone, now });
  const dates = lastLocalDates(now, timezone, RUN_CHART_DAYS);
  const [runDays, recovery, atRisk, attention, reconciliation] = await Promise.all([
    // A date's run charges the cycles due since the day before's run; one due before the day
    // before even began was owed to a missed run. (Measured from the day's start rather than
    // the billing hour, which the merchant may have changed since: never a false "caught up",
    // though a missed run's cycles due early on its own day are not marked.)
    countFirstChargesByRunDate(shop, dates, (date) => startOfLocalDate(addLocalDays(date, -1), timezone)),
    getRecoveryStats(shop, RECOVERY_WINDOWS_DAYS.map((days) => ({ days, since: windowStart(now, timezone, days) }))),
    getRevenueAtRisk(shop),
    getMerchantAttention(shop, ATTENTION_LINES),
    getReconciliationSummary(shop, dates[dates.length - RECONCILIATION_WINDOW_DAYS] ?? dates[0]),
  ]);
  const customers = await findCustomers(shop, attention.items.map((item) => item.tracker?.customerId));
  return {
    schedule,
    overview: {
      billing: billingSummary(schedule, format),
      runs: runChart(runDays, timezone, format),
      recovery: recovery.map((window) => recoveryView(window, format)),
      atRisk: atRiskView(atRisk, format),
      attention: {
        lines: attention.items.map((item) => attentionLine(item, format, item.tracker?.customerId ? customers.get(item.tracker.customerId)?.displayName : undefined)),
        more: attention.more,
      },
      reconciliation: reconciliationView(reconciliation, format),
    },
  };
}

function reconciliationView(summary: ReconciliationSummary, format: MerchantFormat): ReconciliationView {
  const n = (value: number) => format.number(value);
  const plural = (count: number, one: string, many: string) => `${n(count)} ${count === 1 ? one : many}`;
  const waitingText = summary.waiting
    ? `${plural(summary.waiting, "more day waits", "more days wait")} to be checked, at the next calls of the billing endpoint.`
    : null;
  const failedText = summary.failed
    ? `${format.localDate(summary.failed.localDate)} could not be checked: ${merchantText(summary.failed.error ?? "Shopify refused the shop's requests.", format)}`
    : null;
  const { latest, window } = summary;
  if (!latest) {
    return {
      dayText: null,
      checkedText: null,
      tone: "info",
      statusText: "No day checked yet. After each day's billing run, the app checks the day before: every billing cycle it charged against the orders Shopify created.",
      figures: [],
      windowText: null,
      waitingText,
      failedText,
    };
  }
  const problems = latest.cyclesChargedMoreThanOnce + latest.ordersWithoutAttempt;
  const statusText =
    problems > 0
      ? "Some charges do not match: see Needs your attention for the contracts and orders."
      : latest.attemptsWithoutOutcome > 0
        ? "Every order matches a charge the app made; some charges have no outcome yet."
        : "Every charge the app made matches an order Shopify created, once.";
  return {
    dayText: format.localDate(latest.localDate),
    checkedText: latest.completedAt ? format.dateTime(latest.completedAt) : null,
    tone: problems > 0 ? "critical" : latest.attemptsWithoutOutcome > 0 ? "warning" : "success",
    statusText,
    figures: [
      { label: "Billing cycles charged", value: n(latest.cyclesCharged), note: null, problem: false },
      { label: "Charged more than once", value: n(latest.cyclesChargedMoreThanOnce), note: "expected 0", problem: latest.cyclesChargedMoreThanOnce > 0 },
      { label: "Orders without a matching charge", value: n(latest.ordersWithoutAttempt), note: "expected 0", problem: latest.ordersWithoutAttempt > 0 },
      { label: "Charges without an outcome", value: n(latest.attemptsWithoutOutcome), note: "expected 0", problem: latest.attemptsWithoutOutcome > 0 },
    ],
    windowText:
      `Last ${RECONCILIATION_WINDOW_DAYS} days, ${plural(window.daysChecked, "day", "days")} checked: ` +
      `${plural(window.cyclesCharged, "billing cycle", "billing cycles")} charged, ${n(window.cyclesChargedMoreThanOnce)} more than once, ` +
      `${plural(window.ordersWithoutAttempt, "order", "orders")} without a matching charge, ${plural(window.attemptsWithoutOutcome, "charge", "charges")} without an outcome.`,
    waitingText,
    failedText,
  };
}

function billingSummary(schedule: BillingScheduleView, format: MerchantFormat): BillingSummary {
  const { lastRun } = schedule;
  return {
    active: schedule.active,
    paused: schedule.paused,
    hourText: format.hour(schedule.billingHour),
    timeZoneName: format.timeZoneName(),
    timeZone: schedule.timezone,
    nextRunText: schedule.nextRunAt ? format.dateTime(schedule.nextRunAt) : null,
    runIsDue: schedule.runIsDue,
    lastRun: lastRun
      ? {
          dateText: format.localDate(lastRun.localDate),
          finishedText: lastRun.finishedAt ? format.dateTime(lastRun.finishedAt) : null,
          countsText: lastRunCounts(lastRun.attempts, format),
          failedReason: lastRun.outcome === "FAILED" ? merchantText(lastRun.error ?? "Shopify refused the shop's requests.", format) : null,
        }
      : null,
  };
}

const ATTEMPT_WORDS: Array<[status: string, words: string]> = [
  ["SUCCEEDED", "charged"],
  ["PROCESSING", "processing"],
  ["PENDING", "not confirmed yet"],
  ["FAILED", "failed"],
  ["ACTION_REQUIRED", "waiting for 3-D Secure"],
  ["REJECTED", "refused by Shopify"],
];

function lastRunCounts(attempts: Record<string, number>, format: MerchantFormat): string {
  const parts = ATTEMPT_WORDS.filter(([status]) => attempts[status]).map(([status, words]) => `${format.number(attempts[status])} ${words}`);
  return parts.length ? parts.join(", ") : "nothing was due";
}

function runChart(days: RunDay[], timezone: string, format: MerchantFormat): RunChart {
  const totals = { charged: 0, failed: 0, pending: 0, caughtUp: 0, runDays: 0 };
  let largestDay = 0;
  const chartDays = days.map((day) => {
    const made = day.charged + day.failed + day.pending;
    totals.charged += day.charged;
    totals.failed += day.failed;
    totals.pending += day.pending;
    totals.caughtUp += day.caughtUp;
    if (made > 0) totals.runDays += 1;
    largestDay = Math.max(largestDay, made);
    const parts = [
      `${format.number(day.charged)} charged`,
      ...(day.failed ? [`${format.number(day.failed)} failed`] : []),
      ...(day.pending ? [`${format.number(day.pending)} not settled yet`] : []),
    ];
    const caughtUp = day.caughtUp ? `; ${format.number(day.caughtUp)} of them caught up from earlier days` : "";
    return {
      ...day,
      label: format.date(startOfLocalDate(day.localDate, timezone)),
      description: `${format.localDate(day.localDate)}: ${made === 0 ? "no charges" : parts.join(", ")}${caughtUp}`,
    };
  });
  return { days: chartDays, totals, largestDay };
}

export function moneyText(totals: MoneyTotal[], format: MerchantFormat): string | null {
  if (totals.length === 0) return null;
  const texts = totals.map((total) => format.money(total.amount, total.currencyCode));
  return texts.length === 1 ? texts[0] : `${texts.slice(0, -1).join(", ")} and ${texts[texts.length - 1]}`;
}

function recoveryView(window: RecoveryCounts & { days: number; byCategory: Array<RecoveryCounts & { declineClass: string }> }, format: MerchantFormat): RecoveryView {
  const settled = window.recovered + window.exhausted + window.stopped;
  const n = (value: number) => format.number(value);
  return {
    days: window.days,
    recoveredText: moneyText(window.recoveredAmounts, format),
    rateText: window.rate === null ? null : format.percent(window.rate),
    formulaText:
      window.rate === null
        ? null
        : `${n(window.recovered)} ÷ (${n(window.recovered)} + ${n(window.exhausted)} + ${n(window.stopped)}) = ${format.percent(window.rate)}`,
    abandonedText: window.abandoned
      ? `${n(window.abandoned)} closed without charging (the contract was paused or cancelled elsewhere, or the cycle skipped): not counted.`
      : null,
    settled,
    byCategory: window.byCategory.map((category) => {
      const decided = category.recovered + category.exhausted + category.stopped;
      return {
        label: declineCategoryLabel(category.declineClass),
        text:
          category.rate === null
            ? `${n(category.abandoned)} closed without charging`
            : `${n(category.recovered)} of ${n(decided)} recovered (${format.percent(category.rate)})`,
        recoveredText: moneyText(category.recoveredAmounts, format),
      };
    }),
  };
}

const OPEN_STATUS_WORDS: Array<[status: string, words: string]> = [
  [TrackerStatus.Open, "retrying"],
  [TrackerStatus.WaitingForPaymentMethod, "waiting for a new card"],
  [TrackerStatus.ActionRequired, "waiting for 3-D Secure"],
];

function atRiskView(atRisk: Awaited<ReturnType<typeof getRevenueAtRisk>>, format: MerchantFormat): AtRiskView {
  const known = atRisk.trackers - atRisk.withoutAmount;
  return {
    trackers: atRisk.trackers,
    amountText: known > 0 ? moneyText(atRisk.amounts, format) : null,
    statusText: OPEN_STATUS_WORDS.filter(([status]) => atRisk.byStatus[status])
      .map(([status, words]) => `${format.number(atRisk.byStatus[status])} ${words}`)
      .join(", "),
    unknownText: atRisk.withoutAmount && known > 0 ? `and ${format.number(atRisk.withoutAmount)} more whose amount is not known yet` : null,
  };
}

function attentionLine(item: AttentionItem, format: MerchantFormat, customerName: string | undefined): AttentionLine {
  const since = `Since ${format.dateTime(item.createdAt)}`;
  const tracker = item.tracker;
  if (!tracker) {
    const reconciliation = item.kind === CHARGE_RECONCILIATION_NOTICE;
    return {
      noticeId: item.noticeId,
      label: item.kind === CUSTOMER_DATA_REQUEST ? "Customer data request" : reconciliation ? "Charge check" : "For you",
      tone: reconciliation ? "critical" : "info",
      title: item.kind === CUSTOMER_DATA_REQUEST ? "A customer asked for their data" : reconciliation ? "Charges that do not match Shopify's orders" : "Notice",
      // Written when the request came, for any reader: words and the shop's time for the merchant.
      text: reconciliation ? reconciliationNoticeText(item.message ?? "", format) : merchantText(item.message ?? "", format),
      sinceText: since,
      trackerId: null,
      customerUrl: null,
    };
  }
  const amount = tracker.amount ? format.money(tracker.amount, tracker.currencyCode) : null;
  const payment = amount ? `the payment of ${amount}` : "the payment";
  const base = {
    noticeId: item.noticeId,
    title: [`Contract #${contractNumber(tracker.contractId)}`, customerName].filter(Boolean).join(" · "),
    sinceText: since,
    trackerId: tracker.id,
    customerUrl: customerAdminUrl(tracker.customerId) ?? null,
  };
  switch (item.kind) {
    case MerchantNotificationKind.ActionRequired:
      return {
        ...base,
        label: "Needs 3-D Secure",
        tone: "warning",
        text: `The customer's bank wants them to confirm ${payment} (3-D Secure). Shopify asks them; nothing is retried meanwhile.`,
      };
    case MerchantNotificationKind.Inventory:
      return {
        ...base,
        label: "Out of stock",
        tone: "attention",
        text: `${describeDecline(tracker.lastErrorCode)} Restock it so the next retry can charge ${amount ?? "the cycle"}; the customer is not emailed.`,
      };
    case MerchantNotificationKind.DunningStopped:
      return {
        ...base,
        label: "Shop setup problem",
        tone: "critical",
        text: `${describeDecline(tracker.lastErrorCode)} No retry can help until this is fixed in your shop's payment settings, so ${payment} is not retried.`,
      };
    default:
      return { ...base, label: "Needs your attention", tone: "info", text: describeDecline(tracker.lastErrorCode) };
  }
}
