/**
 * The production server: `npm start` and the container's command (built to build/start.js).
 *
 * - Loads `.env` (APP_ENV_FILE names another file, "" none); variables already set win.
 * - Validates the environment before anything connects, and refuses to start with the list
 *   of problems, or the database's state, and exit code 1: no stack trace for an operator's
 *   mistake.
 * - On SIGTERM or SIGINT stops accepting connections, lets requests in flight finish (up to
 *   SHUTDOWN_GRACE_SECONDS), closes the database pool and exits 0.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

function refuseToStart(error: unknown): never {
  if (error instanceof Error && STARTUP_REFUSALS.has(error.name)) {
    console.error(error.message);
  } else if (error instanceof Error && error.message.includes("Cannot find module '.prisma/client")) {
    // The session storage loads @prisma/client, which `npm run setup` points at the generated client.
    console.error("The Prisma client has not been generated for this install: run `npm run setup`.");
  } else {
    console.error(error);
  }
  process.exit(1);
}

/** One line per request, without the query string: embedded pages carry session tokens there. */
const accessLog: RequestHandler = (request, response, next) => {
  const started = process.hrtime.bigint();
  response.on("finish", () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`${request.method} ${request.path} ${response.statusCode} ${ms.toFixed(1)} ms`);
  });
  next();
};

function createApp(build: ServerBuild, entry: AppEntry): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.post(ATTEMPT_RESULTS_PATH, attemptResults(entry));
  app.use(compression());
  // Vite names built assets by content hash: cache them for good.
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "public"), { maxAge: "1h" }));
  app.use(accessLog);
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

/** What the build's entry module (app/entry.server.tsx) exports for the server. */
interface AppEntry {
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
 * the same path does the same for the dev server).
 */
function attemptResults(entry: AppEntry): RequestHandler {
  return (request, response) => {
    const receivedAt = new Date();
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
      entry.receiveAttemptResult({ method: request.method, header, body: Buffer.concat(chunks) }, receivedAt).then(reply, (error: unknown) => {
        console.error(`POST ${ATTEMPT_RESULTS_PATH} failed`, error);
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
    console.log(`${signal}: no new connections; finishing the requests in flight`);
    const forceExit = setTimeout(() => {
      console.error(`requests still running after ${env.SHUTDOWN_GRACE_SECONDS} s (SHUTDOWN_GRACE_SECONDS): exiting`);
      process.exit(1);
    }, env.SHUTDOWN_GRACE_SECONDS * 1000);
    forceExit.unref();
    // Keep-alive connections that finish their request while we drain are closed too.
    const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(async (error) => {
      clearInterval(closeIdle);
      // The app's database pool; open connections would keep node alive.
      await app.stopApp().catch(() => undefined);
      console.log("stopped");
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
  const host = env.HOST && !env.HOST.includes("://") ? env.HOST : undefined;
  const app = createApp(build, entry);
  // PORT=0 takes any free port (tests): the line says which one was taken.
  const announce = () => console.log(`listening on http://${host ?? "localhost"}:${(server.address() as AddressInfo).port}`);
  const server = host ? app.listen(env.PORT, host, announce) : app.listen(env.PORT, announce);
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EADDRINUSE") console.error(`PORT ${env.PORT} is in use by another process: choose another PORT.`);
    else console.error(`cannot listen on PORT ${env.PORT}: ${error.message}`);
    process.exit(1);
  });
  stopGracefully(server, env, entry);
}

void main();
