import { describe, expect, it } from "vitest";
import { billingAttemptIdempotencyKey, numericIdOf, parseBillingAttemptIdempotencyKey } from "./idempotency-key";

describe("billingAttemptIdempotencyKey", () => {
  it("is the same for the same contract, cycle and attempt, and differs otherwise", () => {
    const key = billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/42", 3, 1);
    expect(key).toBe("billing-42-cycle-3-attempt-1");
    expect(billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/42", 3, 1)).toBe(key);
    expect(billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/42", 3, 2)).not.toBe(key);
    expect(billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/42", 4, 1)).not.toBe(key);
    expect(billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/421", 3, 1)).not.toBe(key);
  });

  it.each([
    ["not a gid", 1, 1, /not a Shopify GID/],
    ["gid://shopify/SubscriptionContract/1", -1, 1, /cycle index/],
    ["gid://shopify/SubscriptionContract/1", 1.5, 1, /cycle index/],
    ["gid://shopify/SubscriptionContract/1", 1, 0, /attempt number/],
  ])("rejects %s / cycle %s / attempt %s", (contract, cycle, attempt, message) => {
    expect(() => billingAttemptIdempotencyKey(contract, cycle, attempt)).toThrow(message);
  });

  it("numericIdOf reads the trailing id", () => {
    expect(numericIdOf("gid://shopify/Order/9007199254740993")).toBe("9007199254740993");
  });
});

describe("parseBillingAttemptIdempotencyKey", () => {
  it("reads back the cycle and attempt of a key the app made, and nothing from others", () => {
    const key = billingAttemptIdempotencyKey("gid://shopify/SubscriptionContract/77", 4, 3);
    expect(parseBillingAttemptIdempotencyKey(key)).toEqual({ contractNumericId: "77", billingCycleIndex: 4, attemptNumber: 3 });
    expect(parseBillingAttemptIdempotencyKey("cycle-charge-1b2c")).toBeUndefined();
    expect(parseBillingAttemptIdempotencyKey(`${key}-x`)).toBeUndefined();
  });
});
