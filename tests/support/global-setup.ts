import { parseDatabaseUrl } from "../../app/config/database-url";
import { openSqlConnection } from "../../app/db/sql-connection.server";
import { TEST_SERVER_URL_VARIABLES } from "./providers";

/**
 * Before any test: check that every configured database server answers. With
 * REQUIRE_ALL_PROVIDERS=1 (CI) a provider that is not configured fails the run instead of
 * being skipped silently.
 */
export default async function checkTestDatabases(): Promise<void> {
  const problems: string[] = [];
  for (const [provider, variable] of Object.entries(TEST_SERVER_URL_VARIABLES)) {
    const url = process.env[variable];
    if (!url) {
      if (process.env.REQUIRE_ALL_PROVIDERS === "1") problems.push(`${variable} is not set (${provider} would go untested)`);
      continue;
    }
    try {
      const connection = await openSqlConnection(parseDatabaseUrl(url));
      await connection.close();
    } catch (error) {
      problems.push(`${variable}: ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new Error(`Test databases unavailable:\n  ${problems.join("\n  ")}`);
  console.log(`[tests] providers: sqlite${Object.values(TEST_SERVER_URL_VARIABLES).filter((v) => process.env[v]).map((v) => `, ${v}`).join("")}`);
}
