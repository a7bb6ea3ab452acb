import type { DatabaseProvider } from "../../app/config/database-url";

export { TEST_SERVER_URL_VARIABLES } from "../../tools/scratch-databases";

/** SQLite always; PostgreSQL and MySQL when their test URLs are set. */
export function testProviders(): DatabaseProvider[] {
  const providers: DatabaseProvider[] = ["sqlite"];
  if (process.env.TEST_POSTGRESQL_URL) providers.push("postgresql");
  if (process.env.TEST_MYSQL_URL) providers.push("mysql");
  return providers;
}
