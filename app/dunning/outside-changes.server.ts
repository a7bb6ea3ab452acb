import type { Prisma } from "../db/client.server";
import { decideNextStep, type DunningEvent } from "./next-step";
import { FinalAction } from "./policy";
import { applyStep, findOpenTrackers, NextAction, trackerView } from "./tracker-changes.server";
import {
  contractGidOf,
  customerGidOf,
  type BillingCycleSkipPayload,
  type CustomerPaymentMethodPayload,
  type SubscriptionContractPayload,
} from "./webhook-payloads";

// Changes made outside dunning (by the customer, the merchant, Shopify or our own final
// action echoing back) that move open trackers. Each runs in its webhook's transaction.

type Db = Prisma.TransactionClient;
type Tracker = Awaited<ReturnType<typeof findOpenTrackers>>[number];

async function apply(db: Db, tracker: Tracker, event: DunningEvent, at: Date) {
  await applyStep(db, tracker, tracker, decideNextStep(event, trackerView(tracker)), { at });
}

/** customer_payment_methods/*: a new or updated card is retried at once; a revoked one is waited out. */
export async function onPaymentMethodChanged(db: Db, shop: string, topic: string, payload: CustomerPaymentMethodPayload, at: Date) {
  const customerId = customerGidOf(payload);
  const trackers = await findOpenTrackers(db, shop, { customerId });
  const revoked = topic.toLowerCase().replace(/\//g, "_").endsWith("_revoke");
  const what = `The customer ${topic.toLowerCase().includes("create") ? "added" : "updated"} a payment method`;
  const event: DunningEvent = revoked
    ? { kind: "PAYMENT_METHOD_REVOKED", paymentMethodId: payload.admin_graphql_api_id }
    : { kind: "PAYMENT_METHOD_CHANGED", at, what };
  for (const tracker of trackers) await apply(db, tracker, event, at);
}

const CLOSING_STATUSES: Record<string, string> = {
  paused: "paused",
  cancelled: "cancelled",
  expired: "expired",
  failed: "marked failed",
  stale: "made stale",
};

/**
 * subscription_contracts/update: a contract paused, cancelled or ended elsewhere closes its
 * trackers without charging; one that changed while active ends a wait for a new payment
 * method (and moves nothing else). Our own final action echoes back here too: a
 * tracker about to record that action is left for the cron to close as exhausted.
 */
export async function onContractUpdated(db: Db, shop: string, payload: SubscriptionContractPayload, at: Date, leaseClock: Date) {
  const status = payload.status.toLowerCase();
  const trackers = await findOpenTrackers(db, shop, { contractId: payload.admin_graphql_api_id });
  for (const tracker of trackers) {
    const closing = CLOSING_STATUSES[status];
    if (closing) {
      if (isOwnFinalAction(tracker, status, leaseClock)) continue;
      await apply(db, tracker, { kind: "CLOSED_OUTSIDE", reason: `The contract was ${closing} in Shopify: dunning closed without charging.` }, at);
    } else if (status === "active") {
      await apply(db, tracker, { kind: "CONTRACT_UPDATED_WHILE_ACTIVE", at }, at);
    }
  }
}

/** subscription_billing_cycles/skip: a skipped cycle has nothing left to collect. */
export async function onBillingCycleSkipped(db: Db, shop: string, payload: BillingCycleSkipPayload, at: Date, leaseClock: Date) {
  if (payload.skipped === false) return;
  const trackers = await findOpenTrackers(db, shop, { contractId: contractGidOf(payload) });
  for (const tracker of trackers) {
    if (tracker.billingCycleIndex !== payload.cycle_index) continue;
    if (isOwnFinalAction(tracker, "skipped", leaseClock)) continue;
    await apply(db, tracker, { kind: "CLOSED_OUTSIDE", reason: `Billing cycle ${payload.cycle_index} was skipped in Shopify: dunning closed without charging.` }, at);
  }
}

/** app/uninstalled: the app can no longer charge; every open tracker closes. */
export async function closeTrackersOfUninstalledShop(db: Db, shop: string, at: Date) {
  const trackers = await findOpenTrackers(db, shop, {});
  for (const tracker of trackers) {
    await apply(db, tracker, { kind: "CLOSED_OUTSIDE", reason: "The app was uninstalled: dunning closed without charging." }, at);
  }
}

/**
 * The cron holds the tracker's lease while it applies the final action this change reports.
 * Leases run on the real clock (`leaseClock`: when the webhook arrived), not the billing clock.
 */
function isOwnFinalAction(tracker: Tracker, change: string, leaseClock: Date): boolean {
  if (tracker.nextAction !== NextAction.FinalAction) return false;
  const leased = tracker.leaseOwner !== null && tracker.leaseExpiresAt !== null && tracker.leaseExpiresAt > leaseClock;
  if (!leased) return false;
  const expected = { [FinalAction.Pause]: "paused", [FinalAction.Cancel]: "cancelled", [FinalAction.Skip]: "skipped" }[tracker.finalAction ?? ""];
  return expected === change;
}
