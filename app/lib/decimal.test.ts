import { describe, expect, it } from "vitest";
import { scaleDecimal, sumDecimals } from "./decimal";

describe("sumDecimals", () => {
  it.each<[string, Array<{ amount: string; count?: number }>, string | null]>([
    ["nothing", [], null],
    ["one amount", [{ amount: "12.50" }], "12.50"],
    ["amounts of different scales", [{ amount: "12.50" }, { amount: "7.5" }, { amount: "10" }], "30.00"],
    ["amounts times their counts", [{ amount: "12.50", count: 3 }, { amount: "0.01", count: 7 }], "37.57"],
    ["no float error", [{ amount: "0.1" }, { amount: "0.2" }], "0.3"],
    ["large amounts", [{ amount: "99999999999999.99", count: 1000 }], "99999999999999990.00"],
    ["what is not a decimal is left out", [{ amount: "12.50" }, { amount: "abc" }, { amount: "1e3" }], "12.50"],
    ["a negative amount", [{ amount: "10.00" }, { amount: "-2.5" }], "7.50"],
    ["only unparseable amounts", [{ amount: "" }], null],
  ])("%s", (_name, terms, expected) => {
    expect(sumDecimals(terms)).toBe(expected);
  });
});

describe("scaleDecimal", () => {
  it.each<[string, string, number, string | null]>([
    ["a quarter", "120.00", 0.25, "30.00"],
    ["rounds half away from zero at the amount's scale", "0.10", 0.25, "0.03"],
    ["nothing of it", "57.50", 0, "0.00"],
    ["all of it", "57.50", 1, "57.50"],
    ["more than all of it", "10", 2.5, "25"],
    ["no float error on large sums", "99999999999999.99", 0.5, "50000000000000.00"],
    ["a negative amount", "-10.00", 0.333333, "-3.33"],
    ["not a decimal", "abc", 0.5, null],
    ["not a ratio", "10.00", Number.NaN, null],
  ])("%s", (_name, amount, ratio, expected) => {
    expect(scaleDecimal(amount, ratio)).toBe(expected);
  });
});
