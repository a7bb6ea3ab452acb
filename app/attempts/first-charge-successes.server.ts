import { appConfig } from "../config/app-config.server";
import type { Prisma } from "../db/client.server";
import { directQuery, prisma } from "../db/app-database.server";
import { rawSql } from "../db/raw-sql";
import { AttemptStatus } from "./attempt-status";

// The common case of a result webhook, for many deliveries at once: a first charge Shopify
// reports as paid, for an attempt still awaiting its result. That attempt never had a dunning
// tracker, so recording it needs no decision: the attempts become SUCCEEDED and the deliveries
// are recorded as processed (ProcessedWebhook), in one statement on PostgreSQL, one
// transaction elsewhere. Anything else (a retry, a challenged attempt, an attempt already
// recorded, a delivery already processed, an attempt this app did not make) is left for the
// full path, which decides what it means.

export interface FirstChargeSuccess {
  /** What makes two deliveries the same (ProcessedWebhook.webhookId). */
  deliveryKey: string;
  shop: string;
  topic: string;
  idempotencyKey: string;
  shopifyAttemptId: string | null;
  orderId: string | null;
  completedAt: Date;
}

const AWAITED = `('${AttemptStatus.Pending}', '${AttemptStatus.Processing}')`;

/**
 * Records the successes it can (a few hundred at most at once; one per delivery key) and
 * returns their delivery keys; the caller sends the others down the full path. All or
 * nothing: a failure records none.
 */
export async function recordFirstChargeSuccesses(successes: FirstChargeSuccess[], receivedAt: Date): Promise<Set<string>> {
  if (successes.length === 0) return new Set();
  const provider = appConfig().database.provider;
  const recordedKeys =
    provider === "postgresql"
      ? await recordOnPostgresql(successes, receivedAt)
      : await prisma().$transaction((tx) => (provider === "sqlite" ? recordOnSqlite(tx, successes, receivedAt) : recordOnMysql(tx, successes, receivedAt)));
  const deliveryOf = new Map(successes.map((success) => [success.idempotencyKey, success.deliveryKey]));
  return new Set(recordedKeys.map((key) => deliveryOf.get(key)!));
}

/** The successes as rows of a VALUES list, with names (PostgreSQL needs their types). */
function newsTable(sql: ReturnType<typeof rawSql>, successes: FirstChargeSuccess[], withTopic: boolean): string {
  const rows = successes.map(
    (success) =>
      `(${[
        sql.value(success.idempotencyKey, "text"),
        sql.value(success.shop, "text"),
        sql.value(success.shopifyAttemptId, "text"),
        sql.value(success.orderId, "text"),
        sql.value(success.completedAt, "timestamp(3)"),
        sql.value(success.deliveryKey, "text"),
        ...(withTopic ? [sql.value(success.topic, "text")] : []),
      ].join(", ")})`,
  );
  return `news ("idempotencyKey", shop, "shopifyAttemptId", "orderId", "completedAt", "deliveryKey"${withTopic ? ", topic" : ""}) AS (VALUES ${rows.join(", ")})`;
}

/** What the update sets and which attempts it takes: awaited first charges whose delivery is new. */
function successUpdate(sql: ReturnType<typeof rawSql>, receivedAt: Date, attempt: string): { set: string; where: string } {
  return {
    set: `status = '${AttemptStatus.Succeeded}',
          "shopifyAttemptId" = COALESCE(news."shopifyAttemptId", ${attempt}."shopifyAttemptId"),
          "orderId" = COALESCE(news."orderId", ${attempt}."orderId"),
          "completedAt" = news."completedAt",
          "updatedAt" = ${sql.value(receivedAt, "timestamp(3)")}`,
    where: `${attempt}."idempotencyKey" = news."idempotencyKey" AND ${attempt}.shop = news.shop
        AND ${attempt}."attemptNumber" = 1 AND ${attempt}.status IN ${AWAITED}
        AND NOT EXISTS (SELECT 1 FROM "ProcessedWebhook" processed WHERE processed."webhookId" = news."deliveryKey")`,
  };
}

/** One statement: update the awaited first charges, record the deliveries of those it updated. */
async function recordOnPostgresql(successes: FirstChargeSuccess[], receivedAt: Date): Promise<string[]> {
  const sql = rawSql("postgresql");
  const news = newsTable(sql, successes, true);
  const update = successUpdate(sql, receivedAt, "attempt");
  const updated = await directQuery<{ idempotencyKey: string }>(
    `WITH ${news},
     updated AS (
       UPDATE "BillingAttempt" AS attempt SET ${update.set} FROM news WHERE ${update.where}
       RETURNING attempt."idempotencyKey"
     ),
     delivered AS (
       INSERT INTO "ProcessedWebhook" ("webhookId", shop, topic, "processedAt")
       SELECT news."deliveryKey", news.shop, news.topic, ${sql.value(receivedAt, "timestamp(3)")} FROM news JOIN updated USING ("idempotencyKey")
     )
     SELECT "idempotencyKey" FROM updated`,
    sql.values,
  );
  return updated.map((row) => row.idempotencyKey);
}

/** SQLite has UPDATE ... FROM and RETURNING, but no data-changing WITH: the update, then the deliveries. */
async function recordOnSqlite(tx: Prisma.TransactionClient, successes: FirstChargeSuccess[], receivedAt: Date): Promise<string[]> {
  const sql = rawSql("sqlite");
  const news = newsTable(sql, successes, false);
  const update = successUpdate(sql, receivedAt, '"BillingAttempt"');
  const updated = await tx.$queryRawUnsafe<Array<{ idempotencyKey: string }>>(
    `WITH ${news} UPDATE "BillingAttempt" SET ${update.set} FROM news WHERE ${update.where} RETURNING "BillingAttempt"."idempotencyKey"`,
    ...sql.values,
  );
  const keys = updated.map((row) => row.idempotencyKey);
  await recordDeliveries(tx, successes, keys, receivedAt);
  return keys;
}

/**
 * MySQL has neither a data-changing WITH nor UPDATE ... RETURNING: the awaited first charges
 * are read and locked, updated by one statement, their deliveries recorded. No separate check
 * for deliveries seen before: one recorded earlier left its attempt SUCCEEDED in the same
 * transaction, so an awaited attempt's delivery is new; should one still be known, its insert
 * fails the batch, which then takes the full path.
 */
async function recordOnMysql(tx: Prisma.TransactionClient, successes: FirstChargeSuccess[], receivedAt: Date): Promise<string[]> {
  const lookup = rawSql("mysql");
  const awaited = await tx.$queryRawUnsafe<Array<{ idempotencyKey: string; shop: string }>>(
    `SELECT \`idempotencyKey\`, shop FROM \`BillingAttempt\`
     WHERE \`idempotencyKey\` IN (${lookup.list(successes.map((success) => success.idempotencyKey))}) AND \`attemptNumber\` = 1 AND status IN ${AWAITED}
     FOR UPDATE`,
    ...lookup.values,
  );
  const shopOf = new Map(awaited.map((row) => [row.idempotencyKey, row.shop]));
  const news = successes.filter((success) => shopOf.get(success.idempotencyKey) === success.shop);
  if (news.length === 0) return [];
  const sql = rawSql("mysql");
  const caseOf = (value: (success: FirstChargeSuccess) => unknown) =>
    `CASE \`idempotencyKey\` ${news.map((success) => `WHEN ${sql.value(success.idempotencyKey)} THEN ${sql.value(value(success))}`).join(" ")} END`;
  await tx.$executeRawUnsafe(
    `UPDATE \`BillingAttempt\`
     SET status = '${AttemptStatus.Succeeded}',
         \`shopifyAttemptId\` = COALESCE(${caseOf((success) => success.shopifyAttemptId)}, \`shopifyAttemptId\`),
         \`orderId\` = COALESCE(${caseOf((success) => success.orderId)}, \`orderId\`),
         \`completedAt\` = ${caseOf((success) => success.completedAt)},
         \`updatedAt\` = ${sql.value(receivedAt)}
     WHERE \`idempotencyKey\` IN (${sql.list(news.map((success) => success.idempotencyKey))})`,
    ...sql.values,
  );
  const keys = news.map((success) => success.idempotencyKey);
  await recordDeliveries(tx, successes, keys, receivedAt);
  return keys;
}

async function recordDeliveries(tx: Prisma.TransactionClient, successes: FirstChargeSuccess[], updatedKeys: string[], receivedAt: Date) {
  const updated = new Set(updatedKeys);
  const delivered = successes.filter((success) => updated.has(success.idempotencyKey));
  if (delivered.length === 0) return;
  await tx.processedWebhook.createMany({
    data: delivered.map((success) => ({ webhookId: success.deliveryKey, shop: success.shop, topic: success.topic, processedAt: receivedAt })),
  });
}
