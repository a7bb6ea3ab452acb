// The per-shop export file (npm run export / npm run import): JSON lines, a header first,
// then one line per row, table by table. Pure: what a line means and whether it is valid.
// Why it looks like this: the decision record on per-shop export and restore (docs/decisions/).

export const SHOP_EXPORT_FORMAT = "subscription-billing/shop-export";
/**
 * Bumped whenever a table or column of the format changes, or what a value means; the
 * importer then converts the older versions it still accepts (none yet) or names them.
 */
export const SHOP_EXPORT_FORMAT_VERSION = 1;

/**
 * How a column is written: `string` is a short string (VARCHAR(191) on MySQL), `text` free
 * text (MySQL TEXT, 65,535 bytes); `datetime` an ISO 8601 instant with milliseconds in UTC.
 * A trailing `?` allows null.
 */
export type ColumnKind = "int" | "string" | "text" | "boolean" | "datetime";
type ColumnType = ColumnKind | `${ColumnKind}?`;

export function columnKind(type: ColumnType): ColumnKind {
  return type.replace("?", "") as ColumnKind;
}

export interface ExportTable {
  /** The model's name, as the tables are named in every provider's schema. */
  name: string;
  /** The Prisma client's property for the model. */
  delegate: string;
  /** The primary key: `id` (auto-increment), or the columns rows are ordered by. */
  key: string[];
  /** Whether the key is an auto-increment `id`, whose sequence an import must move past. */
  autoIncrement: boolean;
  columns: Record<string, ColumnType>;
}

const CREATED_UPDATED = { createdAt: "datetime", updatedAt: "datetime" } as const;

/** Every table that holds a shop's rows, except Session (access tokens: a shop reinstalls). */
export const EXPORT_TABLES: readonly ExportTable[] = [
  {
    name: "BillingSchedule",
    delegate: "billingSchedule",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      timezone: "string",
      billingHour: "int",
      active: "boolean",
      lastBilledLocalDate: "string?",
      nextRunAt: "datetime?",
      leaseOwner: "string?",
      leaseExpiresAt: "datetime?",
      lastRunStartedAt: "datetime?",
      lastRunFinishedAt: "datetime?",
      lastRunOutcome: "string?",
      lastRunError: "text?",
      deactivatedReason: "string?",
      ...CREATED_UPDATED,
    },
  },
  {
    name: "DunningPolicy",
    delegate: "dunningPolicy",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      retryCount: "int",
      retryDelaysDays: "string",
      finalAction: "string",
      inventoryRetryCount: "int",
      inventoryRetryDelaysDays: "string",
      inventoryFinalAction: "string",
      sendPaymentUpdateEmail: "boolean",
      paymentUpdateEmailIntervalHours: "int",
      ...CREATED_UPDATED,
    },
  },
  {
    name: "BillingAttempt",
    delegate: "billingAttempt",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      contractId: "string",
      billingCycleIndex: "int",
      attemptNumber: "int",
      idempotencyKey: "string",
      customerId: "string?",
      status: "string",
      shopifyAttemptId: "string?",
      orderId: "string?",
      errorCode: "string?",
      errorMessage: "text?",
      expectedBillingDate: "datetime",
      runLocalDate: "string",
      sentAt: "datetime?",
      completedAt: "datetime?",
      ...CREATED_UPDATED,
    },
  },
  {
    name: "DunningTracker",
    delegate: "dunningTracker",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      contractId: "string",
      billingCycleIndex: "int",
      customerId: "string?",
      status: "string",
      attemptCount: "int",
      nextAction: "string?",
      nextActionAt: "datetime?",
      emailDueAt: "datetime?",
      lastEmailSentAt: "datetime?",
      emailsSent: "int",
      lastErrorClass: "string?",
      lastErrorCode: "string?",
      lastErrorMessage: "text?",
      amount: "string?",
      currencyCode: "string?",
      recoveredAmount: "string?",
      finalAction: "string?",
      finalActionAppliedAt: "datetime?",
      openedAt: "datetime",
      completedAt: "datetime?",
      completedReason: "text?",
      leaseOwner: "string?",
      leaseExpiresAt: "datetime?",
      ...CREATED_UPDATED,
    },
  },
  {
    name: "DunningEvent",
    delegate: "dunningEvent",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      trackerId: "int",
      shop: "string",
      at: "datetime",
      kind: "string",
      status: "string",
      attemptNumber: "int?",
      errorCode: "string?",
      detail: "text",
    },
  },
  {
    name: "MerchantNotification",
    delegate: "merchantNotification",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      kind: "string",
      trackerId: "int?",
      contractId: "string?",
      message: "text",
      createdAt: "datetime",
      dismissedAt: "datetime?",
    },
  },
  {
    name: "ChargeReconciliation",
    delegate: "chargeReconciliation",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      localDate: "string",
      status: "string",
      cursor: "text?",
      attemptsRead: "int",
      cyclesCharged: "int?",
      cyclesChargedMoreThanOnce: "int?",
      ordersWithoutAttempt: "int?",
      attemptsWithoutOutcome: "int?",
      error: "text?",
      leaseOwner: "string?",
      leaseExpiresAt: "datetime?",
      completedAt: "datetime?",
      ...CREATED_UPDATED,
    },
  },
  {
    name: "ChargeLedgerEntry",
    delegate: "chargeLedgerEntry",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      localDate: "string",
      shopifyAttemptId: "string",
      idempotencyKey: "string",
      contractId: "string",
      billingCycleIndex: "int?",
      state: "string",
      orderId: "string?",
      orderName: "string?",
      orderCreatedAt: "datetime?",
      attemptCreatedAt: "datetime",
      billingAttemptId: "int?",
    },
  },
  {
    name: "FlowTriggerEvent",
    delegate: "flowTriggerEvent",
    key: ["id"],
    autoIncrement: true,
    columns: {
      id: "int",
      shop: "string",
      eventKey: "string",
      handle: "string",
      trackerId: "int",
      contractId: "string",
      billingCycleIndex: "int",
      customerId: "string?",
      attemptNumber: "int",
      declineCode: "string?",
      declineReason: "text?",
      finalAction: "string?",
      amount: "string?",
      currencyCode: "string?",
      occurredAt: "datetime",
      status: "string",
      deliveryAttempts: "int",
      nextAttemptAt: "datetime?",
      lastError: "text?",
      payload: "text?",
      sentAt: "datetime?",
      leaseOwner: "string?",
      leaseExpiresAt: "datetime?",
      createdAt: "datetime",
    },
  },
  {
    name: "Customer",
    delegate: "customer",
    key: ["customerId"],
    autoIncrement: false,
    columns: {
      shop: "string",
      customerId: "string",
      displayName: "text",
      email: "text?",
      searchText: "string",
      updatedAt: "datetime",
    },
  },
  {
    // Delivery ids dedupe Shopify's redeliveries (up to 48 hours): a shop restored or moved
    // within that window must not act on a delivery it already handled.
    name: "ProcessedWebhook",
    delegate: "processedWebhook",
    key: ["webhookId"],
    autoIncrement: false,
    columns: {
      webhookId: "string",
      shop: "string",
      topic: "string",
      processedAt: "datetime",
    },
  },
];

/** Columns that hold another table's id, by table: they follow that table's ids when an import moves them. */
export const ID_REFERENCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  DunningEvent: { trackerId: "DunningTracker" },
  MerchantNotification: { trackerId: "DunningTracker" },
  FlowTriggerEvent: { trackerId: "DunningTracker" },
  ChargeLedgerEntry: { billingAttemptId: "BillingAttempt" },
};

const TABLES_BY_NAME = new Map(EXPORT_TABLES.map((table) => [table.name, table]));

export interface TableSummary {
  rows: number;
  /** Auto-increment tables with rows: the range of their ids (an import checks it is free). */
  minId?: number;
  maxId?: number;
}

/** The file's first line. */
export interface ShopExportHeader {
  format: typeof SHOP_EXPORT_FORMAT;
  formatVersion: number;
  shop: string;
  exportedAt: string;
  /** The newest migration of the database it was read from: the schema the rows fit. */
  migration: string;
  /** The provider it was read from (for people; the rows are the same on every provider). */
  source: string;
  tables: Record<string, TableSummary>;
}

/** A file that is not a shop export of this format, or not a whole one: nothing is imported. */
export class ShopExportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShopExportFileError";
  }
}

export type Row = Record<string, unknown>;

/** A row as the export writes it: dates as ISO strings, every column present. */
export function encodeRow(table: ExportTable, row: Row): Row {
  for (const column of Object.keys(row)) {
    // A model column the format does not name would be lost without a word.
    if (!(column in table.columns)) throw new Error(`${table.name}.${column} is not in export format ${SHOP_EXPORT_FORMAT_VERSION}`);
  }
  const encoded: Row = {};
  for (const column of Object.keys(table.columns)) {
    const value = row[column];
    if (value === undefined) throw new Error(`${table.name}.${column} was not read`);
    encoded[column] = value instanceof Date ? value.toISOString() : value;
  }
  return encoded;
}

export function rowLine(table: ExportTable, row: Row): string {
  return JSON.stringify({ table: table.name, row: encodeRow(table, row) });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads the first line; every problem is named, with what to do about it. */
export function parseHeader(line: string | undefined): ShopExportHeader {
  if (line === undefined || line.trim() === "") throw new ShopExportFileError("the file is empty: it is not a shop export");
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new ShopExportFileError("line 1 is not JSON: the file is not a shop export (written by npm run export)");
  }
  if (!isRecord(header) || header.format !== SHOP_EXPORT_FORMAT) {
    throw new ShopExportFileError(`line 1 does not name the format "${SHOP_EXPORT_FORMAT}": the file is not a shop export (written by npm run export)`);
  }
  if (header.formatVersion !== SHOP_EXPORT_FORMAT_VERSION) {
    const newer = typeof header.formatVersion === "number" && header.formatVersion > SHOP_EXPORT_FORMAT_VERSION;
    throw new ShopExportFileError(
      `the file is format version ${JSON.stringify(header.formatVersion)}; this version of the app reads version ${SHOP_EXPORT_FORMAT_VERSION}` +
        (newer ? ": import it with the version of the app that wrote it, or a newer one" : ""),
    );
  }
  const problems: string[] = [];
  if (typeof header.shop !== "string" || header.shop === "") problems.push("shop");
  if (typeof header.exportedAt !== "string") problems.push("exportedAt");
  if (typeof header.migration !== "string" || header.migration === "") problems.push("migration");
  if (typeof header.source !== "string") problems.push("source");
  if (!isRecord(header.tables)) problems.push("tables");
  else {
    for (const table of EXPORT_TABLES) {
      const summary = header.tables[table.name];
      const validId = (id: unknown) => Number.isSafeInteger(id);
      const valid =
        isRecord(summary) &&
        Number.isSafeInteger(summary.rows) &&
        (summary.rows as number) >= 0 &&
        (!table.autoIncrement || summary.rows === 0 || (validId(summary.minId) && validId(summary.maxId)));
      if (!valid) problems.push(`tables.${table.name}`);
    }
    for (const name of Object.keys(header.tables)) if (!TABLES_BY_NAME.has(name)) problems.push(`tables.${name} (unknown table)`);
  }
  if (problems.length) throw new ShopExportFileError(`line 1, the header, is damaged: ${problems.join(", ")}`);
  return header as unknown as ShopExportHeader;
}

/** Limits of the database the rows go to, checked before Prisma would fail less clearly. */
export interface TargetLimits {
  /** MySQL: VARCHAR(191) counts characters, TEXT holds 65,535 bytes. */
  mysqlLengths: boolean;
  /** PostgreSQL: text cannot hold U+0000. */
  noNulCharacters: boolean;
}

/** One row line: which table, and the row with its values as Prisma takes them. */
export function parseRowLine(line: string, lineNumber: number, shop: string, limits: TargetLimits): { table: ExportTable; row: Row } {
  const where = `line ${lineNumber}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new ShopExportFileError(`${where} is not JSON (${(error as Error).message}): the file is damaged or cut short`);
  }
  if (!isRecord(parsed) || typeof parsed.table !== "string" || !isRecord(parsed.row)) {
    throw new ShopExportFileError(`${where} is not a row ({"table": ..., "row": {...}})`);
  }
  const table = TABLES_BY_NAME.get(parsed.table);
  if (!table) throw new ShopExportFileError(`${where}: unknown table ${JSON.stringify(parsed.table)}`);
  const source = parsed.row;
  for (const column of Object.keys(source)) {
    if (!(column in table.columns)) throw new ShopExportFileError(`${where}: ${table.name} has no column ${JSON.stringify(column)}`);
  }
  const row: Row = {};
  for (const [column, type] of Object.entries(table.columns)) {
    row[column] = decodeValue(source[column], type, `${where}: ${table.name}.${column}`, limits);
  }
  if (row.shop !== shop) {
    throw new ShopExportFileError(`${where}: a ${table.name} row of shop ${JSON.stringify(row.shop)} in the export of ${shop}`);
  }
  return { table, row };
}

function decodeValue(value: unknown, type: ColumnType, where: string, limits: TargetLimits): unknown {
  const nullable = type.endsWith("?");
  const kind = columnKind(type);
  if (value === undefined) throw new ShopExportFileError(`${where} is missing`);
  if (value === null) {
    if (nullable) return null;
    throw new ShopExportFileError(`${where} is null, and the column requires a value`);
  }
  switch (kind) {
    case "int":
      if (!Number.isInteger(value) || (value as number) < INT32.min || (value as number) > INT32.max) {
        throw new ShopExportFileError(`${where} must be a whole number within 32 bits, got ${JSON.stringify(value)}`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new ShopExportFileError(`${where} must be true or false, got ${JSON.stringify(value)}`);
      return value;
    case "datetime": {
      const instant = typeof value === "string" && ISO_INSTANT.test(value) ? new Date(value) : undefined;
      if (!instant || Number.isNaN(instant.getTime()) || instant.toISOString() !== value) {
        throw new ShopExportFileError(`${where} must be an instant such as 2026-01-14T09:00:00.000Z, got ${JSON.stringify(value)}`);
      }
      return instant;
    }
    case "string":
    case "text":
      if (typeof value !== "string") throw new ShopExportFileError(`${where} must be a string, got ${JSON.stringify(value)}`);
      checkLength(value, kind, where, limits);
      return value;
  }
}

function checkLength(value: string, kind: "string" | "text", where: string, limits: TargetLimits): void {
  if (limits.noNulCharacters && value.includes("\u0000")) {
    throw new ShopExportFileError(`${where} holds a NUL character (U+0000), which PostgreSQL cannot store`);
  }
  if (!limits.mysqlLengths) return;
  if (kind === "string" && value.length > 191 && [...value].length > 191) {
    throw new ShopExportFileError(`${where} has ${[...value].length} characters; MySQL holds 191 in this column`);
  }
  if (kind === "text" && value.length > 21_845 && Buffer.byteLength(value) > 65_535) {
    throw new ShopExportFileError(`${where} has ${Buffer.byteLength(value)} bytes; MySQL's TEXT holds 65,535`);
  }
}
