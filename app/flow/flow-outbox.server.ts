import type { FlowTriggerEvent, Prisma } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { retryOnWriteConflict } from "../db/write-conflicts";

// The outbox of Shopify Flow triggers. A dunning step writes its event here in its own
// transaction (so an event exists exactly when its step does), and the cron sends it:
// claimed with a conditional update and a lease as billing schedules and trackers are,
// marked sent once Shopify accepted it. Leases and retry times run on the real clock.

export const FlowTriggerStatus = { Pending: "PENDING", Sent: "SENT", Failed: "FAILED" } as const;

export type NewFlowTriggerEvent = Omit<
  Prisma.FlowTriggerEventUncheckedCreateInput,
  "id" | "status" | "deliveryAttempts" | "nextAttemptAt" | "lastError" | "payload" | "sentAt" | "leaseOwner" | "leaseExpiresAt" | "createdAt"
>;

/**
 * Records an event once: its key is unique (the tracker and what happened to it), so a step
 * applied again (a redelivered webhook, two cron calls) finds it there and adds nothing.
 * Returns whether it was new.
 */
export async function enqueueFlowTrigger(db: Prisma.TransactionClient, event: NewFlowTriggerEvent): Promise<boolean> {
  if (await db.flowTriggerEvent.findUnique({ where: { eventKey: event.eventKey }, select: { id: true } })) return false;
  await db.flowTriggerEvent.create({ data: event });
  return true;
}

const leaseIsFree = (leaseClock: Date) => ({ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: leaseClock } }] });
const isDue = (leaseClock: Date) => ({ OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: leaseClock } }] });

/** Pending events due at `leaseClock` that nobody holds, by id after `afterId` (a cursor through one call). */
export function findDueFlowTriggers(leaseClock: Date, limit: number, afterId: number): Promise<FlowTriggerEvent[]> {
  return prisma().flowTriggerEvent.findMany({
    where: { status: FlowTriggerStatus.Pending, id: { gt: afterId }, AND: [isDue(leaseClock), leaseIsFree(leaseClock)] },
    orderBy: { id: "asc" },
    take: limit,
  });
}

export function countDueFlowTriggers(leaseClock: Date): Promise<number> {
  return prisma().flowTriggerEvent.count({ where: { status: FlowTriggerStatus.Pending, ...isDue(leaseClock) } });
}

/** Takes the event if it is still pending and nobody holds it; true when this worker now does. */
export async function claimFlowTrigger(id: number, owner: string, leaseClock: Date, leaseMs: number): Promise<boolean> {
  const { count } = await retryOnWriteConflict(() => prisma().flowTriggerEvent.updateMany({
    where: { id, status: FlowTriggerStatus.Pending, ...leaseIsFree(leaseClock) },
    data: { leaseOwner: owner, leaseExpiresAt: new Date(leaseClock.getTime() + leaseMs) },
  }));
  return count === 1;
}

/** An older event of the same tracker still waits: events of a tracker go out in order. */
export async function hasEarlierPendingEvent(event: Pick<FlowTriggerEvent, "id" | "trackerId">): Promise<boolean> {
  const earlier = await prisma().flowTriggerEvent.findFirst({
    where: { trackerId: event.trackerId, status: FlowTriggerStatus.Pending, id: { lt: event.id } },
    select: { id: true },
  });
  return earlier !== null;
}

const released = { leaseOwner: null, leaseExpiresAt: null };

/** Shopify accepted it: never sent again. */
export async function markFlowTriggerSent(id: number, owner: string, payload: Record<string, unknown>, sentAt: Date): Promise<void> {
  await retryOnWriteConflict(() => prisma().flowTriggerEvent.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: FlowTriggerStatus.Sent, payload: JSON.stringify(payload), sentAt, lastError: null, ...released },
  }));
}

/** Shopify refused it for good, or it kept failing: never sent. */
export async function markFlowTriggerFailed(id: number, owner: string, error: string, deliveryAttempts: number): Promise<void> {
  await retryOnWriteConflict(() => prisma().flowTriggerEvent.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: FlowTriggerStatus.Failed, lastError: error, deliveryAttempts, ...released },
  }));
}

/** Not sent this time: tried again from `nextAttemptAt`. */
export async function deferFlowTrigger(id: number, owner: string, update: { deliveryAttempts: number; nextAttemptAt: Date; error: string }): Promise<void> {
  await retryOnWriteConflict(() => prisma().flowTriggerEvent.updateMany({
    where: { id, leaseOwner: owner },
    data: { deliveryAttempts: update.deliveryAttempts, nextAttemptAt: update.nextAttemptAt, lastError: update.error, ...released },
  }));
}

/** Lets the event go without counting a try (it waits for an earlier one of its tracker). */
export async function releaseFlowTrigger(id: number, owner: string): Promise<void> {
  await retryOnWriteConflict(() => prisma().flowTriggerEvent.updateMany({ where: { id, leaseOwner: owner }, data: released }));
}

/** Sent and given-up events are kept this long (real clock), for the record, then deleted. */
export const FLOW_EVENTS_KEPT_MS = 30 * 86_400_000;

/** Deletes settled events recorded before `before`; pending ones stay whatever their age. */
export async function pruneFlowTriggers(before: Date): Promise<number> {
  const { count } = await retryOnWriteConflict(() => prisma().flowTriggerEvent.deleteMany({
    where: { status: { in: [FlowTriggerStatus.Sent, FlowTriggerStatus.Failed] }, createdAt: { lt: before } },
  }));
  return count;
}

/** The tracker's price and customer as dunning read them: what an event recorded before the contract was read lacks. */
export function trackerFactsOf(trackerId: number) {
  return prisma().dunningTracker.findUnique({ where: { id: trackerId }, select: { amount: true, currencyCode: true, customerId: true } });
}
