import { describe, expect, it } from "vitest";
import { describeDatabaseTarget, MalformedDatabaseUrlError, parseDatabaseUrl, UnsupportedDatabaseUrlError } from "./database-url";

describe("parseDatabaseUrl", () => {
  it.each([
    [undefined, "sqlite"],
    ["", "sqlite"],
    ["file:./prisma/dev.sqlite", "sqlite"],
    ["file:/var/data/app.sqlite", "sqlite"],
    ["postgres://u:p@db:5432/app", "postgresql"],
    ["postgresql://u:p@db:5432/app?schema=billing", "postgresql"],
    ["mysql://u:p@db:3306/app", "mysql"],
  ])("%s selects %s", (url, provider) => {
    expect(parseDatabaseUrl(url, "/srv/app").provider).toBe(provider);
  });

  it("resolves relative SQLite paths against the working directory", () => {
    expect(parseDatabaseUrl("file:./data/dev.sqlite", "/srv/app").sqliteFile).toBe("/srv/app/data/dev.sqlite");
    expect(parseDatabaseUrl(undefined, "/srv/app").sqliteFile).toBe("/srv/app/prisma/dev.sqlite");
  });

  it.each(["mongodb://localhost/app", "sqlserver://db:1433", "localhost:5432/app", "file:"])(
    "rejects %s with the supported schemes",
    (url) => {
      expect(() => parseDatabaseUrl(url)).toThrow(UnsupportedDatabaseUrlError);
      expect(() => parseDatabaseUrl(url)).toThrow(/file:.*postgresql:\/\/.*mysql:\/\//);
    },
  );

  it.each([
    ["postgresql://app:p@ss@db:5432/billing", /"@": write it percent-encoded as %40/],
    ["mysql://app:100%sure@db:3306/billing", /"%" not followed by two hex digits: write it as %25/],
    ["postgresql://app:50%@db/billing", /%25/],
    ["postgresql://", /scheme:\/\/user:password@host:port\/database/],
  ])("names what is wrong in %s and how to write it", (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(MalformedDatabaseUrlError);
    expect(() => parseDatabaseUrl(url)).toThrow(message);
    // Never the password itself.
    expect(() => parseDatabaseUrl(url)).not.toThrow(/ss@db|100%sure/);
  });

  it("accepts percent-encoded credentials", () => {
    expect(parseDatabaseUrl("postgresql://app:p%40ss%25@db:5432/billing").provider).toBe("postgresql");
    expect(parseDatabaseUrl("mysql://root@127.0.0.1:3306/test").provider).toBe("mysql");
  });

  it("describes a server target without its credentials", () => {
    const description = describeDatabaseTarget(parseDatabaseUrl("postgresql://admin:s3cret@db.internal/app"));
    expect(description).toBe("PostgreSQL at db.internal:5432/app");
    expect(description).not.toContain("s3cret");
  });
});
