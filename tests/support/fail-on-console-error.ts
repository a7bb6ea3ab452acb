import { afterEach, beforeEach, vi, type MockInstance } from "vitest";

// An unexpected console.error fails the test: errors must not scroll by unnoticed.
let errorSpy: MockInstance<typeof console.error>;
let allowed = false;

/** Call in a test that expects the code under test to log an error. */
export function allowConsoleErrors(): void {
  allowed = true;
}

beforeEach(() => {
  allowed = false;
  errorSpy = vi.spyOn(console, "error");
});

afterEach(() => {
  const calls = errorSpy.mock.calls;
  errorSpy.mockRestore();
  if (!allowed && calls.length > 0) {
    throw new Error(`console.error was called unexpectedly:\n${calls.map((args) => args.map(String).join(" ")).join("\n")}`);
  }
});
