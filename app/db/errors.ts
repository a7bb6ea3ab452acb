import { describeDatabaseTarget, type DatabaseTarget } from "../config/database-url";

/** Errors an operator can act on; each has its own message and health status. */
export class DatabaseUnreachableError extends Error {
  readonly code = "DATABASE_UNREACHABLE";
  /** Wrong credentials or a missing database: waiting for the server will not fix it. */
  readonly permanent: boolean;
  constructor(target: DatabaseTarget, reason: string) {
    super(`Cannot reach the database (${describeDatabaseTarget(target)}): ${reason}`);
    this.name = "DatabaseUnreachableError";
    this.permanent = isPermanentConnectionFailure(reason);
  }
}

/** The drivers' words (and codes) for a refusal that retrying cannot change. */
const PERMANENT_REASON =
  /authentication failed|(database|role) "[^"]*" does not exist|access denied|28P01|28000|3D000|ER_ACCESS_DENIED_ERROR|ER_BAD_DB_ERROR|ER_DBACCESS_DENIED_ERROR|Unknown database/i;

/** True when a connection failure's reason (connectionFailureReason) is wrong credentials or a missing database. */
export function isPermanentConnectionFailure(reason: string): boolean {
  return PERMANENT_REASON.test(reason);
}

export class MissingTablesError extends Error {
  readonly code = "TABLES_MISSING";
  constructor(detail: string) {
    super(`The database has no app tables yet (${detail}): run \`npm run setup\`.`);
    this.name = "MissingTablesError";
  }
}

export class PendingMigrationsError extends Error {
  readonly code = "MIGRATIONS_PENDING";
  constructor(readonly pending: string[]) {
    super(`Migrations not yet applied: ${pending.join(", ")}: run \`npm run setup\`.`);
    this.name = "PendingMigrationsError";
  }
}

export class FailedMigrationError extends Error {
  readonly code = "MIGRATION_FAILED";
  constructor(migration: string, reason: string) {
    super(
      `Migration ${migration} failed and is recorded as failed in _prisma_migrations: ${reason}. ` +
        "Fix the database by hand, delete that row (or run `prisma migrate resolve --rolled-back " +
        `${migration}\`), then run \`npm run setup\` again.`,
    );
    this.name = "FailedMigrationError";
  }
}

export class ClientNotGeneratedError extends Error {
  readonly code = "CLIENT_NOT_GENERATED";
  constructor(provider: string, found: string[]) {
    super(
      `DATABASE_URL names ${provider}, but the Prisma client was generated for ` +
        `${found.length ? found.join(", ") : "no provider"}: run \`npm run setup\` with this DATABASE_URL.`,
    );
    this.name = "ClientNotGeneratedError";
  }
}

const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ER_GET_CONNECTION_TIMEOUT",
  "ER_CONNECTION_TIMEOUT",
  "ER_ACCESS_DENIED_ERROR",
  "ER_BAD_DB_ERROR",
  "SQLITE_CANTOPEN",
  "28P01", // pg: password authentication failed
  "28000", // pg: no pg_hba.conf entry / role does not exist
  "3D000", // pg: database does not exist
  "57P01", // pg: terminating connection due to administrator command (a restart)
  "57P02", // pg: crash shutdown
  "57P03", // pg: the database system is starting up
]);

/** What Prisma's driver adapters report, under `meta.driverAdapterError.cause`. */
interface DriverAdapterCause {
  kind?: string;
  host?: string;
  port?: number;
  db?: string;
  user?: string;
  table?: string;
  originalCode?: string;
  originalMessage?: string;
  code?: number | string;
  message?: string;
}

function driverAdapterCause(error: unknown): DriverAdapterCause | undefined {
  // Unwrapped when it comes from opening a transaction: the adapter's own error, not Prisma's.
  if ((error as { name?: unknown } | null)?.name === "DriverAdapterError") return (error as { cause?: DriverAdapterCause }).cause;
  const meta = (error as { meta?: { driverAdapterError?: { cause?: DriverAdapterCause } } } | null)?.meta;
  return meta?.driverAdapterError?.cause;
}

const UNREACHABLE_ADAPTER_KINDS: Record<string, (cause: DriverAdapterCause) => string> = {
  DatabaseNotReachable: (c) => `connection refused or timed out at ${c.host ?? "?"}:${c.port ?? "?"}`,
  DatabaseDoesNotExist: (c) => `database "${c.db ?? "?"}" does not exist`,
  AuthenticationFailed: (c) => `authentication failed for user "${c.user ?? "?"}"`,
  DatabaseAccessDenied: (c) =>
    c.db ? `access denied to database "${c.db}"` : "access denied (check the user name and its grants)",
  SocketTimeout: () => "the connection timed out",
  TlsConnectionError: () => "the TLS connection failed",
  ConnectionClosed: () => "the server closed the connection",
};

// mariadb pool codes: 45028 no connection within acquireTimeout, 45012 connect timeout.
const MARIADB_POOL_UNREACHABLE = new Set(["45028", "45012", "45009"]);

/** True when a Prisma error says a table is missing: the schema was never migrated. */
export function isMissingTableError(error: unknown): boolean {
  const cause = driverAdapterCause(error);
  return cause?.kind === "TableDoesNotExist" || (error as { code?: string } | null)?.code === "P2021";
}

/**
 * Prisma's own codes for "no database right now": P1001 cannot reach, P1002 timed out,
 * P1017 server closed the connection, P2024 no pool connection in time.
 */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);

/** True when an error means the database cannot be used right now (down, restarting, unreachable). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnreachableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNAVAILABLE_PRISMA_CODES.has(code)) return true;
  return connectionFailureReason(error) !== undefined;
}

/** True for Prisma's unique-constraint error (P2002), whichever provider's client threw it. */
export function isUniqueConstraintViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "P2002";
}

/** The driver's reason when an error means "cannot connect", else undefined. */
export function connectionFailureReason(error: unknown): string | undefined {
  const cause = driverAdapterCause(error);
  if (cause?.kind && UNREACHABLE_ADAPTER_KINDS[cause.kind]) return UNREACHABLE_ADAPTER_KINDS[cause.kind](cause);
  if (cause && MARIADB_POOL_UNREACHABLE.has(String(cause.originalCode ?? cause.code))) {
    return cause.originalMessage ?? cause.message ?? "no connection could be opened";
  }
  return plainConnectionFailureReason(error);
}

function plainConnectionFailureReason(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const { code, message, errors } = current as {
      code?: unknown;
      message?: unknown;
      errors?: unknown;
    };
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
      const text = typeof message === "string" ? lastLine(message) : "";
      return text ? `${code}: ${text}` : code;
    }
    // AggregateError (pg tries IPv4 and IPv6) keeps the real reasons in `errors`.
    if (Array.isArray(errors) && errors.length) {
      const inner = plainConnectionFailureReason(errors[0]);
      if (inner) return inner;
    }
    if (
      typeof message === "string" &&
      /connect(ion)? (refused|timeout|terminated)|timed? ?out|(cannot|unable to) open database/i.test(message)
    ) {
      return lastLine(message);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Prisma prefixes driver messages with "Invalid `prisma.x()` invocation:"; keep the driver's words. */
function lastLine(message: string): string {
  return message.split("\n").map((line) => line.trim()).filter(Boolean).pop() ?? message;
}
