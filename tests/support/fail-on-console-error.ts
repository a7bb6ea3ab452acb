import { afterEach, beforeEach, vi, type MockInstance } from "vitest";
import { clearCapturedLogs } from "./log-capture";

// An unexpected console.error fails the test: errors must not scroll by unnoticed. So does
// a line the app logs at error level (log-capture.ts writes those to console.error).
let errorSpy: MockInstance<typeof console.error>;
let allowed = false;

/** Call in a test that expects the code under test to log an error (console.error or an error-level line). */
export function allowConsoleErrors(): void {
  allowed = true;
}

beforeEach(() => {
  allowed = false;
  clearCapturedLogs();
  errorSpy = vi.spyOn(console, "error");
});

afterEach(() => {
  const calls = errorSpy.mock.calls;
  errorSpy.mockRestore();
  if (!allowed && calls.length > 0) {
    throw new Error(`console.error was called unexpectedly:\n${calls.map((args) => args.map(String).join(" ")).join("\n")}`);
  }
});
