import { describe, expect, it } from "vitest";
import { wilsonInterval } from "./wilson-interval";

describe("the Wilson score interval (95 %)", () => {
  it.each<[string, number, number, { rate: number; low: number; high: number } | null]>([
    ["no trials: no interval", 0, 0, null],
    ["0 of 10: from 0, and not stuck at 0 above", 0, 10, { rate: 0, low: 0, high: 0.2775 }],
    ["0 of 73: just under 5 %", 0, 73, { rate: 0, low: 0, high: 0.05 }],
    ["1 of 1: wide", 1, 1, { rate: 1, low: 0.2065, high: 1 }],
    ["5 of 10", 5, 10, { rate: 0.5, low: 0.2366, high: 0.7634 }],
    ["10 of 10: up to 1", 10, 10, { rate: 1, low: 0.7225, high: 1 }],
    ["30 of 100", 30, 100, { rate: 0.3, low: 0.2189, high: 0.3958 }],
    ["2 of 1,000: narrow", 2, 1000, { rate: 0.002, low: 0.0005, high: 0.0073 }],
  ])("%s", (_name, successes, trials, expected) => {
    const interval = wilsonInterval(successes, trials);
    if (expected === null) return expect(interval).toBeNull();
    expect(interval?.rate).toBeCloseTo(expected.rate, 4);
    expect(interval?.low).toBeCloseTo(expected.low, 4);
    expect(interval?.high).toBeCloseTo(expected.high, 4);
  });

  it("refuses more successes than trials", () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
  });
});
