import type { FlowTriggerEvent } from "../db/client.server";
import { mapWithConcurrency } from "../lib/concurrency";
import { logger, withLogContext } from "../observability/logger.server";
import type { AdminApiClient } from "../shopify/admin-api-client.server";
import { clientPerShop, type CronPassOptions } from "../shopify/cron-pass";
import { AdminGraphqlError } from "../shopify/admin-api-errors";
import { sendFlowTrigger } from "../shopify/operations/flow-trigger-receive.server";
import {
  claimFlowTrigger,
  countDueFlowTriggers,
  deferFlowTrigger,
  findDueFlowTriggers,
  FLOW_EVENTS_KEPT_MS,
  hasEarlierPendingEvent,
  markFlowTriggerFailed,
  markFlowTriggerSent,
  pruneFlowTriggers,
  releaseFlowTrigger,
  trackerFactsOf,
} from "./flow-outbox.server";
import { flowTriggerPayload } from "./flow-triggers";

// The cron's Flow pass: sends the outbox's pending triggers, each claimed (a lease) so that
// concurrent calls send it once, marked sent as soon as Shopify accepted it. Flow takes no
// idempotency key: only a process dying between Shopify's answer and that mark (or a 5xx
// that had run) sends one twice, once its lease has expired. A shop's events go out one at
// a time in the order they happened; shops go side by side.

/** `now`, the billing clock, is recorded as when an event was sent. */
export type FlowDeliveryOptions = CronPassOptions;

/** What one call did with Flow triggers: part of the billing endpoint's answer. */
export interface FlowTriggerTally {
  /** Pending triggers this call looked at. */
  due: number;
  sent: number;
  /** Claimed by another call meanwhile. */
  heldElsewhere: number;
  /** Not sent now (Shopify unavailable, or an earlier event of the same tracker waits): tried again later. */
  deferred: number;
  /** Refused by Shopify for good, or still failing after every try: never sent. */
  failed: number;
  /** Still due after this call. */
  remaining: number;
}

export function emptyFlowTriggerTally(): FlowTriggerTally {
  return { due: 0, sent: 0, heldElsewhere: 0, deferred: 0, failed: 0, remaining: 0 };
}

/** Tries of one event (each with the client's own retries of THROTTLED, 429 and 5xx) before it is given up. */
export const MAX_FLOW_DELIVERY_ATTEMPTS = 10;

/** 1 minute after the first failed try, doubling, at most 6 hours: about 9 hours in all. */
export function flowRetryDelayMs(failedTries: number): number {
  return Math.min(6 * 3600_000, 60_000 * 2 ** Math.max(0, failedTries - 1));
}

export async function deliverDueFlowTriggers(options: FlowDeliveryOptions, tally: FlowTriggerTally): Promise<void> {
  const { clock } = options;
  const clientFor = clientPerShop(options.clientForShop);
  let afterId = 0;
  while (clock() < options.deadline) {
    const batch = await findDueFlowTriggers(new Date(clock()), options.concurrency * 8, afterId);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1].id;
    tally.due += batch.length;
    const byShop = new Map<string, FlowTriggerEvent[]>();
    for (const event of batch) byShop.set(event.shop, [...(byShop.get(event.shop) ?? []), event]);
    await mapWithConcurrency([...byShop.values()], options.concurrency, async (events) => {
      for (const event of events) {
        if (clock() >= options.deadline) return;
        await withLogContext({ shop: event.shop, trackerId: event.trackerId }, () =>
          // A database error on one event (a write conflict that outlasted its retries) must not
          // fail the billing call that has already billed: the event waits for its lease to run out.
          deliver(event, options, clientFor, tally).catch((error: unknown) => {
            tally.deferred++;
            logger().error({ event: "flow_trigger_deferred", handle: event.handle, eventKey: event.eventKey, error }, `the ${event.handle} Flow trigger of ${event.shop}: failed, left for a later call`);
          }),
        );
      }
    });
  }
  tally.remaining = await countDueFlowTriggers(new Date(clock()));
  await pruneFlowTriggers(new Date(clock() - FLOW_EVENTS_KEPT_MS));
}

async function deliver(
  event: FlowTriggerEvent,
  options: FlowDeliveryOptions,
  clientFor: (shop: string) => Promise<AdminApiClient>,
  tally: FlowTriggerTally,
): Promise<void> {
  const owner = options.workerId;
  if (!(await claimFlowTrigger(event.id, owner, new Date(options.clock()), options.leaseMs))) {
    tally.heldElsewhere++;
    return;
  }
  if (await hasEarlierPendingEvent(event)) {
    await releaseFlowTrigger(event.id, owner);
    tally.deferred++;
    return;
  }
  // An event written before dunning first read the contract learns the price (and customer) now.
  const tracker = event.amount === null || !event.customerId ? await trackerFactsOf(event.trackerId) : null;
  const built = flowTriggerPayload({
    ...event,
    amount: event.amount ?? tracker?.amount ?? null,
    currencyCode: event.amount ? event.currencyCode : (tracker?.currencyCode ?? null),
    customerId: event.customerId || tracker?.customerId || null,
  });
  const tries = event.deliveryAttempts + 1;
  if ("refused" in built) {
    await markFlowTriggerFailed(event.id, owner, built.refused, tries);
    tally.failed++;
    return;
  }
  try {
    const answer = await sendFlowTrigger(await clientFor(event.shop), event.handle, built.payload);
    if (answer.ok) {
      await markFlowTriggerSent(event.id, owner, built.payload, options.now);
      tally.sent++;
      logger().info({ event: "flow_trigger_sent", handle: event.handle, eventKey: event.eventKey }, `sent the ${event.handle} Flow trigger of ${event.shop}`);
      return;
    }
    const messages = answer.userErrors.map((error) => error.message).join("; ");
    logger().warn({ event: "flow_trigger_refused", handle: event.handle, eventKey: event.eventKey, reason: messages }, `Shopify refused the ${event.handle} Flow trigger of ${event.shop}: ${messages}; not sent again`);
    await markFlowTriggerFailed(event.id, owner, `Shopify refused it: ${messages}`, tries);
    tally.failed++;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A query Shopify cannot run (bad document, access denied) will not run later either.
    if (error instanceof AdminGraphqlError || tries >= MAX_FLOW_DELIVERY_ATTEMPTS) {
      logger().warn({ event: "flow_trigger_failed", handle: event.handle, eventKey: event.eventKey, reason: message }, `the ${event.handle} Flow trigger of ${event.shop} is not sent: ${message}`);
      await markFlowTriggerFailed(event.id, owner, error instanceof AdminGraphqlError ? message : `gave up after ${tries} tries: ${message}`, tries);
      tally.failed++;
      return;
    }
    await deferFlowTrigger(event.id, owner, { deliveryAttempts: tries, nextAttemptAt: new Date(options.clock() + flowRetryDelayMs(tries)), error: message });
    tally.deferred++;
  }
}
