/**
 * `npm run migration:new -- <name>`: after editing prisma/models.prisma, writes the
 * migration for SQLite and PostgreSQL (Prisma's `migrate diff` from the committed schema
 * to the edited one) and an empty MySQL migration to fill in by hand (Prisma 6.19's
 * JavaScript engine cannot render MySQL). The drift test fails until all three match.
 * `prisma migrate dev` does not run without native engines; this replaces it.
 * Prisma's JavaScript engine connects even to diff two schemas, so the PostgreSQL diff
 * needs a reachable server: TEST_POSTGRESQL_URL (nothing is written to it).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runPrismaCliOrThrow } from "../scripts/prisma-cli";
import { providerSchemaPath, readModels, renderProviderSchema, syncProviderSchemas } from "./prisma-schemas";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function migrationName(label: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${stamp}_${label.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "")}`;
}

function diff(provider: "sqlite" | "postgresql", from: string, to: string): string {
  const sql = runPrismaCliOrThrow(
    ["migrate", "diff", "--from-schema-datamodel", from, "--to-schema-datamodel", to, "--script"],
    provider === "sqlite" ? "file:./prisma/unused.sqlite" : postgresUrl(),
  );
  return sql.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m, "");
}

function postgresUrl(): string {
  const url = process.env.TEST_POSTGRESQL_URL;
  if (!url) throw new Error("Set TEST_POSTGRESQL_URL (any reachable PostgreSQL): Prisma needs it to render the migration.");
  return url;
}

function main(): void {
  const label = process.argv[2];
  if (!label) throw new Error("usage: npm run migration:new -- <what_changed>");
  const name = migrationName(label);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "migration-"));
  try {
    for (const provider of ["sqlite", "postgresql"] as const) {
      const committed = path.join(scratch, `${provider}-committed.prisma`);
      const relative = path.relative(root, providerSchemaPath(provider));
      writeFileSync(committed, execFileSync("git", ["show", `HEAD:${relative}`], { cwd: root, encoding: "utf8" }));
      const edited = path.join(scratch, `${provider}-edited.prisma`);
      writeFileSync(edited, renderProviderSchema(provider, readModels()));
      const sql = diff(provider, committed, edited);
      if (!sql.trim() || /^-- This is an empty migration\.\s*$/.test(sql.trim())) {
        throw new Error("prisma/models.prisma has no change against HEAD: nothing to migrate.");
      }
      const folder = path.join(root, "prisma", provider, "migrations", name);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, "migration.sql"), sql);
      console.log(`wrote ${path.relative(root, folder)}/migration.sql`);
    }
    const mysqlFolder = path.join(root, "prisma", "mysql", "migrations", name);
    mkdirSync(mysqlFolder, { recursive: true });
    writeFileSync(
      path.join(mysqlFolder, "migration.sql"),
      "-- Written by hand: translate the PostgreSQL migration of the same name to MySQL DDL\n" +
        "-- (VARCHAR(191) for String, TEXT for @db.Text, DATETIME(3), BOOLEAN, backquotes).\n",
    );
    console.log(`wrote prisma/mysql/migrations/${name}/migration.sql: fill it in by hand`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  syncProviderSchemas({ check: false });
}

main();
