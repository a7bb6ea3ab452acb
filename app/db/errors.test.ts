import { describe, expect, it } from "vitest";
import { connectionFailureReason, isMissingTableError, isUniqueConstraintViolation } from "./errors";

const adapterError = (cause: Record<string, unknown>) => ({ code: "P2010", meta: { driverAdapterError: { cause } } });

describe("connectionFailureReason", () => {
  it.each([
    [adapterError({ kind: "DatabaseNotReachable", host: "db", port: 5432 }), "connection refused or timed out at db:5432"],
    [adapterError({ kind: "DatabaseDoesNotExist", db: "shop" }), 'database "shop" does not exist'],
    [adapterError({ kind: "AuthenticationFailed", user: "app" }), 'authentication failed for user "app"'],
    [adapterError({ kind: "mysql", code: 45028, originalMessage: "pool timeout" }), "pool timeout"],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432"],
    [new AggregateError([Object.assign(new Error("refused"), { code: "ECONNREFUSED" })], ""), "ECONNREFUSED: refused"],
    [new TypeError("Cannot open database because the directory does not exist"), "Cannot open database because the directory does not exist"],
    [
      Object.assign(new Error("\nInvalid `prisma.$queryRawUnsafe()` invocation:\n\n\nunable to open database file"), { code: "SQLITE_CANTOPEN" }),
      "SQLITE_CANTOPEN: unable to open database file",
    ],
    [adapterError({ kind: "DatabaseAccessDenied" }), "access denied (check the user name and its grants)"],
    // Opening a transaction on a pooled MariaDB connection the server has dropped: the adapter's own error.
    [
      Object.assign(new Error("socket has unexpectedly been closed"), {
        name: "DriverAdapterError",
        cause: { kind: "mysql", code: 45009, originalCode: "45009", originalMessage: "socket has unexpectedly been closed" },
      }),
      "socket has unexpectedly been closed",
    ],
  ])("%# names the reason", (error, reason) => {
    expect(connectionFailureReason(error)).toBe(reason);
  });

  it.each([
    adapterError({ kind: "TableDoesNotExist", table: "Session" }),
    adapterError({ kind: "UniqueConstraintViolation" }),
    new Error("syntax error at or near SELECT"),
    null,
  ])("%# is not a connection failure", (error) => {
    expect(connectionFailureReason(error)).toBeUndefined();
  });
});

describe("isMissingTableError", () => {
  it("recognises a missing table from every adapter", () => {
    expect(isMissingTableError(adapterError({ kind: "TableDoesNotExist", table: "Session" }))).toBe(true);
    expect(isMissingTableError({ code: "P2021" })).toBe(true);
    expect(isMissingTableError(adapterError({ kind: "DatabaseNotReachable" }))).toBe(false);
  });
});

describe("isUniqueConstraintViolation", () => {
  it("recognises P2002 and nothing else", () => {
    expect(isUniqueConstraintViolation({ code: "P2002" })).toBe(true);
    expect(isUniqueConstraintViolation({ code: "P2021" })).toBe(false);
    expect(isUniqueConstraintViolation(null)).toBe(false);
  });
});
