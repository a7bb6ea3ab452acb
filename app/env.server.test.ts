import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError, parseEnvironment } from "./env.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://billing.example.com",
};

describe("parseEnvironment", () => {
  it("accepts a minimal valid environment with defaults", () => {
    const env = parseEnvironment(valid);
    expect(env.NODE_ENV).toBe("development");
    expect(env.SCOPES).toContain("write_own_subscription_contracts");
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it("lists every missing or malformed variable at once", () => {
    let error: unknown;
    try {
      parseEnvironment({
        SHOPIFY_APP_URL: "not a url",
        DATABASE_URL: "mongodb://localhost/app",
        CRON_SECRET: "short",
        SCOPES: "read orders",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    const problems = (error as InvalidEnvironmentError).problems.join("\n");
    expect(problems).toMatch(/SHOPIFY_API_KEY: required/);
    expect(problems).toMatch(/SHOPIFY_API_SECRET: required/);
    expect(problems).toMatch(/SHOPIFY_APP_URL: must be an absolute URL/);
    expect(problems).toMatch(/DATABASE_URL: .*unsupported scheme \("mongodb:"\)/);
    expect(problems).toMatch(/CRON_SECRET: must be at least 32 characters/);
    expect(problems).toMatch(/SCOPES: must be a comma-separated list/);
    expect((error as Error).message).toMatch(/\.env\.example/);
  });

  it("treats an empty simulator URL as unset", () => {
    expect(parseEnvironment({ ...valid, SHOPIFY_STORE_SIMULATOR_URL: "" }).SHOPIFY_STORE_SIMULATOR_URL).toBeUndefined();
  });

  it("gives the billing settings their defaults and reads them as whole numbers", () => {
    expect(parseEnvironment(valid)).toMatchObject({
      BILLING_TIME_BUDGET_SECONDS: 15,
      BILLING_CATCH_UP_WINDOW_HOURS: 48,
      BILLING_SHOP_CONCURRENCY: 16,
      BILLING_LEASE_SECONDS: 120,
    });
    expect(parseEnvironment({ ...valid, BILLING_TIME_BUDGET_SECONDS: "25", BILLING_CATCH_UP_WINDOW_HOURS: "" })).toMatchObject({
      BILLING_TIME_BUDGET_SECONDS: 25,
      BILLING_CATCH_UP_WINDOW_HOURS: 48,
    });
  });

  it.each([
    ["BILLING_TIME_BUDGET_SECONDS", "0"],
    ["BILLING_TIME_BUDGET_SECONDS", "2.5"],
    ["BILLING_CATCH_UP_WINDOW_HOURS", "forever"],
    ["BILLING_SHOP_CONCURRENCY", "1001"],
    ["BILLING_LEASE_SECONDS", "5"],
  ])("rejects %s=%s with the allowed range", (name, value) => {
    expect(() => parseEnvironment({ ...valid, [name]: value })).toThrow(new RegExp(`${name}: must be a whole number from \\d+ to \\d+, got "${value.replace(".", "\\.")}"`));
  });
});
