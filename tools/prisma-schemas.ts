/**
 * Writes prisma/<provider>/schema.prisma from prisma/models.prisma. The datasource
 * provider must be a literal, so each provider gets its own schema (and its own
 * migrations folder); the models are written once.
 *
 *   tsx tools/prisma-schemas.ts          write the three schemas
 *   tsx tools/prisma-schemas.ts --check  exit 1 if a committed schema is stale
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DATABASE_PROVIDERS, type DatabaseProvider } from "../app/config/database-url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export function renderProviderSchema(provider: DatabaseProvider, models: string): string {
  const body =
    provider === "sqlite"
      ? models
          .split("\n")
          .map((line) =>
            line.trimStart().startsWith("//") ? line : line.replace(/[ \t]*@db\.\w+(\([^)]*\))?/g, ""),
          )
          .join("\n")
      : models;
  return `// GENERATED from prisma/models.prisma by tools/prisma-schemas.ts. Do not edit.

datasource db {
  provider = "${provider}"
  url      = env("DATABASE_URL")
}

generator client {
  provider   = "prisma-client-js"
  engineType = "client"
  output     = "../../node_modules/.prisma-providers/${provider}"
}

${body.trimEnd()}
`;
}

export function providerSchemaPath(provider: DatabaseProvider): string {
  return path.join(root, "prisma", provider, "schema.prisma");
}

export function readModels(): string {
  return readFileSync(path.join(root, "prisma", "models.prisma"), "utf8");
}

/** Writes the stale provider schemas (or, with `check`, only reports them); returns how many were stale. */
export function syncProviderSchemas({ check }: { check: boolean }): number {
  const models = readModels();
  let stale = 0;
  for (const provider of DATABASE_PROVIDERS) {
    const file = providerSchemaPath(provider);
    const wanted = renderProviderSchema(provider, models);
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // missing counts as stale
    }
    if (current === wanted) continue;
    if (check) {
      console.error(`${path.relative(root, file)} is out of date: run npm run prisma:schemas`);
      stale++;
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, wanted);
      console.log(`wrote ${path.relative(root, file)}`);
    }
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exit(syncProviderSchemas({ check: process.argv.includes("--check") }) ? 1 : 0);
}
