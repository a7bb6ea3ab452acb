import { spawn } from "node:child_process";
import path from "node:path";
import type { PrismaClient } from "../../app/db/client.server";
import { EXPORT_TABLES } from "../../app/shops/shop-export-format";
import type { CommandResult } from "./run-setup";

const root = path.resolve(import.meta.dirname, "..", "..");

/** Runs a product script (scripts/<name>.ts, as `npm run` does) with this database URL. */
export function runProductScript(name: string, args: string[], databaseUrl: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", `${name}.ts`), ...args], {
      cwd: root,
      env: { ...process.env, APP_ENV_FILE: "", DATABASE_URL: databaseUrl, DIRECT_DATABASE_URL: "" },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolve({ status, output }));
  });
}

type Rows = Record<string, Array<Record<string, unknown>>>;

/** One shop's rows in every exported table, in key order: every column, as Prisma reads it. */
export async function readShopRows(prisma: PrismaClient, shop: string): Promise<Rows> {
  return readTables(prisma, { shop });
}

/** Every row of every table the app has (sessions too), in key order. */
export async function readAllRows(prisma: PrismaClient): Promise<Rows> {
  return { ...(await readTables(prisma, {})), Session: await prisma.session.findMany({ orderBy: { id: "asc" } }) };
}

async function readTables(prisma: PrismaClient, where: Record<string, unknown>): Promise<Rows> {
  const rows: Rows = {};
  for (const table of EXPORT_TABLES) {
    const delegate = (prisma as unknown as Record<string, { findMany(args: object): Promise<Array<Record<string, unknown>>> }>)[table.delegate];
    const key = table.autoIncrement ? table.key : ["shop", ...table.key];
    rows[table.name] = await delegate.findMany({ where, orderBy: key.map((column) => ({ [column]: "asc" })) });
  }
  return rows;
}
