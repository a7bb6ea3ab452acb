import { sumDecimals } from "../lib/decimal";
import { classifyDecline, DeclineClass, isKnownErrorCode } from "./decline-classes";
import { TrackerStatus } from "./next-step";

// What a shop's failed payments of the last 90 days say, as the aggregate read model's rows
// (recovery-history.server.ts: a few GROUP BY queries) become it: per reason of the first
// failure, how the payments ended; per retry number and delay since the failure, how many
// retries recovered the payment; and, for cards that needed updating, how many customers
// updated theirs day by day. Counts only, never a row per payment. Pure and serialisable:
// the Settings page's what-if and the Insights page are computed from it.

export const HISTORY_WINDOW_DAYS = 90;

/**
 * Delays since the first failure, as retries are grouped (whole days, both ends included).
 * A retry on the day of the failure is one sent when the customer updated their card.
 */
export const DELAY_BUCKETS: ReadonlyArray<{ from: number; to: number }> = [
  { from: 0, to: 0 },
  { from: 1, to: 1 },
  { from: 2, to: 3 },
  { from: 4, to: 7 },
  { from: 8, to: 14 },
  { from: 15, to: 30 },
  { from: 31, to: Number.POSITIVE_INFINITY },
];

export function delayBucketOf(days: number): number {
  const index = DELAY_BUCKETS.findIndex((bucket) => days <= bucket.to);
  return index === -1 ? DELAY_BUCKETS.length - 1 : Math.max(0, index);
}

/** Days since the failure the card-update curve follows (0 to CURVE_DAYS - 1); later days are not read. */
export const CURVE_DAYS = 61;

/**
 * Why a payment failed, as the analytics group it: its tracker's decline (the latest, as the
 * Overview's recovery by category counts it), by error code (upper case), or OTHER (a code
 * this API version does not know), NONE (no code given) or CHALLENGE (3-D Secure).
 */
export type DeclineReason = string;
export const OTHER_REASON = "OTHER";
export const NO_REASON = "NONE";
export const CHALLENGE_REASON = "CHALLENGE";

/** The reason of a payment from its tracker's last error code and the class stored with it. */
export function reasonOf(code: string | null, storedClass: string | null): DeclineReason {
  if (storedClass === DeclineClass.Challenge) return CHALLENGE_REASON;
  if (!code) return NO_REASON;
  return isKnownErrorCode(code) ? code.toUpperCase() : OTHER_REASON;
}

export function classOfReason(reason: DeclineReason): DeclineClass {
  if (reason === CHALLENGE_REASON) return DeclineClass.Challenge;
  if (reason === OTHER_REASON || reason === NO_REASON) return DeclineClass.Soft;
  return classifyDecline(reason);
}

export interface MoneySum {
  currencyCode: string | null;
  /** Exact decimal sum. */
  total: string;
  payments: number;
}

export interface ReasonOutcomes {
  reason: DeclineReason;
  declineClass: DeclineClass;
  /** Failed payments of the window (one dunning tracker each), all of them. */
  payments: number;
  /** Of them, by their tracker's status now. */
  statuses: Partial<Record<TrackerStatus, number>>;
  /** The exhausted ones by the final action applied (SKIP, PAUSE, CANCEL). */
  finalActions: Record<string, number>;
  emailsSent: number;
  /** The most attempts one of these payments had. */
  mostAttempts: number;
  /** What the payments not closed without charging cost, per currency, and how many of them had no amount known. */
  amounts: MoneySum[];
  withoutAmount: number;
  recoveredAmounts: MoneySum[];
}

/** Retries of payments declined for `reason`: the `retryNumber`th, sent within `delayBucket` of the first failure. */
export interface RetryOutcomes {
  reason: DeclineReason;
  declineClass: DeclineClass;
  retryNumber: number;
  delayBucket: number;
  /** Retries with a result (charged, declined or asking for 3-D Secure). */
  attempts: number;
  /** Of them, those that charged the payment. */
  recovered: number;
}

/**
 * Cards that needed updating (hard declines): `waiting[d]`, the payments still waiting for
 * the customer on day d after the failure and seen through it; `recovered[d]`, those paid
 * on day d (the customer updated the card and the retry passed).
 */
export interface CardUpdateCurve {
  waiting: number[];
  recovered: number[];
}

export interface RecoveryHistory {
  windowDays: number;
  /** The window's first instant (ISO). */
  since: string;
  reasons: ReasonOutcomes[];
  retries: RetryOutcomes[];
  cardUpdates: CardUpdateCurve;
}

/** Other shops' retries and card updates, as counts by class (the installation's anonymous aggregate). */
export interface ClassRetryOutcomes {
  declineClass: DeclineClass;
  retryNumber: number;
  delayBucket: number;
  attempts: number;
  recovered: number;
}

export interface InstallationHistory {
  /** Shops that had a failed payment in the window (the aggregate is used from MIN_INSTALLATION_SHOPS). */
  shops: number;
  retries: ClassRetryOutcomes[];
  cardUpdates: CardUpdateCurve;
}

// The read model's rows.

export interface PaymentRow {
  code: string | null;
  /** The tracker's stored decline class (CHALLENGE has no code). */
  declineClass: string | null;
  status: string;
  finalAction: string | null;
  currencyCode: string | null;
  amount: string | null;
  payments: number;
  emailsSent: number;
  mostAttempts: number;
}

export interface RetryRow {
  code: string | null;
  /** The tracker's stored decline class (CHALLENGE has no code). */
  declineClass: string | null;
  attemptNumber: number;
  delayBucket: number;
  attempts: number;
  recovered: number;
}

export interface CardUpdateRow {
  status: string;
  /** Whole days from the failure to the tracker's close (capped at CURVE_DAYS); null while open. */
  closedAfterDays: number | null;
  /** Whole days from the failure to now (capped at CURVE_DAYS). */
  ageDays: number;
  payments: number;
}

export function reasonOutcomesFromRows(rows: PaymentRow[]): ReasonOutcomes[] {
  type Terms = Array<{ currencyCode: string | null; amount: string; count: number }>;
  const byReason = new Map<DeclineReason, { outcome: ReasonOutcomes; amounts: Terms; recovered: Terms }>();
  for (const row of rows) {
    const reason = reasonOf(row.code, row.declineClass);
    let entry = byReason.get(reason);
    if (!entry) {
      entry = {
        outcome: {
          reason,
          declineClass: classOfReason(reason),
          payments: 0,
          statuses: {},
          finalActions: {},
          emailsSent: 0,
          mostAttempts: 0,
          amounts: [],
          withoutAmount: 0,
          recoveredAmounts: [],
        },
        amounts: [],
        recovered: [],
      };
      byReason.set(reason, entry);
    }
    const { outcome } = entry;
    const status = row.status as TrackerStatus;
    outcome.payments += row.payments;
    outcome.statuses[status] = (outcome.statuses[status] ?? 0) + row.payments;
    if (status === TrackerStatus.Exhausted && row.finalAction) outcome.finalActions[row.finalAction] = (outcome.finalActions[row.finalAction] ?? 0) + row.payments;
    outcome.emailsSent += row.emailsSent;
    outcome.mostAttempts = Math.max(outcome.mostAttempts, row.mostAttempts);
    if (status === TrackerStatus.Abandoned) continue;
    if (row.amount === null) outcome.withoutAmount += row.payments;
    else {
      entry.amounts.push({ currencyCode: row.currencyCode, amount: row.amount, count: row.payments });
      if (status === TrackerStatus.Recovered) entry.recovered.push({ currencyCode: row.currencyCode, amount: row.amount, count: row.payments });
    }
  }
  return [...byReason.values()]
    .map(({ outcome, amounts, recovered }) => ({ ...outcome, amounts: sumsByCurrency(amounts), recoveredAmounts: sumsByCurrency(recovered) }))
    .sort((a, b) => b.payments - a.payments || a.reason.localeCompare(b.reason));
}

export function retryOutcomesFromRows(rows: RetryRow[]): RetryOutcomes[] {
  const cells = new Map<string, RetryOutcomes>();
  for (const row of rows) {
    const reason = reasonOf(row.code, row.declineClass);
    const retryNumber = row.attemptNumber - 1;
    if (retryNumber < 1) continue;
    const key = `${reason}|${retryNumber}|${row.delayBucket}`;
    const cell = cells.get(key) ?? { reason, declineClass: classOfReason(reason), retryNumber, delayBucket: row.delayBucket, attempts: 0, recovered: 0 };
    cell.attempts += row.attempts;
    cell.recovered += row.recovered;
    cells.set(key, cell);
  }
  return [...cells.values()].sort((a, b) => a.reason.localeCompare(b.reason) || a.retryNumber - b.retryNumber || a.delayBucket - b.delayBucket);
}

/** The same retries by class only: what the installation's aggregate keeps. */
export function retriesByClass(retries: Array<Omit<RetryOutcomes, "reason">>): ClassRetryOutcomes[] {
  const cells = new Map<string, ClassRetryOutcomes>();
  for (const retry of retries) {
    const key = `${retry.declineClass}|${retry.retryNumber}|${retry.delayBucket}`;
    const cell = cells.get(key) ?? { declineClass: retry.declineClass, retryNumber: retry.retryNumber, delayBucket: retry.delayBucket, attempts: 0, recovered: 0 };
    cell.attempts += retry.attempts;
    cell.recovered += retry.recovered;
    cells.set(key, cell);
  }
  return [...cells.values()];
}

/**
 * The day-by-day curve of hard declines: a payment waits from day 0 until it closes
 * (recovered on its closing day; exhausted, stopped or closed without charging before it),
 * or, still open, until today; days not seen yet are not counted.
 */
export function cardUpdateCurveFromRows(rows: CardUpdateRow[]): CardUpdateCurve {
  const waiting = new Array<number>(CURVE_DAYS).fill(0);
  const recovered = new Array<number>(CURVE_DAYS).fill(0);
  for (const row of rows) {
    const open = row.closedAfterDays === null;
    const isRecovered = row.status === TrackerStatus.Recovered;
    // The last day the payment was seen waiting, included.
    const lastDay = open ? row.ageDays : isRecovered ? (row.closedAfterDays as number) : (row.closedAfterDays as number) - 1;
    for (let day = 0; day <= Math.min(lastDay, CURVE_DAYS - 1); day++) waiting[day] += row.payments;
    if (isRecovered && !open && (row.closedAfterDays as number) < CURVE_DAYS) recovered[row.closedAfterDays as number] += row.payments;
  }
  return { waiting, recovered };
}

function sumsByCurrency(terms: Array<{ currencyCode: string | null; amount: string; count: number }>): MoneySum[] {
  const byCurrency = new Map<string | null, typeof terms>();
  for (const term of terms) byCurrency.set(term.currencyCode, [...(byCurrency.get(term.currencyCode) ?? []), term]);
  return [...byCurrency.entries()]
    .map(([currencyCode, ofCurrency]) => ({ currencyCode, total: sumDecimals(ofCurrency), payments: ofCurrency.reduce((sum, term) => sum + term.count, 0) }))
    .filter((sum): sum is MoneySum => sum.total !== null)
    .sort((a, b) => b.payments - a.payments || (a.currencyCode ?? "").localeCompare(b.currencyCode ?? ""));
}
