/**
 * Drift check: do the committed migrations of each provider build exactly the tables the
 * models describe? Renders the models to DDL with Prisma (SQLite flavour, always available
 * offline), applies it to a scratch database, and compares its catalog with that of a
 * scratch database built from each provider's migrations. Run by
 * tests/integration/migrations.test.ts on every provider the suite has.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDatabaseUrl, type DatabaseProvider, type DatabaseTarget } from "../app/config/database-url";
import { applyMigrations, migrationsDirectory, readMigrations } from "../app/db/migrate.server";
import { diffSchemaSnapshots, readSchemaSnapshot, type SchemaSnapshot } from "../app/db/schema-snapshot.server";
import { openSqlConnection, type SqlConnection } from "../app/db/sql-connection.server";
import { runPrismaCliOrThrow } from "../scripts/prisma-cli";
import { readModels, renderProviderSchema } from "./prisma-schemas";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The DDL Prisma would write for these models on SQLite (`migrate diff --from-empty`). */
export function renderModelsDdl(models: string): string {
  const directory = mkdtempSync(path.join(os.tmpdir(), "drift-"));
  try {
    const schemaFile = path.join(directory, "schema.prisma");
    writeFileSync(schemaFile, renderProviderSchema("sqlite", models));
    return runPrismaCliOrThrow(
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", schemaFile, "--script"],
      `file:${path.join(directory, "unused.sqlite")}`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Prepares `target` (a scratch database) over one connection, then reads its catalog. */
async function snapshotAfter(
  target: DatabaseTarget,
  prepare: (connection: SqlConnection) => Promise<unknown>,
): Promise<SchemaSnapshot> {
  const connection = await openSqlConnection(target);
  try {
    await prepare(connection);
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
    const ddl = renderModelsDdl(models);
    return await snapshotAfter(target, (connection) => connection.exec(ddl));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Applies the provider's committed migrations to `emptyTarget` and snapshots the result. */
export function migratedSnapshot(provider: DatabaseProvider, emptyTarget: DatabaseTarget): Promise<SchemaSnapshot> {
  return snapshotAfter(emptyTarget, () => applyMigrations(emptyTarget, readMigrations(migrationsDirectory(provider, root))));
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
