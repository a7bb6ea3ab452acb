import type { SqlConnection } from "./sql-connection.server";

/**
 * A provider-neutral description of the app's tables, read from the database catalog.
 * Comparing the snapshot of "the committed migrations applied" with that of "the models
 * rendered by Prisma" is the drift check (scripts/check-drift.ts): it works on all three
 * providers, where Prisma's own `migrate diff --from-migrations` does not here.
 */
export interface ColumnSnapshot {
  /** string | int | bigint | boolean | datetime | float | decimal | json | bytes | other:<type> */
  type: string;
  nullable: boolean;
  /** The database's own type name (e.g. "varchar(191)"), for provider-specific checks. */
  nativeType: string;
}

export interface TableSnapshot {
  columns: Record<string, ColumnSnapshot>;
  primaryKey: string[];
  indexes: Record<string, { columns: string[]; unique: boolean }>;
}

export type SchemaSnapshot = Record<string, TableSnapshot>;

const IGNORED_TABLES = new Set(["_prisma_migrations", "sqlite_sequence"]);

const TYPE_CATEGORIES: Array<[RegExp, string]> = [
  [/^(text|character varying|varchar|char|character|tinytext|mediumtext|longtext)/, "string"],
  [/^(bigint|int8)/, "bigint"],
  [/^(integer|int|int4|serial|smallint|mediumint)\b/, "int"],
  [/^(boolean|bool|tinyint\(1\))/, "boolean"],
  [/^(datetime|timestamp|date)/, "datetime"],
  [/^(double|real|float)/, "float"],
  [/^(decimal|numeric)/, "decimal"],
  [/^(jsonb?)/, "json"],
  [/^(blob|bytea|longblob|mediumblob|varbinary)/, "bytes"],
];

export function typeCategory(nativeType: string): string {
  const type = nativeType.trim().toLowerCase();
  return TYPE_CATEGORIES.find(([pattern]) => pattern.test(type))?.[1] ?? `other:${type}`;
}

function table(snapshot: SchemaSnapshot, name: string): TableSnapshot {
  return (snapshot[name] ??= { columns: {}, primaryKey: [], indexes: {} });
}

export async function readSchemaSnapshot(connection: SqlConnection): Promise<SchemaSnapshot> {
  switch (connection.provider) {
    case "sqlite":
      return readSqlite(connection);
    case "postgresql":
      return readPostgres(connection);
    case "mysql":
      return readMysql(connection);
  }
}

async function readSqlite(connection: SqlConnection): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  const tables = await connection.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  for (const { name } of tables.filter((t) => !IGNORED_TABLES.has(t.name))) {
    const entry = table(snapshot, name);
    const columns = await connection.query<{ name: string; type: string; notnull: number | bigint; pk: number | bigint }>(
      `PRAGMA table_info("${name}")`,
    );
    for (const column of columns) {
      entry.columns[column.name] = {
        type: typeCategory(column.type),
        nullable: Number(column.notnull) === 0 && Number(column.pk) === 0,
        nativeType: column.type.toLowerCase(),
      };
    }
    entry.primaryKey = columns.filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((c) => c.name);
    const indexes = await connection.query<{ name: string; unique: number | bigint; origin: string }>(`PRAGMA index_list("${name}")`);
    for (const index of indexes.filter((i) => i.origin !== "pk")) {
      const indexColumns = await connection.query<{ name: string; seqno: number | bigint }>(`PRAGMA index_info("${index.name}")`);
      entry.indexes[index.name] = {
        columns: indexColumns.sort((a, b) => Number(a.seqno) - Number(b.seqno)).map((c) => c.name),
        unique: Number(index.unique) === 1,
      };
    }
  }
  return snapshot;
}

async function readPostgres(connection: SqlConnection): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  const columns = await connection.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  for (const column of columns.filter((c) => !IGNORED_TABLES.has(c.table_name))) {
    table(snapshot, column.table_name).columns[column.column_name] = {
      type: typeCategory(column.data_type),
      nullable: column.is_nullable === "YES",
      nativeType: column.data_type,
    };
  }
  const indexes = await connection.query<{ table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; columns: string }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,
            array_to_string(ARRAY(
              SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord), ',') AS columns
     FROM pg_index ix
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = current_schema()`,
  );
  for (const index of indexes.filter((i) => !IGNORED_TABLES.has(i.table_name))) {
    const entry = table(snapshot, index.table_name);
    if (index.is_primary) entry.primaryKey = index.columns.split(",");
    else entry.indexes[index.index_name] = { columns: index.columns.split(","), unique: index.is_unique };
  }
  return snapshot;
}

async function readMysql(connection: SqlConnection): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  const columns = await connection.query<{ table_name: string; column_name: string; column_type: string; is_nullable: string }>(
    `SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable
     FROM information_schema.columns WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  );
  for (const column of columns.filter((c) => !IGNORED_TABLES.has(c.table_name))) {
    table(snapshot, column.table_name).columns[column.column_name] = {
      type: typeCategory(column.column_type),
      nullable: column.is_nullable === "YES",
      nativeType: column.column_type.toLowerCase(),
    };
  }
  const statistics = await connection.query<{ table_name: string; index_name: string; non_unique: number; column_name: string }>(
    `SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, COLUMN_NAME AS column_name
     FROM information_schema.statistics WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  );
  for (const row of statistics.filter((s) => !IGNORED_TABLES.has(s.table_name))) {
    const entry = table(snapshot, row.table_name);
    if (row.index_name === "PRIMARY") {
      entry.primaryKey.push(row.column_name);
      continue;
    }
    const index = (entry.indexes[row.index_name] ??= { columns: [], unique: Number(row.non_unique) === 0 });
    index.columns.push(row.column_name);
  }
  return snapshot;
}

/** Every difference between what the models want and what the database has, in words. */
export function diffSchemaSnapshots(expected: SchemaSnapshot, actual: SchemaSnapshot): string[] {
  const problems: string[] = [];
  for (const name of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const want = expected[name];
    const have = actual[name];
    if (!have) problems.push(`table ${name} is missing`);
    else if (!want) problems.push(`table ${name} exists but no model declares it`);
    if (!want || !have) continue;
    for (const column of new Set([...Object.keys(want.columns), ...Object.keys(have.columns)])) {
      const w = want.columns[column];
      const h = have.columns[column];
      if (!h) problems.push(`column ${name}.${column} is missing`);
      else if (!w) problems.push(`column ${name}.${column} exists but the model has no such field`);
      else if (w.type !== h.type || w.nullable !== h.nullable) {
        problems.push(
          `column ${name}.${column} is ${h.type}${h.nullable ? " NULL" : " NOT NULL"}, the model wants ${w.type}${w.nullable ? " NULL" : " NOT NULL"}`,
        );
      }
    }
    if (want.primaryKey.join(",") !== have.primaryKey.join(",")) {
      problems.push(`primary key of ${name} is (${have.primaryKey}), the model wants (${want.primaryKey})`);
    }
    for (const index of new Set([...Object.keys(want.indexes), ...Object.keys(have.indexes)])) {
      const w = want.indexes[index];
      const h = have.indexes[index];
      const describe = (i: { columns: string[]; unique: boolean }) => `${i.unique ? "unique " : ""}(${i.columns.join(", ")})`;
      if (!h) problems.push(`index ${index} ${describe(w!)} on ${name} is missing`);
      else if (!w) problems.push(`index ${index} ${describe(h)} on ${name} is not in the models`);
      else if (describe(w) !== describe(h)) problems.push(`index ${index} on ${name} is ${describe(h)}, the model wants ${describe(w)}`);
    }
  }
  return problems;
}
