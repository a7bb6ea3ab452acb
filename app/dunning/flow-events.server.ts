import type { DunningTracker, Prisma } from "../db/client.server";
import { enqueueFlowTrigger } from "../flow/flow-outbox.server";
import { FlowTriggerHandle } from "../flow/flow-triggers";
import { describeDecline } from "./decline-descriptions";
import type { NextStep } from "./next-step";

// Which Shopify Flow triggers a tracker step sets off. applyStep (tracker-changes.server.ts)
// calls this for every step it writes, in the step's transaction: the outbox row exists
// exactly when the step does, and its key makes it one per event however often the step's
// cause (a webhook, a cron call) comes again. The cron sends it (app/flow/).

type Change = Exclude<NextStep, { kind: "IGNORE" }>;

/**
 * - a failure puts the tracker into dunning (retries, a wait for a new card, or at once the
 *   final action): "payment failed and dunning started", once per tracker (its key), so a
 *   tracker opened by a 3-D Secure challenge sends it when the payment then fails;
 * - a hard decline waits for the customer: "customer must update payment method" (again
 *   for each attempt that fails that way);
 * - recovered: "payment recovered"; the final action applied: "dunning exhausted".
 * A 3-D Secure challenge or a shop-side error opens a tracker without dunning: no trigger.
 */
function triggersOf(step: Change, afterFailure: boolean, attemptNumber: number): Array<{ handle: FlowTriggerHandle; key: string }> {
  const once = (handle: FlowTriggerHandle) => ({ handle, key: handle });
  switch (step.kind) {
    case "RETRY":
    case "FINAL_ACTION":
      return afterFailure ? [once(FlowTriggerHandle.PaymentFailed)] : [];
    case "AWAIT_PAYMENT_METHOD":
      return [
        ...(afterFailure ? [once(FlowTriggerHandle.PaymentFailed)] : []),
        { handle: FlowTriggerHandle.PaymentMethodNeeded, key: `${FlowTriggerHandle.PaymentMethodNeeded}:attempt-${attemptNumber}` },
      ];
    case "RECOVER":
      return [once(FlowTriggerHandle.Recovered)];
    case "EXHAUST":
      return [once(FlowTriggerHandle.Exhausted)];
    default:
      return [];
  }
}

/**
 * Writes the outbox rows of an applied step (the tracker as the step left it). A step that
 * follows a failed attempt comes with its error code (null when Shopify gave none).
 */
export async function recordFlowTriggers(
  db: Prisma.TransactionClient,
  tracker: DunningTracker,
  step: Change,
  context: { at: Date; attemptNumber?: number; errorCode?: string | null },
): Promise<void> {
  const attemptNumber = context.attemptNumber ?? tracker.attemptCount;
  for (const { handle, key } of triggersOf(step, context.errorCode !== undefined, attemptNumber)) {
    await enqueueFlowTrigger(db, {
      shop: tracker.shop,
      eventKey: `tracker-${tracker.id}:${key}`,
      handle,
      trackerId: tracker.id,
      contractId: tracker.contractId,
      billingCycleIndex: tracker.billingCycleIndex,
      customerId: tracker.customerId || null,
      attemptNumber,
      declineCode: tracker.lastErrorCode,
      declineReason: tracker.lastErrorCode ? describeDecline(tracker.lastErrorCode) : null,
      finalAction: step.kind === "EXHAUST" ? step.action : null,
      amount: tracker.amount,
      currencyCode: tracker.amount ? tracker.currencyCode : null,
      occurredAt: context.at,
    });
  }
}
