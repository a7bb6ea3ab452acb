import { describe, expect, it } from "vitest";
import { addLocalDays, lastLocalDates, startOfLocalDate, windowStart } from "./local-days";

describe("local days", () => {
  it("adds calendar days across month and year ends", () => {
    expect(addLocalDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addLocalDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addLocalDays("2028-03-01", -1)).toBe("2028-02-29");
  });

  it.each([
    // 13:00 UTC is already the next day in Auckland and Kiritimati, still the day at UTC-12.
    ["Pacific/Auckland", ["2026-01-13", "2026-01-14", "2026-01-15"]],
    ["Pacific/Kiritimati", ["2026-01-13", "2026-01-14", "2026-01-15"]],
    ["America/Los_Angeles", ["2026-01-12", "2026-01-13", "2026-01-14"]],
    ["Etc/GMT+12", ["2026-01-12", "2026-01-13", "2026-01-14"]],
  ])("the last 3 dates in %s end with the shop's today", (zone, dates) => {
    expect(lastLocalDates(new Date("2026-01-14T13:00:00Z"), zone, 3)).toEqual(dates);
  });

  it("starts a day at local midnight, also on a DST change day", () => {
    expect(startOfLocalDate("2026-03-08", "America/New_York").toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(startOfLocalDate("2026-03-09", "America/New_York").toISOString()).toBe("2026-03-09T04:00:00.000Z");
    // Santiago skips midnight when it springs forward: the day starts at 01:00.
    expect(startOfLocalDate("2026-09-06", "America/Santiago").toISOString()).toBe("2026-09-06T04:00:00.000Z");
  });

  it("a 30-day window is 30 calendar days in the zone, whatever DST did between", () => {
    // New York sprang forward on March 8: the window is 30 days less an hour long.
    const now = new Date("2026-03-20T15:00:00Z");
    expect(windowStart(now, "America/New_York", 30).toISOString()).toBe("2026-02-19T05:00:00.000Z");
    expect(windowStart(now, "America/New_York", 1).toISOString()).toBe("2026-03-20T04:00:00.000Z");
  });
});
