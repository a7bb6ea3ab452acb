import { describe, expect, it } from "vitest";
import { MerchantFormat } from "./merchant-format";
import { merchantText } from "./merchant-text";

const format = new MerchantFormat({ locale: "en-US", timeZone: "Pacific/Auckland", now: new Date("2026-12-03T12:00:00Z") });
const readable = (text: string) => merchantText(text, format).replace(/\u202f/g, " ");

describe("merchantText", () => {
  it.each([
    ["The charge failed with insufficient_funds: retry 1 of 4 in 1 day.", "The charge failed with insufficient funds: retry 1 of 4 in 1 day."],
    ["Retry 4 failed with CARD_DECLINED and all 4 retries failed: pausing the contract.", "Retry 4 failed with card declined and all 4 retries failed: pausing the contract."],
    ["A payment-update email went out at 2026-12-28T20:00:00.000Z; at most one per 72 hours.", "A payment-update email went out at Tue, Dec 29, 9:00 AM NZDT; at most one per 72 hours."],
    ["Contract gid://shopify/SubscriptionContract/42, cycle 3 is out of stock.", "Contract #42, cycle 3 is out of stock."],
    ["The customer's payment method gid://shopify/CustomerPaymentMethod/ab12cd was revoked.", "The customer's payment method was revoked."],
    ["Could not pause (Contract is PAUSED): dunning stopped.", "Could not pause (Contract is paused): dunning stopped."],
    ["Shopify did not take retry 1 (THROTTLED: slow down); trying again in an hour.", "Shopify did not take retry 1 (throttled: slow down); trying again in an hour."],
    ["Retry 2 succeeded.", "Retry 2 succeeded."],
  ])("%s", (stored, shown) => {
    expect(readable(stored)).toBe(shown);
  });
});
