/**
 * The production server: `npm start` and the container's command (built to build/start.js).
 *
 * - Loads `.env` (APP_ENV_FILE names another file, "" none); variables already set win.
 * - Validates the environment before anything connects, and refuses to start with the list
 *   of problems, or the database's state, and exit code 1: no stack trace for an operator's
 *   mistake.
 * - On SIGTERM or SIGINT stops accepting connections, lets requests in flight finish (up to
 *   SHUTDOWN_GRACE_SECONDS), closes the database pool and exits 0.
 * - Logs through the app's logger (JSON lines, or pretty ones): a line per request, with its
 *   id, which every line the request's code logs carries too. Refusals to start are
 *   messages for the operator on stderr, not log lines.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type RequestHandler } from "express";
import { loadEnvFile, parseEnvironment, type AppConfig } from "./app/config/environment";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Errors that describe the operator's setup (bad variable, database not ready): message only. */
const STARTUP_REFUSALS = new Set([
  "InvalidEnvironmentError",
  "DatabaseUnreachableError",
  "MissingTablesError",
  "PendingMigrationsError",
  "FailedMigrationError",
  "ClientNotGeneratedError",
]);

/** Printed as it is, on stderr: what an operator reads when the app will not start. */
function printRefusal(message: string): void {
  process.stderr.write(`${message}\n`);
}

function refuseToStart(error: unknown): never {
  if (error instanceof Error && STARTUP_REFUSALS.has(error.name)) {
    printRefusal(error.message);
  } else if (error instanceof Error && error.message.includes("Cannot find module '.prisma/client")) {
    // The session storage loads @prisma/client, which `npm run setup` points at the generated client.
    printRefusal("The Prisma client has not been generated for this install: run `npm run setup`.");
  } else {
    printRefusal(format(error));
  }
  process.exit(1);
}

/**
 * What libraries print with console (React's and React Router's warnings, which quote URLs)
 * becomes log lines too: stdout stays one JSON object a line, scrubbed like the app's own.
 */
function logConsoleOutput(entry: AppEntry): void {
  const levels = { debug: "debug", log: "info", info: "info", warn: "warn", error: "error" } as const;
  for (const [method, level] of Object.entries(levels) as Array<[keyof typeof levels, (typeof levels)[keyof typeof levels]]>) {
    console[method] = (...args: unknown[]) => {
      const error = args.find((arg) => arg instanceof Error);
      const rest = args.filter((arg) => arg !== error);
      entry.logger()[level]({ event: "console", ...(error ? { error } : {}) }, rest.length ? format(...rest) : String((error as Error | undefined)?.message ?? ""));
    };
  }
}

/** A proxy's X-Request-Id when it is a plain token, else a new one. */
function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Probes and scrapes, every few seconds: a line only when they fail. */
const QUIET_PATHS = new Set(["/healthz", "/api/metrics"]);

/**
 * Gives the request its id (the X-Request-Id answer header, and every line its code logs),
 * and logs one line once it is answered: method, path without the query string (embedded
 * pages carry session tokens there), status, duration.
 */
function requestLog(entry: AppEntry): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(request.headers["x-request-id"]);
    response.setHeader("X-Request-Id", requestId);
    response.on("finish", () => {
      if (QUIET_PATHS.has(request.path) && response.statusCode < 400) return;
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      entry.logger().info(
        { event: "http_request", requestId, method: request.method, path: request.path, status: response.statusCode, durationMs },
        `${request.method} ${request.path} ${response.statusCode} ${durationMs} ms`,
      );
    });
    entry.withLogContext({ requestId }, next);
  };
}

function createApp(build: ServerBuild, entry: AppEntry): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.post(ATTEMPT_RESULTS_PATH, attemptResults(entry));
  app.use(compression());
  // Vite names built assets by content hash: cache them for good.
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.use(requestLog(entry));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));
  return app;
}

interface PlainAnswer {
  status: number;
  text?: string;
  headers?: Record<string, string>;
}

interface RawDelivery {
  method: string;
  header(name: string): string | undefined;
  body: Buffer;
}

/** The app's logger (pino), as far as the server uses it. */
interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What the build's entry module (app/entry.server.tsx) exports for the server. */
interface AppEntry {
  logger(): Logger;
  withLogContext<T>(fields: { requestId: string }, work: () => T): T;
  startApp(config: AppConfig): Promise<void>;
  stopApp(): Promise<void>;
  receiveAttemptResult(delivery: RawDelivery, receivedAt: Date): Promise<PlainAnswer>;
  MAX_WEBHOOK_BODY_BYTES: number;
}

/** Where Shopify posts billing-attempt results (shopify.app.toml). */
const ATTEMPT_RESULTS_PATH = "/webhooks/subscription_billing_attempts";

/**
 * Billing-attempt results, answered before Remix, compression and the access log: Shopify
 * sends thousands a minute during a billing run, and each must be committed and answered
 * within its 5 s timeout. The app's own code checks and records them (the Remix route at
 * the same path does the same for the dev server), counts them and times them (metrics);
 * no line is logged per delivery, but one that fails names its request id.
 */
function attemptResults(entry: AppEntry): RequestHandler {
  return (request, response) => {
    const receivedAt = new Date();
    const requestId = requestIdOf(request.headers["x-request-id"]);
    const limit = entry.MAX_WEBHOOK_BODY_BYTES;
    const reply = (answer: PlainAnswer) => {
      if (!response.headersSent) response.writeHead(answer.status, answer.headers).end(answer.text);
    };
    if (Number(request.headers["content-length"] ?? 0) > limit) {
      reply({ status: 413, text: "body too large" });
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > limit) return reply({ status: 413, text: "body too large" });
      const header = (name: string) => {
        const value = request.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      };
      // The body's events run outside the request's context: it starts here.
      entry
        .withLogContext({ requestId }, () => entry.receiveAttemptResult({ method: request.method, header, body: Buffer.concat(chunks) }, receivedAt))
        .then(reply, (error: unknown) => {
          entry.logger().error({ event: "unexpected_error", requestId, method: "POST", path: ATTEMPT_RESULTS_PATH, error }, `POST ${ATTEMPT_RESULTS_PATH} failed`);
          reply({ status: 500 });
        });
    });
  };
}

function stopGracefully(server: Server, env: AppConfig, app: AppEntry): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.logger().info({ event: "stopping", signal }, `${signal}: no new connections; finishing the requests in flight`);
    const forceExit = setTimeout(() => {
      app.logger().error({ event: "stop_forced" }, `requests still running after ${env.SHUTDOWN_GRACE_SECONDS} s (SHUTDOWN_GRACE_SECONDS): exiting`);
      process.exit(1);
    }, env.SHUTDOWN_GRACE_SECONDS * 1000);
    forceExit.unref();
    // Keep-alive connections that finish their request while we drain are closed too.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(async (error) => {
      clearInterval(closeIdle);
      // The app's database pool; open connections would keep node alive.
      await app.stopApp().catch(() => undefined);
      app.logger().info({ event: "stopped" }, "stopped");
      process.exit(error ? 1 : 0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

async function main(): Promise<void> {
  try {
    loadEnvFile();
  } catch (error) {
    refuseToStart(error);
  }
  process.env.NODE_ENV ??= "production";
  // Validated first and once: every problem is listed before anything connects.
  let env: AppConfig;
  try {
    env = parseEnvironment(process.env);
  } catch (error) {
    refuseToStart(error);
  }
  const build = (await import(pathToFileURL(path.join(root, "build", "server", "index.js")).href).catch(
    refuseToStart,
  )) as ServerBuild;
  const entry = build.entry.module as unknown as AppEntry;
  // Refuses to serve on a database that is not ready, saying why.
  await entry.startApp(env).catch(refuseToStart);
  logConsoleOutput(entry);
  const host = env.HOST && !env.HOST.includes("://") ? env.HOST : undefined;
  const app = createApp(build, entry);
  // PORT=0 takes any free port (tests): the line says which one was taken.
  const announce = () => {
    const port = (server.address() as AddressInfo).port;
    entry.logger().info({ event: "listening", port }, `listening on http://${host ?? "localhost"}:${port}`);
  };
  const server = host ? app.listen(env.PORT, host, announce) : app.listen(env.PORT, announce);
  // Refusals too: printed for the operator.
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") printRefusal(`PORT ${env.PORT} is in use by another process: choose another PORT.`);
    else printRefusal(`cannot listen on PORT ${env.PORT}: ${error.message}`);
    process.exit(1);
  });
  stopGracefully(server, env, entry);
}

void main();
