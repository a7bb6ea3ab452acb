import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
// Types only: the models are the same for every provider (one models file), so the
// SQLite client's types describe all three generated clients.
import type { PrismaClient } from ".prisma-providers/sqlite";
import type { DatabaseProvider, DatabaseTarget } from "../config/database-url";
import { createDriver } from "./driver-adapter";
import { countDatabaseStatement } from "../observability/metrics.server";
import { ClientNotGeneratedError } from "./errors";

export type { PrismaClient };
export type { Prisma, DunningTracker, FlowTriggerEvent, ChargeReconciliation } from ".prisma-providers/sqlite";

const require = createRequire(import.meta.url);

/** Where `prisma generate` writes each provider's client (see prisma/<provider>/schema.prisma). */
export function generatedClientsDirectory(): string {
  const clientPackage = require.resolve("@prisma/client/package.json");
  return path.join(clientPackage, "..", "..", "..", ".prisma-providers");
}

export function generatedProviders(directory = generatedClientsDirectory()): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory).filter((name) => existsSync(path.join(directory, name, "index.js")));
}

interface GeneratedClientModule {
  PrismaClient: new (options: {
    adapter: unknown;
    errorFormat?: "minimal" | "colorless" | "pretty";
    log?: Array<{ emit: "event"; level: "query" }>;
  }) => PrismaClient;
}

/**
 * The generated client of the provider DATABASE_URL names. Each provider's client lives in
 * its own folder, so switching DATABASE_URL without `npm run setup` fails here, clearly,
 * instead of deep inside Prisma.
 */
export function loadGeneratedClient(
  provider: DatabaseProvider,
  directory = generatedClientsDirectory(),
): GeneratedClientModule {
  const entry = path.join(directory, provider, "index.js");
  if (!existsSync(entry)) throw new ClientNotGeneratedError(provider, generatedProviders(directory));
  return require(entry) as GeneratedClientModule;
}

export function createPrismaClient(target: DatabaseTarget): PrismaClient {
  return createDatabase(target).client;
}

/** One statement outside Prisma's transactions: its rows. */
export type DirectQuery = <Row>(sql: string, values: unknown[]) => Promise<Row[]>;

/**
 * The Prisma client for the target, and a way to run a raw statement on the same pool: the
 * driver itself on PostgreSQL (far cheaper than Prisma's raw path), Prisma's raw path elsewhere.
 */
export function createDatabase(target: DatabaseTarget): { client: PrismaClient; directQuery: DirectQuery } {
  const { PrismaClient: GeneratedPrismaClient } = loadGeneratedClient(target.provider);
  const { factory, pgPool } = createDriver(target);
  // "minimal": the default format quotes the (minified) call site into every error message.
  const client = new GeneratedPrismaClient({ adapter: factory, errorFormat: "minimal", log: [{ emit: "event", level: "query" }] });
  // Counted for /api/metrics and the benchmark (statements per charged contract).
  (client as unknown as { $on(event: "query", listener: () => void): void }).$on("query", countDatabaseStatement);
  const directQuery: DirectQuery = pgPool
    ? async <Row>(sql: string, values: unknown[]) => {
        countDatabaseStatement();
        return (await pgPool.query(sql, values)).rows as Row[];
      }
    : <Row>(sql: string, values: unknown[]) => client.$queryRawUnsafe<Row[]>(sql, ...values);
  return { client, directQuery };
}
