import type { DatabaseProvider } from "../config/database-url";

/**
 * A raw statement for the configured provider, built piece by piece: identifiers quoted as
 * the provider quotes them, values bound in order ($1 on PostgreSQL, ? elsewhere). For the
 * few multi-row statements Prisma's API cannot express; values are never spliced in.
 */
/**
 * A value as the statement sends it: PostgreSQL's timestamp(3) columns hold UTC without an
 * offset (as Prisma writes them), so a Date goes as that text, whatever the process's zone.
 */
export function boundValue(provider: DatabaseProvider, value: unknown): unknown {
  return provider === "postgresql" && value instanceof Date ? value.toISOString().replace("T", " ").replace("Z", "") : value;
}

export function rawSql(provider: DatabaseProvider) {
  const values: unknown[] = [];
  return {
    values,
    provider,
    id: (name: string) => (provider === "mysql" ? `\`${name}\`` : `"${name}"`),
    /** A bound value; `postgresqlType` casts it there, where a bare parameter's type may be unknown. */
    value(value: unknown, postgresqlType?: string): string {
      values.push(boundValue(provider, value));
      return provider === "postgresql" ? `$${values.length}${postgresqlType ? `::${postgresqlType}` : ""}` : "?";
    },
    list(items: readonly unknown[], postgresqlType?: string): string {
      return items.map((item) => this.value(item, postgresqlType)).join(", ");
    },
  };
}
