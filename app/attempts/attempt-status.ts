/**
 * What the app knows about one billing attempt, and which news may overwrite which:
 * webhooks arrive late, twice and out of order, and polling races them, so an outcome is
 * applied only when it moves the attempt forward.
 */
export const AttemptStatus = {
  /** Recorded under its idempotency key; Shopify has not accepted it yet (or we do not know). */
  Pending: "PENDING",
  /** Shopify accepted it and is processing the payment. */
  Processing: "PROCESSING",
  /** The customer must complete a 3-D Secure challenge; it may still succeed or fail. */
  ActionRequired: "ACTION_REQUIRED",
  Succeeded: "SUCCEEDED",
  Failed: "FAILED",
  /** Shopify refused to create it (user error, or a terminal answer for the shop). Never re-sent. */
  Rejected: "REJECTED",
} as const;

export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];

const FINAL: ReadonlySet<AttemptStatus> = new Set([AttemptStatus.Succeeded, AttemptStatus.Failed, AttemptStatus.Rejected]);

const PROGRESS: Record<AttemptStatus, number> = {
  PENDING: 0,
  PROCESSING: 1,
  ACTION_REQUIRED: 2,
  SUCCEEDED: 3,
  FAILED: 3,
  REJECTED: 3,
};

export function isFinalAttemptStatus(status: string): boolean {
  return FINAL.has(status as AttemptStatus);
}

/** True when `next` is news for an attempt currently in `current`. A final status never changes. */
export function isForwardTransition(current: string, next: AttemptStatus): boolean {
  if (isFinalAttemptStatus(current)) return false;
  const from = PROGRESS[current as AttemptStatus];
  return from === undefined || PROGRESS[next] > from;
}

export interface AttemptOutcome {
  status: AttemptStatus;
  shopifyAttemptId?: string;
  orderId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  completedAt?: Date | null;
}
