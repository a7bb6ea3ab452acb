import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_CATCH_UP_WINDOW_MS,
  describeLocalTime,
  findDueRun,
  firstLastBilledLocalDate,
  InvalidScheduleError,
  localDateAt,
  nextRunAt,
  scheduledInstant,
  type ScheduleTiming,
} from "./due-time";

const HOUR = 3600_000;
const at = (iso: string) => new Date(iso);
const shop = (timezone: string, billingHour: number, lastBilledLocalDate: string | null): ScheduleTiming => ({
  timezone,
  billingHour,
  lastBilledLocalDate,
});
const plusDays = (date: string, days: number) => DateTime.fromISO(date, { zone: "utc" }).plus({ days }).toISODate()!;

describe("localDateAt", () => {
  it.each([
    ["2026-01-15T12:00:00Z", "UTC", "2026-01-15"],
    ["2026-01-01T10:00:00Z", "Pacific/Kiritimati", "2026-01-02"],
    ["2026-01-01T10:00:00Z", "Etc/GMT+12", "2025-12-31"],
    ["2026-03-08T04:59:59Z", "America/New_York", "2026-03-07"],
    ["2026-03-08T05:00:00Z", "America/New_York", "2026-03-08"],
    ["2026-06-01T18:14:59Z", "Asia/Kathmandu", "2026-06-01"],
    ["2026-06-01T18:15:00Z", "Asia/Kathmandu", "2026-06-02"],
  ])("%s in %s is %s", (instant, zone, date) => {
    expect(localDateAt(at(instant), zone)).toBe(date);
  });
});

describe("scheduledInstant", () => {
  it.each([
    ["UTC", "2026-01-15", 9, "2026-01-15T09:00:00.000Z"],
    ["UTC", "2026-01-15", 0, "2026-01-15T00:00:00.000Z"],
    ["UTC", "2026-01-15", 23, "2026-01-15T23:00:00.000Z"],
    ["UTC", "2028-02-29", 9, "2028-02-29T09:00:00.000Z"],
    ["Pacific/Kiritimati", "2026-01-01", 9, "2025-12-31T19:00:00.000Z"],
    ["Etc/GMT+12", "2026-01-01", 20, "2026-01-02T08:00:00.000Z"],
    ["Asia/Kathmandu", "2026-06-01", 9, "2026-06-01T03:15:00.000Z"],
    // Gap: 02:00 does not exist, the clock jumps 02:00 EST -> 03:00 EDT.
    ["America/New_York", "2026-03-08", 2, "2026-03-08T07:00:00.000Z"],
    ["America/New_York", "2026-03-08", 3, "2026-03-08T07:00:00.000Z"],
    ["America/New_York", "2026-03-08", 9, "2026-03-08T13:00:00.000Z"],
    // Repeat: 01:00 EDT comes first, 01:00 EST an hour later.
    ["America/New_York", "2026-11-01", 1, "2026-11-01T05:00:00.000Z"],
    ["America/New_York", "2026-11-01", 2, "2026-11-01T07:00:00.000Z"],
    ["Europe/London", "2026-03-29", 1, "2026-03-29T01:00:00.000Z"],
    ["Europe/London", "2026-10-25", 1, "2026-10-25T00:00:00.000Z"],
    ["Australia/Sydney", "2026-10-04", 2, "2026-10-03T16:00:00.000Z"],
    ["Australia/Sydney", "2026-04-05", 2, "2026-04-04T15:00:00.000Z"],
    // Lord Howe moves by half an hour: 02:00 -> 02:30 in October, 02:00 -> 01:30 in April.
    ["Australia/Lord_Howe", "2026-10-04", 2, "2026-10-03T15:30:00.000Z"],
    ["Australia/Lord_Howe", "2026-04-05", 1, "2026-04-04T14:00:00.000Z"],
    ["Australia/Lord_Howe", "2026-04-05", 2, "2026-04-04T15:30:00.000Z"],
    // St John's jumped at 00:01 in 2010: the clock first read >= 01:00 at 01:01 NDT, not 02:00.
    ["America/St_Johns", "2010-03-14", 1, "2010-03-14T03:31:00.000Z"],
    // ...and fell back across midnight in November: 7th 00:01 NDT -> 6th 23:01 NST.
    ["America/St_Johns", "2010-11-06", 23, "2010-11-07T01:30:00.000Z"],
    ["America/St_Johns", "2010-11-07", 0, "2010-11-07T02:30:00.000Z"],
    // Madeira 1946 jumped from 23:00 straight to the next day's 00:00.
    ["Atlantic/Madeira", "1946-04-06", 23, "1946-04-07T00:00:00.000Z"],
    // Apia skipped 2011-12-30 (29th 23:59:59 -10 -> 31st 00:00 +14): every hour maps to the jump.
    ["Pacific/Apia", "2011-12-30", 9, "2011-12-30T10:00:00.000Z"],
    ["Pacific/Apia", "2011-12-31", 9, "2011-12-30T19:00:00.000Z"],
  ])("%s %s at %i:00 -> %s", (zone, date, hour, expected) => {
    expect(scheduledInstant(date, hour, zone).toISOString()).toBe(expected);
  });
});

describe("findDueRun", () => {
  it.each([
    ["UTC before the hour", shop("UTC", 9, "2026-01-14"), "2026-01-15T08:59:59.999Z", null],
    ["UTC at the hour", shop("UTC", 9, "2026-01-14"), "2026-01-15T09:00:00Z", "2026-01-15"],
    ["UTC after the hour", shop("UTC", 9, "2026-01-14"), "2026-01-15T17:30:00Z", "2026-01-15"],
    ["hour 0 just before midnight", shop("UTC", 0, "2026-01-14"), "2026-01-14T23:59:59.999Z", null],
    ["hour 0 at midnight", shop("UTC", 0, "2026-01-14"), "2026-01-15T00:00:00Z", "2026-01-15"],
    ["hour 23 before", shop("UTC", 23, "2026-01-14"), "2026-01-15T22:59:00Z", null],
    ["hour 23 at", shop("UTC", 23, "2026-01-14"), "2026-01-15T23:00:00Z", "2026-01-15"],
    ["UTC+14 before, local date ahead", shop("Pacific/Kiritimati", 9, "2026-01-01"), "2026-01-01T18:59:00Z", null],
    ["UTC+14 at, local date ahead", shop("Pacific/Kiritimati", 9, "2026-01-01"), "2026-01-01T19:00:00Z", "2026-01-02"],
    ["UTC-12 before", shop("Etc/GMT+12", 9, "2025-12-31"), "2026-01-01T20:59:00Z", null],
    ["UTC-12 at", shop("Etc/GMT+12", 9, "2025-12-31"), "2026-01-01T21:00:00Z", "2026-01-01"],
    ["UTC-12, local date behind", shop("Etc/GMT+12", 20, "2025-12-31"), "2026-01-02T08:00:00Z", "2026-01-01"],
    ["New York gap, before the jump", shop("America/New_York", 2, "2026-03-07"), "2026-03-08T06:59:59Z", null],
    ["New York gap, at the jump", shop("America/New_York", 2, "2026-03-07"), "2026-03-08T07:00:00Z", "2026-03-08"],
    ["New York repeat, first 01:00", shop("America/New_York", 1, "2026-10-31"), "2026-11-01T05:00:00Z", "2026-11-01"],
    ["New York repeat, second 01:00 after billing", shop("America/New_York", 1, "2026-11-01"), "2026-11-01T06:00:00Z", null],
    ["London spring forward", shop("Europe/London", 1, "2026-03-28"), "2026-03-29T01:00:00Z", "2026-03-29"],
    ["London fall back, first 01:00", shop("Europe/London", 1, "2026-10-24"), "2026-10-25T00:00:00Z", "2026-10-25"],
    ["Sydney spring forward", shop("Australia/Sydney", 2, "2026-10-03"), "2026-10-03T16:00:00Z", "2026-10-04"],
    ["Sydney fall back", shop("Australia/Sydney", 2, "2026-04-04"), "2026-04-04T15:00:00Z", "2026-04-05"],
    ["fallen back across midnight", shop("America/St_Johns", 0, "2010-11-06"), "2010-11-07T02:45:00Z", "2010-11-07"],
    ["hour lost to a gap across midnight", shop("Atlantic/Madeira", 23, "1946-04-05"), "1946-04-07T00:00:00Z", "1946-04-06"],
    ["Kathmandu +05:45", shop("Asia/Kathmandu", 9, "2026-05-31"), "2026-06-01T03:15:00Z", "2026-06-01"],
    ["month end", shop("UTC", 9, "2026-01-30"), "2026-01-31T09:00:00Z", "2026-01-31"],
    ["month rollover", shop("UTC", 9, "2026-01-31"), "2026-02-01T09:00:00Z", "2026-02-01"],
    ["year rollover", shop("UTC", 9, "2026-12-31"), "2027-01-01T09:00:00Z", "2027-01-01"],
    ["Feb 29", shop("UTC", 9, "2028-02-28"), "2028-02-29T09:00:00Z", "2028-02-29"],
    ["after Feb 29", shop("UTC", 9, "2028-02-29"), "2028-03-01T09:00:00Z", "2028-03-01"],
    ["already billed today", shop("UTC", 9, "2026-01-15"), "2026-01-15T23:00:00Z", null],
    ["billed today, due tomorrow", shop("UTC", 9, "2026-01-15"), "2026-01-16T09:00:00Z", "2026-01-16"],
    ["new shop, hour passed", shop("UTC", 9, null), "2026-01-15T09:30:00Z", "2026-01-15"],
    ["new shop, far-ahead zone", shop("Pacific/Kiritimati", 9, null), "2026-01-01T19:00:00Z", "2026-01-02"],
    ["billed ahead (zone changed)", shop("UTC", 9, "2026-01-20"), "2026-01-16T09:00:00Z", null],
    ["Apia skipped day is never billed", shop("Pacific/Apia", 9, "2011-12-29"), "2011-12-30T18:59:00Z", null],
    ["Apia day after the skip", shop("Pacific/Apia", 9, "2011-12-29"), "2011-12-30T19:00:00Z", "2011-12-31"],
  ])("%s", (_name, schedule, now, expected) => {
    expect(findDueRun(schedule, at(now))?.localDate ?? null).toBe(expected);
  });

  it.each([
    {
      name: "scheduler down 30 h: latest date runs, the earlier one is caught up",
      schedule: shop("UTC", 9, "2026-01-13"),
      now: "2026-01-15T15:00:00Z",
      run: {
        localDate: "2026-01-15",
        scheduledFor: at("2026-01-15T09:00:00Z"),
        caughtUpDates: ["2026-01-14"],
        missedDates: [],
        // Cycles since the last run (13th, 09:00) are this run's, even those older than 48 h.
        coversCyclesAfter: at("2026-01-13T09:00:00Z"),
      },
    },
    {
      name: "scheduler down 5 days: only the window is caught up, the rest is missed",
      schedule: shop("UTC", 9, "2026-01-09"),
      now: "2026-01-15T10:00:00Z",
      run: {
        localDate: "2026-01-15",
        caughtUpDates: ["2026-01-14"],
        missedDates: ["2026-01-10", "2026-01-11", "2026-01-12", "2026-01-13"],
        // Cycles before the last missed run are missed with it.
        coversCyclesAfter: at("2026-01-13T09:00:00Z"),
      },
    },
    {
      name: "window edge is inclusive (exactly 48 h)",
      schedule: shop("UTC", 9, "2026-01-12"),
      now: "2026-01-15T09:00:00Z",
      run: { localDate: "2026-01-15", caughtUpDates: ["2026-01-13", "2026-01-14"], missedDates: [] },
    },
    {
      name: "new shop: dates in the window are caught up, nothing reported missed",
      schedule: shop("UTC", 9, null),
      now: "2026-01-15T09:00:00Z",
      run: { localDate: "2026-01-15", caughtUpDates: ["2026-01-13", "2026-01-14"], missedDates: [] },
    },
    {
      name: "caught up across a spring-forward",
      schedule: shop("Europe/London", 1, "2026-03-27"),
      now: "2026-03-29T12:00:00Z",
      run: { localDate: "2026-03-29", scheduledFor: at("2026-03-29T01:00:00Z"), caughtUpDates: ["2026-03-28"] },
    },
    {
      name: "an hour lost to a gap across midnight is still caught up at the window's edge",
      schedule: shop("Atlantic/Madeira", 23, "1946-04-05"),
      now: "1946-04-09T00:00:00Z",
      run: { localDate: "1946-04-08", caughtUpDates: ["1946-04-06", "1946-04-07"], missedDates: [] },
    },
    {
      name: "Apia skipped day is neither caught up nor missed",
      schedule: shop("Pacific/Apia", 9, "2011-12-28"),
      now: "2011-12-30T19:00:00Z",
      run: { localDate: "2011-12-31", caughtUpDates: ["2011-12-29"], missedDates: [] },
    },
    {
      name: "exactly 60 missed dates are all listed",
      schedule: shop("UTC", 9, "2025-11-14"),
      now: "2026-01-15T10:00:00Z",
      run: { caughtUpDates: ["2026-01-14"], missedDatesTruncated: false },
      missed: { count: 60, first: "2025-11-15", last: "2026-01-13" },
    },
    {
      name: "a long outage lists the 60 most recent missed dates",
      schedule: shop("UTC", 9, "2025-01-01"),
      now: "2026-01-15T10:00:00Z",
      run: { missedDatesTruncated: true },
      missed: { count: 60, first: "2025-11-15", last: "2026-01-13" },
    },
  ])("$name", ({ schedule, now, run, missed }) => {
    const due = findDueRun(schedule, at(now));
    expect(due).toMatchObject(run);
    if (missed) {
      expect(due?.missedDates).toHaveLength(missed.count);
      expect(due?.missedDates.at(0)).toBe(missed.first);
      expect(due?.missedDates.at(-1)).toBe(missed.last);
    }
  });

  it.each([
    ["at the edge of a 1 h window", "2026-01-15T10:00:00Z", "2026-01-15"],
    ["past a 1 h window", "2026-01-15T10:00:00.001Z", null],
  ])("window is configurable: %s", (_name, now, expected) => {
    expect(findDueRun(shop("UTC", 9, "2026-01-14"), at(now), HOUR)?.localDate ?? null).toBe(expected);
  });

  it("with a 1 h window a date older than the window is missed, not caught up", () => {
    expect(findDueRun(shop("UTC", 9, "2026-01-13"), at("2026-01-15T09:30:00Z"), HOUR)).toMatchObject({
      localDate: "2026-01-15",
      caughtUpDates: [],
      missedDates: ["2026-01-14"],
    });
  });
});

describe("nextRunAt", () => {
  it.each([
    ["after billing today: tomorrow's hour", shop("UTC", 9, "2026-01-15"), "2026-01-15T09:05:00Z", undefined, "2026-01-16T09:00:00.000Z"],
    ["due now: the oldest date in reach", shop("UTC", 9, "2026-01-09"), "2026-01-15T10:00:00Z", undefined, "2026-01-14T09:00:00.000Z"],
    ["next date already out of a 1 h window", shop("UTC", 9, "2026-01-13"), "2026-01-15T12:00:00Z", HOUR, "2026-01-16T09:00:00.000Z"],
    ["New York, into the gap", shop("America/New_York", 2, "2026-03-07"), "2026-03-07T07:05:00Z", undefined, "2026-03-08T07:00:00.000Z"],
    ["New York, after the first 01:00", shop("America/New_York", 1, "2026-11-01"), "2026-11-01T05:05:00Z", undefined, "2026-11-02T06:00:00.000Z"],
    ["year rollover", shop("UTC", 9, "2026-12-31"), "2026-12-31T09:05:00Z", undefined, "2027-01-01T09:00:00.000Z"],
    ["billed ahead (zone changed)", shop("UTC", 9, "2026-01-20"), "2026-01-16T09:00:00Z", undefined, "2026-01-21T09:00:00.000Z"],
    ["Apia skips the missing day", shop("Pacific/Apia", 9, "2011-12-29"), "2011-12-29T20:00:00Z", undefined, "2011-12-30T19:00:00.000Z"],
  ])("%s", (_name, schedule, now, windowMs, expected) => {
    expect(nextRunAt(schedule, at(now), windowMs).toISOString()).toBe(expected);
  });
});

describe("findDueRun and nextRunAt agree, and each date is billed exactly once", () => {
  const STEP = 15 * 60_000;
  const SWEEP_DAYS = 4;
  // [zone, first UTC day of the sweep, local dates the zone skipped]
  const sweeps: [string, string, string[]][] = [
    ["America/New_York", "2026-03-07", []],
    ["America/New_York", "2026-10-31", []],
    ["Europe/London", "2026-03-28", []],
    ["Europe/London", "2026-10-24", []],
    ["Australia/Sydney", "2026-04-03", []],
    ["Australia/Sydney", "2026-10-02", []],
    ["Australia/Lord_Howe", "2026-04-03", []],
    ["Australia/Lord_Howe", "2026-10-02", []],
    ["Asia/Kathmandu", "2026-05-31", []],
    ["Pacific/Kiritimati", "2026-12-30", []],
    ["Etc/GMT+12", "2026-12-30", []],
    ["America/St_Johns", "2010-03-12", []],
    ["America/St_Johns", "2010-11-05", []],
    ["Atlantic/Madeira", "1946-04-04", []],
    ["Pacific/Apia", "2011-12-28", ["2011-12-30"]],
  ];
  const hours = [0, 1, 2, 9, 23];

  it.each(sweeps.flatMap(([zone, day, skipped]) => hours.map((hour) => [zone, day, hour, skipped] as const)))(
    "%s from %s at %i:00",
    (zone, day, hour, skipped) => {
      const start = Date.parse(`${day}T00:00:00Z`);
      const schedule = shop(zone, hour, localDateAt(new Date(start), zone));
      const billed: string[] = [];
      const firstExpected = plusDays(schedule.lastBilledLocalDate!, 1);
      for (let ms = start; ms <= start + SWEEP_DAYS * 24 * HOUR; ms += STEP) {
        const now = new Date(ms);
        const run = findDueRun(schedule, now);
        expect(run !== null, `due at ${now.toISOString()}`).toBe(nextRunAt(schedule, now) <= now);
        if (!run) continue;
        const lateBy = ms - scheduledInstant(run.localDate, hour, zone).getTime();
        expect(lateBy >= 0 && lateBy < STEP, `${run.localDate} run at ${now.toISOString()}`).toBe(true);
        expect(run).toMatchObject({ caughtUpDates: [], missedDates: [] });
        billed.push(run.localDate);
        schedule.lastBilledLocalDate = run.localDate;
        expect(findDueRun(schedule, now)).toBeNull();
        expect(nextRunAt(schedule, now).getTime()).toBeGreaterThan(ms);
      }
      // Every local date from the day after the start, in order, once; only skipped dates absent.
      const calendar = Array.from({ length: billed.length + skipped.length }, (_, i) => plusDays(firstExpected, i));
      expect(billed.length).toBeGreaterThanOrEqual(SWEEP_DAYS - 1);
      expect(billed).toEqual(calendar.filter((date) => !skipped.includes(date)));
    },
  );
});

describe("describeLocalTime", () => {
  it.each([
    ["2026-11-23T20:00:00Z", "Pacific/Auckland", "Tue, Nov 24, 09:00 NZDT"],
    ["2026-03-08T07:00:00Z", "America/New_York", "Sun, Mar 8, 03:00 EDT"],
    ["2026-07-01T08:00:00Z", "Europe/London", "Wed, Jul 1, 09:00 BST"],
    ["2026-06-01T03:15:00Z", "Asia/Kathmandu", "Mon, Jun 1, 09:00 GMT+5:45"],
    ["2026-01-01T21:00:00Z", "Etc/GMT+12", "Thu, Jan 1, 09:00 GMT-12"],
    ["2026-01-15T00:00:00Z", "UTC", "Thu, Jan 15, 00:00 UTC"],
  ])("%s in %s", (instant, zone, label) => {
    expect(describeLocalTime(at(instant), zone)).toBe(label);
  });
});

describe("invalid input", () => {
  const now = at("2026-01-15T09:00:00Z");
  it.each([
    ["unknown zone", () => findDueRun(shop("Mars/Olympus", 9, null), now), "Mars/Olympus"],
    ["empty zone", () => nextRunAt(shop("", 9, null), now), '""'],
    ["luxon-only zone name", () => localDateAt(now, "system"), "system"],
    ["hour 24", () => findDueRun(shop("UTC", 24, null), now), "24"],
    ["hour -1", () => nextRunAt(shop("UTC", -1, null), now), "-1"],
    ["fractional hour", () => scheduledInstant("2026-01-15", 9.5, "UTC"), "9.5"],
    ["unpadded date", () => findDueRun(shop("UTC", 9, "2026-1-5"), now), "2026-1-5"],
    ["impossible date", () => findDueRun(shop("UTC", 9, "2026-02-30"), now), "2026-02-30"],
    ["date with time", () => nextRunAt(shop("UTC", 9, "2026-01-15T00:00"), now), "2026-01-15T00:00"],
    ["bad scheduled date", () => scheduledInstant("15/01/2026", 9, "UTC"), "15/01/2026"],
    ["negative window", () => findDueRun(shop("UTC", 9, null), now, -1), "-1"],
    ["NaN window", () => nextRunAt(shop("UTC", 9, null), now, NaN), "NaN"],
    ["invalid now", () => findDueRun(shop("UTC", 9, null), new Date("nope")), "Invalid Date"],
    ["unknown zone in describe", () => describeLocalTime(now, "Europe/Londn"), "Europe/Londn"],
  ])("%s", (_name, call, badValue) => {
    expect(call).toThrow(InvalidScheduleError);
    expect(call).toThrow(RangeError);
    expect(call).toThrow(badValue);
  });

  it("defaults the window to 48 h", () => {
    expect(DEFAULT_CATCH_UP_WINDOW_MS).toBe(48 * HOUR);
  });
});

/** A second, independent computation: the zone's calendar date from Intl, the day before by UTC date arithmetic. */
function localDayBeforeByIntl(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
  const value = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  return new Date(Date.UTC(value("year"), value("month") - 1, value("day") - 1)).toISOString().slice(0, 10);
}

describe("firstLastBilledLocalDate: a new shop counts as billed for the local day before", () => {
  it.each([
    // Installed just after a 23-hour day: 24 hours earlier is two local days back.
    ["2026-03-09T04:30:00Z", "America/New_York", "2026-03-08"],
    // Installed late on a 25-hour day: 24 hours earlier is still today.
    ["2026-11-02T04:30:00Z", "America/New_York", "2026-10-31"],
    ["2026-04-05T13:30:00Z", "Pacific/Auckland", "2026-04-05"],
    ["2026-09-27T11:30:00Z", "Pacific/Auckland", "2026-09-27"],
    ["2026-01-01T00:30:00Z", "Pacific/Kiritimati", "2025-12-31"],
    ["2026-03-01T12:00:00Z", "Etc/GMT+12", "2026-02-28"],
  ])("installed at %s in %s: %s", (instant, timezone, expected) => {
    expect(firstLastBilledLocalDate(at(instant), timezone)).toBe(expected);
    expect(localDayBeforeByIntl(at(instant), timezone)).toBe(expected);
  });

  it.each(["America/New_York", "Europe/London", "Pacific/Auckland", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu", "Pacific/Chatham", "UTC"])(
    "agrees with the independent computation every 20 minutes of 2026 in %s",
    (timezone) => {
      for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 20 * 60_000) {
        const instant = new Date(ms);
        const computed = firstLastBilledLocalDate(instant, timezone);
        if (computed !== localDayBeforeByIntl(instant, timezone)) {
          expect.fail(`${instant.toISOString()} in ${timezone}: ${computed} vs ${localDayBeforeByIntl(instant, timezone)}`);
        }
      }
    },
  );

  it("a shop installed after midnight, before its billing hour, is first billed at that hour today", () => {
    const installed = at("2026-03-09T04:30:00Z"); // 00:30 EDT
    const timing = shop("America/New_York", 9, firstLastBilledLocalDate(installed, "America/New_York"));
    expect(nextRunAt(timing, installed)).toEqual(at("2026-03-09T13:00:00Z"));
    expect(findDueRun(timing, installed)).toBeNull();
  });

  it("a shop installed late on the 25-hour day is due for that day at once", () => {
    const installed = at("2026-11-02T04:30:00Z"); // 23:30 EST on 1 November
    const timing = shop("America/New_York", 9, firstLastBilledLocalDate(installed, "America/New_York"));
    expect(findDueRun(timing, installed)?.localDate).toBe("2026-11-01");
  });
});

describe("scheduledInstant is the first instant the clock reads the hour, for historic offsets too", () => {
  // Samoa was UTC-11 with DST before it skipped 30 December 2011: luxon's offset guess for
  // those dates comes from today's rules, so the gap lies outside the first search window.
  it.each([
    ["2010-09-26", 1],
    ["2010-09-26", 3],
    ["2011-09-25", 0],
    ["2011-09-25", 2],
  ])("Pacific/Apia on %s at %i:00", (date, hour) => {
    const at = scheduledInstant(date, hour, "Pacific/Apia").getTime();
    const reading = (ms: number) => DateTime.fromMillis(ms, { zone: "Pacific/Apia" }).toFormat("yyyy-MM-dd HH");
    const wanted = `${date} ${String(hour).padStart(2, "0")}`;
    expect(reading(at) >= wanted).toBe(true);
    expect(reading(at - 1) < wanted).toBe(true);
  });
});
