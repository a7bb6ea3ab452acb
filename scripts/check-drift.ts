/**
 * Drift check: do the committed migrations of each provider build exactly the tables the
 * models describe? Renders the models to DDL with Prisma (SQLite flavour, always available
 * offline), applies it to a scratch database, and compares its catalog with that of a
 * scratch database built from each provider's migrations. Run by
 * tests/integration/migrations.test.ts on every provider the suite has.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl, type DatabaseProvider, type DatabaseTarget } from "../app/db/database-url";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { diffSchemaSnapshots, readSchemaSnapshot, type SchemaSnapshot } from "../app/db/schema-snapshot.server";
import { openSqlConnection } from "../app/db/sql-connection.server";
import { renderProviderSchema } from "./prisma-schemas";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function readModels(): string {
  return readFileSync(path.join(root, "prisma", "models.prisma"), "utf8");
}

/** The DDL Prisma would write for these models on SQLite (`migrate diff --from-empty`). */
export function renderModelsDdl(models: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "drift-"));
  try {
    const schemaFile = path.join(directory, "schema.prisma");
    writeFileSync(schemaFile, renderProviderSchema("sqlite", models));
    const result = spawnSync(
      process.execPath,
      [
        path.join(root, "node_modules", "prisma", "build", "index.js"),
        "migrate",
        "diff",
        "--from-empty",
        "--to-schema-datamodel",
        schemaFile,
        "--script",
      ],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: `file:${path.join(directory, "unused.sqlite")}`, DIRECT_DATABASE_URL: "" },
      },
    );
    if (result.status !== 0) throw new Error(`prisma migrate diff failed:\n${result.stderr}`);
    return result.stdout;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function snapshotOf(target: DatabaseTarget, build: (run: (sql: string) => Promise<void>) => Promise<void>) {
  const connection = await openSqlConnection(target);
  try {
    await build((sql) => connection.exec(sql));
    return await readSchemaSnapshot(connection);
  } finally {
    await connection.close();
  }
}

/** The tables the models describe, as a snapshot. */
export async function expectedSnapshot(models = readModels()): Promise<SchemaSnapshot> {
  const directory = mkdtempSync(path.join(os.tmpdir(), "drift-"));
  try {
    const target = parseDatabaseUrl(`file:${path.join(directory, "expected.sqlite")}`);
    return await snapshotOf(target, (run) => run(renderModelsDdl(models)));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Applies the provider's committed migrations to `emptyTarget` and snapshots the result. */
export async function migratedSnapshot(provider: DatabaseProvider, emptyTarget: DatabaseTarget): Promise<SchemaSnapshot> {
  await applyMigrations(emptyTarget, readMigrations(migrationsDirectory(provider, root)));
  const connection = await openSqlConnection(emptyTarget);
  try {
    return await readSchemaSnapshot(connection);
  } finally {
    await connection.close();
  }
}

/** Fields marked `@db.Text` in the models, as "Model.field". */
export function longTextFields(models: string): string[] {
  const fields: string[] = [];
  for (const block of models.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    for (const line of block[2].split("\n")) {
      const field = /^\s*(\w+)\s+String\??\s.*@db\.Text/.exec(line);
      if (field) fields.push(`${block[1]}.${field[1]}`);
    }
  }
  return fields;
}

/** Drift problems of one provider's migrations against the models; [] when they match. */
export async function findDrift(
  provider: DatabaseProvider,
  emptyTarget: DatabaseTarget,
  models = readModels(),
): Promise<string[]> {
  const [expected, actual] = [await expectedSnapshot(models), await migratedSnapshot(provider, emptyTarget)];
  const problems = diffSchemaSnapshots(expected, actual);
  if (provider === "mysql") {
    // MySQL caps a plain String at VARCHAR(191): free text must really be TEXT there.
    for (const field of longTextFields(models)) {
      const [model, column] = field.split(".");
      const nativeType = actual[model]?.columns[column]?.nativeType ?? "";
      if (actual[model]?.columns[column] && !/text$/.test(nativeType)) {
        problems.push(`column ${field} is ${nativeType} on MySQL, the model wants TEXT (@db.Text)`);
      }
    }
  }
  return problems;
}
