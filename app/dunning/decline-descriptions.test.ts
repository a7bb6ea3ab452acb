import { describe, expect, it } from "vitest";
import { ALL_BILLING_ATTEMPT_ERROR_CODES } from "../../simulator/billing-error-codes";
import { declineCategoryLabel, DECLINE_DESCRIPTIONS, DECLINE_LABELS, declineLabel, describeDecline } from "./decline-descriptions";

describe("decline descriptions", () => {
  it("has a sentence for every error code of the pinned API version, none showing the code", () => {
    for (const code of ALL_BILLING_ATTEMPT_ERROR_CODES) {
      const sentence = describeDecline(code.toLowerCase());
      expect(sentence, code).toMatch(/^[A-Z].*\.$/);
      expect(sentence, code).not.toContain(code);
      expect(sentence, code).not.toContain("_");
    }
    expect(Object.keys(DECLINE_DESCRIPTIONS).sort()).toEqual([...ALL_BILLING_ATTEMPT_ERROR_CODES].sort());
  });

  it("reads an unknown or missing code as a sentence too", () => {
    expect(describeDecline("brand_new_code")).toBe("The payment failed (brand new code).");
    expect(describeDecline(null)).toBe("The payment failed without a reason.");
  });

  it("names the category of a code or of a stored class", () => {
    expect(declineCategoryLabel("insufficient_funds")).toBe("Temporary decline");
    expect(declineCategoryLabel("EXPIRED_CARD")).toBe("Card needs updating");
    expect(declineCategoryLabel("HARD")).toBe("Card needs updating");
    expect(declineCategoryLabel("INSUFFICIENT_INVENTORY")).toBe("Out of stock");
  });

  it("has a short name for every code, none showing the code, and one name for unknown codes", () => {
    for (const code of ALL_BILLING_ATTEMPT_ERROR_CODES) {
      const label = declineLabel(code.toLowerCase());
      expect(label, code).toMatch(/^[A-Z][^_.]*[^.]$/);
      expect(label, code).not.toContain(code);
    }
    expect(Object.keys(DECLINE_LABELS).sort()).toEqual([...ALL_BILLING_ATTEMPT_ERROR_CODES].sort());
    expect(declineLabel("brand_new_code")).toBe("Other reasons");
    expect(declineLabel(null)).toBe("No reason given");
  });
});
