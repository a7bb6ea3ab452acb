import { contractNumber } from "../format/admin-links";
import type { MerchantFormat } from "../format/merchant-format";
import { merchantText } from "../format/merchant-text";
import type { ReconciliationFindings } from "./charge-ledger.server";

// The merchant's notice of a checked day that does not add up, with the ids they look up in
// Shopify admin: contract and order numbers, and the times of the charges. Times are written
// as instants and the day as the shop's calendar date (YYYY-MM-DD), which the Overview shows
// in the shop's time and the merchant's locale (reconciliationNoticeText). Pure.

export const CHARGE_RECONCILIATION_NOTICE = "CHARGE_RECONCILIATION";

/** Items named per kind of discrepancy; the rest are counted. */
const NAMED = 5;

const instant = (date: Date | null) => (date ? date.toISOString() : "an unknown time");
const cycleWords = (contractId: string, index: number | undefined) =>
  `contract #${contractNumber(contractId)}${index === undefined ? "" : `, billing cycle ${index}`}`;
const order = (name: string | null) => (name ? `order ${name}` : "an order");

function listed(items: string[]): string {
  const named = items.slice(0, NAMED);
  const rest = items.length - named.length;
  if (rest > 0) return `${named.join("; ")}; and ${rest} more`;
  return named.length > 1 ? `${named.slice(0, -1).join("; ")}; and ${named.at(-1)}` : (named[0] ?? "");
}

/** The notice's text, or null when the day adds up (nothing to tell the merchant). */
export function reconciliationNotice(localDate: string, findings: ReconciliationFindings): string | null {
  const parts: string[] = [];
  if (findings.doubleCharges.length > 0) {
    const count = findings.doubleCharges.length;
    parts.push(
      `${count === 1 ? "1 billing cycle was" : `${count} billing cycles were`} charged more than once: ` +
        listed(findings.doubleCharges.map((cycle) => `${cycleWords(cycle.contractId, cycle.billingCycleIndex)} (${cycle.orders.map((charge) => `${order(charge.name)} at ${instant(charge.createdAt)}`).join(", ")})`)) +
        ". Refund the extra order in Shopify admin.",
    );
  }
  if (findings.ordersWithoutMatchingAttempt.length > 0) {
    const count = findings.ordersWithoutMatchingAttempt.length;
    parts.push(
      `${count === 1 ? "1 order was" : `${count} orders were`} created by a charge this app did not make: ` +
        listed(findings.ordersWithoutMatchingAttempt.map((item) => `${order(item.orderName)} for ${cycleWords(item.contractId, item.billingCycleIndex)} at ${instant(item.createdAt)}`)) +
        ".",
    );
  }
  if (findings.attemptsLackingOutcome.length > 0) {
    const count = findings.attemptsLackingOutcome.length;
    parts.push(
      `${count === 1 ? "1 charge has" : `${count} charges have`} no outcome recorded yet: ` +
        listed(
          findings.attemptsLackingOutcome.map((attempt) => {
            const sent = attempt.sentAt ? `sent at ${instant(attempt.sentAt)}` : "never confirmed by Shopify";
            const shopify =
              attempt.inShopify === "SUCCEEDED"
                ? `; Shopify says it was charged${attempt.orderName ? ` (${order(attempt.orderName)})` : ""}`
                : attempt.inShopify === "FAILED"
                  ? "; Shopify says it failed"
                  : "";
            return `${cycleWords(attempt.contractId, attempt.billingCycleIndex)}, ${sent}${shopify}`;
          }),
        ) +
        ". The next billing run asks Shopify for them again.",
    );
  }
  if (parts.length === 0) return null;
  return `The charges of ${localDate} (the shop's day) do not add up. ${parts.join(" ")}`;
}

/** The notice as the merchant reads it: instants in the shop's time, the day as their locale writes a date. */
export function reconciliationNoticeText(message: string, format: MerchantFormat): string {
  return merchantText(message, format).replace(/\b(\d{4}-\d{2}-\d{2})\b(?!T)/g, (date) => format.localDate(date));
}
