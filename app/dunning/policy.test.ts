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
    ["delays without retries", { retryCount: "0", retryDelaysDays: "2, 4" }, "retryCount", /set to 0 but retry delays are given/],
    ["more delays than retries", { retryCount: "2", retryDelaysDays: "1, 2, 3" }, "retryDelaysDays", /3 delays for 2 retries/],
    ["a negative delay", { retryDelaysDays: "1, -3, 5, 7" }, "retryDelaysDays", /delay 2 is "-3".*cannot be negative/],
    ["a zero delay", { retryDelaysDays: "1, 0, 5, 7" }, "retryDelaysDays", /delay 2 is "0"/],
    ["a fractional delay", { retryDelaysDays: "1.5" }, "retryDelaysDays", /whole number of days/],
    ["a delay over 30 days", { retryDelaysDays: "1, 31" , retryCount: "2" }, "retryDelaysDays", /from 1 to 30/],
    ["too many retries", { retryCount: "13", retryDelaysDays: "3" }, "retryCount", /from 0 to 12/],
    ["negative retries", { retryCount: "-1" }, "retryCount", /from 0 to 12/],
    ["non-numeric retries", { retryCount: "four" }, "retryCount", /whole number/],
    ["an unknown final action", { finalAction: "REFUND" }, "finalAction", /SKIP, PAUSE, CANCEL/],
    ["a bad inventory delay", { inventoryRetryDelaysDays: "x" }, "inventoryRetryDelaysDays", /Inventory retry delay 1 is "x"/],
    ["an inventory schedule without delays", { inventoryRetryCount: "2", inventoryRetryDelaysDays: "" }, "inventoryRetryDelaysDays", /Inventory retries are set to 2/],
    ["an email interval of 0 hours", { paymentUpdateEmailIntervalHours: "0" }, "paymentUpdateEmailIntervalHours", /from 1 to 720/],
    ["a missing email choice", { sendPaymentUpdateEmail: undefined }, "sendPaymentUpdateEmail", /Choose/],
  ])("rejects %s with a message on its field", (_name, fields, field, message) => {
    const parsed = withFields(fields);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[field as keyof typeof parsed.errors]).toMatch(message);
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
