import { describe, expect, it } from "vitest";
import { ALL_BILLING_ATTEMPT_ERROR_CODES, errorCategoryOf } from "../../simulator/billing-error-codes";
import { classifyDecline, DECLINE_CLASS_BY_CODE, DeclineClass } from "./decline-classes";

describe("decline classification", () => {
  it("classifies exactly the error codes of the pinned API version (the simulator's list)", () => {
    expect(Object.keys(DECLINE_CLASS_BY_CODE).sort()).toEqual([...ALL_BILLING_ATTEMPT_ERROR_CODES].sort());
  });

  it.each(ALL_BILLING_ATTEMPT_ERROR_CODES.map((code) => [code]))("%s reads the same in the webhook's lowercase", (code) => {
    expect(classifyDecline(code.toLowerCase())).toBe(classifyDecline(code));
  });

  it("sends every inventory error, and only those, to the inventory schedule", () => {
    for (const code of ALL_BILLING_ATTEMPT_ERROR_CODES) {
      expect(classifyDecline(code) === DeclineClass.Inventory, code).toBe(errorCategoryOf(code) === "INVENTORY");
    }
  });

  it.each([
    ["insufficient_funds", DeclineClass.Soft],
    ["card_declined", DeclineClass.Soft],
    ["processing_error", DeclineClass.Soft],
    ["unexpected_error", DeclineClass.Soft],
    ["expired_card", DeclineClass.Hard],
    ["expired_payment_method", DeclineClass.Hard],
    ["payment_method_not_found", DeclineClass.Hard],
    ["fraud_suspected", DeclineClass.Hard],
    ["retry_declined", DeclineClass.Hard],
    ["authentication_required", DeclineClass.Hard],
    ["insufficient_inventory", DeclineClass.Inventory],
    ["inventory_allocations_not_found", DeclineClass.Inventory],
    ["test_mode", DeclineClass.Merchant],
    ["payment_provider_is_not_enabled", DeclineClass.Merchant],
    ["merchant_account_error", DeclineClass.Merchant],
    ["invoice_already_paid", DeclineClass.Merchant],
  ])("%s is %s", (code, expected) => {
    expect(classifyDecline(code)).toBe(expected);
  });

  it("treats a code this version does not know, or none, as soft (the bounded schedule limits the harm)", () => {
    expect(classifyDecline("brand_new_code")).toBe(DeclineClass.Soft);
    expect(classifyDecline(null)).toBe(DeclineClass.Soft);
    expect(classifyDecline("")).toBe(DeclineClass.Soft);
  });
});
