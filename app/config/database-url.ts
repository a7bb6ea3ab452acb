import path from "node:path";

export type DatabaseProvider = "sqlite" | "postgresql" | "mysql";

export const DATABASE_PROVIDERS: readonly DatabaseProvider[] = ["sqlite", "postgresql", "mysql"];

/** Development default when DATABASE_URL is unset: an embedded SQLite file. */
export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export interface DatabaseTarget {
  provider: DatabaseProvider;
  /** The URL as configured (for SQLite, with the file path made absolute). */
  url: string;
  /** SQLite only: absolute path of the database file. */
  sqliteFile?: string;
}

export class UnsupportedDatabaseUrlError extends Error {
  constructor(url: string) {
    super(
      `DATABASE_URL has an unsupported scheme (${describeScheme(url)}). ` +
        "Use file:./path.sqlite (SQLite), postgresql://user:pass@host:5432/db (PostgreSQL) " +
        "or mysql://user:pass@host:3306/db (MySQL/MariaDB).",
    );
    this.name = "UnsupportedDatabaseUrlError";
  }
}

/** A server URL that cannot be read as one: named precisely, with the fix. */
export class MalformedDatabaseUrlError extends Error {
  constructor(problem: string) {
    super(`DATABASE_URL is malformed: ${problem}.`);
    this.name = "MalformedDatabaseUrlError";
  }
}

/**
 * The drivers decode the user and password with decodeURIComponent: an unencoded "%" or a
 * second "@" fails deep inside them ("URI malformed") without naming the variable.
 */
function checkServerUrl(url: string): void {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
  const at = authority.lastIndexOf("@");
  const credentials = at === -1 ? "" : authority.slice(0, at);
  if (credentials.includes("@")) {
    throw new MalformedDatabaseUrlError('the user or password holds an "@": write it percent-encoded as %40');
  }
  if (/%(?![0-9a-f]{2})/i.test(credentials)) {
    throw new MalformedDatabaseUrlError('the user or password holds a "%" not followed by two hex digits: write it as %25');
  }
  try {
    decodeURIComponent(credentials);
    const parsed = new URL(url);
    if (!parsed.hostname) throw new Error("no host");
  } catch {
    throw new MalformedDatabaseUrlError(
      "it is not a URL of the form scheme://user:password@host:port/database (percent-encode special characters in the user and password)",
    );
  }
}

function describeScheme(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return match ? `"${match[1]}:"` : "no scheme";
}

/**
 * The provider is chosen by DATABASE_URL alone. Relative SQLite paths resolve
 * against the working directory, as the Prisma CLI resolves them.
 */
export function parseDatabaseUrl(
  rawUrl: string | undefined,
  cwd: string = process.cwd(),
): DatabaseTarget {
  const url = rawUrl?.trim() || DEFAULT_DATABASE_URL;
  if (url.startsWith("file:")) {
    const filePart = url.slice("file:".length).replace(/^\/\/(?=\/)/, "").split("?")[0];
    if (!filePart) throw new UnsupportedDatabaseUrlError(url);
    const sqliteFile = path.resolve(cwd, filePart);
    return { provider: "sqlite", url: `file:${sqliteFile}`, sqliteFile };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    checkServerUrl(url);
    return { provider: "postgresql", url };
  }
  if (/^mysql:\/\//i.test(url)) {
    checkServerUrl(url);
    return { provider: "mysql", url };
  }
  throw new UnsupportedDatabaseUrlError(url);
}

/** host:port/database of a server URL, for messages: never the credentials. */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  if (target.provider === "sqlite") return `SQLite file ${target.sqliteFile}`;
  try {
    const parsed = new URL(target.url);
    const defaultPort = target.provider === "postgresql" ? "5432" : "3306";
    const name = target.provider === "postgresql" ? "PostgreSQL" : "MySQL";
    return `${name} at ${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}`;
  } catch {
    return target.provider;
  }
}
