import { describe, expect, it } from "vitest";
import type { DunningTracker } from "../app/db/client.server";
import { checkDunning, type DunningFacts } from "./dunning";

// The demo's dunning checks pass on a consistent month and fail on each thing they guard against.

const SHOP = "checks.myshopify.com";
const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 24);
const at = (hours: number) => new Date(START + hours * HOUR);
const contractGid = (n: number) => `gid://shopify/SubscriptionContract/${n}`;
const LAST_CALL = at(100);

function attempt(contract: number, attemptNumber: number, state: "success" | "failed", hours: number, errorCode: string | null = null) {
  return {
    shop: SHOP,
    id: `gid://shopify/SubscriptionBillingAttempt/${contract}0${attemptNumber}`,
    contractId: contractGid(contract),
    cycleIndex: 1,
    idempotencyKey: `billing-${contract}-cycle-1-attempt-${attemptNumber}`,
    state,
    errorCode,
    orderId: null,
    nextActionUrl: null,
    createdAt: at(hours),
    completedAt: at(hours),
  };
}

function tracker(id: number, contract: number, fields: Partial<DunningTracker>): DunningTracker {
  return {
    id,
    shop: SHOP,
    contractId: contractGid(contract),
    billingCycleIndex: 1,
    customerId: `customer-${contract}`,
    status: "OPEN",
    attemptCount: 1,
    nextAction: null,
    nextActionAt: null,
    emailDueAt: null,
    lastEmailSentAt: null,
    emailsSent: 0,
    lastErrorClass: null,
    lastErrorCode: null,
    lastErrorMessage: null,
    amount: "10.00",
    currencyCode: "USD",
    recoveredAmount: null,
    finalAction: null,
    finalActionAppliedAt: null,
    openedAt: at(0),
    completedAt: null,
    completedReason: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...fields,
  };
}

function contract(n: number, status: "ACTIVE" | "PAUSED" = "ACTIVE") {
  return {
    shop: SHOP,
    id: contractGid(n),
    status,
    customerId: `customer-${n}`,
    paymentMethodId: `payment-method-${n}`,
    interval: "MONTH" as const,
    intervalCount: 1,
    nextBillingDate: null,
    amount: "10.00",
    currencyCode: "USD",
    lastPaymentStatus: null,
    createdAt: at(0),
  };
}

/**
 * Contract 1: soft decline, paid on retry 1. Contract 2: retries ran out, paused. Contract 3:
 * expired card, updated at hour 70, paid by the retry at 72. Contract 4: expired card, waiting.
 */
function consistentMonth(): DunningFacts {
  const attempts = [
    attempt(1, 1, "failed", 0, "INSUFFICIENT_FUNDS"),
    attempt(1, 2, "success", 24),
    attempt(2, 1, "failed", 0, "INSUFFICIENT_FUNDS"),
    attempt(2, 2, "failed", 24, "INSUFFICIENT_FUNDS"),
    attempt(3, 1, "failed", 0, "EXPIRED_CARD"),
    attempt(3, 2, "success", 72),
    attempt(4, 1, "failed", 0, "EXPIRED_CARD"),
  ];
  const order = (contract: number, attemptIndex: number) => ({
    shop: SHOP,
    id: `gid://shopify/Order/${contract}`,
    name: `#${contract}`,
    createdAt: attempts[attemptIndex].createdAt,
    amount: "10.00",
    currencyCode: "USD",
    contractId: contractGid(contract),
    billingAttemptId: attempts[attemptIndex].id,
    cycleIndex: 1,
  });
  const email = (contract: number, hours: number) => ({ shop: SHOP, paymentMethodId: `payment-method-${contract}`, customerId: `customer-${contract}`, sentAt: at(hours) });
  return {
    trackers: [
      tracker(1, 1, { status: "RECOVERED", attemptCount: 2, recoveredAmount: "10.00" }),
      tracker(2, 2, { status: "EXHAUSTED", attemptCount: 2, finalAction: "PAUSE" }),
      tracker(3, 3, { status: "RECOVERED", attemptCount: 2, recoveredAmount: "10.00" }),
      tracker(4, 4, { status: "WAITING_FOR_PAYMENT_METHOD", nextAction: "FINAL_ACTION", nextActionAt: at(400) }),
    ],
    events: [
      { trackerId: 1, at: at(0), kind: "EMAIL_SENT" },
      { trackerId: 2, at: at(0), kind: "EMAIL_SENT" },
      { trackerId: 2, at: at(72), kind: "EMAIL_SENT" },
    ],
    attempts,
    orders: [order(1, 1), order(3, 5)],
    contractActions: [{ shop: SHOP, action: "PAUSE", contractId: contractGid(2), at: at(30) }],
    contracts: [contract(1), contract(2, "PAUSED"), contract(3), contract(4)],
    skippedCycles: new Set(),
    emails: [email(1, 0), email(2, 0), email(2, 72)],
    emailIntervalHours: new Map([[SHOP, 72]]),
    cardUpdates: [{ shop: SHOP, contractId: contractGid(3), paymentMethodId: "payment-method-3", at: at(70) }],
  };
}

describe("the demo's dunning checks", () => {
  it("pass on a consistent month", () => {
    expect(checkDunning(consistentMonth(), LAST_CALL).filter((check) => check.status !== "ok")).toEqual([]);
  });

  it.each<[string, RegExp, (facts: DunningFacts) => void]>([
    ["a final action made twice", /final action was made once/, (facts) => facts.contractActions.push({ ...facts.contractActions[0] })],
    ["a final action never made", /final action was made once/, (facts) => facts.contractActions.splice(0, 1)],
    [
      "a contract action without an exhausted tracker",
      /final action was made once/,
      (facts) => facts.contractActions.push({ shop: SHOP, action: "CANCEL", contractId: contractGid(1), at: at(40) }),
    ],
    ["a final action that does not show in Shopify", /final action was made once/, (facts) => (facts.contracts[1].status = "ACTIVE")],
    [
      "a recovered cycle charged twice",
      /recovered tracker's cycle was charged exactly once/,
      (facts) => facts.attempts.push({ ...facts.attempts[1], id: "gid://shopify/SubscriptionBillingAttempt/9", idempotencyKey: "billing-1-cycle-1-attempt-3" }),
    ],
    ["a recovered cycle never charged", /recovered tracker's cycle was charged exactly once/, (facts) => (facts.attempts[1].state = "failed")],
    ["two emails within 72 hours", /two payment-update emails/, (facts) => facts.events.push({ trackerId: 1, at: at(10), kind: "EMAIL_SENT" })],
    [
      "an email Shopify sent that the app did not record",
      /two payment-update emails/,
      (facts) => facts.emails.push({ shop: SHOP, paymentMethodId: "payment-method-4", customerId: "customer-4", sentAt: at(5) }),
    ],
    ["a hard decline retried with no card update", /hard decline was retried/, (facts) => (facts.cardUpdates = [])],
    ["a hard decline retried before the card update", /hard decline was retried/, (facts) => (facts.cardUpdates[0].at = at(80))],
    [
      "an open tracker with nothing scheduled",
      /still open has its next step/,
      (facts) => (facts.trackers[3] = { ...facts.trackers[3], status: "OPEN", nextAction: null, nextActionAt: null }),
    ],
    ["an open tracker whose final action is overdue", /still open has its next step/, (facts) => (facts.trackers[3].nextActionAt = at(50))],
    ["an open tracker whose email is overdue", /still open has its next step/, (facts) => (facts.trackers[3].emailDueAt = at(50))],
    ["a failed cycle without a tracker", /failed billing cycle has a dunning tracker/, (facts) => facts.trackers.splice(3, 1)],
  ])("fail on %s", (_, which, spoil) => {
    const facts = consistentMonth();
    spoil(facts);
    const failed = checkDunning(facts, LAST_CALL).filter((check) => check.status === "FAIL");
    expect(failed.map((check) => check.line)).toEqual([expect.stringMatching(which)]);
  });
});
