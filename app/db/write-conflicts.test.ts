import { describe, expect, it } from "vitest";
import { retryOnWriteConflict } from "./write-conflicts";

const deadlock = Object.assign(new Error("Transaction failed due to a write conflict or a deadlock. Please retry your transaction"), { code: "P2034" });

describe("retryOnWriteConflict", () => {
  it("runs the statement again after a deadlock rolled it back", async () => {
    let runs = 0;
    const result = await retryOnWriteConflict(async () => {
      runs++;
      if (runs < 3) throw deadlock;
      return { count: 1 };
    });
    expect(result).toEqual({ count: 1 });
    expect(runs).toBe(3);
  });

  it("gives up after the last try with the database's error", async () => {
    let runs = 0;
    const failing = retryOnWriteConflict(async () => {
      runs++;
      throw deadlock;
    }, 2);
    await expect(failing).rejects.toBe(deadlock);
    expect(runs).toBe(2);
  });

  it("never repeats a statement that failed for another reason", async () => {
    let runs = 0;
    const unique = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
    const failing = retryOnWriteConflict(async () => {
      runs++;
      throw unique;
    });
    await expect(failing).rejects.toBe(unique);
    expect(runs).toBe(1);
  });
});
