import { DeclineClass } from "./decline-classes";
import type { AttemptOutcome } from "../attempts/attempt-status";
import { addDays, delayBeforeRetryDays, type DunningPolicy, type FinalAction, MAX_ATTEMPTS_IN_30_DAYS, remainingScheduleDays } from "./policy";

/**
 * What dunning does next, decided from what just happened and where the tracker is. Pure:
 * every change to a tracker, from a webhook or from the cron, is decided by decideNextStep
 * and written by applyStep (tracker-changes.server.ts), which also records it in the history.
 */
export const TrackerStatus = {
  /** A retry or the final action is scheduled, or a retry is in flight. */
  Open: "OPEN",
  /** Hard decline: nothing is retried until the customer adds or updates a payment method. */
  WaitingForPaymentMethod: "WAITING_FOR_PAYMENT_METHOD",
  /** 3-D Secure: the customer must complete the challenge. */
  ActionRequired: "ACTION_REQUIRED",
  Recovered: "RECOVERED",
  /** Retries ran out; the final action was applied. */
  Exhausted: "EXHAUSTED",
  /** Closed without charging: the contract or cycle changed elsewhere, or the shop left. */
  Abandoned: "ABANDONED",
  /** A merchant or configuration error: retrying cannot help; the merchant was told. */
  Stopped: "STOPPED",
} as const;

export type TrackerStatus = (typeof TrackerStatus)[keyof typeof TrackerStatus];

export const OPEN_TRACKER_STATUSES: readonly TrackerStatus[] = [
  TrackerStatus.Open,
  TrackerStatus.WaitingForPaymentMethod,
  TrackerStatus.ActionRequired,
];

export const CLOSED_TRACKER_STATUSES: readonly TrackerStatus[] = [
  TrackerStatus.Recovered,
  TrackerStatus.Exhausted,
  TrackerStatus.Abandoned,
  TrackerStatus.Stopped,
];

export function isOpenTracker(status: string): boolean {
  return (OPEN_TRACKER_STATUSES as readonly string[]).includes(status);
}

/** What the cron does next with a tracker. */
export const NextAction = { Retry: "RETRY", FinalAction: "FINAL_ACTION" } as const;

/** The tracker as the decision needs it; null when the cycle has none yet. */
export interface TrackerView {
  status: TrackerStatus;
  /** The latest attempt made for the cycle. */
  attemptCount: number;
  nextAction?: string | null;
  lastEmailSentAt?: Date | null;
  lastErrorCode?: string | null;
}

/** A sent retry whose answer never got recorded (the process died) is re-sent, same key, after this. */
export const RESEND_UNCONFIRMED_AFTER_MS = 30 * 60_000;
/** Shopify asked us to slow down (THROTTLED or PROCESSING_FAILED user error): try the retry again after this. */
export const RETRY_REFUSED_TRANSIENTLY_AFTER_MS = 60 * 60_000;
const TRANSIENT_USER_ERRORS = new Set(["THROTTLED", "PROCESSING_FAILED"]);

export type NextStep =
  /** Nothing changes (closed tracker, stale or duplicate news). */
  | { kind: "IGNORE"; reason: string }
  /** Nothing changes but the history: something happened that the merchant should see. */
  | { kind: "NOTE"; event: string; reason: string }
  /** `requestedByMerchant`: the merchant's "retry now" (its own history line). */
  | { kind: "RETRY"; at: Date; retryNumber: number; emailCustomer: boolean; notifyMerchant: boolean; requestedByMerchant?: boolean; reason: string }
  | { kind: "AWAIT_PAYMENT_METHOD"; until: Date; emailCustomer: boolean; finalAction: FinalAction; reason: string }
  | { kind: "FINAL_ACTION"; action: FinalAction; at: Date; notifyMerchant: boolean; reason: string }
  | { kind: "AWAIT_AUTHENTICATION"; reason: string }
  /** `requestedByMerchant`: the merchant stopped it (no notice for them: they know). */
  | { kind: "STOP"; reason: string; requestedByMerchant?: boolean }
  | { kind: "RECOVER"; reason: string }
  | { kind: "CLOSE"; reason: string }
  /** A retry is about to be sent as attempt `attemptNumber` (recorded first, re-sent under the same key after `resendAt`). */
  | { kind: "SEND_RETRY"; attemptNumber: number; newAttempt: boolean; resendAt: Date; reason: string }
  /** Shopify took the retry: the tracker waits for its result (unless the result has moved it already). */
  | { kind: "AWAIT_RETRY_RESULT"; attemptNumber: number; resendAt: Date; reason: string }
  /** Shopify asked to slow down: the retry is tried again at `at`. */
  | { kind: "DEFER_RETRY"; at: Date; attemptNumber: number; reason: string }
  /** The final action took effect in Shopify: the tracker closes as exhausted (once). */
  | { kind: "EXHAUST"; action: FinalAction; reason: string }
  /** A payment-update email is about to go out: counted as sent before Shopify is asked. */
  | { kind: "SEND_EMAIL"; reason: string }
  /** How a wanted email ended; a refused one no longer counts as sent. */
  | { kind: "EMAIL_RESULT"; result: EmailResult; restoreLastEmailSentAt?: Date | null; reason: string };

export type EmailResult = "SENT" | "UNCONFIRMED" | "NOT_SENT" | "REFUSED";

/** Everything that can happen to a tracker; decideNextStep says what it means. */
export type DunningEvent =
  | { kind: "ATTEMPT_FAILED"; failure: FailureEvent; policy: DunningPolicy }
  | { kind: "ATTEMPT_CHALLENGED"; attemptNumber: number }
  | { kind: "ATTEMPT_SUCCEEDED"; attemptNumber: number }
  | { kind: "PAYMENT_METHOD_CHANGED"; at: Date; what: string }
  | { kind: "PAYMENT_METHOD_REVOKED"; paymentMethodId: string }
  | { kind: "CONTRACT_UPDATED_WHILE_ACTIVE"; at: Date }
  /** The contract or cycle changed elsewhere (paused, cancelled, skipped, billed), or the shop left. */
  | { kind: "CLOSED_OUTSIDE"; reason: string }
  /** The retry's time has come; `latestAttemptUnconfirmed`: the latest attempt was recorded but Shopify never confirmed it. */
  | { kind: "RETRY_DUE"; at: Date; latestAttemptUnconfirmed: boolean }
  /** Shopify's answer to the retry (accepted: any status but REJECTED). */
  | { kind: "RETRY_ANSWERED"; at: Date; attemptNumber: number; resendAt: Date; outcome: AttemptOutcome }
  | { kind: "FINAL_ACTION_APPLIED"; action: FinalAction }
  | { kind: "FINAL_ACTION_REFUSED"; action: FinalAction; messages: string }
  | { kind: "EMAIL_DUE"; at: Date; policy: DunningPolicy; hasPaymentMethod: boolean }
  | { kind: "EMAIL_ANSWERED"; result: "SENT" | "UNCONFIRMED" | "REFUSED"; messages?: string; previousSentAt: Date | null; requestedByMerchant?: boolean }
  /** The merchant's actions on the tracker page (app/dunning/merchant-actions.server.ts). */
  | { kind: "MERCHANT_RETRY_REQUESTED"; at: Date; attemptsInLast30Days: number }
  | { kind: "MERCHANT_STOP_REQUESTED" }
  | { kind: "MERCHANT_EMAIL_REQUESTED"; at: Date; policy: DunningPolicy; hasPaymentMethod: boolean };

/**
 * What happens to the tracker (null: the cycle has none yet) after `event`: the one
 * decision every webhook and every cron step goes through.
 */
export function decideNextStep(event: DunningEvent, tracker: TrackerView | null): NextStep {
  switch (event.kind) {
    case "ATTEMPT_FAILED":
      return decideAfterFailure(event.failure, tracker, event.policy);
    case "ATTEMPT_CHALLENGED":
      return decideAfterChallenge(event.attemptNumber, tracker);
    case "ATTEMPT_SUCCEEDED":
      return decideAfterSuccess(event.attemptNumber, tracker);
    case "PAYMENT_METHOD_CHANGED":
      return tracker ? decideAfterPaymentMethodChange({ ...tracker, nextAction: tracker.nextAction ?? null }, event.at, event.what) : noTracker;
    case "PAYMENT_METHOD_REVOKED":
      if (!tracker || !isOpenTracker(tracker.status)) return noTracker;
      return { kind: "NOTE", event: "PAYMENT_METHOD_REVOKED", reason: `The customer's payment method ${event.paymentMethodId} was revoked.` };
    case "CONTRACT_UPDATED_WHILE_ACTIVE":
      return tracker ? decideAfterActiveContractUpdate({ ...tracker, nextAction: tracker.nextAction ?? null }, event.at) : noTracker;
    case "CLOSED_OUTSIDE":
      return tracker ? decideAfterExternalClose(tracker, event.reason) : noTracker;
    case "RETRY_DUE":
      return tracker ? decideRetry(tracker, event.at, event.latestAttemptUnconfirmed) : noTracker;
    case "RETRY_ANSWERED":
      return tracker ? decideAfterRetryAnswer(event) : noTracker;
    case "FINAL_ACTION_APPLIED":
      return tracker ? exhausted(event.action, tracker) : noTracker;
    case "FINAL_ACTION_REFUSED":
      return {
        kind: "STOP",
        reason: `Could not ${event.action.toLowerCase()} (${event.messages}): dunning stopped; please act on the contract in Shopify.`,
      };
    case "EMAIL_DUE":
      return tracker ? decideEmail(tracker, event) : noTracker;
    case "EMAIL_ANSWERED":
      return emailAnswered(event);
    case "MERCHANT_RETRY_REQUESTED":
      return tracker ? decideMerchantRetry(tracker, event) : noTracker;
    case "MERCHANT_STOP_REQUESTED":
      return tracker ? decideMerchantStop(tracker) : noTracker;
    case "MERCHANT_EMAIL_REQUESTED":
      return tracker ? decideMerchantEmail(tracker, event) : noTracker;
  }
}

const noTracker: NextStep = { kind: "IGNORE", reason: "the cycle has no tracker" };

/** The next attempt for the cycle, or the one recorded but never confirmed again (same key: Shopify answers with the same attempt). */
function decideRetry(tracker: TrackerView, at: Date, latestAttemptUnconfirmed: boolean): NextStep {
  const attemptNumber = latestAttemptUnconfirmed ? tracker.attemptCount : tracker.attemptCount + 1;
  return {
    kind: "SEND_RETRY",
    attemptNumber,
    newAttempt: !latestAttemptUnconfirmed,
    resendAt: new Date(at.getTime() + RESEND_UNCONFIRMED_AFTER_MS),
    reason: `Retry ${attemptNumber - 1} is being sent to Shopify.`,
  };
}

function decideAfterRetryAnswer(event: Extract<DunningEvent, { kind: "RETRY_ANSWERED" }>): NextStep {
  const { attemptNumber, outcome } = event;
  const retryLabel = `Retry ${attemptNumber - 1}`;
  if (outcome.status !== "REJECTED") {
    return { kind: "AWAIT_RETRY_RESULT", attemptNumber, resendAt: event.resendAt, reason: `${retryLabel} sent to Shopify` };
  }
  const code = outcome.errorCode ?? "USER_ERROR";
  const message = outcome.errorMessage ?? "";
  if (TRANSIENT_USER_ERRORS.has(code)) {
    return {
      kind: "DEFER_RETRY",
      at: new Date(event.at.getTime() + RETRY_REFUSED_TRANSIENTLY_AFTER_MS),
      attemptNumber,
      reason: `Shopify did not take ${retryLabel.toLowerCase()} (${code}: ${message}); trying again in an hour.`,
    };
  }
  return { kind: "CLOSE", reason: `Shopify refused ${retryLabel.toLowerCase()} (${code}: ${message}): dunning closed without charging.` };
}

function exhausted(action: FinalAction, tracker: TrackerView): NextStep {
  const verb = { SKIP: "Skipped the billing cycle", PAUSE: "Paused the contract", CANCEL: "Cancelled the contract" }[action];
  const reason = `${verb}: the retries ran out${tracker.lastErrorCode ? ` (last error: ${tracker.lastErrorCode})` : ""}.`;
  return { kind: "EXHAUST", action, reason };
}

/** A payment-update email is due: sent, unless emails are off, one went out within the interval, or there is no card to update. */
function decideEmail(tracker: TrackerView, event: Extract<DunningEvent, { kind: "EMAIL_DUE" }>): NextStep {
  const { policy, at } = event;
  const notSent = (reason: string): NextStep => ({ kind: "EMAIL_RESULT", result: "NOT_SENT", reason });
  if (!policy.sendPaymentUpdateEmail) return notSent("Payment-update emails are turned off in the dunning settings.");
  const last = tracker.lastEmailSentAt;
  if (last && at.getTime() - last.getTime() < policy.paymentUpdateEmailIntervalHours * 3600_000) {
    return notSent(`A payment-update email went out at ${last.toISOString()}; at most one per ${policy.paymentUpdateEmailIntervalHours} hours.`);
  }
  if (!event.hasPaymentMethod) return notSent("The contract has no payment method (or it was revoked): Shopify's update email needs one.");
  return { kind: "SEND_EMAIL", reason: "A payment-update email is going out." };
}

function emailAnswered(event: Extract<DunningEvent, { kind: "EMAIL_ANSWERED" }>): NextStep {
  switch (event.result) {
    case "SENT":
      return {
        kind: "EMAIL_RESULT",
        result: "SENT",
        reason: `${event.requestedByMerchant ? "As you asked, " : ""}Shopify emailed the customer a link to update their payment method.`,
      };
    case "UNCONFIRMED":
      // It may have gone out: it stays counted as sent, and the interval holds the next one back.
      return {
        kind: "EMAIL_RESULT",
        result: "UNCONFIRMED",
        reason: "Shopify did not confirm the payment-update email; it may have gone out, so it is not sent again within the interval.",
      };
    case "REFUSED":
      // Shopify said no: nothing went out, so the interval does not start.
      return {
        kind: "EMAIL_RESULT",
        result: "REFUSED",
        restoreLastEmailSentAt: event.previousSentAt,
        reason: `Shopify refused the payment-update email: ${event.messages ?? ""}`,
      };
  }
}

export interface FailureEvent {
  declineClass: DeclineClass;
  errorCode: string | null;
  /** The failed attempt's number (1 = the scheduled charge). */
  attemptNumber: number;
  failedAt: Date;
}

/** A billing attempt failed. */
export function decideAfterFailure(event: FailureEvent, tracker: TrackerView | null, policy: DunningPolicy): NextStep {
  const stale = staleness(event.attemptNumber, tracker);
  if (stale) return stale;
  const code = event.errorCode ?? "an unknown error";
  const retriesUsed = event.attemptNumber - 1;
  const attemptLabel = event.attemptNumber === 1 ? "The charge" : `Retry ${retriesUsed}`;

  switch (event.declineClass) {
    case DeclineClass.Merchant:
      return { kind: "STOP", reason: `${attemptLabel} failed with ${code}, a problem with the shop's payment setup: dunning stopped; fix the setup and charge the cycle again.` };
    case DeclineClass.Challenge:
      return { kind: "AWAIT_AUTHENTICATION", reason: `${attemptLabel} needs the customer to complete a 3-D Secure challenge.` };
    case DeclineClass.Hard: {
      const schedule = policy.payment;
      const waitDays = remainingScheduleDays(schedule, retriesUsed);
      if (waitDays === 0) return finalAction(schedule.finalAction, event.failedAt, false, `${attemptLabel} failed with ${code} and no retries are left`);
      return {
        kind: "AWAIT_PAYMENT_METHOD",
        until: addDays(event.failedAt, waitDays),
        emailCustomer: policy.sendPaymentUpdateEmail,
        finalAction: schedule.finalAction,
        reason: `${attemptLabel} failed with ${code}, which the same card will not pass: waiting up to ${waitDays} days for a new or updated payment method.`,
      };
    }
    case DeclineClass.Inventory:
    case DeclineClass.Soft: {
      const inventory = event.declineClass === DeclineClass.Inventory;
      const schedule = inventory ? policy.inventory : policy.payment;
      if (retriesUsed >= schedule.retryCount) {
        const used = retriesUsed === 0 ? "no retries are configured" : `all ${schedule.retryCount} retries failed`;
        return finalAction(schedule.finalAction, event.failedAt, inventory, `${attemptLabel} failed with ${code} and ${used}`);
      }
      const days = delayBeforeRetryDays(schedule, retriesUsed);
      return {
        kind: "RETRY",
        at: addDays(event.failedAt, days),
        retryNumber: retriesUsed + 1,
        emailCustomer: !inventory && policy.sendPaymentUpdateEmail,
        notifyMerchant: inventory,
        reason: `${attemptLabel} failed with ${code}: retry ${retriesUsed + 1} of ${schedule.retryCount} in ${days} day${days === 1 ? "" : "s"}${inventory ? " (inventory schedule)" : ""}.`,
      };
    }
  }
}

/** The attempt asks for 3-D Secure (subscription_billing_attempts/challenged). */
export function decideAfterChallenge(attemptNumber: number, tracker: TrackerView | null): NextStep {
  const stale = staleness(attemptNumber, tracker);
  if (stale) return stale;
  return { kind: "AWAIT_AUTHENTICATION", reason: `Attempt ${attemptNumber} needs the customer to complete a 3-D Secure challenge; it is not retried.` };
}

/** An attempt for the cycle succeeded. */
export function decideAfterSuccess(attemptNumber: number, tracker: TrackerView | null): NextStep {
  if (!tracker) return { kind: "IGNORE", reason: "paid at the first attempt" };
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: `the tracker is already ${tracker.status}` };
  return { kind: "RECOVER", reason: attemptNumber === 1 ? "The customer completed the challenge; the charge succeeded." : `Retry ${attemptNumber - 1} succeeded.` };
}

/**
 * The customer added or updated a payment method (or the contract changed while waiting):
 * whatever was waiting is retried now. An attempt in flight is left to finish.
 */
export function decideAfterPaymentMethodChange(
  tracker: TrackerView & { nextAction: string | null; finalActionAppliedAt?: Date | null },
  now: Date,
  what: string,
): NextStep {
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: `the tracker is already ${tracker.status}` };
  if (tracker.status === TrackerStatus.Open && tracker.nextAction === null) return { kind: "IGNORE", reason: "a retry is in flight" };
  return { kind: "RETRY", at: now, retryNumber: tracker.attemptCount, emailCustomer: false, notifyMerchant: false, reason: `${what}: retrying now.` };
}

/**
 * subscription_contracts/update with the contract still active. Its payload does not say
 * what changed; the one change dunning waits for is a payment method the customer fixed
 * after a hard decline. A scheduled soft-decline retry keeps its time (a note or a price
 * edit must not pull it forward), and so does everything else.
 */
export function decideAfterActiveContractUpdate(
  tracker: TrackerView & { nextAction: string | null; finalActionAppliedAt?: Date | null },
  now: Date,
): NextStep {
  if (tracker.status !== TrackerStatus.WaitingForPaymentMethod) {
    return { kind: "IGNORE", reason: "only a payment-method change moves a tracker, and this one waits for nothing" };
  }
  return decideAfterPaymentMethodChange(tracker, now, "The contract was updated while waiting for a new payment method");
}

/** The contract left ACTIVE elsewhere, its cycle was skipped, or the shop uninstalled the app. */
export function decideAfterExternalClose(tracker: TrackerView, reason: string): NextStep {
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: `the tracker is already ${tracker.status}` };
  return { kind: "CLOSE", reason };
}

function finalAction(action: FinalAction, at: Date, notifyMerchant: boolean, why: string): NextStep {
  const verb = { SKIP: "skipping the cycle", PAUSE: "pausing the contract", CANCEL: "cancelling the contract" }[action];
  return { kind: "FINAL_ACTION", action, at, notifyMerchant, reason: `${why}: ${verb}.` };
}

/** News about an older attempt than the tracker's latest, or for a closed tracker, changes nothing. */
function staleness(attemptNumber: number, tracker: TrackerView | null): NextStep | undefined {
  if (!tracker) return undefined;
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: `the tracker is already ${tracker.status}` };
  if (attemptNumber < tracker.attemptCount) return { kind: "IGNORE", reason: `attempt ${attemptNumber} is older than attempt ${tracker.attemptCount}` };
  return undefined;
}

/**
 * The merchant's "retry now": the next attempt goes out at once (merchant-actions sends it
 * through the cron's own path), unless the tracker is closed, an attempt is in flight, the
 * customer must authenticate, or one more attempt would pass the card networks' 30-day cap.
 */
function decideMerchantRetry(tracker: TrackerView, event: Extract<DunningEvent, { kind: "MERCHANT_RETRY_REQUESTED" }>): NextStep {
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: "This payment is no longer followed up: there is nothing to retry." };
  if (tracker.status === TrackerStatus.ActionRequired) {
    return { kind: "IGNORE", reason: "The customer must complete 3-D Secure for this payment; a new attempt would ask them again." };
  }
  if (tracker.status === TrackerStatus.Open && !tracker.nextAction) {
    return { kind: "IGNORE", reason: "A retry is already with Shopify; its result appears here as soon as it comes." };
  }
  if (event.attemptsInLast30Days >= MAX_ATTEMPTS_IN_30_DAYS) {
    return {
      kind: "IGNORE",
      reason: `This contract was charged ${event.attemptsInLast30Days} times in the last 30 days; card networks penalise more than ${MAX_ATTEMPTS_IN_30_DAYS}, so no attempt is added now.`,
    };
  }
  return {
    kind: "RETRY",
    at: event.at,
    retryNumber: tracker.attemptCount,
    emailCustomer: false,
    notifyMerchant: false,
    requestedByMerchant: true,
    reason: `You asked to retry now: retry ${tracker.attemptCount} is being sent to Shopify.`,
  };
}

/** The merchant's "stop dunning": nothing more is retried, emailed or applied. Not while an attempt is in flight. */
function decideMerchantStop(tracker: TrackerView): NextStep {
  if (tracker.status === TrackerStatus.Stopped) return { kind: "IGNORE", reason: "Dunning is already stopped for this payment." };
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: "This payment is no longer followed up." };
  if (tracker.status === TrackerStatus.Open && !tracker.nextAction) {
    return { kind: "IGNORE", reason: "A retry is with Shopify right now; stop dunning once its result is in." };
  }
  return {
    kind: "STOP",
    requestedByMerchant: true,
    reason: "You stopped dunning: nothing more is retried or emailed for this payment, and no final action is applied.",
  };
}

/**
 * The merchant's "send the payment-update email again": sent even when automatic emails are
 * off (the merchant asked), but never twice within the interval, and only when the contract
 * has a payment method (Shopify's email updates that one).
 */
function decideMerchantEmail(tracker: TrackerView, event: Extract<DunningEvent, { kind: "MERCHANT_EMAIL_REQUESTED" }>): NextStep {
  if (!isOpenTracker(tracker.status)) return { kind: "IGNORE", reason: "This payment is no longer followed up: no email is sent." };
  const hours = event.policy.paymentUpdateEmailIntervalHours;
  const last = tracker.lastEmailSentAt;
  if (last && event.at.getTime() - last.getTime() < hours * 3600_000) {
    return { kind: "IGNORE", reason: `A payment-update email went out less than ${hours} hours ago: at most one per ${hours} hours.` };
  }
  if (!event.hasPaymentMethod) {
    return { kind: "IGNORE", reason: "The contract has no payment method (or it was revoked): Shopify's update email needs one." };
  }
  return { kind: "SEND_EMAIL", reason: "You asked to email the customer again." };
}
