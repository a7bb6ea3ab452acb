import { prisma } from "../db/app-database.server";
import type { AdminApiClient } from "../shopify/admin-api-client.server";
import {
  activeSubscriptionContractPages,
  type ActiveSubscriptionContract,
} from "../shopify/operations/active-subscription-contracts.server";
import { CONTRACTS_PER_CYCLES_REQUEST, fetchBillingCyclesInRange } from "../shopify/operations/subscription-billing-cycles.server";
import { ATTEMPTS_PER_REQUEST, pollBillingAttempt, sendBillingAttempts } from "../attempts/attempt-sending.server";
import type { AttemptStatus } from "../attempts/attempt-status";
import { settleAttempt, settleAttempts } from "../dunning/attempt-results.server";
import {
  contractsChargedByRun,
  findUnconfirmedFirstAttempts,
  findUnsettledAttempts,
  recordFirstAttempts,
  type AttemptToSend,
  type PlannedCharge,
} from "../attempts/attempt-records.server";
import { chunk, mapWithConcurrency } from "../lib/concurrency";
import { recordCustomers, type CustomerFacts } from "../customers/customer-records.server";
import type { BillingRunTally } from "./run-tally";
import { countAttemptSent } from "../observability/metrics.server";

/** Requests in flight per shop; the client's throttle governor paces them to the shop's bucket. */
export const REQUESTS_PER_SHOP = 4;
/** An attempt still processing this long after Shopify accepted it has probably lost its webhook. */
export const POLL_UNSETTLED_AFTER_MS = 15 * 60_000;
const POLL_LIMIT_PER_RUN = 50;

export interface ShopBillingWork {
  shop: string;
  /** The billing clock (simulated in tests and the demo). */
  now: Date;
  /** Cycles expected after this instant (and up to `now`) are due: the catch-up window. */
  cyclesFrom: Date;
  runLocalDate: string;
  client: AdminApiClient;
  /** False once the call's time budget is spent or the lease was lost: stop sending. */
  mayContinue: () => Promise<boolean>;
  tally: BillingRunTally;
}

/** The contracts' cycles that are due (unbilled, not skipped, expected within the window), and their customers: one request. */
async function dueChargesOf(
  work: Pick<ShopBillingWork, "client" | "now" | "cyclesFrom" | "tally">,
  contracts: ActiveSubscriptionContract[],
): Promise<{ charges: PlannedCharge[]; customers: CustomerFacts[] }> {
  const { now, cyclesFrom, tally } = work;
  const cyclesByContract = await fetchBillingCyclesInRange(
    work.client,
    contracts.map((contract) => contract.id),
    { start: cyclesFrom, end: now },
  );
  const customers: CustomerFacts[] = [];
  const charges = contracts.flatMap((contract) => {
    const { cycles = [], customerId = null, customer = null } = cyclesByContract.get(contract.id) ?? {};
    const due = cycles.filter((cycle) => {
      const expected = new Date(cycle.billingAttemptExpectedDate);
      return cycle.status === "UNBILLED" && !cycle.skipped && expected > cyclesFrom && expected <= now;
    });
    if (due.length === 0 && new Date(contract.nextBillingDate as string) <= cyclesFrom) tally.contracts.outsideWindow++;
    tally.cycles.due += due.length;
    if (due.length > 0 && customer) customers.push(customer);
    return due.map((cycle) => ({
      contractId: contract.id,
      customerId,
      billingCycleIndex: cycle.cycleIndex,
      expectedBillingDate: new Date(cycle.billingAttemptExpectedDate),
    }));
  });
  return { charges, customers };
}

/**
 * Runs `handle` on the shop's active contracts whose next billing date has come, a batch (one
 * cycles query) at a time, a page of contracts at a time, while the call may continue; returns
 * false when it stopped before every batch was handled. Contracts this run has charged
 * already come last: a call that ran out of time is followed by one that starts with the
 * contracts it did not reach (and, last, any further cycle due for those it did). A dry run
 * (no run date) keeps Shopify's order.
 */
async function forEachDueBatch(
  work: Pick<ShopBillingWork, "shop" | "client" | "now" | "cyclesFrom" | "tally" | "mayContinue"> & { runLocalDate?: string },
  handle: (batch: ActiveSubscriptionContract[]) => Promise<void>,
): Promise<boolean> {
  const attempted = work.runLocalDate ? await contractsChargedByRun(work.shop, work.runLocalDate) : new Set<string>();
  const attemptedAndDue: ActiveSubscriptionContract[] = [];
  let stopped = false;
  const handleAll = (contracts: ActiveSubscriptionContract[]) =>
    mapWithConcurrency(chunk(contracts, CONTRACTS_PER_CYCLES_REQUEST), REQUESTS_PER_SHOP, async (batch) => {
      if (stopped || !(await work.mayContinue())) {
        stopped = true;
        return;
      }
      await handle(batch);
    });
  for await (const page of activeSubscriptionContractPages(work.client)) {
    const due = page.filter((contract) => contract.nextBillingDate && new Date(contract.nextBillingDate) <= work.now);
    work.tally.contracts.due += due.length;
    attemptedAndDue.push(...due.filter((contract) => attempted.has(contract.id)));
    await handleAll(due.filter((contract) => !attempted.has(contract.id)));
    if (stopped) return false;
  }
  await handleAll(attemptedAndDue);
  return !stopped;
}

/** Dry run: every cycle of the shop that would be charged now, or undefined when out of time. */
export async function findDueCharges(
  work: Pick<ShopBillingWork, "shop" | "client" | "now" | "cyclesFrom" | "tally" | "mayContinue">,
): Promise<PlannedCharge[] | undefined> {
  const charges: PlannedCharge[] = [];
  const completed = await forEachDueBatch(work, async (batch) => {
    charges.push(...(await dueChargesOf(work, batch)).charges);
  });
  return completed ? charges : undefined;
}

/**
 * Charges the shop's due cycles, a batch of contracts at a time: each attempt is recorded
 * before it is sent, with its deterministic idempotency key. Returns false when it stopped
 * early (budget or lease); what was sent stays recorded, and the next call starts with the
 * contracts this one did not reach.
 */
export async function chargeDueCycles(work: ShopBillingWork): Promise<boolean> {
  await settleLateAttempts(work);
  return forEachDueBatch(work, async (batch) => {
    const { charges: planned, customers } = await dueChargesOf(work, batch);
    if (planned.length === 0) return;
    // Who is charged, for the admin's Charges and Dunning pages: one statement per batch.
    await recordCustomers(work.shop, customers, work.now);
    const toSend = await recordFirstAttempts(work.shop, planned, work.runLocalDate);
    work.tally.cycles.alreadyAttempted += planned.length - toSend.length;
    for (const group of chunk(toSend, ATTEMPTS_PER_REQUEST)) await sendAttempts(work, group);
  });
}

async function sendAttempts(work: ShopBillingWork, attempts: AttemptToSend[]): Promise<void> {
  const sent = await sendBillingAttempts(work.client, attempts);
  countAttemptSent("scheduled", sent.length);
  for (const { outcome } of sent) {
    work.tally.attempts.sent++;
    countOutcome(work.tally, outcome.status);
  }
  await settleAttempts(work.shop, sent, work.now, work.now);
}

function countOutcome(tally: BillingRunTally, status: AttemptStatus): void {
  const key = ({
    PENDING: "processing",
    PROCESSING: "processing",
    SUCCEEDED: "succeeded",
    FAILED: "failed",
    ACTION_REQUIRED: "actionRequired",
    REJECTED: "rejected",
  } as const)[status];
  tally.attempts[key]++;
}

/**
 * Polls attempts whose webhook never came, and asks again for earlier runs' first charges
 * Shopify never confirmed, so a lost delivery or a lost answer leaves nothing open past the
 * shop's next run.
 */
async function settleLateAttempts(work: ShopBillingWork): Promise<void> {
  const unconfirmed = await findUnconfirmedFirstAttempts(work.shop, work.runLocalDate, POLL_LIMIT_PER_RUN);
  for (const group of chunk(unconfirmed, ATTEMPTS_PER_REQUEST)) await sendAttempts(work, group);
  const unsettled = await findUnsettledAttempts(work.shop, new Date(work.now.getTime() - POLL_UNSETTLED_AFTER_MS), POLL_LIMIT_PER_RUN);
  await mapWithConcurrency(unsettled, REQUESTS_PER_SHOP, async ({ idempotencyKey, shopifyAttemptId }) => {
    const outcome = await pollBillingAttempt(work.client, shopifyAttemptId as string);
    if (!outcome) return;
    const settled = await prisma().$transaction((tx) => settleAttempt(tx, { shop: work.shop, idempotencyKey }, outcome, work.now));
    if (settled) work.tally.polled++;
  });
}
