import { MerchantFormat } from "../format/merchant-format";
import type { RateInterval } from "../lib/wilson-interval";
import { shopTimeZone } from "../schedules/schedule.server";
import { DeclineClass } from "./decline-classes";
import { describeDecline } from "./decline-descriptions";
import { declineOutcomes, delayLabel, MIN_SUGGESTION_RETRIES, reasonCategory, reasonLabel, suggestPolicyChanges, type ReasonInsight, type Suggestion } from "./decline-insights";
import { getDunningPolicy } from "./policy.server";
import { CHALLENGE_REASON, NO_REASON, OTHER_REASON, type RecoveryHistory } from "./recovery-history";
import { historySince, readRecoveryHistory } from "./recovery-history.server";
import { MIN_CASES } from "./recovery-odds";

// The Insights page: what the shop's failed payments of the last 90 days did, by decline
// reason, retry number and delay since the failure, each rate with its 95 % range; and the
// policy changes the evidence supports, each a set of Settings fields to pre-fill. Everything
// in the merchant's words and locale: reasons by name, never codes.

export interface InsightsRow {
  /** "Retry 2, after 4 to 7 days" */
  label: string;
  /** "12 of 50 recovered" */
  countText: string;
  /** "24%" */
  rateText: string;
  /** "95% range: 14% to 37%" */
  rangeText: string;
  rate: number;
  low: number;
  high: number;
  fewCases: boolean;
}

export interface InsightsReason {
  key: string;
  label: string;
  category: string;
  description: string;
  /** "52 failed payments: 30 recovered of the 45 settled (66.7%; 95% range: 52% to 79%); 7 still followed up." */
  summaryText: string;
  rows: InsightsRow[];
  /** When there is no retry row: why. */
  noRowsText: string | null;
}

export interface InsightsSuggestion {
  title: string;
  evidence: string;
  change: string;
  /** The Settings form fields it pre-fills. */
  fields: Record<string, string>;
}

export interface InsightsView {
  /** "16 Oct 2025 to 14 Jan" */
  windowText: string;
  payments: number;
  summaryText: string | null;
  suggestions: InsightsSuggestion[];
  /** What the page says when nothing is suggested: what would make a suggestion, and what is close. */
  noSuggestionText: string | null;
  reasons: InsightsReason[];
  /** What the page says with no failed payment at all. */
  emptyText: string | null;
}

export async function getDeclineInsights(shop: string, { now, locale }: { now: Date; locale: string }): Promise<InsightsView> {
  const [timeZone, history, policy] = await Promise.all([shopTimeZone(shop), readRecoveryHistory(shop, now), getDunningPolicy(shop)]);
  const format = new MerchantFormat({ locale, timeZone, now });
  return insightsView(history, suggestPolicyChanges(history, policy, format), format, now);
}

/** The page's words from the history and the suggestions. */
export function insightsView(history: RecoveryHistory, suggestions: Suggestion[], format: MerchantFormat, now: Date): InsightsView {
  const n = (value: number) => format.number(value);
  const reasons = declineOutcomes(history);
  const payments = reasons.reduce((total, reason) => total + reason.payments, 0);
  const windowText = `${format.date(historySince(now))} to ${format.date(now)}`;
  if (payments === 0) {
    return {
      windowText,
      payments,
      summaryText: null,
      suggestions: [],
      noSuggestionText: null,
      reasons: [],
      emptyText:
        `No payment failed in the last ${n(history.windowDays)} days. When a charge fails, this page shows how its retries went, by decline reason, ` +
        `retry and delay, and suggests changes to your dunning settings once at least ${n(MIN_SUGGESTION_RETRIES)} retries point the same way.`,
    };
  }
  const recovered = reasons.reduce((total, reason) => total + reason.recovered, 0);
  const settled = reasons.reduce((total, reason) => total + reason.settled, 0);
  const open = reasons.reduce((total, reason) => total + reason.stillOpen, 0);
  const strong = suggestions.filter((suggestion) => suggestion.strong);
  const lead = suggestions.find((suggestion) => !suggestion.strong && Number.isFinite(suggestion.retriesNeeded));
  return {
    windowText,
    payments,
    summaryText:
      `${n(payments)} failed ${payments === 1 ? "payment" : "payments"}: ${n(recovered)} recovered` +
      (settled > 0 ? ` of the ${n(settled)} settled (${format.percent(recovered / settled)})` : "") +
      (open > 0 ? `; ${n(open)} still being followed up` : "") +
      ".",
    suggestions: strong.map(({ title, evidence, change, fields }) => ({ title, evidence, change, fields: fields as Record<string, string> })),
    noSuggestionText:
      strong.length > 0
        ? null
        : `No change is suggested yet: a suggestion needs at least ${n(MIN_SUGGESTION_RETRIES)} retries that point the same way, with 95% confidence ` +
          `(for example, no payment recovered by the retries after a given one, or a last retry that still recovers at least 10%).` +
          (lead
            ? ` The closest: “${lead.title.toLowerCase()}” rests on ${n(lead.retries)} retries so far and would need about ${n(lead.retriesNeeded)} more` +
              (lead.kind === "STOP_EARLIER" ? ", none of them recovering a payment." : ".")
            : ""),
    reasons: reasons.map((reason) => reasonView(reason, format)),
    emptyText: null,
  };
}

function reasonView(reason: ReasonInsight, format: MerchantFormat): InsightsReason {
  const n = (value: number) => format.number(value);
  const rate = reason.recoveryRate;
  const summaryText =
    `${n(reason.payments)} failed ${reason.payments === 1 ? "payment" : "payments"}` +
    (rate ? `: ${n(reason.recovered)} recovered of the ${n(reason.settled)} settled (${format.percent(rate.rate)}; ${rangeText(rate, format)})` : "") +
    (reason.stillOpen > 0 ? `; ${n(reason.stillOpen)} still being followed up` : "") +
    ".";
  return {
    key: reason.reason,
    label: reasonLabel(reason.reason),
    category: reasonCategory(reason.reason, reason.declineClass),
    description: reasonDescription(reason.reason),
    summaryText,
    rows: reason.rows.map((row) => ({
      // A card that needs updating is retried only once the customer gave a new one.
      label: `Retry ${n(row.retryNumber)}${reason.declineClass === DeclineClass.Hard ? " with a new card" : ""}, ${delayLabel(row.delayBucket, format)}`,
      countText: `${n(row.recovered)} of ${n(row.attempts)} recovered`,
      rateText: format.percent(row.interval.rate),
      rangeText: rangeText(row.interval, format),
      rate: row.interval.rate,
      low: row.interval.low,
      high: row.interval.high,
      fewCases: row.fewCases,
    })),
    noRowsText: reason.rows.length > 0 ? null : noRowsText(reason),
  };
}

function rangeText(interval: RateInterval, format: MerchantFormat): string {
  return `95% range: ${format.percent(interval.low)} to ${format.percent(interval.high)}`;
}

function reasonDescription(reason: string): string {
  if (reason === CHALLENGE_REASON) return "The bank asked the customer to confirm the payment with 3-D Secure.";
  if (reason === NO_REASON) return describeDecline(null);
  if (reason === OTHER_REASON) return "Reasons this version of the app does not know yet; they are retried as temporary declines.";
  return describeDecline(reason);
}

function noRowsText(reason: ReasonInsight): string {
  switch (reason.declineClass) {
    case DeclineClass.Hard:
      return "Not retried until the customer updates their card; no customer has yet. Retries after an update appear here.";
    case DeclineClass.Challenge:
      return "Never retried: only the customer can complete 3-D Secure.";
    case DeclineClass.Merchant:
      return "Not retried: dunning stops until the shop's payment setup is fixed.";
    default:
      return `No retry has a result yet. Each retry appears here with its outcome; rates based on fewer than ${MIN_CASES} retries are marked.`;
  }
}
