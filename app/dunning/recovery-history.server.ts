import { appConfig } from "../config/app-config.server";
import type { DatabaseProvider } from "../config/database-url";
import { directQuery } from "../db/app-database.server";
import { rawSql } from "../db/raw-sql";
import { logger } from "../observability/logger.server";
import { DeclineClass } from "./decline-classes";
import {
  cardUpdateCurveFromRows,
  CURVE_DAYS,
  DELAY_BUCKETS,
  HISTORY_WINDOW_DAYS,
  reasonOutcomesFromRows,
  retriesByClass,
  retryOutcomesFromRows,
  type CardUpdateRow,
  type InstallationHistory,
  type PaymentRow,
  type RecoveryHistory,
  type RetryRow,
} from "./recovery-history";

// The read model of the what-if and the Insights page: the shop's failed payments of the
// last 90 days as three GROUP BY statements (how the payments ended, by decline code and
// amount; every retry's outcome by code, retry number and delay since the failure; the
// day-by-day curve of cards that needed updating), bounded by the window's trackers (index
// shop, openedAt) and their retries, never a row per payment. A payment's decline is its
// tracker's (the latest, as the Overview's recovery by category counts it). The installation's anonymous aggregate (other shops'
// counts, no shop named) is the same by decline class, read at most once an hour per process.

/** Where the statements run: the app's database, or (the demo) a client of its own. */
export interface HistorySource {
  provider: DatabaseProvider;
  query<Row>(sql: string, values: unknown[]): Promise<Row[]>;
}

function appSource(): HistorySource {
  return { provider: appConfig().database.provider, query: directQuery };
}

const DAY_SECONDS = 86_400;
const DECIDED_RETRY_STATUSES = ["SUCCEEDED", "FAILED", "ACTION_REQUIRED"];

/** The window's first instant: 90 days of 24 hours before `now` (a look back, not the shop's calendar). */
export function historySince(now: Date): Date {
  return new Date(now.getTime() - HISTORY_WINDOW_DAYS * DAY_SECONDS * 1000);
}

/** The shop's history of the window ending at `now`. */
export async function readRecoveryHistory(shop: string, now: Date, source: HistorySource = appSource()): Promise<RecoveryHistory> {
  const since = historySince(now);
  const [payments, retries, cardUpdates] = await Promise.all([
    source.query<Record<string, unknown>>(...paymentsStatement(source.provider, shop, since)),
    source.query<Record<string, unknown>>(...retriesStatement(source.provider, shop, since)),
    source.query<Record<string, unknown>>(...cardUpdatesStatement(source.provider, shop, since, now)),
  ]);
  return {
    windowDays: HISTORY_WINDOW_DAYS,
    since: since.toISOString(),
    reasons: reasonOutcomesFromRows(payments.map(paymentRow)),
    retries: retryOutcomesFromRows(retries.map(retryRow)),
    cardUpdates: cardUpdateCurveFromRows(cardUpdates.map(cardUpdateRow)),
  };
}

/** Every shop's retries and card updates of the window, by decline class, and how many shops they come from. */
export async function readInstallationHistory(now: Date, source: HistorySource = appSource()): Promise<InstallationHistory> {
  const since = historySince(now);
  const [shops, retries, cardUpdates] = await Promise.all([
    source.query<Record<string, unknown>>(...shopsStatement(source.provider, since)),
    source.query<Record<string, unknown>>(...retriesStatement(source.provider, null, since)),
    source.query<Record<string, unknown>>(...cardUpdatesStatement(source.provider, null, since, now)),
  ]);
  return {
    shops: Number(shops[0]?.shops ?? 0),
    retries: retriesByClass(retryOutcomesFromRows(retries.map(retryRow))),
    cardUpdates: cardUpdateCurveFromRows(cardUpdates.map(cardUpdateRow)),
  };
}

/** How long one process keeps the installation's aggregate: it moves slowly, and reading it scans every shop's window. */
export const INSTALLATION_HISTORY_TTL_MS = 60 * 60_000;

const installationCache = new Map<string, { readAt: number; history: InstallationHistory; refreshing?: Promise<void> }>();

/**
 * The installation's aggregate, read at most once an hour per database: once read, an older
 * one is answered while a fresh one is read in the background (a page never waits for it
 * again). A clock set back (tests) reads it anew.
 */
export async function getInstallationHistory(now: Date): Promise<InstallationHistory> {
  const key = appConfig().database.url;
  const cached = installationCache.get(key);
  const age = cached ? now.getTime() - cached.readAt : Number.POSITIVE_INFINITY;
  if (cached && age >= 0 && age < INSTALLATION_HISTORY_TTL_MS) return cached.history;
  if (cached && age >= 0) {
    cached.refreshing ??= readInstallationHistory(now).then(
      (history) => void installationCache.set(key, { readAt: now.getTime(), history }),
      (error: unknown) => {
        cached.refreshing = undefined;
        logger().warn({ event: "installation_history_unread", err: error }, "the installation's recovery history could not be read; the previous one is used");
      },
    );
    return cached.history;
  }
  const history = await readInstallationHistory(now);
  installationCache.set(key, { readAt: now.getTime(), history });
  return history;
}

type Statement = [sql: string, values: unknown[]];

function dialect(provider: DatabaseProvider) {
  const sql = rawSql(provider);
  const { id } = sql;
  /** Seconds since 1970 of a timestamp column (stored as UTC on every provider). */
  const epoch = (column: string) =>
    provider === "postgresql"
      ? `EXTRACT(EPOCH FROM ${column})`
      : provider === "mysql"
        ? `TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', ${column})`
        : `((julianday(${column}) - 2440587.5) * 86400.0)`;
  /** Whole days of a span in seconds (never negative). */
  const wholeDays = (seconds: string) => {
    const days = `(${seconds}) / ${DAY_SECONDS}`;
    const floored = provider === "sqlite" ? `CAST(${days} AS INTEGER)` : provider === "postgresql" ? `CAST(FLOOR(${days}) AS INTEGER)` : `FLOOR(${days})`;
    return `CASE WHEN ${seconds} < 0 THEN 0 ELSE ${floored} END`;
  };
  const t = (column: string) => `t.${id(column)}`;
  const a = (column: string) => `a.${id(column)}`;
  // The window's trackers, by the index (shop, openedAt); each bound value appears once (MySQL and SQLite number parameters by position).
  const inWindow = (shop: string | null, since: Date) =>
    `${shop === null ? "" : `${t("shop")} = ${sql.value(shop, "text")} AND `}${t("openedAt")} >= ${sql.value(since, "timestamp(3)")}`;
  return { sql, id, epoch, wholeDays, t, a, inWindow };
}

/** How the window's payments ended, by decline code and class, final action and amount. */
function paymentsStatement(provider: DatabaseProvider, shop: string, since: Date): Statement {
  const { sql, id, t, inWindow } = dialect(provider);
  const text =
    `SELECT ${t("lastErrorCode")} AS ${id("code")}, ${t("lastErrorClass")} AS ${id("declineClass")}, ${t("status")} AS ${id("status")}, ` +
    `${t("finalAction")} AS ${id("finalAction")}, ${t("currencyCode")} AS ${id("currencyCode")}, ${t("amount")} AS ${id("amount")}, ` +
    `COUNT(*) AS ${id("payments")}, SUM(${t("emailsSent")}) AS ${id("emailsSent")}, MAX(${t("attemptCount")}) AS ${id("mostAttempts")} ` +
    `FROM ${id("DunningTracker")} t WHERE ${inWindow(shop, since)} GROUP BY 1, 2, 3, 4, 5, 6`;
  return [text, sql.values];
}

/** Every retry with a result, by decline code and class, retry (attempt) number and delay bucket since the first failure. */
function retriesStatement(provider: DatabaseProvider, shop: string | null, since: Date): Statement {
  const { sql, id, epoch, wholeDays, t, a, inWindow } = dialect(provider);
  const days = wholeDays(`r.${id("seconds")}`);
  const bucket = DELAY_BUCKETS.slice(0, -1)
    .map((range, index) => `WHEN ${days} <= ${range.to} THEN ${index}`)
    .join(" ");
  const retries =
    `SELECT ${t("lastErrorCode")} AS ${id("code")}, ${t("lastErrorClass")} AS ${id("declineClass")}, ${a("attemptNumber")} AS ${id("attemptNumber")}, ` +
    `${a("status")} AS ${id("status")}, ${epoch(a("createdAt"))} - ${epoch(t("openedAt"))} AS ${id("seconds")} ` +
    `FROM ${id("DunningTracker")} t ` +
    `JOIN ${id("BillingAttempt")} a ON ${a("shop")} = ${t("shop")} AND ${a("contractId")} = ${t("contractId")} AND ${a("billingCycleIndex")} = ${t("billingCycleIndex")} AND ${a("attemptNumber")} > 1 ` +
    `WHERE ${inWindow(shop, since)} AND ${a("status")} IN (${DECIDED_RETRY_STATUSES.map((status) => `'${status}'`).join(", ")})` +
    // PostgreSQL hashes the shop's retries rather than look up each tracker's: bound them by
    // the window's run dates (index shop, runLocalDate), a day early for the zones behind UTC.
    (provider === "postgresql" ? ` AND ${a("runLocalDate")} >= ${sql.value(new Date(since.getTime() - DAY_SECONDS * 1000).toISOString().slice(0, 10), "text")}` : "");
  const text =
    `SELECT r.${id("code")} AS ${id("code")}, r.${id("declineClass")} AS ${id("declineClass")}, r.${id("attemptNumber")} AS ${id("attemptNumber")}, ` +
    `CASE ${bucket} ELSE ${DELAY_BUCKETS.length - 1} END AS ${id("delayBucket")}, COUNT(*) AS ${id("attempts")}, ` +
    `SUM(CASE WHEN r.${id("status")} = 'SUCCEEDED' THEN 1 ELSE 0 END) AS ${id("recovered")} ` +
    `FROM (${retries}) r GROUP BY 1, 2, 3, 4`;
  return [text, sql.values];
}

/** Cards that needed updating: by status, days until the tracker closed, and its age now (both capped). */
function cardUpdatesStatement(provider: DatabaseProvider, shop: string | null, since: Date, now: Date): Statement {
  const { sql, id, epoch, wholeDays, t, inWindow } = dialect(provider);
  const cappedDays = (column: string) => {
    const days = wholeDays(`w.${id(column)}`);
    return `CASE WHEN ${days} > ${CURVE_DAYS} THEN ${CURVE_DAYS} ELSE ${days} END`;
  };
  const waiting =
    `SELECT ${t("status")} AS ${id("status")}, ${epoch(t("completedAt"))} - ${epoch(t("openedAt"))} AS ${id("closedSeconds")}, ` +
    `${sql.value(now.getTime() / 1000, "float8")} - ${epoch(t("openedAt"))} AS ${id("ageSeconds")} ` +
    `FROM ${id("DunningTracker")} t WHERE ${inWindow(shop, since)} AND ${t("lastErrorClass")} = '${DeclineClass.Hard}'`;
  const text =
    `SELECT w.${id("status")} AS ${id("status")}, ` +
    `CASE WHEN w.${id("closedSeconds")} IS NULL THEN NULL ELSE ${cappedDays("closedSeconds")} END AS ${id("closedAfterDays")}, ` +
    `${cappedDays("ageSeconds")} AS ${id("ageDays")}, COUNT(*) AS ${id("payments")} ` +
    `FROM (${waiting}) w GROUP BY 1, 2, 3`;
  return [text, sql.values];
}

function shopsStatement(provider: DatabaseProvider, since: Date): Statement {
  const { sql, id, t, inWindow } = dialect(provider);
  return [`SELECT COUNT(DISTINCT ${t("shop")}) AS ${id("shops")} FROM ${id("DunningTracker")} t WHERE ${inWindow(null, since)}`, sql.values];
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
const count = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

function paymentRow(row: Record<string, unknown>): PaymentRow {
  return {
    code: text(row.code),
    declineClass: text(row.declineClass),
    status: String(row.status),
    finalAction: text(row.finalAction),
    currencyCode: text(row.currencyCode),
    amount: text(row.amount),
    payments: count(row.payments),
    emailsSent: count(row.emailsSent),
    mostAttempts: count(row.mostAttempts),
  };
}

function retryRow(row: Record<string, unknown>): RetryRow {
  return {
    code: text(row.code),
    declineClass: text(row.declineClass),
    attemptNumber: count(row.attemptNumber),
    delayBucket: count(row.delayBucket),
    attempts: count(row.attempts),
    recovered: count(row.recovered),
  };
}

function cardUpdateRow(row: Record<string, unknown>): CardUpdateRow {
  return {
    status: String(row.status),
    closedAfterDays: row.closedAfterDays === null || row.closedAfterDays === undefined ? null : Number(row.closedAfterDays),
    ageDays: count(row.ageDays),
    payments: count(row.payments),
  };
}
