import { describe, expect, it } from "vitest";
import { isAuthorizedCronRequest, parseBillingRunRequest } from "./cron-request.server";

const SECRET = "s".repeat(40);
const post = (body?: string, authorization?: string) =>
  new Request("https://app.test/api/billing/run", {
    method: "POST",
    body,
    headers: authorization ? { Authorization: authorization } : {},
  });

describe("isAuthorizedCronRequest", () => {
  it.each([
    [`Bearer ${SECRET}`, true],
    [undefined, false],
    ["", false],
    [`Bearer ${SECRET}x`, false],
    [`Bearer ${SECRET.slice(1)}`, false],
    // Authentication schemes are case-insensitive (RFC 9110).
    [`bearer ${SECRET}`, true],
    [`BEARER ${SECRET}`, true],
    [`Basic ${SECRET}`, false],
    [SECRET, false],
    ["Bearer ", false],
  ])("Authorization %j -> %s", (authorization, expected) => {
    expect(isAuthorizedCronRequest(post(undefined, authorization), SECRET)).toBe(expected);
  });
});

describe("parseBillingRunRequest", () => {
  const real = { simulatedClock: false };

  it("takes an empty body as the defaults", async () => {
    await expect(parseBillingRunRequest(post(), real)).resolves.toEqual({ dryRun: false });
    await expect(parseBillingRunRequest(post("  "), real)).resolves.toEqual({ dryRun: false });
  });

  it("reads dryRun and a time budget", async () => {
    await expect(parseBillingRunRequest(post('{"dryRun":true,"timeBudgetSeconds":5}'), real)).resolves.toEqual({
      dryRun: true,
      timeBudgetSeconds: 5,
    });
  });

  it.each([
    ["{not json", /must be JSON/],
    ['"text"', /body: Expected object/],
    ['{"dryRun":"yes"}', /dryRun: Expected boolean/],
    ['{"timeBudgetSeconds":0}', /timeBudgetSeconds/],
    ['{"timeBudgetSeconds":901}', /timeBudgetSeconds/],
    ['{"shops":["a"]}', /Unrecognized key.*shops/],
    ['{"now":"yesterday"}', /now: Invalid datetime/],
  ])("rejects %s with the reason", async (body, reason) => {
    await expect(parseBillingRunRequest(post(body), { simulatedClock: true })).rejects.toThrow(reason);
  });

  it("refuses a body of more than 16 kB with 413, echoing no more than a little of a long field name", async () => {
    const huge = `{"${"x".repeat(20_000)}":1}`;
    await expect(parseBillingRunRequest(post(huge), real)).rejects.toMatchObject({ status: 413 });
    const longName = "y".repeat(10_000);
    const error = await parseBillingRunRequest(post(`{"${longName}":1}`), real).catch((caught: Error) => caught);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message.length).toBeLessThan(400);
  });

  it("accepts `now` only against the store simulator", async () => {
    const body = '{"now":"2026-11-24T09:00:00Z"}';
    await expect(parseBillingRunRequest(post(body), { simulatedClock: true })).resolves.toMatchObject({ now: "2026-11-24T09:00:00Z" });
    await expect(parseBillingRunRequest(post(body), real)).rejects.toThrow(/only.*store simulator/);
  });
});
