import { describe, expect, it } from "vitest";
import { formatBillingHour, isValidTimeZone } from "./time-zone";

describe("isValidTimeZone", () => {
  it.each(["UTC", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu"])("accepts %s", (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });
  it.each(["", "Mars/Olympus", "GMT+25", "new york"])("rejects %j", (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });
});

describe("formatBillingHour", () => {
  it.each([
    [0, "00:00"],
    [9, "09:00"],
    [23, "23:00"],
  ])("%i -> %s", (hour, label) => {
    expect(formatBillingHour(hour)).toBe(label);
  });
});
