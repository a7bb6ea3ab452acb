import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { allowConsoleErrors } from "../../tests/support/fail-on-console-error";
import { capturedLogs, capturedLogText } from "../../tests/support/log-capture";
import { setAppConfig } from "../config/app-config.server";
import { parseEnvironment } from "../config/environment";
import { currentLogContext, logger, withLogContext } from "./logger.server";
import { scrubText } from "./log-scrubbing";

const root = path.resolve(import.meta.dirname, "..", "..");
const CRON_SECRET = "cron-secret-0123456789abcdef0123456789";
const DATABASE_PASSWORD = "p4ssw0rd-of-the-db";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzaGFyZWQiOiJ5ZXMiLCJkZXN0IjoiaHR0cHM6Ly9zaG9wIn0.c2lnbmF0dXJlLXBhcnQ";

function useConfig(extra: Record<string, string> = {}) {
  setAppConfig(
    parseEnvironment({
      NODE_ENV: "test",
      SHOPIFY_API_KEY: "key",
      SHOPIFY_API_SECRET: "shopify-api-secret-value",
      SHOPIFY_APP_URL: "https://billing.example.com",
      CRON_SECRET,
      DATABASE_URL: `postgresql://app:${DATABASE_PASSWORD}@db:5432/billing`,
      ...extra,
    }),
  );
}

describe("the logger", () => {
  afterEach(() => useConfig());

  it("writes level, time and message on every line, and the ids of the context it runs in", async () => {
    useConfig();
    logger().info({ event: "outside" }, "no context");
    await withLogContext({ requestId: "req-1", runId: "run-1" }, async () => {
      await withLogContext({ shop: "a.myshopify.com", trackerId: 7 }, async () => {
        await Promise.resolve();
        logger().info({ event: "inside", idempotencyKey: "billing-1-cycle-1-attempt-2" }, "in a shop");
        // A line's own field wins over the context's.
        logger().warn({ event: "override", shop: "b.myshopify.com" }, "another shop");
      });
      expect(currentLogContext()).toEqual({ requestId: "req-1", runId: "run-1" });
    });
    expect(currentLogContext()).toEqual({});

    const [outside, inside, override] = capturedLogs();
    expect(outside).toEqual({ level: "info", time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), pid: process.pid, hostname: expect.any(String), event: "outside", msg: "no context" });
    expect(inside).toMatchObject({
      level: "info",
      requestId: "req-1",
      runId: "run-1",
      shop: "a.myshopify.com",
      trackerId: 7,
      idempotencyKey: "billing-1-cycle-1-attempt-2",
      msg: "in a shop",
    });
    expect(override).toMatchObject({ level: "warn", shop: "b.myshopify.com", trackerId: 7 });
  });

  it("keeps the context of concurrent work apart", async () => {
    useConfig();
    const work = (shop: string, delayMs: number) =>
      withLogContext({ shop }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        logger().info({ event: "billed" }, `billed ${shop}`);
      });
    await Promise.all([work("slow.myshopify.com", 20), work("fast.myshopify.com", 1)]);
    expect(capturedLogs({ event: "billed" }).map((line) => [line.shop, line.msg])).toEqual([
      ["fast.myshopify.com", "billed fast.myshopify.com"],
      ["slow.myshopify.com", "billed slow.myshopify.com"],
    ]);
  });

  it("redacts tokens, secrets and personal data by key, at any depth it is likely to be found", () => {
    useConfig();
    logger().info(
      {
        event: "keys",
        accessToken: "shpat_0123456789abcdef",
        email: "who@example.com",
        customer: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
        request: { headers: { authorization: `Bearer ${CRON_SECRET}`, cookie: "shopify_session=abc" } },
        session: { refreshToken: "shprt_abc", idToken: JWT },
      },
      "keys",
    );
    const [line] = capturedLogs({ event: "keys" });
    expect(line).toMatchObject({
      accessToken: "[redacted]",
      email: "[redacted]",
      customer: { firstName: "[redacted]", lastName: "[redacted]", email: "[redacted]" },
      request: { headers: { authorization: "[redacted]", cookie: "[redacted]" } },
      session: { refreshToken: "[redacted]", idToken: "[redacted]" },
    });
    expect(capturedLogText()).not.toMatch(/Ada|Lovelace|example\.com|shpat_|shprt_|eyJ/);
  });

  it("takes emails, JWTs, tokens, credentials, query strings and the configured secrets out of every string", () => {
    useConfig();
    const leaky = [
      `failed for who@example.com`,
      `GET /app?embedded=1&shop=a.myshopify.com&id_token=${JWT} 200`,
      `fetch https://a.myshopify.com/admin/oauth/authorize?client_id=x&state=y failed`,
      `token ${JWT} expired`,
      `X-Shopify-Access-Token: shpat_0123456789abcdefABCDEF`,
      `Authorization: Bearer ${CRON_SECRET}`,
      `Authorization: Bearer opaque.token-123`,
      `connect postgresql://app:${DATABASE_PASSWORD}@db:5432/billing refused`,
      `the secret is ${CRON_SECRET}!`,
      `HMAC with shopify-api-secret-value`,
    ].join("\n");
    logger().warn({ event: "strings", detail: leaky, nested: { list: [leaky] } }, leaky);
    const text = capturedLogText();
    for (const secret of ["who@example.com", "id_token", "client_id", "eyJ", "shpat_", "opaque.token", CRON_SECRET, DATABASE_PASSWORD, "shopify-api-secret-value"]) {
      expect(text).not.toContain(secret);
    }
    const [line] = capturedLogs({ event: "strings" });
    expect(line.msg).toContain("failed for [email]");
    expect(line.msg).toContain("GET /app?[query] 200");
    expect(line.msg).toContain("https://a.myshopify.com/admin/oauth/authorize?[query] failed");
    expect(line.msg).toContain("postgresql://app:[redacted]@db:5432/billing");
    expect(line.msg).toContain("Bearer [redacted]");
  });

  it("logs an error by its kind, code, first line and stack frames: never the values a database error quotes", () => {
    useConfig();
    const error = Object.assign(new Error("Unique constraint failed on customer ada@example.com\n  values: ('Ada Lovelace', 'ada@example.com')"), {
      code: "P2002",
    });
    logger().warn({ event: "failed", error }, "write failed");
    const [line] = capturedLogs({ event: "failed" });
    expect(line.error).toEqual({
      name: "Error",
      code: "P2002",
      message: "Unique constraint failed on customer [email]",
      stack: expect.arrayContaining([expect.stringMatching(/^at /)]),
    });
    expect(capturedLogText()).not.toMatch(/Ada|Lovelace/);
  });

  it("writes an error-level line to console.error too: a test fails on one it did not expect", () => {
    useConfig();
    allowConsoleErrors();
    const consoleError = vi.spyOn(console, "error").mockImplementation(() => {});
    logger().info({ event: "fine" }, "fine");
    logger().error({ event: "broken" }, "broken");
    expect(consoleError).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(consoleError.mock.calls[0][0]))).toMatchObject({ level: "error", event: "broken" });
  });

  it("writes only the levels LOG_LEVEL lets through, and follows a new configuration", () => {
    useConfig({ LOG_LEVEL: "warn" });
    logger().info({ event: "chatty" }, "left out");
    logger().warn({ event: "worth-it" }, "kept");
    useConfig({ LOG_LEVEL: "debug" });
    logger().debug({ event: "detail" }, "kept too");
    expect(capturedLogs().map((line) => line.event)).toEqual(["worth-it", "detail"]);
  });

  it("scrubs plain text alike for what logs without the logger", () => {
    expect(scrubText("mail ada@example.com at /x?y=z", [])).toBe("mail [email] at /x?[query]");
    // Ordinary punctuation stays.
    expect(scrubText("what? 3 of 4 shops (75%) billed: ok", [])).toBe("what? 3 of 4 shops (75%) billed: ok");
  });
});

describe("the logger's output on stdout", () => {
  const run = (env: Record<string, string>) => {
    const script = `import { logger, withLogContext } from "./app/observability/logger.server.ts";
      withLogContext({ runId: "run-7" }, () => logger().info({ event: "shop_billed", shop: "a.myshopify.com", email: "who@example.com" }, "billed a.myshopify.com"));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
      encoding: "utf8",
    });
    expect(child.status, child.stderr).toBe(0);
    return child.stdout.trim();
  };

  it("is a JSON object a line in production, and human-readable lines in development (and with LOG_FORMAT=pretty)", () => {
    const json = JSON.parse(run({ NODE_ENV: "production" }));
    expect(json).toMatchObject({ level: "info", runId: "run-7", shop: "a.myshopify.com", event: "shop_billed", email: "[redacted]", msg: "billed a.myshopify.com" });

    for (const env of [{ NODE_ENV: "development" }, { NODE_ENV: "production", LOG_FORMAT: "pretty" }] as Array<Record<string, string>>) {
      const pretty = run(env);
      expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: billed a\.myshopify\.com {2}shop=a\.myshopify\.com runId=run-7$/);
      expect(pretty).not.toContain("who@example.com");
    }
  });
});
