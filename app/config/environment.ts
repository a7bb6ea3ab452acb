import { existsSync } from "node:fs";
import { z } from "zod";
import { parseDatabaseUrl, type DatabaseTarget } from "./database-url";

/** Scopes billing and dunning need; docs/configuration.md gives the reason for each. */
export const DEFAULT_SCOPES =
  "read_own_subscription_contracts,write_own_subscription_contracts,read_customer_payment_methods,read_customers,write_customers,read_orders";

const optionalUrl = z
  .string()
  .trim()
  .url("must be an absolute URL such as https://example.com")
  .optional()
  .or(z.literal("").transform(() => undefined));

/** A whole number in [min, max] given as a string, or `fallback` when unset or empty. */
function integerSetting(fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === "") return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        context.addIssue({ code: z.ZodIssueCode.custom, message: `must be a whole number from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });
}

const databaseUrl = z
  .string()
  .optional()
  .superRefine((value, context) => {
    try {
      parseDatabaseUrl(value);
    } catch (error) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
    }
  });

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = "json" | "pretty";

const logLevel = z
  .string()
  .optional()
  .transform((value, context): LogLevel => {
    const level = value?.trim().toLowerCase() || "info";
    if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
    context.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of ${LOG_LEVELS.join(", ")}, got "${value}"` });
    return z.NEVER;
  });

const logFormat = z
  .string()
  .optional()
  .transform((value, context): LogFormat | undefined => {
    const format = value?.trim().toLowerCase() || undefined;
    if (format === undefined || format === "json" || format === "pretty") return format;
    context.addIssue({ code: z.ZodIssueCode.custom, message: `must be json or pretty, got "${value}"` });
    return z.NEVER;
  });

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string({ required_error: "required (the app's client id from the Partner Dashboard)" }).trim().min(1, "required"),
  SHOPIFY_API_SECRET: z.string({ required_error: "required (the app's client secret)" }).trim().min(1, "required"),
  SHOPIFY_APP_URL: z
    .string({ required_error: "required (the public https URL the app is served from)" })
    .trim()
    .url("must be an absolute URL such as https://billing.example.com"),
  SCOPES: z
    .string()
    .trim()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, "must be a comma-separated list such as read_orders,read_customers")
    .default(DEFAULT_SCOPES),
  SHOP_CUSTOM_DOMAIN: z.string().trim().optional(),
  DATABASE_URL: databaseUrl,
  DIRECT_DATABASE_URL: databaseUrl,
  CRON_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (generate one with: openssl rand -hex 32)")
    .optional(),
  SHOPIFY_STORE_SIMULATOR_URL: optionalUrl,
  BILLING_TIME_BUDGET_SECONDS: integerSetting(15, 1, 900),
  BILLING_CATCH_UP_WINDOW_HOURS: integerSetting(48, 1, 720),
  BILLING_SHOP_CONCURRENCY: integerSetting(16, 1, 1000),
  BILLING_LEASE_SECONDS: integerSetting(120, 10, 3600),
  // The production server (server.ts). `shopify app dev` sets HOST to the tunnel's URL: only
  // a bare address is used to bind.
  // 0 takes any free port (the tests and the demo read which from the "listening on" line).
  PORT: integerSetting(3000, 0, 65535),
  HOST: z.string().trim().optional(),
  SHUTDOWN_GRACE_SECONDS: integerSetting(25, 1, 600),
  // Logs (app/observability/logger.server.ts): the least severe level written, and JSON lines
  // or human-readable ones (the default in development).
  LOG_LEVEL: logLevel,
  LOG_FORMAT: logFormat,
});

/**
 * What production must not run with, even when each variable is valid alone. Checked on the
 * raw variables, so these join the list even when other variables are malformed.
 */
function productionProblems(source: Record<string, string | undefined>): string[] {
  if (source.NODE_ENV !== "production") return [];
  const problems: string[] = [];
  if (!source.DATABASE_URL?.trim()) {
    problems.push("DATABASE_URL: required in production (unset means the development file ./prisma/dev.sqlite)");
  }
  if (source.SHOPIFY_STORE_SIMULATOR_URL?.trim()) {
    problems.push(
      "SHOPIFY_STORE_SIMULATOR_URL: must not be set in production: it sends every Shopify request to the store simulator, a test double",
    );
  }
  return problems;
}

/** The validated environment, plus what is derived from it once (the databases it names). */
export type AppConfig = Omit<z.infer<typeof environmentSchema>, "LOG_FORMAT"> & {
  /** LOG_FORMAT, or its default for NODE_ENV: pretty in development, JSON otherwise. */
  LOG_FORMAT: LogFormat;
  /** The database DATABASE_URL names (SQLite's development file when unset). */
  database: DatabaseTarget;
  /** Where migrations run: DIRECT_DATABASE_URL when set (past a pooler), else `database`. */
  migrationDatabase: DatabaseTarget;
};

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The app cannot start: the environment is invalid.\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Each variable is described in .env.example.",
    );
    this.name = "InvalidEnvironmentError";
  }
}

/** Validates every variable at once, so an operator sees all problems in one go. */
export function parseEnvironment(source: Record<string, string | undefined>): AppConfig {
  const result = environmentSchema.safeParse(source);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`)),
    ...productionProblems(source),
  ];
  if (problems.length > 0 || !result.success) throw new InvalidEnvironmentError(problems);
  return { ...result.data, LOG_FORMAT: result.data.LOG_FORMAT ?? defaultLogFormat(result.data.NODE_ENV), ...databasesOf(result.data) };
}

export interface LoggingConfig {
  LOG_LEVEL: LogLevel;
  LOG_FORMAT: LogFormat;
}

const defaultLogFormat = (nodeEnv: string | undefined): LogFormat => (nodeEnv === "development" || !nodeEnv ? "pretty" : "json");

/**
 * Only the logging variables, for what logs without the app's other settings (`npm run
 * setup`). Same rules as the app's; every problem is listed.
 */
export function parseLoggingEnvironment(source: Record<string, string | undefined>): LoggingConfig {
  const schema = z.object({ LOG_LEVEL: logLevel, LOG_FORMAT: logFormat });
  const result = schema.safeParse(source);
  if (!result.success) throw new InvalidEnvironmentError(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  return { LOG_LEVEL: result.data.LOG_LEVEL, LOG_FORMAT: result.data.LOG_FORMAT ?? defaultLogFormat(source.NODE_ENV) };
}

export type DatabaseConfig = Pick<AppConfig, "database" | "migrationDatabase">;

/**
 * Only the database variables, for what runs without the app's other settings: `npm run
 * setup` and the Prisma CLI (prisma.config.ts). Same rules as the app's; a bad URL throws
 * its own error, which names the fix.
 */
export function parseDatabaseEnvironment(source: Record<string, string | undefined>): DatabaseConfig {
  return databasesOf(source);
}

function databasesOf(variables: { DATABASE_URL?: string; DIRECT_DATABASE_URL?: string }): DatabaseConfig {
  const database = parseDatabaseUrl(variables.DATABASE_URL);
  const direct = variables.DIRECT_DATABASE_URL?.trim();
  return { database, migrationDatabase: direct ? parseDatabaseUrl(direct) : database };
}

/**
 * Loads `.env` (or the file APP_ENV_FILE names; "" loads none) into process.env, as
 * .env.example asks operators to. Variables already set win over the file.
 */
export function loadEnvFile(): void {
  const file = process.env.APP_ENV_FILE ?? ".env";
  if (file === "" || !existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (error) {
    throw new InvalidEnvironmentError([`${file}: cannot be read (${(error as Error).message})`]);
  }
}
