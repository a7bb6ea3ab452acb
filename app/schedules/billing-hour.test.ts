import { describe, expect, it } from "vitest";
import { parseBillingHour } from "./billing-hour";
import { nextRunAtHour, timingOnResume } from "./resume-timing";

describe("the billing hour", () => {
  it.each<[string | number | undefined, number | null]>([
    ["0", 0],
    ["9", 9],
    [" 23 ", 23],
    [14, 14],
    ["24", null],
    ["-1", null],
    ["9.5", null],
    ["nine", null],
    ["", null],
    [undefined, null],
    ["009", null],
  ])("%j is %j", (value, hour) => {
    const parsed = parseBillingHour(value);
    expect(parsed.ok ? parsed.hour : null).toBe(hour);
    if (!parsed.ok) expect(parsed.error).toMatch(/from 0 to 23/);
  });
});

describe("resuming a paused shop", () => {
  const now = new Date("2026-01-14T10:00:00Z"); // 23:00 in Auckland, 10:00 in London
  it.each<[string, string | null, string, string]>([
    ["paused for days: billed through yesterday, nothing caught up", "2026-01-02", "Europe/London", "2026-01-13"],
    ["paused today after today's run: today stays billed", "2026-01-14", "Europe/London", "2026-01-14"],
    ["never billed", null, "Europe/London", "2026-01-13"],
    ["yesterday is the shop's, not UTC's", "2026-01-02", "Pacific/Auckland", "2026-01-13"],
  ])("%s", (_name, lastBilledLocalDate, timezone, expected) => {
    expect(timingOnResume({ timezone, billingHour: 9, lastBilledLocalDate }, now).lastBilledLocalDate).toBe(expected);
  });

  it("gives the next run of each hour, from now for an active shop and on resuming for a paused one", () => {
    const schedule = { timezone: "Europe/London", billingHour: 9, lastBilledLocalDate: "2026-01-05" };
    // Active and days behind: the oldest date in the catch-up window is due now.
    expect(nextRunAtHour({ ...schedule, active: true }, 9, now).toISOString()).toBe("2026-01-13T09:00:00.000Z");
    // Paused: resuming bills today at 09:00 (due now) or at 14:00.
    expect(nextRunAtHour({ ...schedule, active: false }, 9, now).toISOString()).toBe("2026-01-14T09:00:00.000Z");
    expect(nextRunAtHour({ ...schedule, active: false }, 14, now).toISOString()).toBe("2026-01-14T14:00:00.000Z");
  });
});
