import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../support/databases";

const root = path.resolve(import.meta.dirname, "..", "..");

describe("npm run demo", () => {
  it("sets up SQLite, installs the demo shops against the simulator and reports healthy", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "demo.ts"), "--once"], {
        cwd: root,
        env: { ...process.env, DEMO_DATABASE_URL: database.url, DATABASE_URL: "", PORT: "" },
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code, output).toBe(0);
      expect(output).toMatch(/Applied 1 migration\(s\) to SQLite file/);
      expect(output).toMatch(/Maple Coffee\s+billed daily at 09:00 America\/Toronto/);
      expect(output).toMatch(/Kiwi Socks\s+billed daily at 09:00 Pacific\/Auckland/);
      expect(output).toMatch(/app\/scopes_update delivered with a valid HMAC: HTTP 200/);
      expect(output).toContain('Health: {"db":"ok","migrations":"current"}');
    } finally {
      await database.drop();
    }
  });
});
