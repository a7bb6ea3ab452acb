import { describe, expect, it } from "vitest";
import { DEFAULT_DUNNING_POLICY, type DunningPolicy, parseDunningPolicy, policyFields, type PolicyFields } from "./policy";
import { describeDunningPolicy } from "./policy-preview";

const policyWith = (fields: PolicyFields): DunningPolicy => {
  const parsed = parseDunningPolicy({ ...policyFields(DEFAULT_DUNNING_POLICY), ...fields });
  if (!parsed.ok) throw new Error(Object.values(parsed.errors).join(" "));
  return parsed.policy;
};
const line = (policy: DunningPolicy, topic: string) => describeDunningPolicy(policy).find((l) => l.topic === topic)?.text;

describe("the policy in plain words", () => {
  it("lists every kind of failure, then the emails", () => {
    expect(describeDunningPolicy(DEFAULT_DUNNING_POLICY).map((l) => l.topic)).toEqual([
      "Temporary declines",
      "Cards that need updating",
      "Out of stock",
      "Emails",
      "3-D Secure",
    ]);
  });

  it.each<[string, PolicyFields, string]>([
    [
      "the defaults",
      {},
      "A temporary decline (such as insufficient funds) is retried 4 times, after 1, 3, 5 and 7 days (days 1, 4, 9 and 16 after the first failure); if the last retry fails, the contract is paused.",
    ],
    [
      "three retries, then cancel",
      { retryCount: "3", retryDelaysDays: "1, 3, 5", finalAction: "CANCEL" },
      "A temporary decline (such as insufficient funds) is retried 3 times, after 1, 3 and 5 days (days 1, 4 and 9 after the first failure); if the last retry fails, the contract is cancelled.",
    ],
    [
      "a short list repeats its last delay",
      { retryCount: "3", retryDelaysDays: "2" },
      "A temporary decline (such as insufficient funds) is retried 3 times, after 2, 2 and 2 days (days 2, 4 and 6 after the first failure); if the last retry fails, the contract is paused.",
    ],
    [
      "extra delays are not described",
      { retryCount: "2", retryDelaysDays: "1, 3, 5, 7" },
      "A temporary decline (such as insufficient funds) is retried 2 times, after 1 and 3 days (days 1 and 4 after the first failure); if the last retry fails, the contract is paused.",
    ],
    [
      "one retry",
      { retryCount: "1", retryDelaysDays: "1", finalAction: "SKIP" },
      "A temporary decline (such as insufficient funds) is retried once, after 1 day; if that fails, the cycle is skipped and the subscription continues with the next one.",
    ],
    [
      "no retries",
      { retryCount: "0", retryDelaysDays: "" },
      "A temporary decline (such as insufficient funds) is not retried: the contract is paused at once.",
    ],
  ])("temporary declines: %s", (_name, fields, expected) => {
    expect(line(policyWith(fields), "Temporary declines")).toBe(expected);
  });

  it.each<[string, PolicyFields, string]>([
    [
      "the defaults: waits as long as the payment schedule lasts",
      {},
      "A card that needs updating (expired, or refused for good) is not retried: the customer is emailed for a new one, the payment is retried as soon as they add a new card, and if they have not within 16 days, the contract is paused.",
    ],
    [
      "emails off",
      { sendPaymentUpdateEmail: "false", retryCount: "1", retryDelaysDays: "1" },
      "A card that needs updating (expired, or refused for good) is not retried: the customer is not emailed (emails are off), the payment is retried as soon as they add a new card, and if they have not within 1 day, the contract is paused.",
    ],
    [
      "no retries: the final action at once",
      { retryCount: "0", retryDelaysDays: "", finalAction: "CANCEL" },
      "A card that needs updating (expired, or refused for good) is not retried: the customer is emailed for a new one, and the contract is cancelled at once.",
    ],
  ])("cards that need updating: %s", (_name, fields, expected) => {
    expect(line(policyWith(fields), "Cards that need updating")).toBe(expected);
  });

  it.each<[string, PolicyFields, string]>([
    [
      "the defaults",
      {},
      "An out-of-stock failure is retried 2 times, after 1 and 2 days (days 1 and 3 after the first failure); if the last retry fails, the cycle is skipped and the subscription continues with the next one. You are told each time; the customer is not emailed.",
    ],
    [
      "no inventory retries, then pause",
      { inventoryRetryCount: "0", inventoryRetryDelaysDays: "", inventoryFinalAction: "PAUSE" },
      "An out-of-stock failure is not retried: the contract is paused at once. You are told each time; the customer is not emailed.",
    ],
  ])("out of stock: %s", (_name, fields, expected) => {
    expect(line(policyWith(fields), "Out of stock")).toBe(expected);
  });

  it.each<[string, PolicyFields, string]>([
    ["72 hours", {}, "After a declined payment the customer is emailed a link to update their payment method, at most once every 3 days per failed payment."],
    ["24 hours", { paymentUpdateEmailIntervalHours: "24" }, "After a declined payment the customer is emailed a link to update their payment method, at most once a day per failed payment."],
    ["1 hour", { paymentUpdateEmailIntervalHours: "1" }, "After a declined payment the customer is emailed a link to update their payment method, at most once an hour per failed payment."],
    ["36 hours", { paymentUpdateEmailIntervalHours: "36" }, "After a declined payment the customer is emailed a link to update their payment method, at most once every 36 hours per failed payment."],
    ["off", { sendPaymentUpdateEmail: "false" }, "Customers are not emailed after a declined payment."],
  ])("emails: %s", (_name, fields, expected) => {
    expect(line(policyWith(fields), "Emails")).toBe(expected);
  });

  it("never shows a code or an enum", () => {
    for (const finalAction of ["SKIP", "PAUSE", "CANCEL"]) {
      const text = describeDunningPolicy(policyWith({ finalAction, inventoryFinalAction: finalAction })).map((l) => l.text).join(" ");
      expect(text).not.toMatch(/[A-Z]{3,}|_/);
    }
  });
});
