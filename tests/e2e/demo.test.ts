import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../support/databases";

const root = path.resolve(import.meta.dirname, "..", "..");
// "    2  Wed 2026-11-25     24     4    22       20       2    0         0          0  EXPIRED_CARD 1"
// Day, date, then calls, runs, sent, charged, failed, 3DS, rejected, caught up, and the notes.
const DAY_LINE = /^\s+(\d+)\s+\w{3} \d{4}-\d{2}-\d{2}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)(.*)$/gm;

describe("npm run demo", () => {
  it("bills three simulated days across the demo shops, checks its invariants and exits by itself", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "demo.ts"), "--days", "3"], {
        cwd: root,
        env: { ...process.env, DEMO_DATABASE_URL: database.url, DATABASE_URL: "", PORT: "" },
      });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

      expect(code, output).toBe(0);
      expect(output).toMatch(/Applied \d+ migration\(s\) to SQLite file/);
      expect(output).toMatch(/Kiwi Socks\s+billed daily at 09:00 Pacific\/Auckland/);
      expect(output).toMatch(/Venice Coffee\s+billed daily at 09:00 America\/Los_Angeles/);
      expect(output).toMatch(/Kiwi Socks: http:\/\/localhost:\d+\/app\?embedded=1&shop=kiwi-socks\.myshopify\.com&.*id_token=[\w-]+\.[\w-]+\.[\w-]+/);

      const days = [...output.matchAll(DAY_LINE)].map((match) => ({
        day: Number(match[1]),
        charged: Number(match[5]),
        failed: Number(match[6]),
        caughtUp: Number(match[9]),
        notes: match[10],
      }));
      expect(days.map(({ day }) => day), output).toEqual([1, 2, 3]);
      expect(days.reduce((sum, day) => sum + day.charged, 0), output).toBeGreaterThan(20);
      expect(days.reduce((sum, day) => sum + day.failed, 0), output).toBeGreaterThan(0);
      expect(days.some((day) => /INSUFFICIENT_FUNDS|EXPIRED_CARD|CARD_DECLINED/.test(day.notes)), output).toBe(true);
      // The outage in the middle of the span, and the call after it catching up.
      expect(days.some((day) => /scheduler down \d+ h/.test(day.notes)), output).toBe(true);
      expect(days.reduce((sum, day) => sum + day.caughtUp, 0), output).toBeGreaterThan(0);

      expect(output).toMatch(/Charged: NZD [\d,]+\.\d\d \(\d+ orders\)/);
      expect(output).toMatch(/ok {3}no billing cycle charged twice/);
      expect(output).toMatch(/ok {3}every attempt the simulated Shopify made is recorded by the app/);
      expect(output).not.toMatch(/^\s+FAIL /m);
      expect(output).toContain('Health: {"db":"ok","migrations":"current"}');
    } finally {
      await database.drop();
    }
  }, 60_000);
});
