import type { DatabaseProvider } from "../../app/db/database-url";

/** Server URLs the suite may use; each test file creates and drops its own database there. */
export const TEST_SERVER_URL_VARIABLES = {
  postgresql: "TEST_POSTGRESQL_URL",
  mysql: "TEST_MYSQL_URL",
} as const;

/** SQLite always; PostgreSQL and MySQL when their test URLs are set. */
export function testProviders(): DatabaseProvider[] {
  const providers: DatabaseProvider[] = ["sqlite"];
  if (process.env.TEST_POSTGRESQL_URL) providers.push("postgresql");
  if (process.env.TEST_MYSQL_URL) providers.push("mysql");
  return providers;
}
