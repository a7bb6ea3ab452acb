import type { DunningTracker, Prisma } from "../db/client.server";
import { logger } from "../observability/logger.server";
import { recordFlowTriggers } from "./flow-events.server";
import { NextAction, type NextStep, OPEN_TRACKER_STATUSES, TrackerStatus, type TrackerView } from "./next-step";

// The one place that writes a tracker's state and its history: every step decided by
// decideNextStep (next-step.ts), from a webhook or from the cron, is applied by applyStep,
// with the merchant's notice and the Shopify Flow triggers it causes.

type Db = Prisma.TransactionClient;

export { NextAction };

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

type Change = Exclude<NextStep, { kind: "IGNORE" }>;

/** Steps that follow an attempt's outcome or an outside change (the others are the cron's own). */
const OUTCOME_STEP_KINDS = ["RETRY", "AWAIT_PAYMENT_METHOD", "FINAL_ACTION", "AWAIT_AUTHENTICATION", "RECOVER", "STOP", "CLOSE"] as const;
type OutcomeStep = Extract<Change, { kind: (typeof OUTCOME_STEP_KINDS)[number] }>;
type CronStep = Exclude<Change, OutcomeStep>;

function isOutcomeStep(step: Change): step is OutcomeStep {
  return (OUTCOME_STEP_KINDS as readonly string[]).includes(step.kind);
}

export function findTracker(db: Db, target: TrackerTarget): Promise<DunningTracker | null> {
  const { shop, contractId, billingCycleIndex } = target;
  return db.dunningTracker.findUnique({ where: { shop_contractId_billingCycleIndex: { shop, contractId, billingCycleIndex } } });
}

export function trackerView(tracker: DunningTracker | null): TrackerView | null {
  return tracker
    ? {
        status: tracker.status as TrackerStatus,
        attemptCount: tracker.attemptCount,
        nextAction: tracker.nextAction,
        lastEmailSentAt: tracker.lastEmailSentAt,
        lastErrorCode: tracker.lastErrorCode,
      }
    : null;
}

/** The shop's open trackers of one contract, or of one customer. */
export function findOpenTrackers(db: Db, shop: string, where: { contractId?: string; customerId?: string }) {
  return db.dunningTracker.findMany({ where: { shop, status: { in: [...OPEN_TRACKER_STATUSES] }, ...where } });
}

/**
 * Writes a decided step: opens the tracker if the cycle has none, moves it, and records the
 * transition in its history (and tells the merchant when the step says so). Returns the
 * tracker, or null when the step changed nothing (IGNORE, or a step whose condition no
 * longer held: the tracker closed meanwhile, or the result had moved it already).
 */
export async function applyStep(
  db: Db,
  target: TrackerTarget,
  tracker: DunningTracker | null,
  step: NextStep,
  context: StepContext,
): Promise<DunningTracker | null> {
  if (step.kind === "IGNORE") return null;
  if (!tracker) return isOutcomeStep(step) ? openTracker(db, target, step, context) : null;

  const guard = guardOf(step);
  const data: Prisma.DunningTrackerUncheckedUpdateInput = isOutcomeStep(step)
    ? // The tracker's latest attempt is at least the one the outcome reports.
      { ...outcomeChanges(step, context, tracker), ...errorChanges(context), attemptCount: Math.max(tracker.attemptCount, context.attemptNumber ?? 1) }
    : cronChanges(step, context);
  let saved: DunningTracker;
  let applied = true;
  if (!guard) {
    saved = Object.keys(data).length ? await db.dunningTracker.update({ where: { id: tracker.id }, data }) : tracker;
  } else {
    applied = (await db.dunningTracker.updateMany({ where: { id: tracker.id, ...guard }, data })).count === 1;
    if (!applied && step.kind === "EXHAUST") return null;
    saved = await db.dunningTracker.findUniqueOrThrow({ where: { id: tracker.id } });
  }
  await recordStep(db, saved, step, applied, false, context);
  return saved;
}

async function openTracker(db: Db, target: TrackerTarget, step: OutcomeStep, context: StepContext): Promise<DunningTracker> {
  const saved = await db.dunningTracker.create({
    data: {
      shop: target.shop,
      contractId: target.contractId,
      billingCycleIndex: target.billingCycleIndex,
      customerId: target.customerId ?? null,
      openedAt: context.at,
      attemptCount: Math.max(1, context.attemptNumber ?? 1),
      ...outcomeChanges(step, context, null),
      ...errorChanges(context),
    },
  });
  await recordStep(db, saved, step, true, true, context);
  return saved;
}

/** The history line, and the merchant's notice, of an applied step. */
async function recordStep(db: Db, tracker: DunningTracker, step: Change, applied: boolean, opened: boolean, context: StepContext) {
  const kind = eventKindOf(step);
  if (kind) {
    logStep(tracker, opened ? `OPENED_${kind}` : kind, context, "attemptNumber" in step ? step.attemptNumber : undefined);
    const detail = step.kind === "AWAIT_RETRY_RESULT" ? `${step.reason}${applied ? "; waiting for its result" : ""}.` : step.reason;
    await recordEvent(db, tracker, opened ? `OPENED_${kind}` : kind, detail, {
      at: context.at,
      attemptNumber: context.attemptNumber ?? ("attemptNumber" in step ? step.attemptNumber : undefined),
      errorCode: context.errorCode,
    });
  }
  const notice = merchantNoticeOf(step, tracker);
  if (notice) {
    // One notice per tracker: the newest says what needs the merchant now.
    if (!opened) await retireNotices(db, tracker, context.at);
    await db.merchantNotification.create({ data: { shop: tracker.shop, trackerId: tracker.id, contractId: tracker.contractId, ...notice } });
  } else if (applied && RESOLVING_STEPS.has(step.kind)) {
    await retireNotices(db, tracker, context.at);
  }
  // The Shopify Flow triggers the step sets off, in the same transaction (flow-events.server.ts).
  if (applied) await recordFlowTriggers(db, tracker, step, context);
}

/** One line per history line: ids, kind, status and codes (the detail may quote Shopify's messages). */
function logStep(tracker: DunningTracker, kind: string, context: StepContext, stepAttemptNumber: number | undefined) {
  logger().info(
    {
      event: "dunning_step",
      shop: tracker.shop,
      trackerId: tracker.id,
      step: kind,
      status: tracker.status,
      attemptNumber: context.attemptNumber ?? stepAttemptNumber,
      errorCode: context.errorCode ?? undefined,
      declineClass: context.declineClass ?? undefined,
    },
    `dunning tracker ${tracker.id}: ${kind.toLowerCase().replace(/_/g, " ")}`,
  );
}

/**
 * Recovered, closed without charging, its final action applied, or stopped by the merchant:
 * nothing is left for the merchant to do. (A stop for a shop-side error leaves its own notice.)
 */
const RESOLVING_STEPS: ReadonlySet<Change["kind"]> = new Set(["RECOVER", "CLOSE", "EXHAUST", "STOP"]);

/**
 * Takes a tracker's notices off the merchant's list (dismissedAt is when a notice stopped
 * being shown: dismissed by the merchant, replaced by a newer one, or its tracker resolved).
 */
function retireNotices(db: Db, tracker: DunningTracker, at: Date) {
  return db.merchantNotification.updateMany({ where: { shop: tracker.shop, trackerId: tracker.id, dismissedAt: null }, data: { dismissedAt: at } });
}

async function recordEvent(db: Db, tracker: DunningTracker, kind: string, detail: string, context: Pick<StepContext, "at" | "attemptNumber" | "errorCode">) {
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

/**
 * What the contract says now (the cron reads it before acting): the customer, and the
 * cycle's price for the merchant's recovered amounts. Facts, not a step: no history line.
 */
export function recordContractFacts(
  db: Db,
  tracker: DunningTracker,
  facts: { customerId: string | null; amount: string | null; currencyCode: string | null },
): Promise<DunningTracker> {
  return db.dunningTracker.update({
    where: { id: tracker.id },
    data: { customerId: facts.customerId ?? "", amount: facts.amount, currencyCode: facts.currencyCode },
  });
}

/** Conditions a step's write needs still to hold, for steps that race a webhook or another step. */
function guardOf(step: Change): Prisma.DunningTrackerWhereInput | undefined {
  switch (step.kind) {
    case "EXHAUST":
      // The final action is recorded once, even when its echo and the cron both report it.
      return { status: { in: [...OPEN_TRACKER_STATUSES] } };
    case "AWAIT_RETRY_RESULT":
      // The result's webhook may have arrived before Shopify's answer and moved the tracker.
      return { nextAction: NextAction.Retry, nextActionAt: step.resendAt, attemptCount: step.attemptNumber };
    default:
      return undefined;
  }
}

function errorChanges(context: StepContext) {
  return context.errorCode !== undefined
    ? { lastErrorCode: context.errorCode, lastErrorMessage: context.errorMessage ?? null, lastErrorClass: context.declineClass ?? null }
    : {};
}

/** Where an outcome or an outside change puts the tracker. */
function outcomeChanges(step: OutcomeStep, context: StepContext, tracker: DunningTracker | null) {
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

/** What the cron's own steps change: the retry or email in flight, the final action applied. */
function cronChanges(step: CronStep, context: StepContext): Prisma.DunningTrackerUncheckedUpdateInput {
  switch (step.kind) {
    case "EXHAUST":
      return {
        status: TrackerStatus.Exhausted,
        finalAction: step.action,
        finalActionAppliedAt: context.at,
        nextAction: null,
        nextActionAt: null,
        emailDueAt: null,
        completedAt: context.at,
        completedReason: step.reason,
      };
    case "SEND_RETRY":
      return { attemptCount: step.attemptNumber, nextActionAt: step.resendAt };
    case "AWAIT_RETRY_RESULT":
      return { nextAction: null, nextActionAt: null };
    case "DEFER_RETRY":
      return { nextAction: NextAction.Retry, nextActionAt: step.at };
    case "SEND_EMAIL":
      // Recorded as sent before asking Shopify, as attempts are: a process that dies while the
      // email goes out must not let the next one send it again (at most one per interval).
      return { emailDueAt: null, lastEmailSentAt: context.at, emailsSent: { increment: 1 } };
    case "EMAIL_RESULT":
      if (step.result === "REFUSED") return { emailDueAt: null, lastEmailSentAt: step.restoreLastEmailSentAt ?? null, emailsSent: { decrement: 1 } };
      if (step.result === "NOT_SENT") return { emailDueAt: null };
      return {};
    case "NOTE":
      return {};
  }
}

/** The history line's kind; null for steps that are only the first half of one (the answer writes it). */
function eventKindOf(step: Change): string | null {
  switch (step.kind) {
    case "RETRY":
      return step.requestedByMerchant ? "RETRY_REQUESTED" : "RETRY_SCHEDULED";
    case "AWAIT_PAYMENT_METHOD":
      return "WAITING_FOR_PAYMENT_METHOD";
    case "FINAL_ACTION":
      return "FINAL_ACTION_SCHEDULED";
    case "AWAIT_AUTHENTICATION":
      return "CUSTOMER_ACTION_REQUIRED";
    case "RECOVER":
      return "RECOVERED";
    case "STOP":
      return step.requestedByMerchant ? "STOPPED_BY_MERCHANT" : "STOPPED";
    case "CLOSE":
      return "CLOSED";
    case "EXHAUST":
      return "FINAL_ACTION_APPLIED";
    case "AWAIT_RETRY_RESULT":
      return "RETRY_SENT";
    case "DEFER_RETRY":
      return "RETRY_DEFERRED";
    case "EMAIL_RESULT":
      return { SENT: "EMAIL_SENT", UNCONFIRMED: "EMAIL_UNCONFIRMED", NOT_SENT: "EMAIL_NOT_SENT", REFUSED: "EMAIL_NOT_SENT" }[step.result];
    case "NOTE":
      return step.event;
    case "SEND_RETRY":
    case "SEND_EMAIL":
      return null;
  }
}

function merchantNoticeOf(step: Change, tracker: DunningTracker): { kind: string; message: string } | undefined {
  const where = `Contract ${tracker.contractId}, cycle ${tracker.billingCycleIndex}`;
  if ((step.kind === "RETRY" || step.kind === "FINAL_ACTION") && step.notifyMerchant) {
    return { kind: MerchantNotificationKind.Inventory, message: `${where} is out of stock. ${step.reason}` };
  }
  if (step.kind === "STOP" && !step.requestedByMerchant) return { kind: MerchantNotificationKind.DunningStopped, message: `${where}: ${step.reason}` };
  if (step.kind === "AWAIT_AUTHENTICATION") return { kind: MerchantNotificationKind.ActionRequired, message: `${where}: ${step.reason}` };
  return undefined;
}
