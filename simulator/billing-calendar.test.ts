import { describe, expect, it } from "vitest";
import { addIntervals, cycleIndexAt, cycleIndexesExpectedBetween, cycleWindow, selectCycle, type BillingSchedule } from "./billing-calendar";

const at = (iso: string) => new Date(iso);
const monthly: BillingSchedule = { anchor: at("2026-01-31T10:00:00Z"), interval: "MONTH", intervalCount: 1 };

describe("addIntervals", () => {
  it("keeps the anchor's day of month, clamped to shorter months, without drifting", () => {
    expect(addIntervals(monthly.anchor, "MONTH", 1)).toEqual(at("2026-02-28T10:00:00Z"));
    expect(addIntervals(monthly.anchor, "MONTH", 2)).toEqual(at("2026-03-31T10:00:00Z"));
    expect(addIntervals(at("2028-02-29T00:00:00Z"), "YEAR", 1)).toEqual(at("2029-02-28T00:00:00Z"));
  });

  it("adds days and weeks as fixed lengths", () => {
    expect(addIntervals(at("2026-03-01T00:00:00Z"), "WEEK", 2)).toEqual(at("2026-03-15T00:00:00Z"));
    expect(addIntervals(at("2026-03-01T00:00:00Z"), "DAY", 45)).toEqual(at("2026-04-15T00:00:00Z"));
  });
});

describe("billing cycles", () => {
  it("numbers cycles from 1 at the anchor, each intervalCount intervals long", () => {
    const everyTwoWeeks: BillingSchedule = { anchor: at("2026-03-02T00:00:00Z"), interval: "WEEK", intervalCount: 2 };

    expect(cycleWindow(everyTwoWeeks, 3)).toEqual({
      index: 3,
      startAt: at("2026-03-30T00:00:00Z"),
      endAt: at("2026-04-13T00:00:00Z"),
      billingAttemptExpectedDate: at("2026-03-30T00:00:00Z"),
    });
    expect(cycleIndexAt(everyTwoWeeks, at("2026-03-01T00:00:00Z"))).toBe(0);
    expect(cycleIndexAt(everyTwoWeeks, at("2026-04-12T23:59:59Z"))).toBe(3);
    expect(cycleIndexAt(monthly, at("2027-06-30T10:00:00Z"))).toBe(18);
  });

  it("lists the cycles expected within a date range, inclusive, up to maxCycles", () => {
    expect(cycleIndexesExpectedBetween(monthly, at("2026-02-28T10:00:00Z"), at("2026-05-31T10:00:00Z"))).toEqual([2, 3, 4, 5]);
    expect(cycleIndexesExpectedBetween({ ...monthly, maxCycles: 3 }, at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))).toEqual([1, 2, 3]);
    expect(cycleIndexesExpectedBetween(monthly, at("2026-03-01T00:00:00Z"), at("2026-03-30T00:00:00Z"))).toEqual([]);
  });

  it("selects a cycle by index, by date or, without a selector, the current one", () => {
    const now = at("2026-03-15T00:00:00Z");
    expect(selectCycle(monthly, { index: 4 }, now)).toEqual({ index: 4 });
    expect(selectCycle(monthly, { date: at("2026-04-30T09:59:59Z") }, now)).toEqual({ index: 3 });
    expect(selectCycle(monthly, null, now)).toEqual({ index: 2 });
    expect(selectCycle(monthly, { index: 0 }, now)).toEqual({ problem: "INDEX_OUT_OF_RANGE" });
    expect(selectCycle({ ...monthly, maxCycles: 2 }, { index: 3 }, now)).toEqual({ problem: "INDEX_OUT_OF_RANGE" });
    expect(selectCycle(monthly, { date: at("2025-12-01T00:00:00Z") }, now)).toEqual({ problem: "DATE_OUT_OF_RANGE" });
    expect(selectCycle(monthly, { index: 1, date: now }, now)).toEqual({ problem: "AMBIGUOUS" });
  });
});
