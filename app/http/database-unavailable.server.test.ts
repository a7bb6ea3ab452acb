import { describe, expect, it } from "vitest";
import { databaseUnavailableAnswer } from "./database-unavailable.server";

describe("the answer to a database that cannot take the request now", () => {
  it("is a 503 to try again at once for a write conflict (deadlock) Prisma reports as P2034", () => {
    const conflict = Object.assign(new Error("Transaction failed due to a write conflict or a deadlock. Please retry your transaction"), { code: "P2034" });
    expect(databaseUnavailableAnswer(conflict)).toMatchObject({ status: 503, headers: { "Retry-After": "1" } });
  });

  it("is a 503 to try again in 30 s for an unreachable database (Prisma's P1001)", () => {
    const unreachable = Object.assign(new Error("Can't reach database server"), { code: "P1001" });
    expect(databaseUnavailableAnswer(unreachable)).toMatchObject({ status: 503, headers: { "Retry-After": "30" } });
  });

  it("leaves any other error alone: a bug stays a bug to see", () => {
    expect(databaseUnavailableAnswer(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBeUndefined();
    expect(databaseUnavailableAnswer(new TypeError("x is undefined"))).toBeUndefined();
  });
});
