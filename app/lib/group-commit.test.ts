import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit";

describe("GroupCommit", () => {
  it("writes what arrives while a batch is written as the next batch, each caller getting its own result", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstWritten = new Promise<void>((resolve) => (release = resolve));
    const commit = new GroupCommit<number, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await firstWritten;
      return items.map((item) => `done ${item}`);
    }, 3);
    const first = commit.submit(1);
    // Until the first batch is being written.
    for (let turns = 0; batches.length === 0 && turns < 100; turns++) await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4, 5].map((item) => commit.submit(item));
    release();
    expect(await Promise.all([first, ...later])).toEqual(["done 1", "done 2", "done 3", "done 4", "done 5"]);
    // 1 alone (nothing else had arrived), then at most 3 per batch.
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("fails every caller of a batch that fails, and goes on with the next", async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error("database restarting");
      return items;
    }, 10);
    const failed = [commit.submit(1), commit.submit(2)];
    await expect(Promise.all(failed)).rejects.toThrow("database restarting");
    expect(await commit.submit(3)).toBe(3);
  });
});
