/**
 * `npm run export -- --shop <domain> [--out <file>]`: writes one shop's rows (schedule,
 * policy, attempts, trackers and their history, notifications, customers, webhook delivery
 * ids; never sessions or access tokens) from the database DATABASE_URL names, as one snapshot,
 * to a versioned JSON-lines file that `npm run import` restores on any provider.
 *
 *   --shop   the shop's domain, as the app stores it (name.myshopify.com)
 *   --out    the file to write (gzip when it ends in .gz; "-" writes to standard output);
 *            default <shop>-<UTC time>.jsonl in the working directory. Never overwritten.
 */
import { statSync } from "node:fs";
import { parseArgs } from "node:util";
import { describeDatabaseTarget } from "../app/config/database-url";
import { exportShopToFile } from "../app/shops/shop-export.server";
import { describeCounts, describeSize, runScript, scriptDatabase, UsageError } from "./database-script";

const USAGE = "usage: npm run export -- --shop <name.myshopify.com> [--out <file>[.gz] | --out -]";

async function main(): Promise<void> {
  let values: { shop?: string; out?: string };
  try {
    ({ values } = parseArgs({ options: { shop: { type: "string" }, out: { type: "string" } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const shop = values.shop?.trim();
  if (!shop) throw new UsageError("--shop is required");
  const now = new Date();
  const file = values.out?.trim() || `${shop}-${now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}.jsonl`;
  // With the rows on standard output, what is said to people goes to standard error.
  const say = file === "-" ? (line: string) => console.error(line) : (line: string) => console.log(line);

  const { target, client, migrations } = scriptDatabase();
  try {
    const started = performance.now();
    const header = await exportShopToFile(client, target, { shop, migrations, file, now });
    const counts = Object.fromEntries(Object.entries(header.tables).map(([table, summary]) => [table, summary.rows]));
    const where = file === "-" ? "standard output" : `${file} (${describeSize(statSync(file).size)})`;
    say(
      `Exported ${shop} from ${describeDatabaseTarget(target)} (migration ${header.migration}) to ${where} ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s: ${describeCounts(counts)}.`,
    );
    say("The file holds customers' names and emails: keep it as safe as a database backup, and delete it once used.");
  } finally {
    await client.$disconnect();
  }
}

runScript("export", USAGE, main);
