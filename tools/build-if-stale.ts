/**
 * Builds the app for `npm run demo` when the build is older than the sources. Other
 * processes may build in the same checkout, so the build runs under the shared lock file
 * (via flock(1) when installed) and checks staleness again once it holds the lock.
 * Run directly (`node --import tsx tools/build-if-stale.ts`), it is that locked step.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const thisFile = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(thisFile), "..");
export const BUILD_LOCK_FILE = path.join(os.tmpdir(), "remix-build.lock");
const SOURCES = [path.join(root, "app"), path.join(root, "vite.config.ts"), path.join(root, "server.ts")];
const OUTPUTS = [path.join(root, "build", "server", "index.js"), path.join(root, "build", "start.js")];

function newestModification(file: string): number {
  if (!existsSync(file)) return 0;
  // Tests beside the code are not part of the build.
  if (!statSync(file).isDirectory()) return /\.test\.tsx?$/.test(file) ? 0 : statSync(file).mtimeMs;
  return readdirSync(file).reduce((newest, name) => Math.max(newest, newestModification(path.join(file, name))), 0);
}

function isBuildStale(): boolean {
  if (!OUTPUTS.every((output) => existsSync(output))) return true;
  const oldestOutput = Math.min(...OUTPUTS.map((output) => statSync(output).mtimeMs));
  return oldestOutput <= Math.max(...SOURCES.map(newestModification));
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
}

function hasFlock(): boolean {
  const probe = spawnSync("flock", ["--version"], { stdio: "ignore" });
  return !probe.error && probe.status === 0;
}

function buildNow(): void {
  run("npm", ["run", "build"]);
}

export function buildIfStale(): void {
  if (!isBuildStale()) return;
  console.log("\n== Building the app");
  if (hasFlock()) run("flock", [BUILD_LOCK_FILE, process.execPath, "--import", "tsx", thisFile]);
  else buildNow();
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  if (isBuildStale()) buildNow();
  else console.log("  (another process has just built it)");
}
