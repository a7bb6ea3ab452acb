// Prisma CLI configuration. DATABASE_URL (or DIRECT_DATABASE_URL, for migrations past a
// pooler) picks the provider's schema and migrations folder. The CLI runs on the
// JavaScript schema engine through a driver adapter: no native engine binaries.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { parseDatabaseUrl } from "./app/db/database-url";
import { createMigrationAdapterFactory } from "./app/db/driver-adapter";
import { loadEnvFile } from "./app/env.server";

loadEnvFile();
const target = parseDatabaseUrl(process.env.DIRECT_DATABASE_URL || process.env.DATABASE_URL);
// `url = env("DATABASE_URL")` in the schema must resolve, or `prisma generate` tries to
// download a query engine.
process.env.DATABASE_URL ||= target.url;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", target.provider, "schema.prisma"),
  migrations: { path: path.join("prisma", target.provider, "migrations") },
  adapter: async () => createMigrationAdapterFactory(target),
});
