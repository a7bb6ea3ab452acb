import { describe, expect, it } from "vitest";
import { MerchantFormat } from "../format/merchant-format";
import type { ReconciliationFindings } from "./charge-ledger.server";
import { reconciliationNotice, reconciliationNoticeText } from "./reconciliation-notice";

const clean: ReconciliationFindings = {
  cyclesCharged: 3,
  cyclesChargedMoreThanOnce: 0,
  ordersWithoutAttempt: 0,
  attemptsWithoutOutcome: 0,
  doubleCharges: [],
  ordersWithoutMatchingAttempt: [],
  attemptsLackingOutcome: [],
};
const at = (time: string) => new Date(`2026-01-14T${time}Z`);
const contract = (id: number) => `gid://shopify/SubscriptionContract/${id}`;

describe("the reconciliation notice", () => {
  it("is not written for a day that adds up", () => {
    expect(reconciliationNotice("2026-01-14", clean)).toBeNull();
  });

  it("names each problem with contract and order numbers and instants, then reads in the shop's time and the merchant's words", () => {
    const message = reconciliationNotice("2026-01-14", {
      ...clean,
      cyclesChargedMoreThanOnce: 1,
      ordersWithoutAttempt: 1,
      attemptsWithoutOutcome: 1,
      doubleCharges: [{ contractId: contract(1042), billingCycleIndex: 3, orders: [{ name: "#1001", createdAt: at("09:00:00") }, { name: "#1009", createdAt: at("11:30:00") }] }],
      ordersWithoutMatchingAttempt: [{ contractId: contract(1042), billingCycleIndex: 3, orderName: "#1009", createdAt: at("11:30:00") }],
      attemptsLackingOutcome: [{ contractId: contract(7), billingCycleIndex: 1, status: "PROCESSING", sentAt: at("09:00:05"), inShopify: "SUCCEEDED", orderName: "#1002" }],
    })!;
    expect(message).toBe(
      "The charges of 2026-01-14 (the shop's day) do not add up. " +
        "1 billing cycle was charged more than once: contract #1042, billing cycle 3 (order #1001 at 2026-01-14T09:00:00.000Z, order #1009 at 2026-01-14T11:30:00.000Z). Refund the extra order in Shopify admin. " +
        "1 order was created by a charge this app did not make: order #1009 for contract #1042, billing cycle 3 at 2026-01-14T11:30:00.000Z. " +
        "1 charge has no outcome recorded yet: contract #7, billing cycle 1, sent at 2026-01-14T09:00:05.000Z; Shopify says it was charged (order #1002). The next billing run asks Shopify for them again.",
    );
    const format = new MerchantFormat({ locale: "en-NZ", timeZone: "Pacific/Auckland", now: at("12:00:00") });
    expect(reconciliationNoticeText(message, format)).toMatch(
      /^The charges of Wed, 14 Jan \(the shop's day\) do not add up\. 1 billing cycle was charged more than once: contract #1042, billing cycle 3 \(order #1001 at Wed, 14 Jan, 10:00\spm NZDT/,
    );
  });

  it("names five of a kind and counts the rest", () => {
    const orders = Array.from({ length: 7 }, (_, i) => ({ contractId: contract(i + 1), orderName: `#10${i}`, createdAt: at("10:00:00") }));
    const message = reconciliationNotice("2026-01-14", { ...clean, ordersWithoutAttempt: 7, ordersWithoutMatchingAttempt: orders })!;
    expect(message).toContain("7 orders were created by a charge this app did not make: order #100 for contract #1 at");
    expect(message).toMatch(/order #104 for contract #5 at 2026-01-14T10:00:00\.000Z; and 2 more\.$/);
  });
});
