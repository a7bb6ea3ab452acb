import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InvalidEnvironmentError, loadEnvFile, parseEnvironment, parseLoggingEnvironment } from "./environment";

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

  it("refuses, in production, the development database default and the store simulator", () => {
    expect(() => parseEnvironment({ ...valid, NODE_ENV: "production", DATABASE_URL: "" })).toThrow(
      /DATABASE_URL: required in production/,
    );
    expect(() =>
      parseEnvironment({ ...valid, NODE_ENV: "production", DATABASE_URL: "file:/data/app.sqlite", SHOPIFY_STORE_SIMULATOR_URL: "http://127.0.0.1:4010" }),
    ).toThrow(/SHOPIFY_STORE_SIMULATOR_URL: must not be set in production/);
    expect(parseEnvironment({ ...valid, NODE_ENV: "production", DATABASE_URL: "file:/data/app.sqlite" }).NODE_ENV).toBe("production");
    // Development and tests keep both.
    expect(parseEnvironment({ ...valid, SHOPIFY_STORE_SIMULATOR_URL: "http://127.0.0.1:4010" }).DATABASE_URL).toBeUndefined();
  });

  it("lists the production refusals together with every other problem", () => {
    expect(() =>
      parseEnvironment({ NODE_ENV: "production", SHOPIFY_APP_URL: "not a url", SHOPIFY_STORE_SIMULATOR_URL: "http://127.0.0.1:4010" }),
    ).toThrow(/SHOPIFY_API_KEY: required[\s\S]*SHOPIFY_APP_URL: must be[\s\S]*DATABASE_URL: required in production[\s\S]*SHOPIFY_STORE_SIMULATOR_URL: must not/);
  });

  it("names a DATABASE_URL whose password needs percent-encoding", () => {
    expect(() => parseEnvironment({ ...valid, DATABASE_URL: "postgresql://app:50%off@db/billing" })).toThrow(
      /DATABASE_URL: DATABASE_URL is malformed: .*%25/,
    );
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
    ["PORT", "70000"],
    ["SHUTDOWN_GRACE_SECONDS", "0"],
  ])("rejects %s=%s with the allowed range", (name, value) => {
    expect(() => parseEnvironment({ ...valid, [name]: value })).toThrow(new RegExp(`${name}: must be a whole number from \\d+ to \\d+, got "${value.replace(".", "\\.")}"`));
  });
});

describe("loadEnvFile", () => {
  const names = ["ENV_FILE_TEST_FROM_FILE", "ENV_FILE_TEST_ALREADY_SET", "APP_ENV_FILE"];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  let folder: string | undefined;
  afterEach(() => {
    for (const name of names) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  function envFile(text: string): string {
    folder = mkdtempSync(path.join(os.tmpdir(), "env-file-"));
    const file = path.join(folder, ".env");
    writeFileSync(file, text);
    return file;
  }

  it("adds the file's variables, and keeps those already set", () => {
    process.env.APP_ENV_FILE = envFile("ENV_FILE_TEST_FROM_FILE=from file\nENV_FILE_TEST_ALREADY_SET=from file\n");
    process.env.ENV_FILE_TEST_ALREADY_SET = "from the environment";
    loadEnvFile();
    expect(process.env.ENV_FILE_TEST_FROM_FILE).toBe("from file");
    expect(process.env.ENV_FILE_TEST_ALREADY_SET).toBe("from the environment");
  });

  it("reads nothing when APP_ENV_FILE is empty or the file does not exist", () => {
    const file = envFile("ENV_FILE_TEST_FROM_FILE=from file\n");
    process.env.APP_ENV_FILE = "";
    loadEnvFile();
    process.env.APP_ENV_FILE = `${file}.missing`;
    loadEnvFile();
    expect(process.env.ENV_FILE_TEST_FROM_FILE).toBeUndefined();
  });

  it("refuses a path that cannot be read, naming it", () => {
    process.env.APP_ENV_FILE = path.dirname(envFile(""));
    expect(() => loadEnvFile()).toThrow(InvalidEnvironmentError);
    expect(() => loadEnvFile()).toThrow(/cannot be read/);
  });
});

describe("the logging variables", () => {
  it("default to info, pretty in development and JSON otherwise, and are read case-insensitively", () => {
    expect(parseEnvironment(valid)).toMatchObject({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" });
    expect(parseEnvironment({ ...valid, NODE_ENV: "test" })).toMatchObject({ LOG_LEVEL: "info", LOG_FORMAT: "json" });
    expect(parseEnvironment({ ...valid, NODE_ENV: "production", DATABASE_URL: "file:/data/app.sqlite" }).LOG_FORMAT).toBe("json");
    expect(parseEnvironment({ ...valid, LOG_LEVEL: "WARN", LOG_FORMAT: "json" })).toMatchObject({ LOG_LEVEL: "warn", LOG_FORMAT: "json" });
    expect(parseLoggingEnvironment({ NODE_ENV: "production", LOG_FORMAT: "pretty", LOG_LEVEL: "" })).toEqual({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" });
  });

  it("refuses an unknown level or format, listed with the other problems", () => {
    expect(() => parseEnvironment({ ...valid, LOG_LEVEL: "verbose", LOG_FORMAT: "xml" })).toThrow(
      /LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"[\s\S]*LOG_FORMAT: must be json or pretty, got "xml"/,
    );
    expect(() => parseLoggingEnvironment({ LOG_LEVEL: "loud" })).toThrow(InvalidEnvironmentError);
  });
});
