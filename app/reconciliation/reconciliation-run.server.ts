import type { ChargeReconciliation } from "../db/client.server";
import { prisma } from "../db/app-database.server";
import { mapWithConcurrency } from "../lib/concurrency";
import { logger, withLogContext } from "../observability/logger.server";
import { shopTimeZone } from "../schedules/schedule.server";
import { ShopifyTerminalError, ShopifyUnavailableError, type AdminApiClient } from "../shopify/admin-api-client.server";
import { clientPerShop, type CronPassOptions } from "../shopify/cron-pass";
import { ShopNotInstalledError } from "../shopify/admin-api-errors";
import { findCycleOfAttempt } from "../shopify/operations/billing-cycle-of-attempt.server";
import { fetchBillingAttemptsCreated } from "../shopify/operations/subscription-billing-attempts.server";
import { addLocalDays, startOfLocalDate } from "../time/local-days";
import { countReconciliation, LEDGER_KEPT_DAYS, pruneLedger, recordLedgerPage } from "./charge-ledger.server";
import {
  claimReconciliation,
  completeReconciliation,
  countDueReconciliations,
  failReconciliation,
  findDueReconciliations,
  releaseReconciliation,
  renewReconciliationLease,
  saveReconciliationProgress,
} from "./reconciliation-claims.server";
import { CHARGE_RECONCILIATION_NOTICE, reconciliationNotice } from "./reconciliation-notice";

// The cron's reconciliation pass: each due day of a shop is claimed (a lease), Shopify's
// billing attempts created that day are read a page at a time into the charge ledger (the
// cursor is kept, so a call cut short by its time budget goes on where it stopped), then the
// figures are counted, a notice left when they do not add up, and the day marked checked.

/** `now`, the billing clock, is when a day counts as checked. */
export interface ReconciliationRunOptions extends CronPassOptions {
  dryRun: boolean;
}

/** What one call did for reconciliation: part of the billing endpoint's answer. */
export interface ReconciliationTally {
  /** Shop days waiting to be checked that this call looked at (in a dry run, all of them). */
  due: number;
  claimed: number;
  /** Checked: figures kept, never checked again. */
  completed: number;
  /** Of those, days that did not add up (a notice for the merchant). */
  discrepancies: number;
  /** The time budget ran out mid-day: the next call goes on from where it stopped. */
  unfinished: number;
  heldElsewhere: number;
  /** Shopify unavailable (or an unexpected error): tried again at the next call. */
  deferred: number;
  /** Shopify will not serve the shop: the day is not checked. */
  failed: number;
  remaining: number;
}

export function emptyReconciliationTally(): ReconciliationTally {
  return { due: 0, claimed: 0, completed: 0, discrepancies: 0, unfinished: 0, heldElsewhere: 0, deferred: 0, failed: 0, remaining: 0 };
}

export async function runDueReconciliations(options: ReconciliationRunOptions, tally: ReconciliationTally): Promise<void> {
  const { clock } = options;
  if (options.dryRun) {
    tally.due = tally.remaining = await countDueReconciliations();
    return;
  }
  const clientFor = clientPerShop(options.clientForShop);
  let afterId = 0;
  while (clock() < options.deadline) {
    const batch = await findDueReconciliations(new Date(clock()), options.concurrency * 4, afterId);
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1].id;
    tally.due += batch.length;
    await mapWithConcurrency(batch, options.concurrency, (candidate) => withLogContext({ shop: candidate.shop }, async () => {
      if (clock() >= options.deadline) return;
      const day = await claimReconciliation(candidate.id, options.workerId, new Date(clock()), options.leaseMs);
      if (!day) {
        tally.heldElsewhere++;
        return;
      }
      tally.claimed++;
      try {
        const outcome = await reconcileDay(day, await clientFor(day.shop), options);
        if (outcome === "completed" || outcome === "discrepancy") tally.completed++;
        if (outcome === "discrepancy") tally.discrepancies++;
        if (outcome === "unfinished") tally.unfinished++;
        if (outcome === "lost") tally.heldElsewhere++;
      } catch (error) {
        if (error instanceof ShopifyTerminalError || error instanceof ShopNotInstalledError) {
          tally.failed++;
          logger().warn({ event: "reconciliation_failed", localDate: day.localDate, reason: error.message }, `charge check of ${day.shop} for ${day.localDate}: ${error.message}; not checked`);
          await failReconciliation(day.id, options.workerId, error.message, options.now);
          return;
        }
        tally.deferred++;
        if (error instanceof ShopifyUnavailableError) {
          logger().warn({ event: "reconciliation_deferred", localDate: day.localDate, reason: error.message }, `charge check of ${day.shop} for ${day.localDate}: ${error.message}; left for the next call`);
        } else logger().error({ event: "reconciliation_deferred", localDate: day.localDate, error }, `charge check of ${day.shop} for ${day.localDate}: failed, left for the next call`);
      } finally {
        await releaseReconciliation(day.id, options.workerId);
      }
    }));
  }
  tally.remaining = await countDueReconciliations();
}

async function reconcileDay(
  day: ChargeReconciliation,
  client: AdminApiClient,
  options: ReconciliationRunOptions,
): Promise<"completed" | "discrepancy" | "unfinished" | "lost"> {
  const { clock, workerId: owner, leaseMs } = options;
  const timezone = await shopTimeZone(day.shop);
  const range = { start: startOfLocalDate(day.localDate, timezone), end: startOfLocalDate(addLocalDays(day.localDate, 1), timezone) };
  const findCycle = (attempt: { contractId: string; id: string; createdAt: Date }) => findCycleOfAttempt(client, attempt.contractId, attempt.id, attempt.createdAt);

  let cursor = day.cursor;
  let attemptsRead = day.attemptsRead;
  let leaseRenewedAt = clock();
  for (;;) {
    const page = await fetchBillingAttemptsCreated(client, range, cursor);
    await recordLedgerPage(day.shop, day.localDate, page.attempts, findCycle);
    attemptsRead += page.attempts.length;
    cursor = page.nextCursor;
    if (!cursor) break;
    if (!(await saveReconciliationProgress(day.id, owner, { cursor, attemptsRead }))) return "lost";
    if (clock() >= options.deadline) return "unfinished";
    if (clock() - leaseRenewedAt > leaseMs / 3) {
      leaseRenewedAt = clock();
      if (!(await renewReconciliationLease(day.id, owner, new Date(leaseRenewedAt), leaseMs))) return "lost";
    }
  }

  const findings = await countReconciliation(day.shop, day.localDate);
  const message = reconciliationNotice(day.localDate, findings);
  // Checked and told in one transaction: a lost lease leaves neither, a second worker cannot add a second notice.
  const completed = await prisma().$transaction(async (tx) => {
    if (!(await completeReconciliation(tx, day.id, owner, { ...findings, attemptsRead }, options.now))) return false;
    if (message) await tx.merchantNotification.create({ data: { shop: day.shop, kind: CHARGE_RECONCILIATION_NOTICE, message } });
    return true;
  });
  if (!completed) return "lost";
  const { doubleCharges: _doubles, ordersWithoutMatchingAttempt: _orders, attemptsLackingOutcome: _lacking, ...figures } = findings;
  logger().info({ event: "reconciliation_completed", localDate: day.localDate, attemptsRead, ...figures }, `charges of ${day.localDate} checked for ${day.shop}${message ? ": they do not add up" : ""}`);
  await pruneLedger(day.shop, new Date(range.start.getTime() - LEDGER_KEPT_DAYS * 86_400_000));
  return message ? "discrepancy" : "completed";
}
