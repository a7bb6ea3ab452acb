import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..", "..");

export interface CommandResult {
  status: number | null;
  /** stdout and stderr, interleaved. */
  output: string;
}

/** Runs `npm run setup` (scripts/setup.ts) in a child process with the given environment. */
export function runSetup(env: Record<string, string>, args: string[] = []): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "setup.ts"), ...args], {
      cwd: root,
      env: { ...process.env, DIRECT_DATABASE_URL: "", ...env },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (status) => resolve({ status, output }));
  });
}
