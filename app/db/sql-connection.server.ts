import Database from "better-sqlite3";
import * as mariadb from "mariadb";
import pg from "pg";
import type { DatabaseTarget } from "../config/database-url";
import { connectionFailureReason, DatabaseUnreachableError } from "./errors";

/**
 * A plain driver connection, for the work the Prisma client cannot do here: running
 * migration scripts (Prisma's JS schema engine lacks MySQL and trips on PostgreSQL)
 * and reading the catalog for the drift check. Placeholders are written `?`.
 */
export interface SqlConnection {
  readonly provider: DatabaseTarget["provider"];
  /** Runs a script of several statements. */
  exec(script: string): Promise<void>;
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function openSqlConnection(target: DatabaseTarget): Promise<SqlConnection> {
  try {
    switch (target.provider) {
      case "sqlite":
        return openSqlite(target);
      case "postgresql":
        return await openPostgres(target);
      case "mysql":
        return await openMysql(target);
    }
  } catch (error) {
    const reason = connectionFailureReason(error);
    if (reason) throw new DatabaseUnreachableError(target, reason);
    throw error;
  }
}

function openSqlite(target: DatabaseTarget): SqlConnection {
  // `timeout` is the busy timeout: a second process waits for the first one's lock.
  const db = new Database(target.sqliteFile!, { timeout: 30_000 });
  return {
    provider: "sqlite",
    async exec(script) {
      db.exec(script);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as Row[];
      statement.run(...params);
      return [];
    },
    async close() {
      db.close();
    },
  };
}

async function openPostgres(target: DatabaseTarget): Promise<SqlConnection> {
  const client = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  return {
    provider: "postgresql",
    async exec(script) {
      await client.query(script);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      let index = 0;
      const text = sql.replace(/\?/g, () => `$${++index}`);
      const result = await client.query(text, params);
      return result.rows as Row[];
    },
    async close() {
      await client.end();
    },
  };
}

async function openMysql(target: DatabaseTarget): Promise<SqlConnection> {
  const parsed = new URL(target.url);
  const connection = await mariadb.createConnection({
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    connectTimeout: 5_000,
    multipleStatements: true,
    bigIntAsNumber: true,
    dateStrings: false,
  });
  return {
    provider: "mysql",
    async exec(script) {
      await connection.query(script);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await connection.query(sql, params);
      return (Array.isArray(result) ? result : []) as Row[];
    },
    async close() {
      await connection.end();
    },
  };
}
