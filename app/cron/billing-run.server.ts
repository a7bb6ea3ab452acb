import { RequestSlots, ShopifyTerminalError, ShopifyUnavailableError, type AdminApiClient } from "../shopify/admin-api-client.server";
import { ShopNotInstalledError } from "../shopify/admin-api-errors";
import { emptyDunningTally, runDueDunning, type DunningTally } from "../dunning/dunning-run.server";
import { chargeDueCycles, findDueCharges, REQUESTS_PER_SHOP } from "./charge-shop.server";
import { findDueRun, nextRunAt, type DueRun } from "../time/due-time";
import { addShopWork, emptyTally, type BillingRunTally } from "./run-tally";
import { logger, withLogContext } from "../observability/logger.server";
import {
  claimSchedule,
  completeRun,
  countDueSchedules,
  findClaimableSchedules,
  releaseClaim,
  renewLease,
  type ClaimedSchedule,
} from "../schedules/schedule-claims.server";
import { pruneProcessedWebhooks } from "../webhooks/webhook-deliveries.server";
import { deliverDueFlowTriggers, emptyFlowTriggerTally, type FlowTriggerTally } from "../flow/flow-delivery.server";
import { scheduleReconciliations } from "../reconciliation/reconciliation-claims.server";
import { emptyReconciliationTally, runDueReconciliations, type ReconciliationTally } from "../reconciliation/reconciliation-run.server";

export interface BillingRunOptions {
  /** The billing clock: which shops and cycles are due. Real time, except against the store simulator. */
  now: Date;
  dryRun: boolean;
  timeBudgetMs: number;
  catchUpWindowMs: number;
  shopConcurrency: number;
  leaseMs: number;
  /** Identifies this call in lease columns and logs. */
  workerId: string;
  /**
   * An Admin API client for the shop (its requests take the call's shared slots); throws
   * ShopNotInstalledError when it has no session.
   */
  clientForShop: (shop: string, options: { sharedSlots: RequestSlots }) => Promise<AdminApiClient>;
  /** Real milliseconds, for leases and the time budget; injectable for tests. */
  clock?: () => number;
}

export interface BillingRunSummary extends BillingRunTally {
  /** Retries, payment-update emails and final actions that were due (in a dry run, only `due`). */
  dunning: DunningTally;
  /** Shopify Flow triggers sent from the outbox (none in a dry run). */
  flowTriggers: FlowTriggerTally;
  /** Shop days checked against Shopify's orders (in a dry run, only `due`). */
  reconciliation: ReconciliationTally;
  dryRun: boolean;
  now: string;
  /** Shops still due after this call: call again (or wait for the next scheduled call). */
  remainingShops: number;
  /** In a dry run, what would be charged, per shop. */
  wouldCharge?: Array<{ shop: string; localDate: string; cycles: number }>;
  elapsedMs: number;
}

// Stop claiming new shops shortly before the budget ends, so the answer leaves in time.
const claimMarginMs = (timeBudgetMs: number) => Math.min(1_000, timeBudgetMs / 10);
/** Trackers worked on at once; dunning runs alongside the shops' scheduled charges. */
const DUNNING_CONCURRENCY = 4;
/** Shops whose Flow triggers go out at once, after the dunning pass (which reads the prices they carry). */
const FLOW_CONCURRENCY = 4;
/** Shop days checked at once, after the billing and dunning passes. */
const RECONCILIATION_CONCURRENCY = 4;
/**
 * Shops claimed at once per unit of shopConcurrency. A shop spends most of a big run waiting
 * for its own rate-limit bucket; while it waits it holds no request slot (shopConcurrency x
 * REQUESTS_PER_SHOP in all), so others work meanwhile and every bucket is used at once.
 */
const SHOPS_CLAIMED_PER_SLOT = 8;

/**
 * One call of the billing endpoint: claims due shops through database leases and bills
 * them until the time budget is spent; whatever is left stays due for the next call.
 */
export async function runBilling(options: BillingRunOptions): Promise<BillingRunSummary> {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const deadline = startedAt + options.timeBudgetMs;
  const tally = emptyTally();
  const wouldCharge: NonNullable<BillingRunSummary["wouldCharge"]> = [];
  let lastListedId = 0;
  const queue: ClaimedSchedule[] = [];
  let exhausted = false;
  let refilling: Promise<void> | undefined;

  // Shops are listed in pages as workers need them, by one query at a time (idle workers
  // wait for it rather than all fetching the same shops); each shop is looked at once per call.
  const refill = async () => {
    const batch = await findClaimableSchedules(options.now, new Date(clock()), options.shopConcurrency * 4, lastListedId);
    if (batch.length === 0) exhausted = true;
    else lastListedId = batch[batch.length - 1].id;
    queue.push(...batch);
  };
  const nextSchedule = async (): Promise<ClaimedSchedule | undefined> => {
    while (queue.length === 0 && !exhausted) {
      refilling ??= refill().finally(() => (refilling = undefined));
      await refilling;
    }
    return queue.shift();
  };

  const dunning = emptyDunningTally();
  const sharedSlots = new RequestSlots(options.shopConcurrency * REQUESTS_PER_SHOP);
  const clientForShop = (shop: string) => options.clientForShop(shop, { sharedSlots });
  const worker = async () => {
    while (clock() < deadline - claimMarginMs(options.timeBudgetMs)) {
      const schedule = await nextSchedule();
      if (!schedule) return;
      tally.shops.due++;
      // Every line about the shop's run names the shop (and, from the endpoint, the run).
      await withLogContext({ shop: schedule.shop }, () =>
        options.dryRun
          ? previewShop(schedule, options, clientForShop, tally, wouldCharge, clock, deadline)
          : billShop(schedule, options, clientForShop, tally, clock, deadline),
      );
    }
  };
  const flowTriggers = emptyFlowTriggerTally();
  const reconciliation = emptyReconciliationTally();
  const passes = { now: options.now, deadline: deadline - claimMarginMs(options.timeBudgetMs), clock, leaseMs: options.leaseMs, workerId: options.workerId, clientForShop };
  await Promise.all([
    ...Array.from({ length: options.shopConcurrency * SHOPS_CLAIMED_PER_SLOT }, worker),
    runDueDunning({ ...passes, dryRun: options.dryRun, concurrency: DUNNING_CONCURRENCY }, dunning).then(() =>
      options.dryRun ? undefined : deliverDueFlowTriggers({ ...passes, concurrency: FLOW_CONCURRENCY }, flowTriggers),
    ),
  ]);
  // After billing: the runs that just finished made the day before each shop's date due for checking.
  await runDueReconciliations({ ...passes, dryRun: options.dryRun, concurrency: RECONCILIATION_CONCURRENCY }, reconciliation);
  if (!options.dryRun) await pruneProcessedWebhooks(new Date(clock()));

  return {
    ...tally,
    dunning,
    flowTriggers,
    reconciliation,
    dryRun: options.dryRun,
    now: options.now.toISOString(),
    remainingShops: options.dryRun ? 0 : await countDueSchedules(options.now),
    ...(options.dryRun ? { wouldCharge } : {}),
    elapsedMs: Math.round(clock() - startedAt),
  };
}

type ClientForShop = (shop: string) => Promise<AdminApiClient>;

async function billShop(
  schedule: ClaimedSchedule,
  options: BillingRunOptions,
  clientForShop: ClientForShop,
  tally: BillingRunTally,
  clock: () => number,
  deadline: number,
): Promise<void> {
  const { workerId: owner, leaseMs, now, catchUpWindowMs } = options;
  if (!(await claimSchedule(schedule.id, owner, now, new Date(clock()), leaseMs))) {
    tally.shops.heldElsewhere++;
    return;
  }
  tally.shops.claimed++;
  const dueRun = findDueRun(schedule, now, catchUpWindowMs);
  if (!dueRun) {
    tally.shops.notDue++;
    await completeRun(schedule.id, owner, { nextRunAt: nextRunAt(schedule, now, catchUpWindowMs) });
    return;
  }
  const nextAfterThisRun = () => nextRunAt({ ...schedule, lastBilledLocalDate: dueRun.localDate }, now, catchUpWindowMs);
  const finish = async (outcome: "COMPLETED" | "FAILED", error: string | null) => {
    await completeRun(schedule.id, owner, { billedLocalDate: dueRun.localDate, nextRunAt: nextAfterThisRun(), outcome, error, finishedAt: now });
  };

  let leaseRenewedAt = clock();
  let leaseLost = false;
  const mayContinue = async () => {
    if (leaseLost || clock() >= deadline) return false;
    if (clock() - leaseRenewedAt > leaseMs / 3) {
      leaseRenewedAt = clock();
      leaseLost = !(await renewLease(schedule.id, owner, new Date(leaseRenewedAt), leaseMs));
    }
    return !leaseLost;
  };

  // The shop's own counts, for its line; added to the call's whatever happens.
  const work = emptyTally();
  const fields = (event: string) => ({ event, localDate: dueRun.localDate, attempts: work.attempts, cyclesDue: work.cycles.due });
  try {
    const client = await clientForShop(schedule.shop);
    const cyclesFrom = cyclesWindowStart(dueRun, now, catchUpWindowMs);
    const completed = await chargeDueCycles({ shop: schedule.shop, now, cyclesFrom, runLocalDate: dueRun.localDate, client, mayContinue, tally: work });
    if (!completed) {
      if (leaseLost) tally.shops.heldElsewhere++;
      else tally.shops.unfinished++;
      await releaseClaim(schedule.id, owner);
      logger().info(
        { ...fields("shop_unfinished"), leaseLost },
        `${leaseLost ? "lease lost" : "time budget spent"} billing ${schedule.shop} for ${dueRun.localDate}: the rest is left for the next call`,
      );
      return;
    }
    await finish("COMPLETED", null);
    tally.shops.finished++;
    tally.shops.caughtUpDates += dueRun.caughtUpDates.length;
    logger().info(fields("shop_billed"), `billed ${schedule.shop} for ${dueRun.localDate}: ${work.attempts.sent} attempt(s) sent`);
    logCatchUp(schedule.shop, dueRun);
    await scheduleChargeChecks(schedule, dueRun.localDate);
  } catch (error) {
    if (error instanceof ShopifyTerminalError || error instanceof ShopNotInstalledError) {
      // The answer will not change by asking again today; the merchant sees why on the home page.
      tally.shops.failed++;
      logger().warn(
        { ...fields("shop_failed"), reason: error.message },
        `billing ${schedule.shop}: ${error.message}; not retried for ${dueRun.localDate}`,
      );
      await finish("FAILED", error.message);
      return;
    }
    tally.shops.deferred++;
    if (!(error instanceof ShopifyUnavailableError)) {
      logger().error({ ...fields("shop_deferred"), error }, `billing ${schedule.shop}: run failed, left for the next call`);
    } else logger().warn({ ...fields("shop_deferred"), reason: error.message }, `billing ${schedule.shop}: ${error.message}; left for the next call`);
    await releaseClaim(schedule.id, owner);
  } finally {
    addShopWork(tally, work);
  }
}

/**
 * The days before this run's date that are not checked yet become due for reconciliation
 * (their results are in: this run polled the late ones). The run is recorded already; a
 * failure here is logged, and the next run schedules the days it missed.
 */
async function scheduleChargeChecks(schedule: ClaimedSchedule, billedLocalDate: string): Promise<void> {
  try {
    await scheduleReconciliations(schedule.shop, schedule, billedLocalDate);
  } catch (error) {
    logger().error({ event: "reconciliation_not_scheduled", localDate: billedLocalDate, error }, `could not schedule the charge check of the days before ${billedLocalDate} for ${schedule.shop}`);
  }
}

/** Dry run: what the shop would be charged now, read from Shopify, with nothing written. */
async function previewShop(
  schedule: ClaimedSchedule,
  options: BillingRunOptions,
  clientForShop: ClientForShop,
  tally: BillingRunTally,
  wouldCharge: NonNullable<BillingRunSummary["wouldCharge"]>,
  clock: () => number,
  deadline: number,
): Promise<void> {
  const dueRun = findDueRun(schedule, options.now, options.catchUpWindowMs);
  if (!dueRun) {
    tally.shops.notDue++;
    return;
  }
  try {
    const client = await clientForShop(schedule.shop);
    const charges = await findDueCharges({
      shop: schedule.shop,
      client,
      now: options.now,
      cyclesFrom: cyclesWindowStart(dueRun, options.now, options.catchUpWindowMs),
      tally,
      mayContinue: async () => clock() < deadline,
    });
    if (charges) wouldCharge.push({ shop: schedule.shop, localDate: dueRun.localDate, cycles: charges.length });
    else tally.shops.unfinished++;
  } catch (error) {
    tally.shops.failed++;
    logger().warn({ event: "shop_preview_failed", reason: (error as Error).message }, `dry run of ${schedule.shop}: ${(error as Error).message}`);
  }
}

/**
 * Cycles this run charges are those expected since the run it follows (the last run, or the
 * last one missed beyond the window) and, to pick up what a failed call left, the window.
 */
function cyclesWindowStart(dueRun: DueRun, now: Date, catchUpWindowMs: number): Date {
  return new Date(Math.min(dueRun.coversCyclesAfter.getTime(), now.getTime() - catchUpWindowMs));
}

function logCatchUp(shop: string, dueRun: DueRun): void {
  if (dueRun.caughtUpDates.length > 0 || dueRun.missedDates.length > 0) {
    logger().warn(
      { event: "shop_caught_up", localDate: dueRun.localDate, caughtUpDates: dueRun.caughtUpDates, missedDates: dueRun.missedDates },
      `billed ${shop} for ${dueRun.localDate}, catching up ${dueRun.caughtUpDates.join(", ") || "nothing"}` +
        (dueRun.missedDates.length > 0 ? `; missed beyond the catch-up window: ${dueRun.missedDates.join(", ")}` : ""),
    );
  }
}
