import { prisma } from "../db/app-database.server";
import { DEFAULT_DUNNING_POLICY, parseDunningPolicy, policyFields, type PolicyField, type PolicyFields } from "../dunning/policy";
import { getDunningPolicy, storeDunningPolicy } from "../dunning/policy.server";
import { MerchantFormat } from "../format/merchant-format";
import { BILLING_HOURS, parseBillingHour } from "../schedules/billing-hour";
import { nextRunAtHour } from "../schedules/resume-timing";
import { changeBillingHour, ensuredSchedule, PAUSED_REASON } from "../schedules/schedule.server";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { getPolicyWhatIf, type PolicyWhatIfView } from "./policy-what-if.server";

// The Settings page: when the shop is billed (its billing hour, pause and resume) and how
// failed payments are followed up (the dunning policy). One form saves the hour and the
// policy together, checked by the same pure code the page runs in the browser; nothing is
// saved unless all of it is valid.

export type SettingsField = PolicyField | "billingHour";
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export interface BillingSettingsView {
  billingHour: number;
  active: boolean;
  paused: boolean;
  timeZone: string;
  /** "New Zealand Time" */
  timeZoneName: string;
  /** "Tue, Jan 13, 9:00 AM NZDT"; for a paused shop, when it would run if resumed now. */
  nextRunText: string;
  runIsDue: boolean;
  /** Each hour the merchant can choose, with the next run it would give. */
  hourOptions: Array<{ value: string; label: string; nextRunText: string; runIsDue: boolean }>;
}

export interface ShopSettingsView {
  fields: ReturnType<typeof policyFields>;
  defaults: ReturnType<typeof policyFields>;
  billing: BillingSettingsView;
  /** The last 90 days' failed payments, for the what-if of the policy being edited. */
  whatIf: PolicyWhatIfView;
}

export async function getShopSettings(shop: string, graphql: AdminGraphql, { now, locale }: { now: Date; locale: string }): Promise<ShopSettingsView> {
  const [schedule, policy] = await Promise.all([ensuredSchedule(shop, graphql, now), getDunningPolicy(shop)]);
  const whatIf = getPolicyWhatIf(shop, { now, locale, timeZone: schedule.timezone });
  const format = new MerchantFormat({ locale, timeZone: schedule.timezone, now });
  const hourOptions = BILLING_HOURS.map((hour) => {
    const next = nextRunAtHour(schedule, hour, now);
    return { value: String(hour), label: format.hour(hour), nextRunText: format.dateTime(next), runIsDue: next <= now };
  });
  const current = hourOptions[schedule.billingHour];
  return {
    fields: policyFields(policy),
    defaults: policyFields(DEFAULT_DUNNING_POLICY),
    billing: {
      billingHour: schedule.billingHour,
      active: schedule.active,
      paused: !schedule.active && schedule.deactivatedReason === PAUSED_REASON,
      timeZone: schedule.timezone,
      timeZoneName: format.timeZoneName(),
      nextRunText: current.nextRunText,
      runIsDue: current.runIsDue,
      hourOptions,
    },
    whatIf: await whatIf,
  };
}

export type SettingsSave =
  | { ok: true; billingHourChanged: boolean }
  | { ok: false; status: 400 | 409; errors: SettingsErrors };

class HourRefused extends Error {
  constructor(readonly reason: "RUN_IN_PROGRESS" | "NO_SCHEDULE") {
    super(reason);
  }
}

const HOUR_REFUSED: Record<HourRefused["reason"], string> = {
  RUN_IN_PROGRESS: "Billing is running for this shop right now, so the hour cannot change: nothing was saved. Save again in a minute.",
  NO_SCHEDULE: "The shop's billing schedule is being set up: nothing was saved. Reload the page and save again.",
};

/**
 * Checks every submitted field (all problems at once, each on its field) and saves the policy
 * and, when the form sent one, the billing hour, in one transaction. Saving the same values
 * again changes nothing. A billing run in progress for the shop holds the hour back (409).
 */
export async function saveShopSettings(shop: string, submitted: Record<string, string>, now: Date): Promise<SettingsSave> {
  const errors: SettingsErrors = {};
  const policy = parseDunningPolicy(submitted as PolicyFields);
  if (!policy.ok) Object.assign(errors, policy.errors);
  const hour = submitted.billingHour === undefined ? undefined : parseBillingHour(submitted.billingHour);
  if (hour && !hour.ok) errors.billingHour = hour.error;
  if (!policy.ok || (hour && !hour.ok)) return { ok: false, status: 400, errors };

  try {
    const billingHourChanged = await prisma().$transaction(async (tx) => {
      await storeDunningPolicy(tx, shop, policy.policy);
      if (!hour?.ok) return false;
      const change = await changeBillingHour(tx, shop, hour.hour, now);
      if (!change.ok) throw new HourRefused(change.reason);
      return change.changed;
    });
    return { ok: true, billingHourChanged };
  } catch (error) {
    if (!(error instanceof HourRefused)) throw error;
    return { ok: false, status: 409, errors: { billingHour: HOUR_REFUSED[error.reason] } };
  }
}
