import { createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { describeDatabaseTarget, type DatabaseTarget } from "../config/database-url";
import type { Prisma, PrismaClient } from "../db/client.server";
import type { Migration } from "../db/migrate.server";
import {
  EXPORT_TABLES,
  rowLine,
  SHOP_EXPORT_FORMAT,
  SHOP_EXPORT_FORMAT_VERSION,
  type ExportTable,
  type ShopExportHeader,
  type TableSummary,
} from "./shop-export-format";
import { databaseMigrationLevel, ShopTransferError, tableClient, transferTransaction } from "./shop-transfer.server";

/** Rows read per statement: memory stays flat however many rows a shop has. */
const PAGE_SIZE = 1000;

export interface ShopExportOptions {
  shop: string;
  /** The migrations this build ships (the database must have exactly these applied). */
  migrations: Migration[];
  now?: Date;
}

/**
 * Reads one shop's rows in one snapshot and hands them, as the export's lines, to `consume`
 * (which writes them somewhere, at its own pace). Refuses a shop without a single row:
 * almost always a mistyped domain.
 */
export async function exportShop(
  db: PrismaClient,
  target: DatabaseTarget,
  { shop, migrations, now = new Date() }: ShopExportOptions,
  consume: (lines: AsyncIterable<string>) => Promise<void>,
): Promise<ShopExportHeader> {
  const migration = await databaseMigrationLevel(db, target, migrations);
  return db.$transaction(async (tx) => {
    const tables: Record<string, TableSummary> = {};
    for (const table of EXPORT_TABLES) tables[table.name] = await summarize(tx, table, shop);
    if (Object.values(tables).every((summary) => summary.rows === 0)) {
      throw new ShopTransferError(`${describeDatabaseTarget(target)} holds no rows of shop ${shop}: check its domain (name.myshopify.com)`);
    }
    const header: ShopExportHeader = {
      format: SHOP_EXPORT_FORMAT,
      formatVersion: SHOP_EXPORT_FORMAT_VERSION,
      shop,
      exportedAt: now.toISOString(),
      migration,
      source: target.provider,
      tables,
    };
    await consume(exportLines(tx, header));
    return header;
  }, transferTransaction(target, true));
}

async function summarize(tx: Prisma.TransactionClient, table: ExportTable, shop: string): Promise<TableSummary> {
  const client = tableClient(tx, table);
  const rows = await client.count({ where: { shop } });
  if (!table.autoIncrement || rows === 0) return { rows };
  const { _min, _max } = await client.aggregate({ where: { shop }, _min: { id: true }, _max: { id: true } });
  return { rows, minId: _min.id as number, maxId: _max.id as number };
}

/** The header, then every table's rows in key order, a page per chunk. */
async function* exportLines(tx: Prisma.TransactionClient, header: ShopExportHeader): AsyncGenerator<string> {
  yield `${JSON.stringify(header)}\n`;
  for (const table of EXPORT_TABLES) {
    const client = tableClient(tx, table);
    const [key] = table.key;
    let written = 0;
    let after: unknown;
    for (;;) {
      const page = await client.findMany({
        where: { shop: header.shop, ...(after === undefined ? {} : { [key]: { gt: after } }) },
        orderBy: { [key]: "asc" },
        take: PAGE_SIZE,
      });
      if (page.length === 0) break;
      yield page.map((row) => `${rowLine(table, row)}\n`).join("");
      written += page.length;
      after = page[page.length - 1][key];
    }
    // The snapshot makes this impossible; a file that disagreed with its header would not import.
    if (written !== header.tables[table.name].rows) {
      throw new Error(`${table.name}: read ${written} rows, counted ${header.tables[table.name].rows}`);
    }
  }
}

/**
 * Writes the export to `file` (gzip when it ends in .gz), or to standard output for "-".
 * A file appears only when complete: it is written beside its name, then renamed.
 */
export async function exportShopToFile(
  db: PrismaClient,
  target: DatabaseTarget,
  options: ShopExportOptions & { file: string; stdout?: Writable },
): Promise<ShopExportHeader> {
  const { file } = options;
  if (file === "-") {
    const stdout = options.stdout ?? process.stdout;
    return exportShop(db, target, options, (lines) => pipeline(Readable.from(lines), stdout, { end: false }));
  }
  if (existsSync(file)) throw new ShopTransferError(`${file} exists already: name another file, or move that one away`);
  const partial = `${file}.partial-${process.pid}`;
  try {
    const header = await exportShop(db, target, options, (lines) => {
      const output = createWriteStream(partial, { flags: "wx", flush: true });
      return file.endsWith(".gz") ? pipeline(Readable.from(lines), createGzip(), output) : pipeline(Readable.from(lines), output);
    });
    renameSync(partial, file);
    return header;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
