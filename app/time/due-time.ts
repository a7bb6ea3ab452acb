import { DateTime, IANAZone } from "luxon";

/**
 * When a shop is due for its daily billing run. Pure: `now` is always passed in.
 *
 * S(D), the scheduled instant for local date D, is the first instant at which the shop's
 * clock reads D billingHour:00 or later:
 * - billing hour in a DST gap: the instant the clock jumps (New York 2026-03-08 02:00 -> 07:00Z);
 * - billing hour repeated by a fall-back: its first occurrence (New York 2026-11-01 01:00 -> 05:00Z);
 * - a date the zone skipped entirely (Pacific/Apia 2011-12-30): S(D) is the jump, but the date is
 *   never billed, caught up or reported missed; there was no such local day to bill.
 */

export const DEFAULT_CATCH_UP_WINDOW_MS = 48 * 3600_000;
/** A DueRun lists at most this many missed dates (the most recent), however long the outage. */
export const MAX_REPORTED_MISSED_DATES = 60;

export class InvalidScheduleError extends RangeError {
  override name = "InvalidScheduleError";
}

export interface ScheduleTiming {
  timezone: string;
  billingHour: number;
  lastBilledLocalDate: string | null;
}

export interface DueRun {
  /** The local date this run bills; store it as lastBilledLocalDate once the run finishes. */
  localDate: string;
  scheduledFor: Date;
  /** Earlier unbilled dates still inside the catch-up window, covered by this run (oldest first). */
  caughtUpDates: string[];
  /** Unbilled dates after lastBilledLocalDate whose window had passed (oldest first, most recent kept). */
  missedDates: string[];
  /** True when older missed dates exist beyond the MAX_REPORTED_MISSED_DATES listed. */
  missedDatesTruncated: boolean;
  /**
   * Cycles expected after this instant are this run's to charge: the scheduled instant of the
   * date before the oldest date it covers (the last run, or the last run missed for good).
   */
  coversCyclesAfter: Date;
}

/** The shop's local calendar date ("YYYY-MM-DD") at `instant`. */
export function localDateAt(instant: Date, timezone: string): string {
  return inZone(instantMillis(instant, "instant"), zoneNamed(timezone)).toISODate()!;
}

/**
 * A new shop counts as billed for the local day before `now`: a calendar day in the shop's
 * zone, never "24 hours ago" (next to a DST change that lands two days back or on today).
 */
export function firstLastBilledLocalDate(now: Date, timezone: string): string {
  return dayBefore(localDateAt(now, timezone));
}

/** S(D): when the shop's clock first reads `billingHour`:00 or later on `localDate`. */
export function scheduledInstant(localDate: string, billingHour: number, timezone: string): Date {
  checkLocalDate(localDate, "localDate");
  checkBillingHour(billingHour);
  return firstInstantReading(localDate, billingHour, zoneNamed(timezone)).toJSDate();
}

/**
 * The run the shop is due for at `now`, or null. Qualifying dates are after lastBilledLocalDate
 * with S(D) <= now <= S(D) + window; the run is for the latest of them.
 */
export function findDueRun(
  schedule: ScheduleTiming,
  now: Date,
  catchUpWindowMs = DEFAULT_CATCH_UP_WINDOW_MS,
): DueRun | null {
  const timing = checkTiming(schedule);
  const nowMs = instantMillis(now, "now");
  const first = firstBillingDayFrom(timing, nowMs - checkWindow(catchUpWindowMs));
  if (first.at.toMillis() > nowMs) return null;

  let run = first;
  const caughtUpDates: string[] = [];
  for (let date = dayAfter(first.date); ; date = dayAfter(date)) {
    const at = billingInstantOn(date, timing);
    if (!at) continue;
    if (at.toMillis() > nowMs) break;
    caughtUpDates.push(run.date);
    run = { date, at };
  }
  return {
    localDate: run.date,
    scheduledFor: run.at.toJSDate(),
    caughtUpDates,
    ...missedBefore(first.date, timing),
    coversCyclesAfter: previousBillingInstant(first.date, timing).toJSDate(),
  };
}

/**
 * The instant the shop next becomes due; <= now when it is due already (the scheduled instant of
 * the oldest date still in reach). Stored as BillingSchedule.nextRunAt so the cron scan is an
 * index range: findDueRun(s, now) !== null exactly when nextRunAt(s, now) <= now.
 */
export function nextRunAt(schedule: ScheduleTiming, now: Date, catchUpWindowMs = DEFAULT_CATCH_UP_WINDOW_MS): Date {
  const timing = checkTiming(schedule);
  const reachableFrom = instantMillis(now, "now") - checkWindow(catchUpWindowMs);
  return firstBillingDayFrom(timing, reachableFrom).at.toJSDate();
}

// en-US names only American zones' abbreviations ("GMT+13" for Auckland); each region's own
// English locale knows its zone's, so ask those in turn and keep the GMT offset as a last resort.
const ABBREVIATION_LOCALES = ["en-US", "en-CA", "en-GB", "en-IE", "en-AU", "en-NZ", "en-IN", "en-ZA"];

/** For the admin UI: "Tue, Nov 24, 09:00 NZDT". */
export function describeLocalTime(instant: Date, timezone: string): string {
  const local = inZone(instantMillis(instant, "instant"), zoneNamed(timezone)).setLocale("en-US");
  const names = ABBREVIATION_LOCALES.map((locale) => local.setLocale(locale).offsetNameShort);
  const zoneLabel = names.find((name) => name && !/^(GMT|UTC)[+-]/.test(name)) ?? names[0];
  return `${local.toFormat("EEE, MMM d, HH:mm")} ${zoneLabel}`;
}

interface Timing {
  zone: IANAZone;
  billingHour: number;
  lastBilledLocalDate: string | null;
}

interface BillingDay {
  date: string;
  at: DateTime;
}

/** The first billable date after lastBilledLocalDate whose S(D) is at or after `fromMs`. */
function firstBillingDayFrom(timing: Timing, fromMs: number): BillingDay {
  // Dates before yesterday were scheduled before `fromMs`; yesterday may not be, when its hour
  // fell into a gap that ended today.
  let date = dayBefore(inZone(fromMs, timing.zone).toISODate()!);
  if (timing.lastBilledLocalDate !== null && date <= timing.lastBilledLocalDate) {
    date = dayAfter(timing.lastBilledLocalDate);
  }
  // S(D) grows by about a day per date, so this ends within a few steps.
  for (let step = 0; step < 31; step += 1, date = dayAfter(date)) {
    const at = billingInstantOn(date, timing);
    if (at && at.toMillis() >= fromMs) return { date, at };
  }
  throw new Error(`No billing date found from ${new Date(fromMs).toISOString()} in ${timing.zone.name}`);
}

function missedBefore(firstInReach: string, timing: Timing): Pick<DueRun, "missedDates" | "missedDatesTruncated"> {
  const missedDates: string[] = [];
  const lastBilled = timing.lastBilledLocalDate;
  if (lastBilled === null) return { missedDates, missedDatesTruncated: false };
  for (let date = dayBefore(firstInReach); date > lastBilled; date = dayBefore(date)) {
    if (!billingInstantOn(date, timing)) continue;
    if (missedDates.length === MAX_REPORTED_MISSED_DATES) return { missedDates: missedDates.reverse(), missedDatesTruncated: true };
    missedDates.push(date);
  }
  return { missedDates: missedDates.reverse(), missedDatesTruncated: false };
}

/** S(D), or null when the zone skipped D entirely. */
function billingInstantOn(date: string, timing: Timing): DateTime | null {
  const at = firstInstantReading(date, timing.billingHour, timing.zone);
  if (at.toISODate() === date) return at;
  // The hour fell into a gap reaching past midnight, or the whole date was skipped.
  return firstInstantReading(date, 0, timing.zone).toISODate() === date ? at : null;
}

/** The first instant at which the zone's clock reads `date` `hour`:00 or later. */
function firstInstantReading(date: string, hour: number, zone: IANAZone): DateTime {
  const wanted = DateTime.fromISO(date, { zone: "utc" }).set({ hour });
  const local = DateTime.fromObject(wanted.toObject(), { zone });
  const overshoot = wallClockMillis(local) - wanted.toMillis();
  if (overshoot === 0) {
    // A repeated hour has two instants; the clock read it first at the earlier one.
    return local.getPossibleOffsets().reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a));
  }
  // In a gap luxon moves the time forward by the gap's length, so the jump lies within
  // `overshoot` before `local`; find its exact instant (it need not be on the hour).
  // luxon guesses offsets from today's rules, so for a zone whose offsets changed since, the
  // jump can lie before that window: widen it until its start reads earlier than wanted.
  let before = local.toMillis() - overshoot;
  while (wallClockMillis(inZone(before, zone)) >= wanted.toMillis()) before -= Math.max(overshoot, 3600_000);
  let after = local.toMillis();
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallClockMillis(inZone(middle, zone)) >= wanted.toMillis()) after = middle;
    else before = middle;
  }
  return inZone(after, zone);
}

/** The local clock reading as a comparable number (the same reading taken in UTC). */
function wallClockMillis(local: DateTime): number {
  return local.setZone("utc", { keepLocalTime: true }).toMillis();
}

function inZone(ms: number, zone: IANAZone): DateTime {
  return DateTime.fromMillis(ms, { zone });
}

/** The scheduled instant of the nearest date before `date` that has one (skipped days have none). */
function previousBillingInstant(date: string, timing: Timing): DateTime {
  for (let day = dayBefore(date); ; day = dayBefore(day)) {
    const at = billingInstantOn(day, timing);
    if (at) return at;
  }
}

function dayAfter(date: string): string {
  return DateTime.fromISO(date, { zone: "utc" }).plus({ days: 1 }).toISODate()!;
}

function dayBefore(date: string): string {
  return DateTime.fromISO(date, { zone: "utc" }).minus({ days: 1 }).toISODate()!;
}

function checkTiming(schedule: ScheduleTiming): Timing {
  checkBillingHour(schedule.billingHour);
  if (schedule.lastBilledLocalDate !== null) checkLocalDate(schedule.lastBilledLocalDate, "lastBilledLocalDate");
  return {
    zone: zoneNamed(schedule.timezone),
    billingHour: schedule.billingHour,
    lastBilledLocalDate: schedule.lastBilledLocalDate,
  };
}

function zoneNamed(timezone: string): IANAZone {
  // IANAZone caches each name's validity, which isValidTimeZone would recompute on every call.
  const zone = typeof timezone === "string" && timezone ? IANAZone.create(timezone) : null;
  if (!zone?.isValid) {
    throw new InvalidScheduleError(`Unknown time zone ${JSON.stringify(timezone)}; expected an IANA name such as "Europe/London"`);
  }
  return zone;
}

function checkBillingHour(hour: number): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new InvalidScheduleError(`billingHour must be a whole hour from 0 to 23, got ${JSON.stringify(hour)}`);
  }
}

function checkLocalDate(date: string, label: string): void {
  const valid = typeof date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(date) && DateTime.fromISO(date, { zone: "utc" }).isValid;
  if (!valid) throw new InvalidScheduleError(`${label} must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(date)}`);
}

function checkWindow(windowMs: number): number {
  if (!Number.isFinite(windowMs) || windowMs < 0) {
    throw new InvalidScheduleError(`catchUpWindowMs must be a finite number of milliseconds >= 0, got ${windowMs}`);
  }
  return windowMs;
}

function instantMillis(instant: Date, label: string): number {
  const ms = instant instanceof Date ? instant.getTime() : NaN;
  if (Number.isNaN(ms)) throw new InvalidScheduleError(`${label} must be a valid Date, got ${String(instant)}`);
  return ms;
}
