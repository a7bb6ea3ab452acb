import type { DunningTracker, Prisma } from "../db/client.server";
import { type NextStep, OPEN_TRACKER_STATUSES, TrackerStatus, type TrackerView } from "./next-step";

type Db = Prisma.TransactionClient;

/** What the cron does next with a tracker. */
export const NextAction = { Retry: "RETRY", FinalAction: "FINAL_ACTION" } as const;

export const MerchantNotificationKind = {
  Inventory: "INVENTORY_FAILURE",
  DunningStopped: "DUNNING_STOPPED",
  ActionRequired: "CUSTOMER_ACTION_REQUIRED",
} as const;

export interface TrackerTarget {
  shop: string;
  contractId: string;
  billingCycleIndex: number;
  customerId?: string | null;
}

/** What the event that led to the step was about (an attempt's failure, a webhook, the cron). */
export interface StepContext {
  at: Date;
  attemptNumber?: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  declineClass?: string | null;
}

export function findTracker(db: Db, target: TrackerTarget): Promise<DunningTracker | null> {
  const { shop, contractId, billingCycleIndex } = target;
  return db.dunningTracker.findUnique({ where: { shop_contractId_billingCycleIndex: { shop, contractId, billingCycleIndex } } });
}

export function trackerView(tracker: DunningTracker | null): TrackerView | null {
  return tracker ? { status: tracker.status as TrackerStatus, attemptCount: tracker.attemptCount } : null;
}

/**
 * Writes a decided step: opens the tracker if the cycle has none, moves it, and records the
 * transition in its history (and tells the merchant when the step says so). Returns the
 * tracker, or null when the step changed nothing.
 */
export async function applyStep(
  db: Db,
  target: TrackerTarget,
  tracker: DunningTracker | null,
  step: NextStep,
  context: StepContext,
): Promise<DunningTracker | null> {
  if (step.kind === "IGNORE") return null;
  const data = trackerChanges(step, context, tracker);
  const error =
    context.errorCode !== undefined
      ? { lastErrorCode: context.errorCode, lastErrorMessage: context.errorMessage ?? null, lastErrorClass: context.declineClass ?? null }
      : {};
  const attemptCount = Math.max(tracker?.attemptCount ?? 1, context.attemptNumber ?? 1);
  const saved = tracker
    ? await db.dunningTracker.update({ where: { id: tracker.id }, data: { ...data, ...error, attemptCount } })
    : await db.dunningTracker.create({
        data: {
          shop: target.shop,
          contractId: target.contractId,
          billingCycleIndex: target.billingCycleIndex,
          customerId: target.customerId ?? null,
          openedAt: context.at,
          attemptCount,
          ...data,
          ...error,
        },
      });
  await recordEvent(db, saved, eventKindOf(step, tracker), step.reason, context);
  const notice = merchantNoticeOf(step, saved);
  if (notice) await db.merchantNotification.create({ data: { shop: saved.shop, trackerId: saved.id, contractId: saved.contractId, ...notice } });
  return saved;
}

export async function recordEvent(db: Db, tracker: DunningTracker, kind: string, detail: string, context: Pick<StepContext, "at" | "attemptNumber" | "errorCode">) {
  await db.dunningEvent.create({
    data: {
      trackerId: tracker.id,
      shop: tracker.shop,
      at: context.at,
      kind,
      status: tracker.status,
      attemptNumber: context.attemptNumber ?? null,
      errorCode: context.errorCode ?? null,
      detail,
    },
  });
}

/** The shop's open trackers of one contract, or of one customer. */
export function findOpenTrackers(db: Db, shop: string, where: { contractId?: string; customerId?: string }) {
  return db.dunningTracker.findMany({ where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] }, ...where } });
}

function trackerChanges(step: Exclude<NextStep, { kind: "IGNORE" }>, context: StepContext, tracker: DunningTracker | null) {
  const close = (status: TrackerStatus) => ({
    status,
    nextAction: null,
    nextActionAt: null,
    emailDueAt: null,
    completedAt: context.at,
    completedReason: step.reason,
    leaseOwner: null,
    leaseExpiresAt: null,
  });
  switch (step.kind) {
    case "RETRY":
      return {
        status: TrackerStatus.Open,
        nextAction: NextAction.Retry,
        nextActionAt: step.at,
        finalAction: null,
        ...(step.emailCustomer ? { emailDueAt: context.at } : {}),
      };
    case "AWAIT_PAYMENT_METHOD":
      return {
        status: TrackerStatus.WaitingForPaymentMethod,
        nextAction: NextAction.FinalAction,
        nextActionAt: step.until,
        finalAction: step.finalAction,
        ...(step.emailCustomer ? { emailDueAt: context.at } : {}),
      };
    case "FINAL_ACTION":
      return { status: TrackerStatus.Open, nextAction: NextAction.FinalAction, nextActionAt: step.at, finalAction: step.action };
    case "AWAIT_AUTHENTICATION":
      return { status: TrackerStatus.ActionRequired, nextAction: null, nextActionAt: null };
    case "RECOVER":
      return { ...close(TrackerStatus.Recovered), recoveredAmount: tracker?.amount ?? null };
    case "STOP":
      return close(TrackerStatus.Stopped);
    case "CLOSE":
      return close(TrackerStatus.Abandoned);
  }
}

function eventKindOf(step: Exclude<NextStep, { kind: "IGNORE" }>, before: DunningTracker | null): string {
  const kind = {
    RETRY: "RETRY_SCHEDULED",
    AWAIT_PAYMENT_METHOD: "WAITING_FOR_PAYMENT_METHOD",
    FINAL_ACTION: "FINAL_ACTION_SCHEDULED",
    AWAIT_AUTHENTICATION: "CUSTOMER_ACTION_REQUIRED",
    RECOVER: "RECOVERED",
    STOP: "STOPPED",
    CLOSE: "CLOSED",
  }[step.kind];
  return before ? kind : `OPENED_${kind}`;
}

function merchantNoticeOf(step: Exclude<NextStep, { kind: "IGNORE" }>, tracker: DunningTracker): { kind: string; message: string } | undefined {
  const where = `Contract ${tracker.contractId}, cycle ${tracker.billingCycleIndex}`;
  if ((step.kind === "RETRY" || step.kind === "FINAL_ACTION") && step.notifyMerchant) {
    return { kind: MerchantNotificationKind.Inventory, message: `${where} is out of stock. ${step.reason}` };
  }
  if (step.kind === "STOP") return { kind: MerchantNotificationKind.DunningStopped, message: `${where}: ${step.reason}` };
  if (step.kind === "AWAIT_AUTHENTICATION") return { kind: MerchantNotificationKind.ActionRequired, message: `${where}: ${step.reason}` };
  return undefined;
}
