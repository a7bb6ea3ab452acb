import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Runs the project's Prisma CLI. prisma.config.ts picks the provider (and the JS engine's
 * adapter) from DATABASE_URL, so every call names the database URL it means.
 */
export function runPrismaCli(args: string[], databaseUrl: string) {
  return spawnSync(process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: databaseUrl, DIRECT_DATABASE_URL: "", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}

/** Runs the Prisma CLI and returns its standard output, or throws with what it printed. */
export function runPrismaCliOrThrow(args: string[], databaseUrl: string): string {
  const result = runPrismaCli(args, databaseUrl);
  if (result.status !== 0) throw new Error(`prisma ${args.slice(0, 2).join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}
