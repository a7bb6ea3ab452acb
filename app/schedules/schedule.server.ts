import type { Prisma } from "../db/client.server";
import { isUniqueConstraintViolation } from "../db/errors";
import { countRunAttemptsByStatus } from "../attempts/attempt-records.server";
import { prisma } from "../db/app-database.server";
import { logger } from "../observability/logger.server";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { fetchShopProfile } from "../shopify/operations/shop-profile.server";
import { describeLocalTime, firstLastBilledLocalDate, nextRunAt } from "../time/due-time";
import { isValidTimeZone } from "../time/time-zone";
import { timingOnResume } from "./resume-timing";

/** The local hour a new shop is billed at until the merchant picks another. */
export const DEFAULT_BILLING_HOUR = 9;
const FALLBACK_TIME_ZONE = "UTC";

export const UNINSTALLED_REASON = "app uninstalled";
/**
 * The merchant paused billing in Settings. Its own reason: reinstalling re-activates only an
 * uninstalled shop, and the cron's dunning pass waits for paused shops (tracker-claims).
 */
export const PAUSED_REASON = "paused by the merchant";

/**
 * Called after every authentication: creates the shop's schedule on install, follows the
 * shop's time zone when the merchant changes it, and re-activates billing on reinstall.
 */
export async function ensureShopIsSetUp(shop: string, shopTimeZone: string, now: Date) {
  const timezone = isValidTimeZone(shopTimeZone) ? shopTimeZone : FALLBACK_TIME_ZONE;
  if (timezone !== shopTimeZone) {
    logger().warn({ event: "unknown_time_zone", shop, timeZone: shopTimeZone }, `${shop} reports unknown time zone "${shopTimeZone}"; using ${FALLBACK_TIME_ZONE}`);
  }
  const existing = await prisma().billingSchedule.findUnique({ where: { shop } });
  if (!existing) {
    try {
      return await prisma().billingSchedule.create({
        data: { shop, ...firstSchedule(timezone, now) },
      });
    } catch (error) {
      // Two first requests raced to create it: the other one won, which is fine.
      if (!isUniqueConstraintViolation(error)) throw error;
      return prisma().billingSchedule.findUniqueOrThrow({ where: { shop } });
    }
  }
  const reinstalled = !existing.active && existing.deactivatedReason === UNINSTALLED_REASON;
  if (existing.timezone === timezone && !reinstalled) return existing;
  return prisma().billingSchedule.update({
    where: { shop },
    data: {
      timezone,
      // The same local hour in the new zone is a different instant.
      nextRunAt: nextRunAt({ ...existing, timezone }, now),
      ...(reinstalled ? { active: true, deactivatedReason: null } : {}),
    },
  });
}

/**
 * A new shop counts as billed for yesterday: its first run is today's, at its billing hour
 * (at the scheduler's next call when that hour has passed already), never one for past
 * dates. Cycles that fell due in the catch-up window before install are charged by that run.
 */
function firstSchedule(timezone: string, now: Date) {
  const timing = { timezone, billingHour: DEFAULT_BILLING_HOUR, lastBilledLocalDate: firstLastBilledLocalDate(now, timezone) };
  return { ...timing, active: true, nextRunAt: nextRunAt(timing, now) };
}

/** The shop's time zone as its billing schedule knows it (UTC before the shop is set up). */
export async function shopTimeZone(shop: string, db: Pick<Prisma.TransactionClient, "billingSchedule"> = prisma()): Promise<string> {
  const schedule = await db.billingSchedule.findUnique({ where: { shop }, select: { timezone: true } });
  return schedule?.timezone ?? FALLBACK_TIME_ZONE;
}

/**
 * shop/update: the merchant changed the shop's settings; follow its time zone (the same
 * local hour in another zone is another instant). Unknown zones keep the current one.
 */
export async function followShopTimeZone(
  tx: Prisma.TransactionClient,
  shop: string,
  shopTimeZone: string | null | undefined,
  now: Date,
) {
  if (!shopTimeZone) {
    logger().warn({ event: "unknown_time_zone", shop }, `${shop}: shop/update without a time zone; keeping the schedule's`);
    return false;
  }
  const schedule = await tx.billingSchedule.findUnique({ where: { shop } });
  if (!schedule || schedule.timezone === shopTimeZone) return false;
  if (!isValidTimeZone(shopTimeZone)) {
    logger().warn({ event: "unknown_time_zone", shop, timeZone: shopTimeZone }, `${shop} reports unknown time zone "${shopTimeZone}"; keeping ${schedule.timezone}`);
    return false;
  }
  await tx.billingSchedule.update({
    where: { shop },
    data: { timezone: shopTimeZone, nextRunAt: nextRunAt({ ...schedule, timezone: shopTimeZone }, now) },
  });
  return true;
}

export interface BillingScheduleView {
  shop: string;
  timezone: string;
  billingHour: number;
  active: boolean;
  /** The next scheduled run in the shop's local time, e.g. "Tue, Nov 24, 09:00 NZDT". */
  nextRunLocal: string | null;
  /** True when the run time has come and the scheduler has not called yet. */
  runIsDue: boolean;
  /** The instant of the next run (null while billing is off). */
  nextRunAt: Date | null;
  /** Billing is off because the merchant paused it (not because the app was uninstalled). */
  paused: boolean;
  lastRun: LastRunView | null;
}

export interface LastRunView {
  localDate: string;
  finishedAt: Date | null;
  finishedLocal: string | null;
  outcome: string | null;
  error: string | null;
  /** Attempts made by that run, by current status. */
  attempts: Record<string, number>;
}

/**
 * What the admin home page shows. Creates the schedule when the page is reached before
 * the afterAuth hook has finished (Remix runs the layout's and the page's loaders at once,
 * and only one of them runs the hook).
 */
export async function getBillingScheduleView(shop: string, graphql: AdminGraphql, now: Date): Promise<BillingScheduleView> {
  const schedule = await ensuredSchedule(shop, graphql, now);
  const next = schedule.active ? nextRunAt(schedule, now) : null;
  return {
    shop,
    timezone: schedule.timezone,
    billingHour: schedule.billingHour,
    active: schedule.active,
    nextRunLocal: next ? describeLocalTime(next, schedule.timezone) : null,
    runIsDue: next !== null && next <= now,
    nextRunAt: next,
    paused: !schedule.active && schedule.deactivatedReason === PAUSED_REASON,
    // A new shop counts as billed for yesterday without any run having happened.
    lastRun: schedule.lastRunFinishedAt && schedule.lastBilledLocalDate ? await lastRunView(schedule) : null,
  };
}

async function lastRunView(schedule: {
  shop: string;
  timezone: string;
  lastBilledLocalDate: string | null;
  lastRunFinishedAt: Date | null;
  lastRunOutcome: string | null;
  lastRunError: string | null;
}): Promise<LastRunView> {
  const localDate = schedule.lastBilledLocalDate as string;
  return {
    localDate,
    finishedAt: schedule.lastRunFinishedAt,
    finishedLocal: schedule.lastRunFinishedAt ? describeLocalTime(schedule.lastRunFinishedAt, schedule.timezone) : null,
    outcome: schedule.lastRunOutcome,
    error: schedule.lastRunError,
    attempts: await countRunAttemptsByStatus(schedule.shop, localDate),
  };
}

type ScheduleDb = Pick<Prisma.TransactionClient, "billingSchedule">;

export type BillingHourChange = { ok: true; changed: boolean } | { ok: false; reason: "RUN_IN_PROGRESS" | "NO_SCHEDULE" };

/**
 * The merchant's new billing hour, with the next run recomputed for it (the same local date
 * is never billed twice: a shop billed today at 09:00 and moved to 20:00 is next billed
 * tomorrow). Refused while a run holds the shop's lease: that run would then write back a
 * next run computed for the old hour.
 */
export async function changeBillingHour(db: ScheduleDb, shop: string, billingHour: number, now: Date): Promise<BillingHourChange> {
  const schedule = await db.billingSchedule.findUnique({ where: { shop } });
  if (!schedule) return { ok: false, reason: "NO_SCHEDULE" };
  if (schedule.billingHour === billingHour) return { ok: true, changed: false };
  const { count } = await db.billingSchedule.updateMany({
    where: { shop, billingHour: schedule.billingHour, OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] },
    data: { billingHour, nextRunAt: nextRunAt({ ...schedule, billingHour }, now) },
  });
  return count === 1 ? { ok: true, changed: true } : { ok: false, reason: "RUN_IN_PROGRESS" };
}

/**
 * Stops billing the shop until the merchant resumes it: no run is started, and the cron's
 * dunning pass leaves the shop's trackers alone (no retry, email or final action). A run
 * already in progress finishes. Pausing a paused shop changes nothing.
 */
export async function pauseBilling(shop: string): Promise<boolean> {
  const { count } = await prisma().billingSchedule.updateMany({
    where: { shop, active: true },
    data: { active: false, deactivatedReason: PAUSED_REASON },
  });
  return count === 1;
}

/**
 * Billing starts again: at today's billing hour if today was not billed (at the scheduler's
 * next call when that hour has passed), else tomorrow's; the paused days are not caught up.
 * Only a shop the merchant paused resumes (never an uninstalled one); resuming twice is harmless.
 */
export async function resumeBilling(shop: string, now: Date): Promise<boolean> {
  const schedule = await prisma().billingSchedule.findUnique({ where: { shop } });
  if (!schedule || schedule.active || schedule.deactivatedReason !== PAUSED_REASON) return false;
  const timing = timingOnResume(schedule, now);
  const { count } = await prisma().billingSchedule.updateMany({
    where: { shop, active: false, deactivatedReason: PAUSED_REASON },
    data: { active: true, deactivatedReason: null, lastBilledLocalDate: timing.lastBilledLocalDate, nextRunAt: nextRunAt(timing, now) },
  });
  return count === 1;
}

/** Shops whose merchant paused billing: one row each, whatever their number of trackers. */
export async function pausedShops(db: ScheduleDb = prisma()): Promise<string[]> {
  const rows = await db.billingSchedule.findMany({ where: { active: false, deactivatedReason: PAUSED_REASON }, select: { shop: true } });
  return rows.map((row) => row.shop);
}

/** The shop's schedule, created first when the page is reached before afterAuth finished (see getBillingScheduleView). */
export async function ensuredSchedule(shop: string, graphql: AdminGraphql, now: Date) {
  return (
    (await prisma().billingSchedule.findUnique({ where: { shop } })) ??
    (await ensureShopIsSetUp(shop, (await fetchShopProfile(graphql)).ianaTimezone, now))
  );
}
