/**
 * `npm run backup:sqlite -- --out <file>`: a consistent copy of the SQLite database
 * DATABASE_URL names, taken with SQLite's online backup API while the app keeps running
 * (copying the live file, or its -wal beside it, can give a torn database). The copy is
 * checked (integrity_check, its migrations) and appears under its name only when complete.
 * Restoring it: docs/operations.md, "Backups".
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { describeDatabaseTarget } from "../app/config/database-url";
import { loadEnvFile, parseDatabaseEnvironment } from "../app/config/environment";
import { describeSize, runScript, UsageError } from "./database-script";

const USAGE = "usage: npm run backup:sqlite -- --out <file>";
/** Pages per backup step after the first: all of them, so writers cannot restart it over and over. */
const ALL_PAGES = 2 ** 31 - 1;

async function main(): Promise<void> {
  let values: { out?: string };
  try {
    ({ values } = parseArgs({ options: { out: { type: "string" } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.out?.trim()) throw new UsageError("--out is required");
  const out = path.resolve(values.out.trim());

  loadEnvFile();
  const { database: target } = parseDatabaseEnvironment(process.env);
  if (!target.sqliteFile) {
    const tool = target.provider === "postgresql" ? "pg_dump -Fc" : "mariadb-dump --single-transaction";
    throw new Error(`DATABASE_URL names ${describeDatabaseTarget(target)}: back it up with ${tool} (docs/operations.md, "Backups")`);
  }
  if (!existsSync(target.sqliteFile)) throw new Error(`${describeDatabaseTarget(target)} does not exist`);
  if (out === target.sqliteFile) throw new UsageError("--out names the database itself");
  if (existsSync(out)) throw new Error(`${out} exists already: name another file, or move that one away`);

  const started = performance.now();
  const partial = `${out}.partial-${process.pid}`;
  const source = new Database(target.sqliteFile, { fileMustExist: true, timeout: 30_000 });
  try {
    const { totalPages } = await source.backup(partial, { progress: () => ALL_PAGES });
    const migration = checkCopy(partial);
    renameSync(partial, out);
    console.log(
      `Backed up ${describeDatabaseTarget(target)} to ${out} (${describeSize(statSync(out).size)}, ${totalPages} pages, ` +
        `migration ${migration}) in ${((performance.now() - started) / 1000).toFixed(1)} s; integrity check ok.`,
    );
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

/**
 * The copy as one self-contained file (rollback journal: no -wal beside it; `npm run setup`
 * turns WAL on again after a restore), whole, and its newest migration.
 */
function checkCopy(file: string): string {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
    const integrity = copy.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new Error(`the copy fails SQLite's integrity check: ${String(integrity)}`);
    const latest = copy
      .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1")
      .pluck()
      .get() as string | undefined;
    if (!latest) throw new Error("the database has no applied migrations: it is not the app's (run npm run setup first?)");
    return latest;
  } finally {
    copy.close();
  }
}

runScript("backup", USAGE, main);
