import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor, keysetQuery, pageOf } from "./keyset-page";

const at = new Date("2026-01-14T10:00:00Z");

describe("keyset pages", () => {
  it("round-trips cursors and refuses what a link could not carry", () => {
    expect(decodeCursor(encodeCursor({ values: [at], id: 42 }))).toEqual({ values: [at], id: 42 });
    expect(decodeCursor(encodeCursor({ values: [null], id: 7 }))).toEqual({ values: [null], id: 7 });
    expect(decodeCursor(encodeCursor({ values: ["2026-01-14", at], id: 9 }))).toEqual({ values: ["2026-01-14", at], id: 9 });
    for (const bad of ["", "x", "t1.0", "tzzzzzzzzzzzzz.1", "t1.-1", "t1;drop.1", "n.", "s2026'01.1", "q1.2"]) expect(decodeCursor(bad)).toBeUndefined();
  });

  it("reads a descending list after a cursor, and backwards before one", () => {
    const cursor = { values: [at], id: 9 };
    expect(keysetQuery({ fields: ["createdAt"], direction: "desc" }, { after: cursor }, 25)).toEqual({
      where: { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: 9 } }] },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: 26,
      backwards: false,
    });
    expect(keysetQuery({ fields: ["createdAt"], direction: "desc" }, { before: cursor }, 25)).toMatchObject({
      where: { OR: [{ createdAt: { gt: at } }, { createdAt: at, id: { gt: 9 } }] },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      backwards: true,
    });
  });

  it("orders by several fields, each breaking the ties of the one before", () => {
    const query = keysetQuery({ fields: ["runLocalDate", "createdAt"], direction: "desc" }, { after: { values: ["2026-01-14", at], id: 9 } }, 25);
    expect(query.orderBy).toEqual([{ runLocalDate: "desc" }, { createdAt: "desc" }, { id: "desc" }]);
    expect(query.where).toEqual({
      OR: [
        { runLocalDate: { lt: "2026-01-14" } },
        { runLocalDate: "2026-01-14", createdAt: { lt: at } },
        { runLocalDate: "2026-01-14", createdAt: at, id: { lt: 9 } },
      ],
    });
    // A link made for another sort is ignored: the first page.
    expect(keysetQuery({ fields: ["runLocalDate", "createdAt"], direction: "desc" }, { after: { values: [at], id: 9 } }, 25).where).toBeUndefined();
  });

  it("keeps rows without a value last in an ascending list, both ways", () => {
    const order = { fields: ["nextActionAt"], direction: "asc" as const, nullable: true };
    expect(keysetQuery(order, {}, 10).orderBy).toEqual([{ nextActionAt: { sort: "asc", nulls: "last" } }, { id: "asc" }]);
    expect(keysetQuery(order, { after: { values: [at], id: 3 } }, 10).where).toEqual({
      OR: [{ nextActionAt: { gt: at } }, { nextActionAt: at, id: { gt: 3 } }, { nextActionAt: null }],
    });
    expect(keysetQuery(order, { after: { values: [null], id: 3 } }, 10).where).toEqual({ nextActionAt: null, id: { gt: 3 } });
    const back = keysetQuery(order, { before: { values: [null], id: 3 } }, 10);
    expect(back.orderBy).toEqual([{ nextActionAt: { sort: "desc", nulls: "first" } }, { id: "desc" }]);
    expect(back.where).toEqual({ OR: [{ nextActionAt: { not: null } }, { nextActionAt: null, id: { lt: 3 } }] });
  });

  it("links the pages around the rows it got", () => {
    const rows = [1, 2, 3].map((id) => ({ id, at: new Date(at.getTime() - id * 1000) }));
    const forward = pageOf(rows, { backwards: false, take: 3 }, {}, (row) => [row.at]);
    expect(forward.rows.map((row) => row.id)).toEqual([1, 2]);
    expect(decodeCursor(forward.nextCursor)).toEqual({ values: [rows[1].at], id: 2 });
    expect(forward.previousCursor).toBeNull();
    const back = pageOf([rows[2], rows[1]], { backwards: true, take: 3 }, { before: { values: [at], id: 9 } }, (row) => [row.at]);
    expect(back.rows.map((row) => row.id)).toEqual([2, 3]);
    expect(back.previousCursor).toBeNull();
    expect(back.nextCursor).not.toBeNull();
  });
});
