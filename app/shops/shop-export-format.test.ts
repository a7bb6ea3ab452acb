import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  EXPORT_TABLES,
  ID_REFERENCES,
  parseHeader,
  parseRowLine,
  rowLine,
  SHOP_EXPORT_FORMAT,
  SHOP_EXPORT_FORMAT_VERSION,
  type TargetLimits,
} from "./shop-export-format";

const models = readFileSync(path.resolve(import.meta.dirname, "../../prisma/models.prisma"), "utf8");

/** Each model's columns as the format would name their types. */
function modelColumns(): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  for (const [, name, body] of models.matchAll(/^model (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const columns: Record<string, string> = {};
    for (const [, column, type, optional, rest = ""] of body.matchAll(/^ {2}(\w+)\s+(\w+)(\?)?([^\n]*)$/gm)) {
      const kind = { Int: "int", Boolean: "boolean", DateTime: "datetime", BigInt: "bigint" }[type] ?? (rest.includes("@db.Text") ? "text" : "string");
      columns[column] = `${kind}${optional ? "?" : ""}`;
    }
    found.set(name, columns);
  }
  return found;
}

const ANY_TARGET: TargetLimits = { mysqlLengths: false, noNulCharacters: false };
const SHOP = "a.myshopify.com";
const header = {
  format: SHOP_EXPORT_FORMAT,
  formatVersion: SHOP_EXPORT_FORMAT_VERSION,
  shop: SHOP,
  exportedAt: "2026-01-14T09:00:00.000Z",
  migration: "20261203132839_customers",
  source: "sqlite",
  tables: Object.fromEntries(EXPORT_TABLES.map((table) => [table.name, { rows: 0 }])),
};
const webhookRow = { webhookId: "w-1", shop: SHOP, topic: "app/uninstalled", processedAt: "2026-01-14T09:00:00.123Z" };
const line = (table: string, row: Record<string, unknown>) => JSON.stringify({ table, row });

describe("the shop export format", () => {
  it("holds every column of every model but Session, with its type (a new column needs a new format version)", () => {
    const expected = modelColumns();
    expect(expected.size).toBeGreaterThan(5);
    expected.delete("Session");
    expect(Object.fromEntries(EXPORT_TABLES.map((table) => [table.name, table.columns]))).toEqual(Object.fromEntries(expected));
  });

  it("knows which columns hold another table's id, so an import that moves ids moves them too", () => {
    const idColumns = EXPORT_TABLES.flatMap((table) =>
      Object.entries(table.columns)
        .filter(([column, type]) => /^int/.test(type) && /.Id$/.test(column))
        .map(([column]) => `${table.name}.${column}`),
    );
    const listed = Object.entries(ID_REFERENCES).flatMap(([table, columns]) => Object.keys(columns).map((column) => `${table}.${column}`));
    expect(listed.sort()).toEqual(idColumns.sort());
    const autoIncrement = EXPORT_TABLES.filter((table) => table.autoIncrement).map((table) => table.name);
    for (const columns of Object.values(ID_REFERENCES)) for (const referenced of Object.values(columns)) expect(autoIncrement).toContain(referenced);
  });

  it("writes dates as instants with milliseconds and keeps every other value as it is", () => {
    const table = EXPORT_TABLES.find((t) => t.name === "ProcessedWebhook")!;
    const written = rowLine(table, { ...webhookRow, processedAt: new Date(webhookRow.processedAt) });
    expect(JSON.parse(written)).toEqual({ table: "ProcessedWebhook", row: webhookRow });
    expect(parseRowLine(written, 2, SHOP, ANY_TARGET).row).toEqual({ ...webhookRow, processedAt: new Date(webhookRow.processedAt) });
  });

  it.each([
    [undefined, "the file is empty"],
    ["", "the file is empty"],
    ["id,shop\n", "line 1 is not JSON"],
    [JSON.stringify({ hello: 1 }), 'does not name the format "subscription-billing/shop-export"'],
    [JSON.stringify({ ...header, formatVersion: 2 }), "format version 2; this version of the app reads version 1: import it with the version of the app that wrote it"],
    [JSON.stringify({ ...header, formatVersion: "1" }), 'format version "1"; this version of the app reads version 1'],
    [JSON.stringify({ ...header, shop: "" }), "the header, is damaged: shop"],
    [JSON.stringify({ ...header, tables: { ...header.tables, BillingAttempt: { rows: 3 } } }), "damaged: tables.BillingAttempt"],
    [JSON.stringify({ ...header, tables: { ...header.tables, Session: { rows: 1 } } }), "tables.Session (unknown table)"],
  ])("refuses the header %j: %s", (text, message) => {
    expect(() => parseHeader(text)).toThrow(message);
  });

  it("reads a well-formed header", () => {
    expect(parseHeader(JSON.stringify(header))).toEqual(header);
  });

  it.each([
    ['{"table":"ProcessedWebhook","row":{"webhookId"', "line 7 is not JSON"],
    [JSON.stringify(["ProcessedWebhook", webhookRow]), "line 7 is not a row"],
    [line("Session", webhookRow), 'line 7: unknown table "Session"'],
    [line("ProcessedWebhook", { ...webhookRow, accessToken: "x" }), 'ProcessedWebhook has no column "accessToken"'],
    [line("ProcessedWebhook", { ...webhookRow, topic: undefined }), "line 7: ProcessedWebhook.topic is missing"],
    [line("ProcessedWebhook", { ...webhookRow, topic: null }), "ProcessedWebhook.topic is null, and the column requires a value"],
    [line("ProcessedWebhook", { ...webhookRow, processedAt: "2026-01-14 09:00:00" }), "must be an instant such as 2026-01-14T09:00:00.000Z"],
    [line("ProcessedWebhook", { ...webhookRow, processedAt: "2026-02-30T09:00:00.000Z" }), "must be an instant"],
    [line("ProcessedWebhook", { ...webhookRow, topic: 7 }), "ProcessedWebhook.topic must be a string, got 7"],
    [line("ProcessedWebhook", { ...webhookRow, shop: "b.myshopify.com" }), 'a ProcessedWebhook row of shop "b.myshopify.com" in the export of a.myshopify.com'],
  ])("refuses the row %s: %s", (text, message) => {
    expect(() => parseRowLine(text, 7, SHOP, ANY_TARGET)).toThrow(message);
  });

  it("refuses numbers and flags of the wrong kind", () => {
    const event = { id: 1, trackerId: 2, shop: SHOP, at: webhookRow.processedAt, kind: "OPENED", status: "OPEN", attemptNumber: null, errorCode: null, detail: "" };
    expect(parseRowLine(line("DunningEvent", event), 3, SHOP, ANY_TARGET).row.attemptNumber).toBeNull();
    expect(() => parseRowLine(line("DunningEvent", { ...event, trackerId: 1.5 }), 3, SHOP, ANY_TARGET)).toThrow("DunningEvent.trackerId must be a whole number within 32 bits, got 1.5");
    expect(() => parseRowLine(line("DunningEvent", { ...event, id: 2 ** 31 }), 3, SHOP, ANY_TARGET)).toThrow("within 32 bits");
    const at = webhookRow.processedAt;
    const policy = { id: 1, shop: SHOP, retryCount: 3, retryDelaysDays: "1,3", finalAction: "SKIP", inventoryRetryCount: 2, inventoryRetryDelaysDays: "1", inventoryFinalAction: "SKIP", sendPaymentUpdateEmail: true, paymentUpdateEmailIntervalHours: 24, createdAt: at, updatedAt: at };
    expect(parseRowLine(line("DunningPolicy", policy), 3, SHOP, ANY_TARGET).row.sendPaymentUpdateEmail).toBe(true);
    expect(() => parseRowLine(line("DunningPolicy", { ...policy, sendPaymentUpdateEmail: 1 }), 3, SHOP, ANY_TARGET)).toThrow(
      "DunningPolicy.sendPaymentUpdateEmail must be true or false, got 1",
    );
  });

  it("names what MySQL and PostgreSQL could not store before the database fails less clearly", () => {
    const mysql = { mysqlLengths: true, noNulCharacters: false };
    const postgresql = { mysqlLengths: false, noNulCharacters: true };
    const event = { id: 1, trackerId: 2, shop: SHOP, at: webhookRow.processedAt, kind: "OPENED", status: "OPEN", attemptNumber: 1, errorCode: "😀".repeat(191), detail: "é".repeat(32_767) + "x" };
    expect(parseRowLine(line("DunningEvent", event), 4, SHOP, mysql).row.detail).toBe(event.detail);
    expect(() => parseRowLine(line("DunningEvent", { ...event, errorCode: "x".repeat(192) }), 4, SHOP, mysql)).toThrow(
      "line 4: DunningEvent.errorCode has 192 characters; MySQL holds 191 in this column",
    );
    expect(() => parseRowLine(line("DunningEvent", { ...event, detail: event.detail + "y" }), 4, SHOP, mysql)).toThrow(
      "DunningEvent.detail has 65536 bytes; MySQL's TEXT holds 65,535",
    );
    expect(parseRowLine(line("DunningEvent", { ...event, detail: "a\u0000b" }), 4, SHOP, mysql).row.detail).toBe("a\u0000b");
    expect(() => parseRowLine(line("DunningEvent", { ...event, detail: "a\u0000b" }), 4, SHOP, postgresql)).toThrow(
      "DunningEvent.detail holds a NUL character (U+0000), which PostgreSQL cannot store",
    );
  });
});
