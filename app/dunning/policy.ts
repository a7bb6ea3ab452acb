/**
 * A shop's dunning policy: when failed payments are retried and what happens when the
 * retries run out. Pure: parsing, validation and schedule arithmetic. The defaults and
 * their reasons are in docs/dunning.md ("Policy and its defaults").
 */
export const FinalAction = { Skip: "SKIP", Pause: "PAUSE", Cancel: "CANCEL" } as const;
export type FinalAction = (typeof FinalAction)[keyof typeof FinalAction];
export const FINAL_ACTIONS: readonly FinalAction[] = Object.values(FinalAction);

export interface RetrySchedule {
  /** Retries after the scheduled charge; 0 means the final action follows the first failure. */
  retryCount: number;
  /** Whole days from one failed attempt to the next retry; the last one repeats if the list is shorter. */
  delaysDays: number[];
  finalAction: FinalAction;
}

export interface DunningPolicy {
  /** Payment declines (soft ones are retried; hard ones wait for the customer for as long as this schedule lasts). */
  payment: RetrySchedule;
  /** Out-of-stock failures. */
  inventory: RetrySchedule;
  /** Send Shopify's payment-method update email to the customer on payment declines. */
  sendPaymentUpdateEmail: boolean;
  /** At most one such email per tracker within this many hours. */
  paymentUpdateEmailIntervalHours: number;
}

export const DEFAULT_DUNNING_POLICY: DunningPolicy = {
  payment: { retryCount: 4, delaysDays: [1, 3, 5, 7], finalAction: FinalAction.Pause },
  inventory: { retryCount: 2, delaysDays: [1, 2], finalAction: FinalAction.Skip },
  sendPaymentUpdateEmail: true,
  paymentUpdateEmailIntervalHours: 72,
};

/** Card networks flag merchants that retry one card too often; stay at or under this. */
export const MAX_ATTEMPTS_IN_30_DAYS = 10;
/** A long, sparse schedule may retry more often than 9 times; the 30-day rule is what binds. */
export const MAX_RETRIES = 12;
export const MAX_DELAY_DAYS = 30;
export const EMAIL_INTERVAL_HOURS = { min: 1, max: 720 } as const;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days to wait before retry number `retryIndex + 1`. */
export function delayBeforeRetryDays(schedule: RetrySchedule, retryIndex: number): number {
  const { delaysDays } = schedule;
  return delaysDays[Math.min(retryIndex, delaysDays.length - 1)] ?? 0;
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/** Days the schedule still covers once `retriesUsed` retries were made: how long a hard decline waits. */
export function remainingScheduleDays(schedule: RetrySchedule, retriesUsed: number): number {
  let days = 0;
  for (let i = retriesUsed; i < schedule.retryCount; i++) days += delayBeforeRetryDays(schedule, i);
  return days;
}

/** Attempt days (0 = the scheduled charge) the schedule makes when every attempt fails. */
export function attemptDays(schedule: RetrySchedule): number[] {
  const days = [0];
  for (let i = 0; i < schedule.retryCount; i++) days.push(days[i] + delayBeforeRetryDays(schedule, i));
  return days;
}

/** The most attempts that fall within any 30 days of the schedule. */
export function maxAttemptsWithin30Days(schedule: RetrySchedule): number {
  const days = attemptDays(schedule);
  let most = 0;
  for (let i = 0; i < days.length; i++) {
    const within = days.filter((day) => day >= days[i] && day < days[i] + 30).length;
    most = Math.max(most, within);
  }
  return most;
}

/** The policy's fields, in the order of the settings form. */
export const POLICY_FIELDS = [
  "retryCount",
  "retryDelaysDays",
  "finalAction",
  "inventoryRetryCount",
  "inventoryRetryDelaysDays",
  "inventoryFinalAction",
  "sendPaymentUpdateEmail",
  "paymentUpdateEmailIntervalHours",
] as const;

export type PolicyField = (typeof POLICY_FIELDS)[number];

/** The policy as a form or a database row spells it: flat, delays as "1, 3, 5, 7". */
export type PolicyFields = Partial<Record<PolicyField, string | number | boolean | null | undefined>>;

export type PolicyValidation =
  | { ok: true; policy: DunningPolicy }
  | { ok: false; errors: Partial<Record<PolicyField, string>> };

/** Parses and checks a policy; every problem is reported with its field, nothing is guessed. */
export function parseDunningPolicy(fields: PolicyFields): PolicyValidation {
  const errors: Partial<Record<PolicyField, string>> = {};
  const payment = parseSchedule(fields, { count: "retryCount", delays: "retryDelaysDays", action: "finalAction" }, "Payment", errors);
  const inventory = parseSchedule(
    fields,
    { count: "inventoryRetryCount", delays: "inventoryRetryDelaysDays", action: "inventoryFinalAction" },
    "Inventory",
    errors,
  );
  const sendPaymentUpdateEmail = parseBoolean(fields.sendPaymentUpdateEmail);
  if (sendPaymentUpdateEmail === undefined) errors.sendPaymentUpdateEmail = "Choose whether to email the customer.";
  const interval = parseWholeNumber(fields.paymentUpdateEmailIntervalHours);
  if (interval === undefined || interval < EMAIL_INTERVAL_HOURS.min || interval > EMAIL_INTERVAL_HOURS.max) {
    errors.paymentUpdateEmailIntervalHours = `The time between payment-update emails must be a whole number of hours from ${EMAIL_INTERVAL_HOURS.min} to ${EMAIL_INTERVAL_HOURS.max}.`;
  }
  if (Object.keys(errors).length > 0 || !payment || !inventory) return { ok: false, errors };
  return {
    ok: true,
    policy: { payment, inventory, sendPaymentUpdateEmail: sendPaymentUpdateEmail as boolean, paymentUpdateEmailIntervalHours: interval as number },
  };
}

/** The flat form of a policy (for the settings form and the database row). */
export function policyFields(policy: DunningPolicy) {
  return {
    retryCount: policy.payment.retryCount,
    retryDelaysDays: policy.payment.delaysDays.join(", "),
    finalAction: policy.payment.finalAction,
    inventoryRetryCount: policy.inventory.retryCount,
    inventoryRetryDelaysDays: policy.inventory.delaysDays.join(", "),
    inventoryFinalAction: policy.inventory.finalAction,
    sendPaymentUpdateEmail: policy.sendPaymentUpdateEmail,
    paymentUpdateEmailIntervalHours: policy.paymentUpdateEmailIntervalHours,
  };
}

function parseSchedule(
  fields: PolicyFields,
  names: { count: PolicyField; delays: PolicyField; action: PolicyField },
  label: "Payment" | "Inventory",
  errors: Partial<Record<PolicyField, string>>,
): RetrySchedule | undefined {
  const before = Object.keys(errors).length;
  const retryCount = parseWholeNumber(fields[names.count]);
  if (retryCount === undefined || retryCount < 0 || retryCount > MAX_RETRIES) {
    errors[names.count] = `${label} retries must be a whole number from 0 to ${MAX_RETRIES}.`;
  }
  const delaysText = String(fields[names.delays] ?? "").trim();
  const delayTokens = delaysText === "" ? [] : delaysText.split(/[\s,]+/).filter(Boolean);
  const delaysDays: number[] = [];
  // Every bad delay is named, not only the first: the merchant corrects them all at once.
  const badDelays: string[] = [];
  let negative = false;
  delayTokens.forEach((token, i) => {
    const days = /^-?\d+$/.test(token) ? Number(token) : NaN;
    if (!Number.isInteger(days) || days < 1 || days > MAX_DELAY_DAYS) {
      badDelays.push(`${badDelays.length === 0 ? `${label} retry delay` : "delay"} ${i + 1} is "${token}"`);
      negative ||= days < 0;
    }
    delaysDays.push(days);
  });
  if (badDelays.length > 0) {
    errors[names.delays] =
      `${badDelays.join(", ")}${negative ? " (a delay cannot be negative)" : ""}. ` +
      `Each delay must be a whole number of days from 1 to ${MAX_DELAY_DAYS}.`;
  }
  if (retryCount !== undefined && retryCount > 0 && !errors[names.count] && !errors[names.delays] && delaysDays.length === 0) {
    errors[names.delays] = `${label} retries are set to ${retryCount} but no delays are given: list the days between attempts, e.g. "1, 3, 5, 7".`;
  }
  const finalAction = String(fields[names.action] ?? "").toUpperCase() as FinalAction;
  if (!FINAL_ACTIONS.includes(finalAction)) {
    errors[names.action] = `Choose what happens when the ${label.toLowerCase()} retries run out: skip the cycle, pause the contract or cancel it.`;
  }
  if (Object.keys(errors).length > before) return undefined;
  // Delays past the number of retries are never used: lowering the retries from 4 to 2 keeps
  // the first two delays, and the saved policy drops the rest (the form says so).
  const schedule: RetrySchedule = { retryCount: retryCount as number, delaysDays: delaysDays.slice(0, retryCount), finalAction };
  const within30 = maxAttemptsWithin30Days(schedule);
  if (within30 > MAX_ATTEMPTS_IN_30_DAYS) {
    errors[names.delays] =
      `${label} schedule makes ${within30} attempts within 30 days (days ${attemptDays(schedule).join(", ")}); ` +
      `card networks penalise more than ${MAX_ATTEMPTS_IN_30_DAYS} attempts on one card in 30 days: use fewer retries or longer delays.`;
    return undefined;
  }
  return schedule;
}

function parseWholeNumber(value: PolicyFields[PolicyField]): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
  if (typeof value !== "string" || !/^\s*-?\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

function parseBoolean(value: PolicyFields[PolicyField]): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "on") return true;
  if (value === "false" || value === "off") return false;
  return undefined;
}
