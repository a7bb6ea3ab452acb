import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface RunningAppServer {
  url: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM, as an orchestrator sends it; SIGKILL if the server has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<{ exitCode: number | null; killed: boolean }>;
}

/** The production server's entry (`npm start`): server.ts, built by `npm run build`. */
export const BUILT_SERVER_ENTRY = path.join(root, "build", "start.js");

/**
 * Spawns `command` (by default `npm start`'s node build/start.js) without waiting for it,
 * listening on `port` (0: any free port, which it names in its "listening on" line).
 * A developer's .env is not read: the caller's `env` is the whole configuration.
 */
export function spawnBuiltApp(
  env: Record<string, string>,
  port = 0,
  command: string[] = [process.execPath, BUILT_SERVER_ENTRY],
): { child: ChildProcess; output: () => string } {
  if (!existsSync(BUILT_SERVER_ENTRY)) throw new Error("No build found: run `npm run build` first.");
  const [executable, ...args] = command;
  const child = spawn(executable, args, {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", APP_ENV_FILE: "", ...env, PORT: String(port), HOST: "127.0.0.1" },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return { child, output: () => output };
}

/** The address the server printed once it listens ("listening on http://127.0.0.1:41234"). */
export function listeningUrl(output: string): string | undefined {
  return /listening on (http:\/\/[\w.:-]+:\d+)/.exec(output)?.[1];
}

/** Starts the built app on a free port (the kernel's choice: no race) and waits until /healthz answers 200. */
export async function startBuiltApp(
  env: Record<string, string>,
  { timeoutMs = 60_000, command }: { timeoutMs?: number; command?: string[] } = {},
): Promise<RunningAppServer> {
  const { child, output } = spawnBuiltApp(env, 0, command);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (graceMs = 15_000) => {
    let killed = false;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    return { exitCode: child.exitCode, killed };
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited with code ${child.exitCode}:\n${output()}`);
    const url = listeningUrl(output());
    if (url) {
      const healthy = await fetch(`${url}/healthz`).then((response) => response.status === 200, () => false);
      if (healthy) return { url, process: child, output, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`The app did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

/** Runs the built app to its exit (for start-up failures); kills it after `timeoutMs`. */
export async function runBuiltAppUntilExit(env: Record<string, string>, timeoutMs = 60_000) {
  const { child, output } = spawnBuiltApp(env, 0);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output: output() };
}
