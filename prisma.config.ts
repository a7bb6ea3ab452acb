// Prisma CLI configuration. DATABASE_URL (or DIRECT_DATABASE_URL, for migrations past a
// pooler) picks the provider's schema and migrations folder. The CLI runs on the
// JavaScript schema engine through a driver adapter: no native engine binaries.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { loadEnvFile, parseDatabaseEnvironment } from "./app/config/environment";
import { createMigrationAdapterFactory } from "./app/db/driver-adapter";

loadEnvFile();
const target = parseDatabaseEnvironment(process.env).migrationDatabase;
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
