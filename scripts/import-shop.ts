/**
 * `npm run import -- --file <file> [--replace]`: restores a shop from `npm run export`'s file
 * into the database DATABASE_URL names (any provider), in one transaction: all of it or
 * nothing. Refuses when the shop already has rows there, unless told to replace them.
 *
 *   --file     the export (plain or gzip)
 *   --replace  delete the shop's rows here first, in the same transaction
 */
import { parseArgs } from "node:util";
import { describeDatabaseTarget } from "../app/config/database-url";
import { importShopFromFile } from "../app/shops/shop-import.server";
import { describeCounts, runScript, scriptDatabase, UsageError } from "./database-script";

const USAGE = "usage: npm run import -- --file <export file> [--replace]";

async function main(): Promise<void> {
  let values: { file?: string; replace?: boolean };
  try {
    ({ values } = parseArgs({ options: { file: { type: "string" }, replace: { type: "boolean" } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const file = values.file?.trim();
  if (!file) throw new UsageError("--file is required");

  const { target, client, migrations } = scriptDatabase();
  try {
    const started = performance.now();
    const result = await importShopFromFile(client, target, file, { migrations, replace: values.replace ?? false });
    const { header } = result;
    console.log(
      `Imported ${header.shop} (exported ${header.exportedAt} from ${header.source}) into ${describeDatabaseTarget(target)} ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s: ${describeCounts(result.imported)}.`,
    );
    if (Object.values(result.replaced).some((count) => count > 0)) console.log(`Replaced the shop's earlier rows: ${describeCounts(result.replaced)}.`);
    const shifts = Object.entries(result.idShifts);
    if (shifts.length) {
      console.log(
        `Other shops use some of the file's ids here; these tables' ids moved up (references along): ` +
          `${shifts.map(([table, shift]) => `${table} +${shift}`).join(", ")}.`,
      );
    }
    if (!result.hasOfflineSession) {
      console.log("The shop has no session in this database: it is billed once the merchant opens the app in Shopify admin, which creates one.");
    }
  } finally {
    await client.$disconnect();
  }
}

runScript("import", USAGE, main);
