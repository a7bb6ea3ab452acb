import { DateTime } from "luxon";
import { localDateAt } from "./due-time";

// Calendar days in a shop's time zone, for windows such as "the last 30 days": counted in
// local dates (a DST change does not move a day's start), never as multiples of 24 hours.

/** The date `days` after `localDate` ("YYYY-MM-DD"; negative goes back). */
export function addLocalDays(localDate: string, days: number): string {
  return DateTime.fromISO(localDate, { zone: "utc" }).plus({ days }).toISODate()!;
}

/** The shop's last `count` local dates, oldest first, ending with today's. */
export function lastLocalDates(now: Date, timezone: string, count: number): string[] {
  const today = localDateAt(now, timezone);
  return Array.from({ length: count }, (_, i) => addLocalDays(today, i - count + 1));
}

/** The first instant of a local date in the zone (local midnight, or when the clock jumps past it). */
export function startOfLocalDate(localDate: string, timezone: string): Date {
  const start = DateTime.fromISO(localDate, { zone: timezone }).startOf("day");
  if (!start.isValid) throw new RangeError(`Not a local date in ${timezone}: ${localDate}`);
  return start.toJSDate();
}

/** The start of the window of the shop's last `days` local dates, today included. */
export function windowStart(now: Date, timezone: string, days: number): Date {
  return startOfLocalDate(addLocalDays(localDateAt(now, timezone), 1 - days), timezone);
}
