import { describe, expect, it } from "vitest";
import { MerchantFormat, supportedLocale } from "./merchant-format";

const now = new Date("2026-12-03T12:00:00Z");
const format = (locale: string, timeZone: string, at = now) => new MerchantFormat({ locale, timeZone, now: at });

describe("MerchantFormat", () => {
  it.each([
    ["en-US", "Pacific/Auckland", "2026-12-28T20:00:00Z", "Tue, Dec 29, 9:00 AM NZDT"],
    ["en-US", "America/Los_Angeles", "2026-12-26T10:00:00Z", "Sat, Dec 26, 2:00 AM PST"],
    ["en-GB", "Europe/London", "2026-12-26T10:00:00Z", "Sat 26 Dec, 10:00 GMT"],
    // Across New Year in the shop's zone: the year is shown.
    ["en-US", "Pacific/Auckland", "2026-12-31T12:00:00Z", "Fri, Jan 1, 2027, 1:00 AM NZDT"],
    ["en-NZ", "Pacific/Auckland", "2026-12-28T20:00:00Z", "Tue, 29 Dec, 9:00 am NZDT"],
    // No abbreviation exists for the zone in any locale: its offset.
    ["en-GB", "Pacific/Kiritimati", "2025-06-01T00:00:00Z", "Sun, 1 Jun 2025, 14:00 GMT+14"],
  ])("%s in %s: %s is %s", (locale, zone, instant, expected) => {
    expect(format(locale, zone).dateTime(new Date(instant)).replace(/\u202f/g, " ")).toBe(expected);
  });

  it("writes dates in the merchant's language", () => {
    expect(format("fr-FR", "Europe/Paris").dateTime(new Date("2026-12-26T10:00:00Z"))).toMatch(/^sam\. 26 déc\., 11:00 (UTC\+1|CET)$/);
    expect(format("de-DE", "Europe/Berlin").date(new Date("2027-01-05T10:00:00Z"))).toBe("5. Jan. 2027");
  });

  it("gives a shop's calendar date its weekday, and the year when it is not this year", () => {
    expect(format("en-US", "Pacific/Auckland").localDate("2026-12-28")).toBe("Mon, Dec 28");
    expect(format("en-US", "Pacific/Auckland").localDate("2027-01-04")).toBe("Mon, Jan 4, 2027");
  });

  it("formats money exactly, in the currency's and the locale's conventions", () => {
    expect(format("en-US", "UTC").money("12.5", "USD")).toBe("$12.50");
    expect(format("fr-FR", "UTC").money("1234.5", "EUR").replace(/\u202f|\u00a0/g, " ")).toBe("1 234,50 €");
    expect(format("en-NZ", "UTC").money("29.00", "NZD")).toBe("$29.00");
    expect(format("en-US", "UTC").money("9007199254740993.01", "USD")).toBe("$9,007,199,254,740,993.01");
    expect(format("en-US", "UTC").money("19.99", "JPY")).toBe("¥20");
    expect(format("en-US", "UTC").money("3.00", null)).toBe("3");
  });

  it("rounds an estimated amount to the whole unit of its currency", () => {
    expect(format("en-NZ", "UTC").wholeMoney("1239.50", "NZD")).toBe("$1,240");
    expect(format("fr-FR", "UTC").wholeMoney("1234.49", "EUR").replace(/\u202f|\u00a0/g, " ")).toBe("1 234 €");
    expect(format("en-US", "UTC").wholeMoney("0.40", "USD")).toBe("$0");
    expect(format("en-US", "UTC").wholeMoney("12.50", null)).toBe("13");
  });

  it("formats rates and billing hours for the locale", () => {
    expect(format("en-US", "UTC").percent(0.732)).toBe("73.2%");
    expect(format("fr-FR", "UTC").percent(0.732).replace(/\u202f|\u00a0/g, " ")).toBe("73,2 %");
    expect(format("en-US", "UTC").hour(9).replace(/\u202f/g, " ")).toBe("9:00 AM");
    expect(format("en-GB", "UTC").hour(0)).toBe("00:00");
  });

  it("names the shop's time zone as people say it, in the merchant's language", () => {
    expect(format("en-US", "Pacific/Auckland").timeZoneName()).toBe("New Zealand Time");
    expect(format("en-US", "America/Los_Angeles").timeZoneName()).toBe("Pacific Time");
    expect(format("fr-FR", "Pacific/Auckland").timeZoneName()).toBe("heure de la Nouvelle-Zélande");
    // A zone with no name of its own keeps its IANA name rather than an offset.
    expect(format("en-US", "UTC").timeZoneName()).toBe("UTC");
    expect(format("en-US", "Etc/GMT+12").timeZoneName()).toBe("Etc/GMT+12");
  });

  it("falls back to US English for a locale Intl does not know or a malformed one", () => {
    expect(supportedLocale("xx-invalid-###")).toBe("en-US");
    expect(supportedLocale(undefined)).toBe("en-US");
    expect(supportedLocale("fr")).toBe("fr");
  });
});
