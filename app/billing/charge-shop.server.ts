import prisma from "../db.server";
import type { AdminApiClient } from "../shopify/admin-api-client.server";
import { listActiveSubscriptionContracts } from "../shopify/operations/active-subscription-contracts.server";
import { outcomeOfBillingAttempt } from "../shopify/operations/billing-attempt-state";
import { fetchBillingAttempt } from "../shopify/operations/subscription-billing-attempt.server";
import { createBillingAttempt } from "../shopify/operations/subscription-billing-attempt-create.server";
import { fetchBillingCyclesInRange } from "../shopify/operations/subscription-billing-cycles.server";
import { AttemptStatus, type AttemptOutcome } from "./attempt-status";
import { applyAttemptOutcome, findUnsettledAttempts, recordFirstAttempts, type AttemptToSend, type PlannedCharge } from "./attempt-records.server";
import { mapWithConcurrency } from "./concurrency";
import type { BillingRunTally } from "./run-tally";

/** Requests in flight per shop; the client's throttle governor paces them to the shop's bucket. */
const REQUESTS_PER_SHOP = 8;
/** An attempt still processing this long after Shopify accepted it has probably lost its webhook. */
export const POLL_UNSETTLED_AFTER_MS = 15 * 60_000;
const POLL_LIMIT_PER_RUN = 50;

export interface ShopBillingWork {
  shop: string;
  /** The billing clock (simulated in tests and the demo). */
  now: Date;
  catchUpWindowMs: number;
  runLocalDate: string;
  client: AdminApiClient;
  /** False once the call's time budget is spent or the lease was lost: stop sending. */
  mayContinue: () => Promise<boolean>;
  tally: BillingRunTally;
}

/** Every cycle of the shop that is due now and within the window, not yet attempted. */
export async function findDueCharges(work: Pick<ShopBillingWork, "client" | "now" | "catchUpWindowMs" | "tally">): Promise<PlannedCharge[]> {
  const { client, now, catchUpWindowMs, tally } = work;
  const windowStart = new Date(now.getTime() - catchUpWindowMs);
  const contracts = await listActiveSubscriptionContracts(client);
  const due = contracts.filter((contract) => contract.nextBillingDate && new Date(contract.nextBillingDate) <= now);
  tally.contracts.due += due.length;
  const cyclesPerContract = await mapWithConcurrency(due, REQUESTS_PER_SHOP, async (contract) => {
    const cycles = await fetchBillingCyclesInRange(client, contract.id, { start: windowStart, end: now });
    const dueCycles = cycles.filter((cycle) => {
      const expected = new Date(cycle.billingAttemptExpectedDate);
      return cycle.status === "UNBILLED" && !cycle.skipped && expected >= windowStart && expected <= now;
    });
    if (dueCycles.length === 0 && new Date(contract.nextBillingDate as string) < windowStart) tally.contracts.outsideWindow++;
    return dueCycles.map((cycle) => ({
      contractId: contract.id,
      billingCycleIndex: cycle.cycleIndex,
      expectedBillingDate: new Date(cycle.billingAttemptExpectedDate),
    }));
  });
  const charges = cyclesPerContract.flat();
  tally.cycles.due += charges.length;
  return charges;
}

/**
 * Charges the shop's due cycles: each attempt is recorded before it is sent, and sent with
 * its deterministic idempotency key. Returns false when it stopped early (budget or lease).
 */
export async function chargeDueCycles(work: ShopBillingWork): Promise<boolean> {
  await settleLateAttempts(work);
  const planned = await findDueCharges(work);
  const toSend = await recordFirstAttempts(work.shop, planned, work.runLocalDate);
  work.tally.cycles.alreadyAttempted += planned.length - toSend.length;
  let stopped = false;
  await mapWithConcurrency(toSend, REQUESTS_PER_SHOP, async (attempt) => {
    if (stopped || !(await work.mayContinue())) {
      stopped = true;
      return;
    }
    await sendAttempt(work, attempt);
  });
  return !stopped;
}

async function sendAttempt(work: ShopBillingWork, attempt: AttemptToSend): Promise<void> {
  const { tally } = work;
  const result = await createBillingAttempt(work.client, {
    contractId: attempt.contractId,
    idempotencyKey: attempt.idempotencyKey,
    cycleIndex: attempt.billingCycleIndex,
  });
  tally.attempts.sent++;
  let outcome: AttemptOutcome;
  if (result.accepted) {
    outcome = outcomeOfBillingAttempt(result.attempt);
  } else {
    // Contract paused or terminated, cycle skipped or billed elsewhere...: Shopify's answer will not change.
    const [first] = result.userErrors;
    outcome = { status: AttemptStatus.Rejected, errorCode: first?.code ?? "USER_ERROR", errorMessage: result.userErrors.map((e) => e.message).join("; ") };
  }
  countOutcome(tally, outcome.status);
  await applyAttemptOutcome(prisma, { shop: work.shop, idempotencyKey: attempt.idempotencyKey }, outcome, work.now, work.now);
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

/** Polls attempts whose webhook never came, so a lost delivery does not leave them open forever. */
async function settleLateAttempts(work: ShopBillingWork): Promise<void> {
  const unsettled = await findUnsettledAttempts(work.shop, new Date(work.now.getTime() - POLL_UNSETTLED_AFTER_MS), POLL_LIMIT_PER_RUN);
  await mapWithConcurrency(unsettled, REQUESTS_PER_SHOP, async ({ idempotencyKey, shopifyAttemptId }) => {
    const node = await fetchBillingAttempt(work.client, shopifyAttemptId as string);
    if (!node) return;
    const outcome = outcomeOfBillingAttempt(node);
    if (await applyAttemptOutcome(prisma, { shop: work.shop, idempotencyKey }, outcome, work.now)) work.tally.polled++;
  });
}
