import { sendLogsTo } from "../../app/observability/logger.server";

// In-process tests: every line the app logs is kept (parsed) for the test to look at, and
// shown with the test's console output (which vitest prints only for a failing test). A line
// at error level goes to console.error, so fail-on-console-error.ts fails the test unless it
// said it expects one: an unexpected error never scrolls by unnoticed.

export interface LogLine {
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  time: string;
  msg: string;
  [field: string]: unknown;
}

let lines: LogLine[] = [];
const raw: string[] = [];

sendLogsTo({
  write(line: string) {
    raw.push(line);
    const entry = JSON.parse(line) as LogLine;
    lines.push(entry);
    const text = line.trimEnd();
    if (entry.level === "error" || entry.level === "fatal") console.error(text);
    else if (entry.level === "warn") console.warn(text);
    else console.log(text);
  },
});

/** Forgets the lines logged so far (the setup file calls it before each test). */
export function clearCapturedLogs(): void {
  lines = [];
  raw.length = 0;
}

/** The lines the app logged since the test began, parsed; those matching `where` when given. */
export function capturedLogs(where: Partial<Record<string, unknown>> = {}): LogLine[] {
  return lines.filter((line) => Object.entries(where).every(([key, value]) => matches(line[key], value)));
}

/** The lines as written (JSON text), to look for what must never appear in any of them. */
export function capturedLogText(): string {
  return raw.join("");
}

function matches(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return typeof actual === "string" && expected.test(actual);
  return actual === expected;
}
