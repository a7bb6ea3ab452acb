import { spawn } from "node:child_process";
import { BUILD_LOCK_FILE } from "../../tools/build-if-stale";

/**
 * Resolves once no build of the app is running in this checkout (a build holds
 * BUILD_LOCK_FILE, see tools/build-if-stale.ts), so a process started next reads a whole
 * build rather than one being rewritten. A build that starts right after spends its first
 * seconds bundling before it touches build/. At once where flock(1) is missing.
 */
export function whenNoBuildRuns(timeoutSeconds = 300): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = spawn("flock", ["--shared", "--wait", String(timeoutSeconds), BUILD_LOCK_FILE, "true"], { stdio: "ignore" });
    probe.once("error", () => resolve());
    probe.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`a build of the app held ${BUILD_LOCK_FILE} for more than ${timeoutSeconds} s (flock exited ${code})`));
    });
  });
}
