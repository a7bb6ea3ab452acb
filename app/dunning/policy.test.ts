import { describe, expect, it } from "vitest";
import {
  attemptDays,
  DEFAULT_DUNNING_POLICY,
  maxAttemptsWithin30Days,
  parseDunningPolicy,
  policyFields,
  remainingScheduleDays,
  type PolicyFields,
} from "./policy";

const defaults = policyFields(DEFAULT_DUNNING_POLICY);
const withFields = (fields: PolicyFields) => parseDunningPolicy({ ...defaults, ...fields });

describe("dunning policy", () => {
  it("round-trips the defaults", () => {
    expect(parseDunningPolicy(defaults)).toEqual({ ok: true, policy: DEFAULT_DUNNING_POLICY });
  });

  it("the default payment schedule attempts on days 0, 1, 4, 9 and 16", () => {
    expect(attemptDays(DEFAULT_DUNNING_POLICY.payment)).toEqual([0, 1, 4, 9, 16]);
    expect(remainingScheduleDays(DEFAULT_DUNNING_POLICY.payment, 0)).toBe(16);
    expect(remainingScheduleDays(DEFAULT_DUNNING_POLICY.payment, 2)).toBe(12);
    expect(remainingScheduleDays(DEFAULT_DUNNING_POLICY.payment, 4)).toBe(0);
  });

  it("repeats the last delay when fewer delays than retries are given", () => {
    const parsed = withFields({ retryCount: "5", retryDelaysDays: "3" });
    expect(parsed.ok && attemptDays(parsed.policy.payment)).toEqual([0, 3, 6, 9, 12, 15]);
  });

  it("accepts zero retries without delays (final action at the first failure)", () => {
    const parsed = withFields({ retryCount: "0", retryDelaysDays: "" });
    expect(parsed.ok && parsed.policy.payment).toEqual({ retryCount: 0, delaysDays: [], finalAction: "PAUSE" });
  });

  it.each<[string, PolicyFields, string, RegExp]>([
    ["retries without delays", { retryCount: "3", retryDelaysDays: "" }, "retryDelaysDays", /set to 3 but no delays/],
    ["a negative delay", { retryDelaysDays: "1, -3, 5, 7" }, "retryDelaysDays", /delay 2 is "-3".*cannot be negative/],
    ["a zero delay", { retryDelaysDays: "1, 0, 5, 7" }, "retryDelaysDays", /delay 2 is "0"/],
    ["a fractional delay", { retryDelaysDays: "1.5" }, "retryDelaysDays", /whole number of days/],
    ["a delay over 30 days", { retryDelaysDays: "1, 31" , retryCount: "2" }, "retryDelaysDays", /from 1 to 30/],
    ["too many retries", { retryCount: "13", retryDelaysDays: "3" }, "retryCount", /from 0 to 12/],
    ["negative retries", { retryCount: "-1" }, "retryCount", /from 0 to 12/],
    ["non-numeric retries", { retryCount: "four" }, "retryCount", /whole number/],
    ["an unknown final action", { finalAction: "REFUND" }, "finalAction", /skip the cycle, pause the contract or cancel it/],
    ["a bad inventory delay", { inventoryRetryDelaysDays: "x" }, "inventoryRetryDelaysDays", /Inventory retry delay 1 is "x"/],
    ["an inventory schedule without delays", { inventoryRetryCount: "2", inventoryRetryDelaysDays: "" }, "inventoryRetryDelaysDays", /Inventory retries are set to 2/],
    ["an email interval of 0 hours", { paymentUpdateEmailIntervalHours: "0" }, "paymentUpdateEmailIntervalHours", /from 1 to 720/],
    ["a missing email choice", { sendPaymentUpdateEmail: undefined }, "sendPaymentUpdateEmail", /Choose/],
  ])("rejects %s with a message on its field", (_name, fields, field, message) => {
    const parsed = withFields(fields);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[field as keyof typeof parsed.errors]).toMatch(message);
  });

  // Lowering the retries while the old delays are still listed is what a merchant does: the
  // delays past the retries are never used, so they are accepted and dropped on save.
  it.each<[string, PolicyFields, { retryCount: number; delaysDays: number[] }]>([
    ["4 delays for 2 retries", { retryCount: "2", retryDelaysDays: "1, 3, 5, 7" }, { retryCount: 2, delaysDays: [1, 3] }],
    ["3 delays for 2 retries", { retryCount: "2", retryDelaysDays: "1, 2, 3" }, { retryCount: 2, delaysDays: [1, 2] }],
    ["delays for 0 retries", { retryCount: "0", retryDelaysDays: "2, 4" }, { retryCount: 0, delaysDays: [] }],
    ["as many delays as retries", { retryCount: "3", retryDelaysDays: "2 4 6" }, { retryCount: 3, delaysDays: [2, 4, 6] }],
  ])("accepts %s, keeping only the delays the retries use", (_name, fields, expected) => {
    const parsed = withFields(fields);
    expect(parsed.ok && parsed.policy.payment).toEqual({ ...expected, finalAction: "PAUSE" });
    expect(parsed.ok && policyFields(parsed.policy).retryDelaysDays).toBe(expected.delaysDays.join(", "));
  });

  it("still checks the delays it drops: a bad one is reported wherever it is", () => {
    const parsed = withFields({ retryCount: "1", retryDelaysDays: "1, 3, x" });
    expect(!parsed.ok && parsed.errors.retryDelaysDays).toMatch(/^Payment retry delay 3 is "x"\./);
  });

  it.each<[string, PolicyFields, Record<string, RegExp>]>([
    [
      "every bad delay of a list",
      { retryDelaysDays: "1, -2, 5, x" },
      { retryDelaysDays: /^Payment retry delay 2 is "-2", delay 4 is "x" \(a delay cannot be negative\)\. Each delay must be a whole number of days from 1 to 30\.$/ },
    ],
    [
      "every bad field at once",
      { retryCount: "x", retryDelaysDays: "0, 40", finalAction: "", inventoryRetryDelaysDays: "1, 1.5", paymentUpdateEmailIntervalHours: "1000", sendPaymentUpdateEmail: "maybe" },
      {
        retryCount: /^Payment retries must be a whole number from 0 to 12\.$/,
        retryDelaysDays: /^Payment retry delay 1 is "0", delay 2 is "40"\./,
        finalAction: /payment retries run out/,
        inventoryRetryDelaysDays: /^Inventory retry delay 2 is "1\.5"\./,
        paymentUpdateEmailIntervalHours: /from 1 to 720/,
        sendPaymentUpdateEmail: /Choose/,
      },
    ],
    [
      "both schedules over the 30-day cap",
      { retryCount: "12", retryDelaysDays: "1", inventoryRetryCount: "11", inventoryRetryDelaysDays: "2" },
      { retryDelaysDays: /^Payment schedule makes 13 attempts/, inventoryRetryDelaysDays: /^Inventory schedule makes 12 attempts/ },
    ],
  ])("reports %s, each on its field", (_name, fields, expected) => {
    const parsed = withFields(fields);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(Object.keys(expected).sort());
    for (const [field, message] of Object.entries(expected)) expect(parsed.errors[field as keyof typeof parsed.errors]).toMatch(message);
  });

  it("rejects a schedule that attempts a card more than 10 times in 30 days, and says which days", () => {
    const parsed = withFields({ retryCount: "10", retryDelaysDays: "1, 3" });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors.retryDelaysDays).toMatch(/makes 11 attempts within 30 days \(days 0, 1, 4, 7, .*more than 10 attempts/);
    }
    const inventory = withFields({ inventoryRetryCount: "12", inventoryRetryDelaysDays: "2" });
    expect(!inventory.ok && inventory.errors.inventoryRetryDelaysDays).toMatch(/^Inventory schedule makes 13 attempts/);
  });

  it("accepts 10 attempts in 30 days, and more retries when they are spread further", () => {
    expect(withFields({ retryCount: "9", retryDelaysDays: "1" }).ok).toBe(true);
    expect(maxAttemptsWithin30Days({ retryCount: 12, delaysDays: [3], finalAction: "SKIP" })).toBe(10);
    expect(withFields({ retryCount: "12", retryDelaysDays: "3" }).ok).toBe(true);
    expect(withFields({ retryCount: "13", retryDelaysDays: "3" }).ok).toBe(false);
  });

  it("counts attempts in any 30 days, not only from the first", () => {
    // Days 0, 30, 31, ..., 38: the first is alone, the other nine share 30 days.
    expect(maxAttemptsWithin30Days({ retryCount: 9, delaysDays: [30, 1], finalAction: "SKIP" })).toBe(9);
  });
});
