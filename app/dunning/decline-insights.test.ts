import { describe, expect, it } from "vitest";
import { MerchantFormat } from "../format/merchant-format";
import { declineOutcomes, delayLabel, ordinal, reasonLabel, suggestPolicyChanges } from "./decline-insights";
import { DEFAULT_DUNNING_POLICY, type DunningPolicy, parseDunningPolicy, policyFields } from "./policy";
import { CHALLENGE_REASON, delayBucketOf, NO_REASON, OTHER_REASON, reasonOutcomesFromRows, retryOutcomesFromRows, type PaymentRow, type RecoveryHistory, type RetryRow } from "./recovery-history";

// The Insights page's statistics and suggestions, table by table.

const format = new MerchantFormat({ locale: "en-NZ", timeZone: "Pacific/Auckland", now: new Date("2026-01-14T10:00:00Z") });

const retry = (code: string, retryNumber: number, days: number, attempts: number, recovered: number): RetryRow => ({
  code,
  declineClass: null,
  attemptNumber: retryNumber + 1,
  delayBucket: delayBucketOf(days),
  attempts,
  recovered,
});
const payments = (code: string | null, status: string, count: number, declineClass: string | null = null): PaymentRow => ({
  code,
  declineClass,
  status,
  finalAction: status === "EXHAUSTED" ? "PAUSE" : null,
  currencyCode: "NZD",
  amount: "20.00",
  payments: count,
  emailsSent: count,
  mostAttempts: 5,
});

function history(rows: { payments?: PaymentRow[]; retries?: RetryRow[] }): RecoveryHistory {
  return {
    windowDays: 90,
    since: "2025-10-16T10:00:00.000Z",
    reasons: reasonOutcomesFromRows(rows.payments ?? []),
    retries: retryOutcomesFromRows(rows.retries ?? []),
    cardUpdates: { waiting: [], recovered: [] },
  };
}

function policy(fields: Record<string, string | number | boolean>): DunningPolicy {
  const parsed = parseDunningPolicy({ ...policyFields(DEFAULT_DUNNING_POLICY), ...fields });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

/** Do-not-honor declines on the default schedule: retries 1 and 2 recover some, none after the 3rd. */
const doNotHonor = (afterThird: number) =>
  history({
    payments: [payments("DO_NOT_HONOR", "RECOVERED", 66), payments("DO_NOT_HONOR", "EXHAUSTED", afterThird)],
    retries: [retry("DO_NOT_HONOR", 1, 1, 200, 40), retry("DO_NOT_HONOR", 2, 4, 160, 16), retry("DO_NOT_HONOR", 3, 9, 144, 10), retry("DO_NOT_HONOR", 4, 16, afterThird, 0)],
  });

describe("decline outcomes", () => {
  it("with no data: no reason, no row", () => {
    expect(declineOutcomes(history({}))).toEqual([]);
  });

  it("gives each reason its recovery rate of the settled payments and each retry its rate with a 95 % interval, few cases marked", () => {
    const [reason] = declineOutcomes(
      history({
        payments: [payments("insufficient_funds", "RECOVERED", 3), payments("INSUFFICIENT_FUNDS", "EXHAUSTED", 1), payments("INSUFFICIENT_FUNDS", "OPEN", 2), payments("INSUFFICIENT_FUNDS", "ABANDONED", 1)],
        retries: [retry("INSUFFICIENT_FUNDS", 2, 4, 4, 1), retry("insufficient_funds", 1, 1, 30, 2), retry("INSUFFICIENT_FUNDS", 1, 1, 6, 0)],
      }),
    );
    expect(reason).toMatchObject({ reason: "INSUFFICIENT_FUNDS", declineClass: "SOFT", payments: 7, recovered: 3, settled: 4, stillOpen: 2 });
    expect(reason.recoveryRate).toMatchObject({ rate: 0.75 });
    // The same code in either case is one cell; rows by retry number, then delay.
    expect(reason.rows.map(({ retryNumber, delayBucket, attempts, recovered, fewCases }) => ({ retryNumber, delayBucket, attempts, recovered, fewCases }))).toEqual([
      { retryNumber: 1, delayBucket: 1, attempts: 36, recovered: 2, fewCases: false },
      { retryNumber: 2, delayBucket: 3, attempts: 4, recovered: 1, fewCases: true },
    ]);
    expect(reason.rows[0].interval.high).toBeCloseTo(0.1814, 3);
  });

  it("names reasons in words, never as codes: known codes, unknown ones, none, 3-D Secure", () => {
    const reasons = declineOutcomes(
      history({ payments: [payments("BRAND_NEW_CODE", "OPEN", 1), payments(null, "EXHAUSTED", 1), payments(null, "ACTION_REQUIRED", 1, "CHALLENGE"), payments("do_not_honor", "OPEN", 1)] }),
    );
    expect(reasons.map((reason) => reason.reason).sort()).toEqual([CHALLENGE_REASON, "DO_NOT_HONOR", NO_REASON, OTHER_REASON].sort());
    expect(reasons.map((reason) => reasonLabel(reason.reason)).sort()).toEqual(["Do not honor", "Needs 3-D Secure", "No reason given", "Other reasons"]);
    expect(reasons.find((reason) => reason.reason === CHALLENGE_REASON)?.declineClass).toBe("CHALLENGE");
  });

  it("words delays and ordinals", () => {
    expect([0, 1, 2, 5, 20, 45].map((days) => delayLabel(delayBucketOf(days), format))).toEqual([
      "on the day of the failure",
      "after 1 day",
      "after 2 to 3 days",
      "after 4 to 7 days",
      "after 15 to 30 days",
      "after more than 30 days",
    ]);
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]);
  });
});

describe("policy suggestions", () => {
  it("with no data at all: none", () => {
    expect(suggestPolicyChanges(history({}), DEFAULT_DUNNING_POLICY, format)).toEqual([]);
  });

  it("one decline code only, strong evidence: no card declined as do not honor recovered after the third retry, so stop at 3", () => {
    const [suggestion, ...rest] = suggestPolicyChanges(doNotHonor(80), DEFAULT_DUNNING_POLICY, format);
    expect(rest).toEqual([]);
    expect(suggestion).toMatchObject({ kind: "STOP_EARLIER", declineClass: "SOFT", strong: true, fields: { retryCount: "3" }, retries: 80, recovered: 0, retriesNeeded: 0 });
    expect(suggestion.title).toBe("Stop retrying temporary declines after the 3rd retry");
    expect(suggestion.evidence).toBe(
      "In the last 90 days, none of the 80 retries after the 3rd recovered a payment (95% confidence: at most 4.6%). All were first declined as “Do not honor” (80).",
    );
    expect(suggestion.change).toBe("Payment retries: 4 → 3. The final action would come on day 9 after the failure instead of day 16, and each card is charged at most 4 times for one payment. Cards that need updating would wait 9 days for the customer instead of 16.");
  });

  it("a small sample is only a lead, with the retries it still needs", () => {
    const [lead] = suggestPolicyChanges(doNotHonor(12), DEFAULT_DUNNING_POLICY, format);
    expect(lead).toMatchObject({ kind: "STOP_EARLIER", strong: false, fields: { retryCount: "3" }, retries: 12, recovered: 0 });
    // 0 of 73 is the first count whose upper bound is under 5 %.
    expect(lead.retriesNeeded).toBe(61);
  });

  it("a few successes late on: stops only where the bound is under 5 %", () => {
    const h = history({ retries: [retry("INSUFFICIENT_FUNDS", 1, 1, 500, 100), retry("INSUFFICIENT_FUNDS", 2, 4, 400, 2), retry("INSUFFICIENT_FUNDS", 3, 9, 398, 1), retry("INSUFFICIENT_FUNDS", 4, 16, 397, 0)] });
    const [suggestion] = suggestPolicyChanges(h, DEFAULT_DUNNING_POLICY, format);
    expect(suggestion).toMatchObject({ kind: "STOP_EARLIER", strong: true, fields: { retryCount: "1" }, retries: 1195, recovered: 3 });
    expect(suggestion.evidence).toMatch(/^In the last 90 days, only 3 of the 1,195 retries after the 1st recovered a payment \(0\.3%; at most 0\.7%, 95% confidence\)\./);
  });

  it("a last retry that still recovers: add one, its delay the last one again, within the card networks' limit", () => {
    const h = history({ retries: [retry("CARD_DECLINED", 1, 1, 100, 20), retry("CARD_DECLINED", 2, 4, 80, 16), retry("CARD_DECLINED", 3, 9, 64, 13), retry("CARD_DECLINED", 4, 16, 51, 12)] });
    const [suggestion] = suggestPolicyChanges(h, DEFAULT_DUNNING_POLICY, format);
    expect(suggestion).toMatchObject({ kind: "ADD_RETRY", strong: true, fields: { retryCount: "5", retryDelaysDays: "1, 3, 5, 7, 7" }, retries: 51, recovered: 12 });
    expect(suggestion.evidence).toBe("In the last 90 days, the 4th retry still recovered 23.5% of the payments that reached it (12 of 51; at least 14%, 95% confidence).");
    expect(parseDunningPolicy({ ...policyFields(DEFAULT_DUNNING_POLICY), ...suggestion.fields }).ok).toBe(true);
  });

  it("never suggests a retry over the 10-in-30-days card cap", () => {
    const daily = policy({ retryCount: 9, retryDelaysDays: "1" });
    const h = history({ retries: Array.from({ length: 9 }, (_, i) => retry("INSUFFICIENT_FUNDS", i + 1, i + 1, 100, 30)) });
    expect(suggestPolicyChanges(h, daily, format).filter((suggestion) => suggestion.kind === "ADD_RETRY")).toEqual([]);
    // With room under the cap, the same evidence adds one.
    expect(suggestPolicyChanges(h, policy({ retryCount: 8, retryDelaysDays: "1" }), format)[0]).toMatchObject({ kind: "ADD_RETRY", fields: { retryCount: "9" } });
  });

  it("a policy with 0 retries: nothing to stop earlier, nothing measured to add to", () => {
    expect(suggestPolicyChanges(doNotHonor(80), policy({ retryCount: 0, retryDelaysDays: "" }), format)).toEqual([]);
  });

  it("out-of-stock failures have their own schedule and fields", () => {
    const h = history({ retries: [retry("INSUFFICIENT_INVENTORY", 1, 1, 120, 60), retry("INSUFFICIENT_INVENTORY", 2, 3, 80, 0)] });
    const [suggestion] = suggestPolicyChanges(h, DEFAULT_DUNNING_POLICY, format);
    expect(suggestion).toMatchObject({ kind: "STOP_EARLIER", declineClass: "INVENTORY", strong: true, fields: { inventoryRetryCount: "1" } });
    expect(suggestion.title).toBe("Stop retrying out-of-stock failures after the 1st retry");
    expect(suggestion.change).toMatch(/^Inventory retries: 2 → 1\./);
  });
});
