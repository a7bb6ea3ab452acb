import { wilsonInterval, type RateInterval } from "../lib/wilson-interval";
import { DeclineClass } from "./decline-classes";
import { declineCategoryLabel, declineLabel } from "./decline-descriptions";
import { TrackerStatus } from "./next-step";
import { attemptDays, type DunningPolicy, MAX_ATTEMPTS_IN_30_DAYS, MAX_RETRIES, maxAttemptsWithin30Days, type PolicyField, type RetrySchedule } from "./policy";
import { CHALLENGE_REASON, DELAY_BUCKETS, type DeclineReason, NO_REASON, OTHER_REASON, type RecoveryHistory, type RetryOutcomes } from "./recovery-history";
import { MIN_CASES } from "./recovery-odds";

// What the shop's own results say about its retries: outcomes by decline reason, retry
// number and delay since the failure, each rate with its 95 % Wilson interval; and the
// changes to the policy that the evidence supports, only where it is strong (a suggestion
// names its numbers, and is a set of form fields the Settings page pre-fills). Pure.

/** Retries a suggestion rests on, at least. */
export const MIN_SUGGESTION_RETRIES = 30;
/** Stop after retry k when the later retries' chance is below this, at 95 % confidence. */
export const STOP_BELOW = 0.05;
/** Add a retry when the last one still recovers at least this, at 95 % confidence. */
export const ADD_FROM = 0.1;

export interface OutcomeRow {
  retryNumber: number;
  delayBucket: number;
  attempts: number;
  recovered: number;
  interval: RateInterval;
  /** Fewer than MIN_CASES retries: the interval is wide and the what-if does not use it. */
  fewCases: boolean;
}

export interface ReasonInsight {
  reason: DeclineReason;
  declineClass: DeclineClass;
  /** Failed payments first declined for this reason, recovered ones, and the recovery rate of those settled. */
  payments: number;
  recovered: number;
  settled: number;
  recoveryRate: RateInterval | null;
  stillOpen: number;
  rows: OutcomeRow[];
}

/** Every reason with a failed payment in the window, most payments first; its retries by number and delay. */
export function declineOutcomes(history: RecoveryHistory): ReasonInsight[] {
  return history.reasons.map((reason) => {
    const count = (status: TrackerStatus) => reason.statuses[status] ?? 0;
    const recovered = count(TrackerStatus.Recovered);
    const settled = recovered + count(TrackerStatus.Exhausted) + count(TrackerStatus.Stopped);
    const rows = history.retries
      .filter((retry) => retry.reason === reason.reason && retry.attempts > 0)
      .map((retry) => ({
        retryNumber: retry.retryNumber,
        delayBucket: retry.delayBucket,
        attempts: retry.attempts,
        recovered: retry.recovered,
        interval: wilsonInterval(retry.recovered, retry.attempts) as RateInterval,
        fewCases: retry.attempts < MIN_CASES,
      }))
      .sort((a, b) => a.retryNumber - b.retryNumber || a.delayBucket - b.delayBucket);
    return {
      reason: reason.reason,
      declineClass: reason.declineClass,
      payments: reason.payments,
      recovered,
      settled,
      recoveryRate: wilsonInterval(recovered, settled),
      stillOpen: count(TrackerStatus.Open) + count(TrackerStatus.WaitingForPaymentMethod) + count(TrackerStatus.ActionRequired),
      rows,
    };
  });
}

/** A reason's short name ("Insufficient funds"), for reasons that are not codes too. */
export function reasonLabel(reason: DeclineReason): string {
  if (reason === CHALLENGE_REASON) return "Needs 3-D Secure";
  if (reason === NO_REASON) return declineLabel(null);
  if (reason === OTHER_REASON) return declineLabel("an unknown code");
  return declineLabel(reason);
}

export function reasonCategory(reason: DeclineReason, declineClass: DeclineClass): string {
  return reason === CHALLENGE_REASON ? declineCategoryLabel(DeclineClass.Challenge) : declineCategoryLabel(declineClass);
}

export interface NumberFormat {
  number(value: number): string;
  percent(ratio: number): string;
}

/** "after 1 day", "after 2 to 3 days", "on the day of the failure". */
export function delayLabel(delayBucket: number, format: NumberFormat): string {
  const { from, to } = DELAY_BUCKETS[delayBucket];
  if (to === 0) return "on the day of the failure";
  if (!Number.isFinite(to)) return `after more than ${format.number(from - 1)} days`;
  if (from === to) return `after ${format.number(from)} day${from === 1 ? "" : "s"}`;
  return `after ${format.number(from)} to ${format.number(to)} days`;
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

export type SuggestionKind = "STOP_EARLIER" | "ADD_RETRY";

export interface Suggestion {
  kind: SuggestionKind;
  declineClass: typeof DeclineClass.Soft | typeof DeclineClass.Inventory;
  /** Strong enough to show the merchant; a weaker one is only a lead (the demo names it as such). */
  strong: boolean;
  /** The form fields to pre-fill (the rest stay as saved). */
  fields: Partial<Record<PolicyField, string>>;
  /** The retries the evidence counts, and what they did. */
  retries: number;
  recovered: number;
  interval: RateInterval;
  /** More retries like these that would make a lead a suggestion (0 once strong). */
  retriesNeeded: number;
  title: string;
  evidence: string;
  change: string;
}

const SCHEDULES = [
  { declineClass: DeclineClass.Soft, of: (policy: DunningPolicy) => policy.payment, count: "retryCount", delays: "retryDelaysDays", what: "temporary declines", label: "Payment retries" },
  { declineClass: DeclineClass.Inventory, of: (policy: DunningPolicy) => policy.inventory, count: "inventoryRetryCount", delays: "inventoryRetryDelaysDays", what: "out-of-stock failures", label: "Inventory retries" },
] as const;

/**
 * The changes the window's retries support, strongest first: stop after the kth retry when
 * no later retry (or nearly none) recovered a payment, at least MIN_SUGGESTION_RETRIES of them
 * and under STOP_BELOW at 95 % confidence; add a retry when the last one still recovers at least
 * ADD_FROM at 95 % confidence and one more stays within the card networks' 30-day limit.
 * Leads (not strong) come last; the page shows only the strong ones.
 */
export function suggestPolicyChanges(history: RecoveryHistory, policy: DunningPolicy, format: NumberFormat, windowDays = history.windowDays): Suggestion[] {
  const found: Suggestion[] = [];
  for (const schedule of SCHEDULES) {
    const current = schedule.of(policy);
    const retries = history.retries.filter((retry) => retry.declineClass === schedule.declineClass);
    const stop = stopEarlier(retries, current, schedule, format, windowDays);
    if (stop) found.push(stop);
    const add = addRetry(retries, current, schedule, format, windowDays);
    if (add) found.push(add);
  }
  return found.sort((a, b) => Number(b.strong) - Number(a.strong) || b.retries - a.retries);
}

type Schedule = (typeof SCHEDULES)[number];

function totals(retries: RetryOutcomes[]) {
  return { attempts: retries.reduce((sum, retry) => sum + retry.attempts, 0), recovered: retries.reduce((sum, retry) => sum + retry.recovered, 0) };
}

function stopEarlier(retries: RetryOutcomes[], current: RetrySchedule, schedule: Schedule, format: NumberFormat, windowDays: number): Suggestion | null {
  let lead: { after: number; attempts: number; recovered: number; interval: RateInterval } | null = null;
  for (let after = 1; after < current.retryCount; after++) {
    const { attempts, recovered } = totals(retries.filter((retry) => retry.retryNumber > after));
    const interval = wilsonInterval(recovered, attempts);
    if (!interval || interval.rate >= STOP_BELOW) continue;
    const strong = attempts >= MIN_SUGGESTION_RETRIES && interval.high < STOP_BELOW;
    // The earliest stop the evidence supports; failing that, the lead with the tightest bound.
    if (strong) {
      lead = { after, attempts, recovered, interval };
      break;
    }
    if (!lead || interval.high < lead.interval.high) lead = { after, attempts, recovered, interval };
  }
  if (!lead) return null;
  const { after, attempts, recovered, interval } = lead;
  const strong = attempts >= MIN_SUGGESTION_RETRIES && interval.high < STOP_BELOW;
  const later = retries.filter((retry) => retry.retryNumber > after);
  const oldLast = attemptDays(current).at(-1) as number;
  const newLast = attemptDays({ ...current, retryCount: after }).at(-1) as number;
  const outcome =
    recovered === 0
      ? `none of the ${format.number(attempts)} retries after the ${ordinal(after)} recovered a payment (95% confidence: at most ${format.percent(interval.high)})`
      : `only ${format.number(recovered)} of the ${format.number(attempts)} retries after the ${ordinal(after)} recovered a payment (${format.percent(interval.rate)}; at most ${format.percent(interval.high)}, 95% confidence)`;
  return {
    kind: "STOP_EARLIER",
    declineClass: schedule.declineClass,
    strong,
    fields: { [schedule.count]: String(after) },
    retries: attempts,
    recovered,
    interval,
    retriesNeeded: strong ? 0 : retriesNeededToStop(attempts, recovered),
    title: `Stop retrying ${schedule.what} after the ${ordinal(after)} retry`,
    evidence: `In the last ${format.number(windowDays)} days, ${outcome}.${mostlyDeclinedAs(later, format)}`,
    change:
      `${schedule.label}: ${format.number(current.retryCount)} → ${format.number(after)}. ` +
      `The final action would come on day ${format.number(newLast)} after the failure instead of day ${format.number(oldLast)}, ` +
      `and each card is charged at most ${format.number(after + 1)} times for one payment.` +
      // The payment schedule is also how long a card that needs updating waits for the customer.
      (schedule.declineClass === DeclineClass.Soft ? ` Cards that need updating would wait ${format.number(newLast)} days for the customer instead of ${format.number(oldLast)}.` : ""),
  };
}

function addRetry(retries: RetryOutcomes[], current: RetrySchedule, schedule: Schedule, format: NumberFormat, windowDays: number): Suggestion | null {
  const last = current.retryCount;
  if (last < 1 || last >= MAX_RETRIES) return null;
  const { attempts, recovered } = totals(retries.filter((retry) => retry.retryNumber === last));
  const interval = wilsonInterval(recovered, attempts);
  if (!interval || interval.rate < ADD_FROM) return null;
  const delays = Array.from({ length: last }, (_, i) => current.delaysDays[Math.min(i, current.delaysDays.length - 1)]);
  const next: RetrySchedule = { ...current, retryCount: last + 1, delaysDays: [...delays, delays[delays.length - 1]] };
  // One more retry must stay within the card networks' limit, as the form would require.
  if (maxAttemptsWithin30Days(next) > MAX_ATTEMPTS_IN_30_DAYS) return null;
  const strong = attempts >= MIN_SUGGESTION_RETRIES && interval.low >= ADD_FROM;
  const gap = next.delaysDays[last];
  return {
    kind: "ADD_RETRY",
    declineClass: schedule.declineClass,
    strong,
    fields: { [schedule.count]: String(last + 1), [schedule.delays]: next.delaysDays.join(", ") },
    retries: attempts,
    recovered,
    interval,
    retriesNeeded: strong ? 0 : Math.max(0, MIN_SUGGESTION_RETRIES - attempts),
    title: `Add a ${ordinal(last + 1)} retry for ${schedule.what}`,
    evidence:
      `In the last ${format.number(windowDays)} days, the ${ordinal(last)} retry still recovered ${format.percent(interval.rate)} of the payments that reached it ` +
      `(${format.number(recovered)} of ${format.number(attempts)}; at least ${format.percent(interval.low)}, 95% confidence).`,
    change:
      `${schedule.label}: ${format.number(last)} → ${format.number(last + 1)}, the new one ${format.number(gap)} day${gap === 1 ? "" : "s"} after the ${ordinal(last)}. ` +
      `Your shop has no ${ordinal(last + 1)} retries yet: the what-if estimates it from other shops' results or the app's assumptions.`,
  };
}

/** " Most were first declined as “Insufficient funds” (52) or “Do not honor” (31)." */
function mostlyDeclinedAs(retries: RetryOutcomes[], format: NumberFormat): string {
  const byReason = new Map<string, number>();
  for (const retry of retries) byReason.set(retry.reason, (byReason.get(retry.reason) ?? 0) + retry.attempts);
  const top = [...byReason.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2);
  if (top.length === 0) return "";
  const named = top.map(([reason, count]) => `“${reasonLabel(reason)}” (${format.number(count)})`);
  if (byReason.size === 1) return ` All were first declined as ${named[0]}.`;
  return ` Most were first declined as ${named.join(" or ")}.`;
}

/** How many more failing retries would bring the 95 % upper bound under STOP_BELOW. */
function retriesNeededToStop(attempts: number, recovered: number): number {
  for (let more = 1; more <= 100_000; more++) {
    const total = attempts + more;
    const interval = wilsonInterval(recovered, total) as RateInterval;
    if (total >= MIN_SUGGESTION_RETRIES && interval.high < STOP_BELOW) return more;
  }
  return Number.POSITIVE_INFINITY;
}
