import { describe, expect, it } from "vitest";
import { DeclineClass } from "./decline-classes";
import {
  decideAfterChallenge,
  decideAfterActiveContractUpdate,
  decideAfterExternalClose,
  decideAfterFailure,
  decideAfterPaymentMethodChange,
  decideAfterSuccess,
  decideNextStep,
  type NextStep,
  TrackerStatus,
  type TrackerView,
} from "./next-step";
import { DEFAULT_DUNNING_POLICY, type DunningPolicy } from "./policy";

const failedAt = new Date("2026-11-01T09:00:00Z");
const daysLater = (days: number) => new Date(failedAt.getTime() + days * 86_400_000);

const POLICIES: Record<string, DunningPolicy> = {
  default: DEFAULT_DUNNING_POLICY,
  "no retries, cancel": {
    ...DEFAULT_DUNNING_POLICY,
    payment: { retryCount: 0, delaysDays: [], finalAction: "CANCEL" },
    inventory: { retryCount: 0, delaysDays: [], finalAction: "CANCEL" },
  },
  "no emails, skip": { ...DEFAULT_DUNNING_POLICY, sendPaymentUpdateEmail: false, payment: { ...DEFAULT_DUNNING_POLICY.payment, finalAction: "SKIP" } },
};

const open = (attemptCount: number): TrackerView => ({ status: TrackerStatus.Open, attemptCount });
const failure = (declineClass: DeclineClass, attemptNumber: number, code = "some_code") => ({ declineClass, attemptNumber, errorCode: code, failedAt });

/** The step without its wording, for the table. */
const shape = (step: NextStep) => {
  const { reason: _reason, ...rest } = step;
  return rest;
};

describe("decideAfterFailure: exact steps", () => {
  it.each<[string, ReturnType<typeof failure>, TrackerView | null, string, ReturnType<typeof shape>]>([
    ["soft, first charge, default", failure("SOFT", 1), null, "default", { kind: "RETRY", at: daysLater(1), retryNumber: 1, emailCustomer: true, notifyMerchant: false }],
    ["soft, retry 1 failed", failure("SOFT", 2), open(2), "default", { kind: "RETRY", at: daysLater(3), retryNumber: 2, emailCustomer: true, notifyMerchant: false }],
    ["soft, retry 3 failed", failure("SOFT", 4), open(4), "default", { kind: "RETRY", at: daysLater(7), retryNumber: 4, emailCustomer: true, notifyMerchant: false }],
    ["soft, retry 4 (the last) failed", failure("SOFT", 5), open(5), "default", { kind: "FINAL_ACTION", action: "PAUSE", at: failedAt, notifyMerchant: false }],
    ["soft, no retries configured", failure("SOFT", 1), null, "no retries, cancel", { kind: "FINAL_ACTION", action: "CANCEL", at: failedAt, notifyMerchant: false }],
    ["soft, emails off", failure("SOFT", 1), null, "no emails, skip", { kind: "RETRY", at: daysLater(1), retryNumber: 1, emailCustomer: false, notifyMerchant: false }],
    ["soft, exhausted with skip", failure("SOFT", 5), open(5), "no emails, skip", { kind: "FINAL_ACTION", action: "SKIP", at: failedAt, notifyMerchant: false }],
    ["hard, first charge", failure("HARD", 1), null, "default", { kind: "AWAIT_PAYMENT_METHOD", until: daysLater(16), emailCustomer: true, finalAction: "PAUSE" }],
    ["hard after two retries", failure("HARD", 3), open(3), "default", { kind: "AWAIT_PAYMENT_METHOD", until: daysLater(12), emailCustomer: true, finalAction: "PAUSE" }],
    ["hard, emails off", failure("HARD", 1), null, "no emails, skip", { kind: "AWAIT_PAYMENT_METHOD", until: daysLater(16), emailCustomer: false, finalAction: "SKIP" }],
    ["hard, no retries left", failure("HARD", 5), open(5), "default", { kind: "FINAL_ACTION", action: "PAUSE", at: failedAt, notifyMerchant: false }],
    ["hard, no retries configured", failure("HARD", 1), null, "no retries, cancel", { kind: "FINAL_ACTION", action: "CANCEL", at: failedAt, notifyMerchant: false }],
    ["inventory, first charge", failure("INVENTORY", 1), null, "default", { kind: "RETRY", at: daysLater(1), retryNumber: 1, emailCustomer: false, notifyMerchant: true }],
    ["inventory, retry 1 failed", failure("INVENTORY", 2), open(2), "default", { kind: "RETRY", at: daysLater(2), retryNumber: 2, emailCustomer: false, notifyMerchant: true }],
    ["inventory, exhausted", failure("INVENTORY", 3), open(3), "default", { kind: "FINAL_ACTION", action: "SKIP", at: failedAt, notifyMerchant: true }],
    ["inventory after soft retries: its own, shorter schedule", failure("INVENTORY", 4), open(4), "default", { kind: "FINAL_ACTION", action: "SKIP", at: failedAt, notifyMerchant: true }],
    ["challenge", failure("CHALLENGE", 1), null, "default", { kind: "AWAIT_AUTHENTICATION" }],
    ["merchant error", failure("MERCHANT", 1), null, "default", { kind: "STOP" }],
    ["merchant error on a retry", failure("MERCHANT", 3), open(3), "default", { kind: "STOP" }],
    ["a failure while waiting for a payment method (the retry after an update)", failure("SOFT", 2), { status: "WAITING_FOR_PAYMENT_METHOD", attemptCount: 2 }, "default", { kind: "RETRY", at: daysLater(3), retryNumber: 2, emailCustomer: true, notifyMerchant: false }],
    ["a challenged attempt that then failed", failure("HARD", 1), { status: "ACTION_REQUIRED", attemptCount: 1 }, "default", { kind: "AWAIT_PAYMENT_METHOD", until: daysLater(16), emailCustomer: true, finalAction: "PAUSE" }],
    ["an older attempt's failure arriving late", failure("SOFT", 2), open(3), "default", { kind: "IGNORE" }],
  ])("%s", (_name, event, tracker, policy, expected) => {
    expect(shape(decideAfterFailure(event, tracker, POLICIES[policy]))).toEqual(expected);
  });

  it("says why, in words a merchant reads in the history", () => {
    expect(decideAfterFailure(failure("SOFT", 1, "insufficient_funds"), null, DEFAULT_DUNNING_POLICY).reason).toBe(
      "The charge failed with insufficient_funds: retry 1 of 4 in 1 day.",
    );
    expect(decideAfterFailure(failure("HARD", 1, "expired_card"), null, DEFAULT_DUNNING_POLICY).reason).toMatch(/expired_card.*up to 16 days/);
    expect(decideAfterFailure(failure("SOFT", 5, "card_declined"), open(5), DEFAULT_DUNNING_POLICY).reason).toBe(
      "Retry 4 failed with card_declined and all 4 retries failed: pausing the contract.",
    );
  });
});

describe("decideAfterFailure: every class × attempt number × policy × tracker state", () => {
  const classes = Object.values(DeclineClass);
  const attempts = [1, 2, 3, 5, 6];
  const trackerStates: Array<[string, (n: number) => TrackerView | null]> = [
    ["no tracker", () => null],
    ["open at this attempt", (n) => open(n)],
    ["waiting for a payment method", (n) => ({ status: TrackerStatus.WaitingForPaymentMethod, attemptCount: n })],
    ["action required", (n) => ({ status: TrackerStatus.ActionRequired, attemptCount: n })],
    ["open at a later attempt", (n) => open(n + 1)],
    ...(["RECOVERED", "EXHAUSTED", "ABANDONED", "STOPPED"] as const).map(
      (status): [string, (n: number) => TrackerView] => [status.toLowerCase(), (n) => ({ status, attemptCount: n })],
    ),
  ];
  const cases = classes.flatMap((declineClass) =>
    attempts.flatMap((attemptNumber) =>
      Object.keys(POLICIES).flatMap((policy) => trackerStates.map(([state, tracker]) => ({ declineClass, attemptNumber, policy, state, tracker: tracker(attemptNumber) }))),
    ),
  );

  it.each(cases)("$declineClass, attempt $attemptNumber, $policy, $state", ({ declineClass, attemptNumber, policy, state, tracker }) => {
    const chosen = POLICIES[policy];
    const step = decideAfterFailure(failure(declineClass, attemptNumber), tracker, chosen);
    const closed = ["recovered", "exhausted", "abandoned", "stopped"].includes(state);
    if (closed || state === "open at a later attempt") {
      expect(step.kind).toBe("IGNORE");
      return;
    }
    const retriesUsed = attemptNumber - 1;
    switch (declineClass) {
      case "MERCHANT":
        expect(step.kind).toBe("STOP");
        break;
      case "CHALLENGE":
        expect(step.kind).toBe("AWAIT_AUTHENTICATION");
        break;
      case "HARD":
        // Never retried blindly: wait for the customer while the schedule lasts, then the final action.
        expect(step.kind).toBe(retriesUsed < chosen.payment.retryCount ? "AWAIT_PAYMENT_METHOD" : "FINAL_ACTION");
        if (step.kind === "AWAIT_PAYMENT_METHOD") expect(step.emailCustomer).toBe(chosen.sendPaymentUpdateEmail);
        break;
      default: {
        const schedule = declineClass === "INVENTORY" ? chosen.inventory : chosen.payment;
        expect(step.kind).toBe(retriesUsed < schedule.retryCount ? "RETRY" : "FINAL_ACTION");
        if (step.kind === "RETRY") {
          expect(step.retryNumber).toBe(attemptNumber);
          expect(step.at.getTime()).toBeGreaterThan(failedAt.getTime());
          // The customer is never emailed about stock; the merchant is.
          expect(step.emailCustomer).toBe(declineClass === "SOFT" && chosen.sendPaymentUpdateEmail);
          expect(step.notifyMerchant).toBe(declineClass === "INVENTORY");
        }
        if (step.kind === "FINAL_ACTION") expect(step.action).toBe(schedule.finalAction);
      }
    }
  });
});

describe("other events", () => {
  const now = new Date("2026-11-05T10:00:00Z");

  it.each<[string, TrackerView | null, number, NextStep["kind"]]>([
    ["success at the first attempt, no tracker", null, 1, "IGNORE"],
    ["success of a retry", open(3), 3, "RECOVER"],
    ["success after a 3-D Secure challenge", { status: "ACTION_REQUIRED", attemptCount: 1 }, 1, "RECOVER"],
    ["success while waiting for a payment method", { status: "WAITING_FOR_PAYMENT_METHOD", attemptCount: 2 }, 2, "RECOVER"],
    ["success on a closed tracker", { status: "EXHAUSTED", attemptCount: 5 }, 5, "IGNORE"],
  ])("success: %s", (_name, tracker, attemptNumber, kind) => {
    expect(decideAfterSuccess(attemptNumber, tracker).kind).toBe(kind);
  });

  it.each<[string, TrackerView | null, number, NextStep["kind"]]>([
    ["first charge challenged", null, 1, "AWAIT_AUTHENTICATION"],
    ["a retry challenged", open(2), 2, "AWAIT_AUTHENTICATION"],
    ["an old attempt challenged late", open(3), 2, "IGNORE"],
    ["closed tracker", { status: "RECOVERED", attemptCount: 2 }, 2, "IGNORE"],
  ])("challenge: %s", (_name, tracker, attemptNumber, kind) => {
    expect(decideAfterChallenge(attemptNumber, tracker).kind).toBe(kind);
  });

  it.each<[string, TrackerView & { nextAction: string | null }, NextStep["kind"]]>([
    ["waiting for a payment method", { status: "WAITING_FOR_PAYMENT_METHOD", attemptCount: 1, nextAction: "FINAL_ACTION" }, "RETRY"],
    ["a retry scheduled later", { status: "OPEN", attemptCount: 2, nextAction: "RETRY" }, "RETRY"],
    ["the final action about to run", { status: "OPEN", attemptCount: 5, nextAction: "FINAL_ACTION" }, "RETRY"],
    ["a retry in flight", { status: "OPEN", attemptCount: 2, nextAction: null }, "IGNORE"],
    ["a 3-D Secure challenge pending", { status: "ACTION_REQUIRED", attemptCount: 1, nextAction: null }, "RETRY"],
    ["closed", { status: "ABANDONED", attemptCount: 2, nextAction: null }, "IGNORE"],
  ])("payment method updated: %s", (_name, tracker, kind) => {
    const step = decideAfterPaymentMethodChange(tracker, now, "The customer updated their payment method");
    expect(step.kind).toBe(kind);
    if (step.kind === "RETRY") expect(step.at).toEqual(now);
  });

  it.each<[string, TrackerView & { nextAction: string | null }, NextStep["kind"]]>([
    ["waiting for a payment method", { status: "WAITING_FOR_PAYMENT_METHOD", attemptCount: 1, nextAction: "FINAL_ACTION" }, "RETRY"],
    ["a soft-decline retry scheduled later", { status: "OPEN", attemptCount: 2, nextAction: "RETRY" }, "IGNORE"],
    ["the final action about to run", { status: "OPEN", attemptCount: 5, nextAction: "FINAL_ACTION" }, "IGNORE"],
    ["a retry in flight", { status: "OPEN", attemptCount: 2, nextAction: null }, "IGNORE"],
    ["a 3-D Secure challenge pending", { status: "ACTION_REQUIRED", attemptCount: 1, nextAction: null }, "IGNORE"],
    ["closed", { status: "ABANDONED", attemptCount: 2, nextAction: null }, "IGNORE"],
  ])("active contract updated (what changed unknown): %s", (_name, tracker, kind) => {
    const step = decideAfterActiveContractUpdate(tracker, now);
    expect(step.kind).toBe(kind);
    if (step.kind === "RETRY") expect(step.at).toEqual(now);
  });

  it("closes an open tracker from outside, and leaves a closed one alone", () => {
    expect(decideAfterExternalClose(open(2), "The contract was paused in Shopify.")).toEqual({ kind: "CLOSE", reason: "The contract was paused in Shopify." });
    expect(decideAfterExternalClose({ status: "RECOVERED", attemptCount: 2 }, "x").kind).toBe("IGNORE");
  });
});

describe("the merchant's actions", () => {
  const now = new Date("2026-11-05T10:00:00Z");
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000);
  const waiting: TrackerView = { status: "WAITING_FOR_PAYMENT_METHOD", attemptCount: 1, nextAction: "FINAL_ACTION" };
  const scheduled: TrackerView = { status: "OPEN", attemptCount: 2, nextAction: "RETRY" };
  const finalActionDue: TrackerView = { status: "OPEN", attemptCount: 5, nextAction: "FINAL_ACTION" };
  const inFlight: TrackerView = { status: "OPEN", attemptCount: 2, nextAction: null };
  const challenged: TrackerView = { status: "ACTION_REQUIRED", attemptCount: 1, nextAction: null };
  const closed = (status: TrackerView["status"]): TrackerView => ({ status, attemptCount: 3, nextAction: null });

  it.each<[string, TrackerView | null, number, NextStep["kind"]]>([
    ["a retry scheduled later", scheduled, 2, "RETRY"],
    ["waiting for a new payment method", waiting, 1, "RETRY"],
    ["the final action about to run", finalActionDue, 5, "RETRY"],
    ["the 10th attempt in 30 days would be the 11th", scheduled, 10, "IGNORE"],
    ["the 9th in 30 days: one more is allowed", scheduled, 9, "RETRY"],
    ["a retry in flight", inFlight, 2, "IGNORE"],
    ["waiting for 3-D Secure", challenged, 1, "IGNORE"],
    ["recovered", closed("RECOVERED"), 3, "IGNORE"],
    ["stopped", closed("STOPPED"), 3, "IGNORE"],
    ["no tracker", null, 0, "IGNORE"],
  ])("retry now: %s", (_name, tracker, attemptsInLast30Days, kind) => {
    const step = decideNextStep({ kind: "MERCHANT_RETRY_REQUESTED", at: now, attemptsInLast30Days }, tracker);
    expect(step.kind).toBe(kind);
    if (step.kind === "RETRY") {
      // Due at once, as the next attempt of the cycle, and never an email or a notice of its own.
      expect(step).toMatchObject({ at: now, retryNumber: tracker!.attemptCount, emailCustomer: false, notifyMerchant: false, requestedByMerchant: true });
    }
  });

  it.each<[string, TrackerView | null, NextStep["kind"], RegExp?]>([
    ["retrying", scheduled, "STOP"],
    ["waiting for a payment method", waiting, "STOP"],
    ["waiting for 3-D Secure", challenged, "STOP"],
    ["a retry in flight", inFlight, "IGNORE", /with Shopify right now/],
    ["already stopped", closed("STOPPED"), "IGNORE", /already stopped/],
    ["recovered", closed("RECOVERED"), "IGNORE", /no longer followed up/],
  ])("stop dunning: %s", (_name, tracker, kind, reason) => {
    const step = decideNextStep({ kind: "MERCHANT_STOP_REQUESTED" }, tracker);
    expect(step.kind).toBe(kind);
    if (step.kind === "STOP") expect(step.requestedByMerchant).toBe(true);
    if (reason) expect(step.reason).toMatch(reason);
  });

  const emailPolicy = { ...DEFAULT_DUNNING_POLICY, sendPaymentUpdateEmail: false, paymentUpdateEmailIntervalHours: 72 };
  it.each<[string, TrackerView, Date | null, boolean, NextStep["kind"]]>([
    ["never emailed (automatic emails off: the merchant asked)", waiting, null, true, "SEND_EMAIL"],
    ["emailed 73 hours ago", waiting, hoursAgo(73), true, "SEND_EMAIL"],
    ["emailed 71 hours ago: within the interval", waiting, hoursAgo(71), true, "IGNORE"],
    ["no payment method to update", scheduled, null, false, "IGNORE"],
    ["closed", closed("EXHAUSTED"), null, true, "IGNORE"],
  ])("email again: %s", (_name, tracker, lastEmailSentAt, hasPaymentMethod, kind) => {
    const step = decideNextStep({ kind: "MERCHANT_EMAIL_REQUESTED", at: now, policy: emailPolicy, hasPaymentMethod }, { ...tracker, lastEmailSentAt });
    expect(step.kind).toBe(kind);
  });

  it("words the merchant's email in the history", () => {
    const answered = decideNextStep({ kind: "EMAIL_ANSWERED", result: "SENT", previousSentAt: null, requestedByMerchant: true }, waiting);
    expect(answered.reason).toBe("As you asked, Shopify emailed the customer a link to update their payment method.");
  });
});
