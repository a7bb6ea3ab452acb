import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type PinoPretty from "pino-pretty";
import { currentAppConfig } from "../config/app-config.server";
import { parseLoggingEnvironment, type AppConfig, type LoggingConfig } from "../config/environment";
import { scrubText, serializeError, secretsOf } from "./log-scrubbing";

// The app's one logger: JSON lines on stdout (or human-readable ones, LOG_FORMAT=pretty),
// built at first use from the validated configuration, never at import. Every line carries
// the ids of what it happened in (request, billing run, shop, tracker) from an
// AsyncLocalStorage, so code deep in a run need not pass them. Nothing personal or secret is
// written: known keys are redacted, and every string has emails, tokens, JWTs, credentials
// and query strings taken out (log-scrubbing.ts). docs/operations.md#logs lists the fields.

/** The ids a line carries when the code that logs it runs within them. */
export interface LogContext {
  /** One HTTP request (server.ts; X-Request-Id when a proxy sent a well-formed one). */
  requestId?: string;
  /** One call of the billing endpoint: every shop billed and dunning step it did. */
  runId?: string;
  shop?: string;
  trackerId?: number;
  idempotencyKey?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to every line it logs (and everything it awaits). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

/** The ids of the current context (to hand to a callback that runs outside it). */
export function currentLogContext(): LogContext {
  return { ...context.getStore() };
}

/** Keys whose values never reach a line, at the top or one or two levels down. */
const REDACTED_KEYS = [
  "accessToken",
  "refreshToken",
  "token",
  "idToken",
  "id_token",
  "sessionToken",
  "authorization",
  "Authorization",
  "cookie",
  "password",
  "secret",
  "apiSecret",
  "email",
  "firstName",
  "lastName",
  "first_name",
  "last_name",
  "customerName",
  "displayName",
  "phone",
  "query",
  "search",
  "body",
];
const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

let destinationOverride: DestinationStream | undefined;
let built: { config: AppConfig | LoggingConfig; destination: DestinationStream | undefined; logger: Logger } | undefined;
let fallbackConfig: LoggingConfig | undefined;

/**
 * Sends every line, as JSON, to `destination` instead of stdout (the tests capture lines
 * this way); undefined goes back to stdout.
 */
export function sendLogsTo(destination: DestinationStream | undefined): void {
  destinationOverride = destination;
  built = undefined;
}

/**
 * The logger for the process's configuration. Before start-up has set one (`npm run setup`,
 * a unit test), LOG_LEVEL and LOG_FORMAT are read from the environment, and a malformed value
 * falls back to the default: logging never throws.
 */
export function logger(): Logger {
  const config = currentAppConfig() ?? loggingConfigWithoutApp();
  if (built?.config !== config || built.destination !== destinationOverride) {
    built = { config, destination: destinationOverride, logger: createLogger(config, destinationOverride) };
  }
  return built.logger;
}

function loggingConfigWithoutApp(): LoggingConfig {
  if (!fallbackConfig) {
    try {
      fallbackConfig = parseLoggingEnvironment(process.env);
    } catch {
      fallbackConfig = parseLoggingEnvironment({ NODE_ENV: process.env.NODE_ENV });
    }
  }
  return fallbackConfig;
}

function createLogger(config: AppConfig | LoggingConfig, destinationOverride: DestinationStream | undefined): Logger {
  const secrets = "SHOPIFY_API_SECRET" in config ? secretsOf(config) : [];
  const scrub = (text: string) => scrubText(text, secrets);
  const options: LoggerOptions = {
    level: config.LOG_LEVEL,
    timestamp: pino.stdTimeFunctions.isoTime,
    errorKey: "error",
    serializers: { error: (error: unknown) => serializeError(error, scrub), err: (error: unknown) => serializeError(error, scrub) },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    // A fresh object each time: pino merges the line's own fields into it.
    mixin: () => ({ ...context.getStore() }),
    formatters: {
      level: (label) => ({ level: label }),
      log: (fields) => scrubFields(fields, scrub, 0) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === "string" ? scrub(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (destinationOverride) return pino(options, destinationOverride);
  // Synchronous writes: a line logged just before process.exit (a refused start, a forced
  // stop) is not lost, and readers of the output see each line as it happens.
  if (config.LOG_FORMAT === "pretty") return pino(options, prettyStream());
  return pino(options, pino.destination({ dest: 1, sync: true }));
}

/** The ids a pretty line ends with: what a developer follows a run by. */
const PRETTY_IDS = ["shop", "runId", "trackerId", "idempotencyKey"] as const;

/**
 * pino-pretty, loaded only when a process asks for pretty lines: the message (written to be
 * read on its own), the ids it happened in and an error's name and message; the other
 * fields are for machines and stay in the JSON lines.
 */
function prettyStream(): DestinationStream {
  const require = createRequire(import.meta.url);
  const { build } = require("pino-pretty") as typeof PinoPretty;
  return build({
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname",
    hideObject: true,
    messageFormat: (line, messageKey) => {
      const ids = PRETTY_IDS.filter((key) => line[key] !== undefined).map((key) => `${key}=${String(line[key])}`);
      const error = line.error as { name?: string; message?: string } | undefined;
      const failure = error ? ` (${[error.name, error.message].filter(Boolean).join(": ")})` : "";
      return `${String(line[messageKey] ?? "")}${failure}${ids.length ? `  ${ids.join(" ")}` : ""}`;
    },
  });
}

/** Strings in the line's fields, nested objects and arrays included, without what must not be logged. */
function scrubFields(value: unknown, scrub: (text: string) => string, depth: number): unknown {
  if (typeof value === "string") return scrub(value);
  if (depth > 4 || value === null || typeof value !== "object" || value instanceof Error || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, scrub, depth + 1));
  const scrubbed: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) scrubbed[key] = scrubFields(field, scrub, depth + 1);
  return scrubbed;
}
