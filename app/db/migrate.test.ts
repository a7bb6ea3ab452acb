import { describe, expect, it } from "vitest";
import { compareMigrations, type AppliedMigrationRow, type Migration } from "./migrate.server";

const migration = (name: string, checksum = `sum-${name}`): Migration => ({ name, sql: "", checksum });
const row = (name: string, fields: Partial<AppliedMigrationRow> = {}): AppliedMigrationRow => ({
  migration_name: name,
  checksum: `sum-${name}`,
  finished_at: "2026-11-24T00:00:00Z",
  rolled_back_at: null,
  logs: null,
  ...fields,
});

describe("compareMigrations", () => {
  const folder = [migration("1_init"), migration("2_more"), migration("3_latest")];

  it("splits applied from pending", () => {
    expect(compareMigrations(folder, [row("1_init")])).toEqual({
      applied: ["1_init"],
      pending: ["2_more", "3_latest"],
      failed: [],
      unknown: [],
      modified: [],
    });
  });

  it("reports a started but unfinished migration as failed, not pending", () => {
    const status = compareMigrations(folder, [row("1_init"), row("2_more", { finished_at: null })]);
    expect(status.failed).toEqual(["2_more"]);
    expect(status.pending).toEqual(["3_latest"]);
  });

  it("treats a rolled-back attempt as never applied", () => {
    const status = compareMigrations(folder, [row("1_init"), row("2_more", { finished_at: null, rolled_back_at: "x" })]);
    expect(status.failed).toEqual([]);
    expect(status.pending).toEqual(["2_more", "3_latest"]);
  });

  it("notices edited and unknown migrations", () => {
    const status = compareMigrations(folder, [row("1_init", { checksum: "other" }), row("9_from_a_newer_app")]);
    expect(status.modified).toEqual(["1_init"]);
    expect(status.unknown).toEqual(["9_from_a_newer_app"]);
  });
});
