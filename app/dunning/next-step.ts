import { DeclineClass } from "./decline-classes";
import { addDays, delayBeforeRetryDays, type DunningPolicy, type FinalAction, remainingScheduleDays } from "./policy";

/**
 * What dunning does next, decided from what just happened and where the tracker is. Pure:
 * the server modules load the tracker, call one of these, and write what they return.
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

/** The tracker as the decision needs it; null when the cycle has none yet. */
export interface TrackerView {
  status: TrackerStatus;
  /** The latest attempt made for the cycle. */
  attemptCount: number;
}

export type NextStep =
  /** Nothing changes (closed tracker, stale or duplicate news). */
  | { kind: "IGNORE"; reason: string }
  | { kind: "RETRY"; at: Date; retryNumber: number; emailCustomer: boolean; notifyMerchant: boolean; reason: string }
  | { kind: "AWAIT_PAYMENT_METHOD"; until: Date; emailCustomer: boolean; finalAction: FinalAction; reason: string }
  | { kind: "FINAL_ACTION"; action: FinalAction; at: Date; notifyMerchant: boolean; reason: string }
  | { kind: "AWAIT_AUTHENTICATION"; reason: string }
  | { kind: "STOP"; reason: string }
  | { kind: "RECOVER"; reason: string }
  | { kind: "CLOSE"; reason: string };

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
