import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { describeDatabaseTarget, type DatabaseProvider, type DatabaseTarget } from "../config/database-url";
import type { Prisma, PrismaClient } from "../db/client.server";
import type { Migration } from "../db/migrate.server";
import { rawSql } from "../db/raw-sql";
import {
  columnKind,
  EXPORT_TABLES,
  parseHeader,
  parseRowLine,
  ShopExportFileError,
  ID_REFERENCES,
  type ColumnKind,
  type ExportTable,
  type Row,
  type ShopExportHeader,
} from "./shop-export-format";
import { databaseMigrationLevel, ShopTransferError, tableClient, transferTransaction } from "./shop-transfer.server";

/**
 * One INSERT holds at most this many rows, bound values and bytes of the file: under every
 * provider's limit on bound values, and small, since Prisma keeps the arguments of its last
 * 100 statements for its error reports (@prisma/debug): that is what the import's memory is.
 */
const INSERT_LIMITS = { rows: 100, values: 2_000, bytes: 64 * 1024 };
const MAX_ID = 2_147_483_647;
/** What PostgreSQL is told each bound value is (a bare parameter's type may be unknown). */
const POSTGRESQL_TYPES: Record<ColumnKind, string> = { int: "int", string: "text", text: "text", boolean: "boolean", datetime: "timestamp(3)" };

export interface ShopImportOptions {
  /** The migrations this build ships (the database must have exactly these applied). */
  migrations: Migration[];
  /** Delete the shop's rows first (in the same transaction) instead of refusing. */
  replace?: boolean;
}

export interface ShopImportResult {
  header: ShopExportHeader;
  imported: Record<string, number>;
  /** The shop's rows deleted first (--replace). */
  replaced: Record<string, number>;
  /** Tables whose ids were taken by other shops here: every id moved up by this much. */
  idShifts: Record<string, number>;
  /** Without an offline session the shop is not billed until the merchant opens the app. */
  hasOfflineSession: boolean;
}

/** The shop already has rows here, and the import was not told to replace them. */
export class ShopImportConflictError extends ShopTransferError {
  constructor(shop: string, where: string, counts: Record<string, number>) {
    const held = Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(([table, count]) => `${table} ${count}`)
      .join(", ");
    super(
      `shop ${shop} already has rows in ${where} (${held}); nothing was imported. ` +
        "Run the import with --replace to delete them and import the file's rows in their place.",
    );
    this.name = "ShopImportConflictError";
  }
}

/**
 * Restores a shop from an export's lines into this database, in one transaction: all of the
 * file or nothing. Ids are kept where no other shop uses them; otherwise the whole table's
 * ids move past the highest one here, and the tracker ids other tables hold move with them.
 */
export async function importShop(
  db: PrismaClient,
  target: DatabaseTarget,
  lines: AsyncIterable<string>,
  { migrations, replace = false }: ShopImportOptions,
): Promise<ShopImportResult> {
  const iterator = lines[Symbol.asyncIterator]();
  try {
    return await importLines(db, target, iterator, { migrations, replace });
  } finally {
    // Closes the file when the import stops early.
    await iterator.return?.(undefined);
  }
}

async function importLines(
  db: PrismaClient,
  target: DatabaseTarget,
  iterator: AsyncIterator<string>,
  { migrations, replace }: Required<ShopImportOptions>,
): Promise<ShopImportResult> {
  const first = await iterator.next();
  const header = parseHeader(first.done ? undefined : first.value);
  if (!migrations.some((migration) => migration.name === header.migration)) {
    throw new ShopExportFileError(
      `the file was exported at migration ${header.migration}, which this version of the app does not know: ` +
        "import it with the version of the app that wrote it, or a newer one",
    );
  }
  await databaseMigrationLevel(db, target, migrations);
  const limits = { mysqlLengths: target.provider === "mysql", noNulCharacters: target.provider === "postgresql" };

  return db.$transaction(async (tx) => {
    const { shop } = header;
    const existing = await countRows(tx, shop);
    const replaced = Object.fromEntries(EXPORT_TABLES.map((table) => [table.name, 0]));
    if (Object.values(existing).some((count) => count > 0)) {
      if (!replace) throw new ShopImportConflictError(shop, describeDatabaseTarget(target), existing);
      for (const table of EXPORT_TABLES) replaced[table.name] = (await tableClient(tx, table).deleteMany({ where: { shop } })).count;
    }
    const shifts = await idShifts(tx, header);

    const imported = Object.fromEntries(EXPORT_TABLES.map((table) => [table.name, 0]));
    const pending = new Map<ExportTable, { rows: Row[]; bytes: number }>();
    const flush = async (table: ExportTable, lineNumber: number) => {
      const batch = pending.get(table);
      if (!batch?.rows.length) return;
      pending.delete(table);
      try {
        imported[table.name] += await insertRows(tx, target.provider, table, batch.rows);
      } catch (error) {
        throw new ShopTransferError(`writing ${table.name} rows (up to line ${lineNumber}) failed: ${(error as Error).message}`);
      }
    };
    let lineNumber = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      lineNumber++;
      if (next.value.trim() === "") continue;
      const { table, row } = parseRowLine(next.value, lineNumber, shop, limits);
      moveIds(table, row, shifts);
      const batch = pending.get(table) ?? { rows: [], bytes: 0 };
      batch.rows.push(row);
      batch.bytes += next.value.length;
      pending.set(table, batch);
      const full =
        batch.rows.length >= INSERT_LIMITS.rows ||
        (batch.rows.length + 1) * Object.keys(table.columns).length > INSERT_LIMITS.values ||
        batch.bytes >= INSERT_LIMITS.bytes;
      if (full) await flush(table, lineNumber);
    }
    for (const table of [...pending.keys()]) await flush(table, lineNumber);

    const short = EXPORT_TABLES.filter((table) => imported[table.name] !== header.tables[table.name].rows);
    if (short.length) {
      const counts = short.map((table) => `${table.name} has ${imported[table.name]} rows, the header says ${header.tables[table.name].rows}`);
      throw new ShopExportFileError(`the file is incomplete or damaged (${counts.join("; ")}); nothing was imported`);
    }
    if (target.provider === "postgresql") await moveSequencesPastIds(tx);
    const hasOfflineSession = (await tx.session.count({ where: { shop, isOnline: false } })) > 0;
    return { header, imported, replaced, idShifts: Object.fromEntries(shifts), hasOfflineSession };
  }, transferTransaction(target, false));
}

/**
 * One multi-row INSERT of the file's values, ids included, through the transaction's
 * connection: the driver adapter writes each value as Prisma writes the model's (dates as
 * each provider stores them), at a fraction of createMany's cost per row.
 */
async function insertRows(tx: Prisma.TransactionClient, provider: DatabaseProvider, table: ExportTable, rows: Row[]): Promise<number> {
  const sql = rawSql(provider);
  const columns = Object.entries(table.columns);
  const values = rows.map((row) => `(${columns.map(([column, type]) => sql.value(row[column], POSTGRESQL_TYPES[columnKind(type)])).join(", ")})`);
  return tx.$executeRawUnsafe(
    `INSERT INTO ${sql.id(table.name)} (${columns.map(([column]) => sql.id(column)).join(", ")}) VALUES ${values.join(", ")}`,
    ...sql.values,
  );
}

async function countRows(tx: Prisma.TransactionClient, shop: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of EXPORT_TABLES) counts[table.name] = await tableClient(tx, table).count({ where: { shop } });
  return counts;
}

/** Per auto-increment table: 0 when the file's ids are free here, else how far they all move. */
async function idShifts(tx: Prisma.TransactionClient, header: ShopExportHeader): Promise<Map<string, number>> {
  const shifts = new Map<string, number>();
  for (const table of EXPORT_TABLES.filter((t) => t.autoIncrement)) {
    const { rows, minId, maxId } = header.tables[table.name];
    if (rows === 0 || minId === undefined || maxId === undefined) continue;
    const client = tableClient(tx, table);
    // A range check: another shop's row anywhere between the file's lowest and highest id moves them all.
    if ((await client.count({ where: { id: { gte: minId, lte: maxId } } })) === 0) continue;
    const { _max } = await client.aggregate({ where: {}, _min: { id: true }, _max: { id: true } });
    const shift = (_max.id as number) - minId + 1;
    if (maxId + shift > MAX_ID) throw new ShopTransferError(`${table.name}: no free range of ids for ${rows} rows in this database`);
    shifts.set(table.name, shift);
  }
  return shifts;
}

function moveIds(table: ExportTable, row: Row, shifts: Map<string, number>): void {
  const own = shifts.get(table.name);
  if (own) row.id = (row.id as number) + own;
  for (const [column, referenced] of Object.entries(ID_REFERENCES[table.name] ?? {})) {
    const shift = shifts.get(referenced);
    if (shift && row[column] !== null) row[column] = (row[column] as number) + shift;
  }
}

/**
 * PostgreSQL's sequences do not see explicit ids: move each past its table's highest id (never
 * back), so the app's next insert does not collide. MySQL and SQLite move theirs themselves.
 */
async function moveSequencesPastIds(tx: Prisma.TransactionClient): Promise<void> {
  for (const table of EXPORT_TABLES.filter((t) => t.autoIncrement)) {
    const [{ sequence }] = await tx.$queryRawUnsafe<Array<{ sequence: string }>>(
      `SELECT pg_get_serial_sequence('"${table.name}"', 'id') AS sequence`,
    );
    const [state] = await tx.$queryRawUnsafe<Array<{ last_value: bigint; is_called: boolean }>>(
      `SELECT last_value, is_called FROM ${sequence}`,
    );
    const [{ highest }] = await tx.$queryRawUnsafe<Array<{ highest: number | null }>>(`SELECT MAX(id) AS highest FROM "${table.name}"`);
    const used = Math.max(Number(highest ?? 0), state.is_called ? Number(state.last_value) : 0);
    if (used > 0) await tx.$queryRawUnsafe("SELECT setval($1::regclass, $2::bigint, true)", sequence, used);
  }
}

/** An export file's lines (gzip or not), read as they are needed. */
export async function* exportFileLines(file: string): AsyncGenerator<string> {
  const handle = await open(file, "r");
  let magic: Buffer;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    magic = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const input = createReadStream(file);
  let source: AsyncIterable<Buffer> = input;
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = createGunzip();
    input.on("error", (error) => gunzip.destroy(error));
    source = input.pipe(gunzip);
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let rest = "";
  try {
    for await (const chunk of source) {
      rest += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let end = rest.indexOf("\n"); end !== -1; end = rest.indexOf("\n", start)) {
        yield rest.slice(start, end);
        start = end + 1;
      }
      rest = rest.slice(start);
    }
    rest += decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) throw new ShopExportFileError(`${file} is not UTF-8 text: it is not a shop export`);
    if ((error as { code?: string }).code?.startsWith("Z_")) {
      throw new ShopExportFileError(`${file} is damaged: gzip says ${(error as Error).message}`);
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (rest !== "") yield rest;
}

/** importShop from a file. */
export function importShopFromFile(
  db: PrismaClient,
  target: DatabaseTarget,
  file: string,
  options: ShopImportOptions,
): Promise<ShopImportResult> {
  return importShop(db, target, exportFileLines(file), options);
}
