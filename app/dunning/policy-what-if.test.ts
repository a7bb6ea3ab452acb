import { describe, expect, it } from "vitest";
import { DEFAULT_DUNNING_POLICY, type DunningPolicy, parseDunningPolicy, policyFields } from "./policy";
import { simulatePolicy, whatIfInputs, type WhatIfResult } from "./policy-what-if";
import {
  cardUpdateCurveFromRows,
  CURVE_DAYS,
  delayBucketOf,
  reasonOutcomesFromRows,
  retriesByClass,
  retryOutcomesFromRows,
  type CardUpdateRow,
  type InstallationHistory,
  type PaymentRow,
  type RecoveryHistory,
  type RetryRow,
} from "./recovery-history";
import { DEFAULT_RETRY_CHANCES, defaultCardUpdateChance, MIN_CASES } from "./recovery-odds";

// The what-if, table by table: a history (as the read model's rows give it) and a policy in,
// the expected figures and where their chances came from out.

const payments = (code: string | null, status: string, count: number, extra: Partial<PaymentRow> = {}): PaymentRow => ({
  code,
  declineClass: null,
  status,
  finalAction: status === "EXHAUSTED" ? "PAUSE" : null,
  currencyCode: "NZD",
  amount: "20.00",
  payments: count,
  emailsSent: count,
  mostAttempts: 5,
  ...extra,
});
const retries = (code: string, retryNumber: number, days: number, attempts: number, recovered: number): RetryRow => ({
  code,
  declineClass: null,
  attemptNumber: retryNumber + 1,
  delayBucket: delayBucketOf(days),
  attempts,
  recovered,
});

function history(rows: { payments?: PaymentRow[]; retries?: RetryRow[]; cards?: CardUpdateRow[] } = {}): RecoveryHistory {
  return {
    windowDays: 90,
    since: "2025-10-16T10:00:00.000Z",
    reasons: reasonOutcomesFromRows(rows.payments ?? []),
    retries: retryOutcomesFromRows(rows.retries ?? []),
    cardUpdates: cardUpdateCurveFromRows(rows.cards ?? []),
  };
}

function policy(fields: Partial<Record<keyof ReturnType<typeof policyFields>, string | number | boolean>>): DunningPolicy {
  const parsed = parseDunningPolicy({ ...policyFields(DEFAULT_DUNNING_POLICY), ...fields });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

const simulate = (h: RecoveryHistory, p: DunningPolicy = DEFAULT_DUNNING_POLICY, installation: InstallationHistory | null = null) => simulatePolicy(whatIfInputs(h, installation), p);

/** 1 - Π(1 - p) over the first `retries` default chances of a temporary decline. */
const defaultSoftRecovery = (retryCount: number) => 1 - DEFAULT_RETRY_CHANCES.SOFT.slice(0, retryCount).reduce((left, chance) => left * (1 - chance), 1);

describe("the policy what-if", () => {
  it("with no failed payment at all: nothing to estimate, every figure from the schedule", () => {
    const result = simulate(history());
    expect(result).toMatchObject({ payments: 0, unaffected: 0, mostAttemptsIn30Days: 5, atCardNetworkLimit: false });
    for (const figure of [result.recovered, result.paused, result.cancelled, result.skipped, result.emails]) {
      expect(figure).toEqual({ value: 0, basis: { shopCases: 0, installationCases: 0, defaults: 0, fromSchedule: true } });
    }
    expect(result.revenue).toEqual({ amounts: [], withoutAmount: 0, basis: { shopCases: 0, installationCases: 0, defaults: 0, fromSchedule: true } });
  });

  it("with a small sample: the shop's few retries are not used, the defaults are, and the page can say so", () => {
    const h = history({ payments: [payments("INSUFFICIENT_FUNDS", "RECOVERED", 3), payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 7)], retries: [retries("INSUFFICIENT_FUNDS", 1, 1, 10, 3)] });
    const result = simulate(h);
    expect(result.payments).toBe(10);
    expect(result.recovered.value).toBeCloseTo(10 * defaultSoftRecovery(4), 6);
    expect(result.recovered.basis).toEqual({ shopCases: 0, installationCases: 0, defaults: 4, fromSchedule: false });
    expect(result.paused.value).toBeCloseTo(10 * (1 - defaultSoftRecovery(4)), 6);
  });

  it("uses the shop's own cell once it has MIN_CASES retries, the installation's where the shop has too few, then defaults", () => {
    const h = history({
      payments: [payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 40)],
      retries: [retries("INSUFFICIENT_FUNDS", 1, 1, MIN_CASES, 5), retries("INSUFFICIENT_FUNDS", 2, 4, 5, 1)],
    });
    const others: InstallationHistory = {
      shops: 4,
      retries: retriesByClass(retryOutcomesFromRows([retries("DO_NOT_HONOR", 2, 4, 200, 20), retries("DO_NOT_HONOR", 3, 9, 10, 5)])),
      cardUpdates: cardUpdateCurveFromRows([]),
    };
    const result = simulate(h, DEFAULT_DUNNING_POLICY, others);
    const [p1, p2, p3, p4] = [5 / MIN_CASES, 20 / 200, DEFAULT_RETRY_CHANCES.SOFT[2], DEFAULT_RETRY_CHANCES.SOFT[3]];
    expect(result.recovered.value).toBeCloseTo(40 * (1 - (1 - p1) * (1 - p2) * (1 - p3) * (1 - p4)), 6);
    expect(result.recovered.basis).toEqual({ shopCases: MIN_CASES, installationCases: 200, defaults: 2, fromSchedule: false });
    // From fewer than three shops, the installation's counts could be one other shop's: not used.
    expect(simulate(h, DEFAULT_DUNNING_POLICY, { ...others, shops: 2 }).recovered.basis).toEqual({ shopCases: MIN_CASES, installationCases: 0, defaults: 3, fromSchedule: false });
  });

  it("reproduces what happened when the policy is the one the history was made with", () => {
    // 100 temporary declines on the default schedule: 30 paid on retry 1, 14 on retry 2, 5 on retry 3, 3 on retry 4.
    const h = history({
      payments: [payments("INSUFFICIENT_FUNDS", "RECOVERED", 52), payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 48)],
      retries: [retries("INSUFFICIENT_FUNDS", 1, 1, 100, 30), retries("INSUFFICIENT_FUNDS", 2, 4, 70, 14), retries("INSUFFICIENT_FUNDS", 3, 9, 56, 5), retries("INSUFFICIENT_FUNDS", 4, 16, 51, 3)],
    });
    const result = simulate(h);
    expect(result.recovered.value).toBeCloseTo(52, 6);
    expect(result.paused.value).toBeCloseTo(48, 6);
    expect(result.recovered.basis).toEqual({ shopCases: 277, installationCases: 0, defaults: 0, fromSchedule: false });
    // The actual outcome, for the page to show beside the estimate.
    expect(whatIfInputs(h, null).actual).toMatchObject({ payments: 100, recovered: 52, paused: 48, cancelled: 0, stillOpen: 0, emailsSent: 100 });
    // Stopping at 2 keeps the first two retries' odds: 44 expected, 56 paused 12 days sooner.
    const stopAt2 = simulate(h, policy({ retryCount: 2 }));
    expect(stopAt2.recovered.value).toBeCloseTo(44, 6);
    expect(stopAt2.paused.value).toBeCloseTo(56, 6);
  });

  it.each<[string, Partial<Record<string, string | number | boolean>>, (result: WhatIfResult) => void]>([
    [
      "a policy with 0 retries: every temporary decline and every card to update gets the final action at once, no email",
      { retryCount: 0, retryDelaysDays: "", inventoryRetryCount: 0, inventoryRetryDelaysDays: "" },
      (result) => {
        expect(result.recovered.value).toBe(0);
        expect(result.paused.value).toBe(25);
        expect(result.skipped.value).toBe(5);
        expect(result.emails).toEqual({ value: 0, basis: { shopCases: 0, installationCases: 0, defaults: 0, fromSchedule: true } });
        expect(result.mostAttemptsIn30Days).toBe(1);
      },
    ],
    [
      "cancel instead of pause: the same payments are cancelled",
      { finalAction: "CANCEL" },
      (result) => {
        expect(result.paused.value).toBe(0);
        expect(result.paused.basis.fromSchedule).toBe(true);
        expect(result.cancelled.value).toBeGreaterThan(10);
      },
    ],
    [
      "emails off: none is sent, and fewer customers update their card (an assumption, counted as a default)",
      { sendPaymentUpdateEmail: false },
      (result) => {
        expect(result.emails.value).toBe(0);
        const waited = Array.from({ length: 16 }, (_, day) => 1 - defaultCardUpdateChance(day) * 0.5).reduce((left, chance) => left * chance, 1);
        const softRecovered = 20 * defaultSoftRecovery(4);
        const inventoryRecovered = 5 * (1 - 0.7 * 0.8);
        expect(result.recovered.value).toBeCloseTo(softRecovered + 5 * (1 - waited) + inventoryRecovered, 6);
      },
    ],
  ])("%s", (_name, fields, check) => {
    const h = history({
      payments: [payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 20), payments("EXPIRED_CARD", "EXHAUSTED", 5), payments("INSUFFICIENT_INVENTORY", "EXHAUSTED", 5, { finalAction: "SKIP" })],
    });
    check(simulate(h, policy(fields)));
  });

  it("one decline code only: the other classes add nothing, and their figures say they follow from the schedule", () => {
    const result = simulate(history({ payments: [payments("DO_NOT_HONOR", "EXHAUSTED", 12)] }), policy({ inventoryFinalAction: "SKIP" }));
    expect(result.payments).toBe(12);
    expect(result.skipped).toEqual({ value: 0, basis: { shopCases: 0, installationCases: 0, defaults: 0, fromSchedule: true } });
    expect(result.paused.basis).toMatchObject({ defaults: 4, fromSchedule: false });
  });

  it("counts emails as the interval allows: on the first failure, then at least 72 hours after the last", () => {
    // Failures on days 0, 1, 4 and 9 ask for an email (day 16's is followed by the final action): day 1's is held back.
    const noneRecover = history({
      payments: [payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 10)],
      retries: [1, 4, 9, 16].map((day, index) => retries("INSUFFICIENT_FUNDS", index + 1, day, 50, 0)),
    });
    expect(simulate(noneRecover).emails.value).toBeCloseTo(30, 6);
    expect(simulate(noneRecover, policy({ paymentUpdateEmailIntervalHours: 24 })).emails.value).toBeCloseTo(40, 6);
    expect(simulate(noneRecover, policy({ paymentUpdateEmailIntervalHours: 720 })).emails.value).toBeCloseTo(10, 6);
    // With the default odds, an email is only sent to payments still failing by then.
    const [p1, p2, p3] = DEFAULT_RETRY_CHANCES.SOFT;
    expect(simulate(history({ payments: [payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 10)] })).emails.value).toBeCloseTo(10 * (1 + (1 - p1) * (1 - p2) + (1 - p1) * (1 - p2) * (1 - p3)), 6);
  });

  it("estimates recovered revenue per currency in decimal units, leaving out payments without an amount and those closed without charging", () => {
    const h = history({
      payments: [
        payments("INSUFFICIENT_FUNDS", "RECOVERED", 5, { amount: "19.99" }),
        payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 5, { amount: "35.00" }),
        payments("INSUFFICIENT_FUNDS", "OPEN", 2, { amount: null }),
        payments("INSUFFICIENT_FUNDS", "ABANDONED", 4, { amount: "35.00" }),
        payments("CARD_DECLINED", "EXHAUSTED", 1, { amount: "10.00", currencyCode: "EUR" }),
      ],
      retries: [retries("INSUFFICIENT_FUNDS", 1, 1, 100, 50), ...[2, 3, 4].map((n) => retries("INSUFFICIENT_FUNDS", n, [4, 9, 16][n - 2], 50, 0))],
    });
    const result = simulate(h);
    expect(result.payments).toBe(13);
    expect(result.revenue.withoutAmount).toBe(2);
    // 50 % recover: half of 5 × 19.99 + 5 × 35.00 (274.95), and half of one €10.00.
    expect(result.revenue.amounts).toEqual([
      { currencyCode: "NZD", amount: "137.48" },
      { currencyCode: "EUR", amount: "5.00" },
    ]);
    expect(result.revenue.basis).toEqual({ shopCases: 250, installationCases: 0, defaults: 0, fromSchedule: false });
  });

  it("cards that need updating: the shop's day-by-day curve, then the defaults past what it has seen", () => {
    // 40 expired cards, 16 days each (the default wait): 8 updated on day 0, 4 on day 2; the rest exhausted on day 16.
    const cards: CardUpdateRow[] = [
      { status: "RECOVERED", closedAfterDays: 0, ageDays: 60, payments: 8 },
      { status: "RECOVERED", closedAfterDays: 2, ageDays: 60, payments: 4 },
      { status: "EXHAUSTED", closedAfterDays: 16, ageDays: 60, payments: 28 },
    ];
    const h = history({ payments: [payments("EXPIRED_CARD", "RECOVERED", 12), payments("EXPIRED_CARD", "EXHAUSTED", 28)], cards });
    const current = simulate(h);
    expect(current.recovered.value).toBeCloseTo(12, 6);
    expect(current.recovered.basis).toEqual({ shopCases: 40, installationCases: 0, defaults: 0, fromSchedule: false });
    expect(current.emails.value).toBe(40);
    // Waiting 21 days: days 16 to 20 were never seen waiting, their chances are the defaults.
    const longer = simulate(h, policy({ retryDelaysDays: "1, 3, 5, 12" }));
    const beyond = Array.from({ length: 5 }, (_, i) => 1 - defaultCardUpdateChance(16 + i)).reduce((left, chance) => left * chance, 1);
    expect(longer.recovered.value).toBeCloseTo(12 + 28 * (1 - beyond), 6);
    expect(longer.recovered.basis).toEqual({ shopCases: 40, installationCases: 0, defaults: 1, fromSchedule: false });
    expect(cardUpdateCurveFromRows(cards).waiting.length).toBe(CURVE_DAYS);
  });

  it("3-D Secure and shop setup problems are not the policy's: counted apart, never estimated", () => {
    const result = simulate(history({ payments: [payments(null, "ACTION_REQUIRED", 3, { declineClass: "CHALLENGE" }), payments("TEST_MODE", "STOPPED", 2)] }));
    expect(result).toMatchObject({ payments: 0, unaffected: 5, recovered: { value: 0 } });
  });

  it("reports the card networks' limit: at most 10 attempts on one card within 30 days", () => {
    const tenIn30 = policy({ retryCount: 9, retryDelaysDays: "1" });
    expect(simulate(history(), tenIn30)).toMatchObject({ mostAttemptsIn30Days: 10, atCardNetworkLimit: true });
    expect(simulate(history(), policy({ retryCount: 9, retryDelaysDays: "1, 1, 1, 1, 1, 1, 1, 1, 30" }))).toMatchObject({ mostAttemptsIn30Days: 9, atCardNetworkLimit: false });
    // One more would be over it: the form refuses such a policy, so the what-if never sees one.
    expect(parseDunningPolicy({ ...policyFields(tenIn30), retryCount: 10 }).ok).toBe(false);
  });
});
