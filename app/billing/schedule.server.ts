import { isUniqueConstraintViolation } from "../db/errors";
import prisma from "../db.server";
import { isValidTimeZone } from "./time-zone";

/** The local hour a new shop is billed at until the merchant picks another. */
export const DEFAULT_BILLING_HOUR = 9;
const FALLBACK_TIME_ZONE = "UTC";

export const UNINSTALLED_REASON = "app uninstalled";

/**
 * Called after every authentication: creates the shop's schedule on install, follows the
 * shop's time zone when the merchant changes it, and re-activates billing on reinstall.
 */
export async function ensureShopIsSetUp(shop: string, shopTimeZone: string) {
  const timezone = isValidTimeZone(shopTimeZone) ? shopTimeZone : FALLBACK_TIME_ZONE;
  if (timezone !== shopTimeZone) {
    console.warn(`[billing] ${shop} reports unknown time zone "${shopTimeZone}"; using ${FALLBACK_TIME_ZONE}`);
  }
  const existing = await prisma.billingSchedule.findUnique({ where: { shop } });
  if (!existing) {
    try {
      return await prisma.billingSchedule.create({
        data: { shop, timezone, billingHour: DEFAULT_BILLING_HOUR, active: true },
      });
    } catch (error) {
      // Two first requests raced to create it: the other one won, which is fine.
      if (!isUniqueConstraintViolation(error)) throw error;
      return prisma.billingSchedule.findUniqueOrThrow({ where: { shop } });
    }
  }
  const reinstalled = !existing.active && existing.deactivatedReason === UNINSTALLED_REASON;
  if (existing.timezone === timezone && !reinstalled) return existing;
  return prisma.billingSchedule.update({
    where: { shop },
    data: {
      timezone,
      ...(reinstalled ? { active: true, deactivatedReason: null } : {}),
    },
  });
}

export interface BillingScheduleView {
  shop: string;
  timezone: string;
  billingHour: number;
  active: boolean;
  lastBilledLocalDate: string | null;
  lastRunFinishedAt: string | null;
}

/**
 * What the admin home page shows. Creates the schedule when the page is reached before
 * the afterAuth hook has finished (Remix runs the layout's and the page's loaders at once,
 * and only one of them runs the hook).
 */
export async function getBillingScheduleView(
  shop: string,
  fetchShopTimeZone: () => Promise<string>,
): Promise<BillingScheduleView> {
  const schedule =
    (await prisma.billingSchedule.findUnique({ where: { shop } })) ??
    (await ensureShopIsSetUp(shop, await fetchShopTimeZone()));
  return {
    shop,
    timezone: schedule.timezone,
    billingHour: schedule.billingHour,
    active: schedule.active,
    lastBilledLocalDate: schedule.lastBilledLocalDate,
    lastRunFinishedAt: schedule.lastRunFinishedAt?.toISOString() ?? null,
  };
}
