import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createEmptyDatabase } from "../../tools/scratch-databases";

const root = path.resolve(import.meta.dirname, "..", "..");
// "    3  Thu 2026-11-26     18     8    73       58      16    1         0          2        2          1      0      14  INSUFFICIENT_FUNDS 9"
// Day, date, then calls, runs, sent, charged, failed, 3DS, rejected, caught up; dunning's
// retries, recovered, final actions and emails; and the notes.
const DAY_LINE = new RegExp(String.raw`^\s+(\d+)\s+\w{3} \d{4}-\d{2}-\d{2}` + String.raw`\s+(\d+)`.repeat(12) + "(.*)$", "gm");

describe("npm run demo", () => {
  it("bills three simulated days across the demo shops, checks its invariants and exits by itself", async () => {
    const database = await createEmptyDatabase("sqlite");
    try {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "demo", "run.ts"), "--days", "3", "--start", "2026-01-14"], {
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
        retries: Number(match[10]),
        recovered: Number(match[11]),
        emails: Number(match[13]),
        notes: match[14],
      }));
      expect(days.map(({ day }) => day), output).toEqual([1, 2, 3]);
      expect(days.reduce((sum, day) => sum + day.charged, 0), output).toBeGreaterThan(20);
      expect(days.reduce((sum, day) => sum + day.failed, 0), output).toBeGreaterThan(0);
      expect(days.some((day) => /INSUFFICIENT_FUNDS|EXPIRED_CARD|CARD_DECLINED/.test(day.notes)), output).toBe(true);
      // The outage in the middle of the span, and the call after it catching up.
      expect(days.some((day) => /scheduler down \d+ h/.test(day.notes)), output).toBe(true);
      expect(days.reduce((sum, day) => sum + day.caughtUp, 0), output).toBeGreaterThan(0);
      // Dunning within three days: failed cards retried, customers emailed, one updating an expired card, a payment recovered.
      expect(days.reduce((sum, day) => sum + day.retries, 0), output).toBeGreaterThan(0);
      expect(days.reduce((sum, day) => sum + day.emails, 0), output).toBeGreaterThan(0);
      expect(days.reduce((sum, day) => sum + day.recovered, 0), output).toBeGreaterThan(0);
      expect(days.some((day) => /\d+ cards? updated/.test(day.notes)), output).toBe(true);
      expect(output).toMatch(/Thames Tea\s+billed daily at .*when payment retries run out: CANCEL/);

      expect(output).toMatch(/Charged: NZD [\d,]+\.\d\d \(\d+ orders\)/);
      expect(output).toMatch(/ok {3}no billing cycle charged twice/);
      expect(output).toMatch(/ok {3}every attempt the simulated Shopify made is recorded by the app/);

      // The dunning section, even with few trackers closed after three days.
      expect(output).toMatch(/== Dunning: failed payments followed up/);
      expect(output).toMatch(/Trackers opened: [1-9]\d* \(one per failed billing cycle\)/);
      expect(output).toMatch(/recovered \d+; exhausted \d+.*; abandoned \d+; stopped \d+; still open [1-9]\d* \(OPEN \d+/);
      expect(output).toMatch(/Recovery rate: [\d.]+% = [1-9]\d* recovered \/ \(\d+ recovered \+ \d+ exhausted \+ \d+ stopped\)/);
      expect(output).toMatch(/Recoveries by attempt: attempt 2 \(retry 1\) \d+/);
      expect(output).toMatch(/Retries sent: [1-9]\d*/);
      expect(output).toMatch(/Payment-update emails: [1-9]\d* sent, \d+ held back/);
      expect(output).toMatch(/Recovered: [A-Z]{3} [\d,]+\.\d\d \(\d+\)/);
      for (const check of [
        "every exhausted tracker's final action was made once in Shopify, and no other",
        "every recovered tracker's cycle was charged exactly once",
        "no tracker got two payment-update emails within its shop's interval",
        "no hard decline was retried before the customer updated the card",
        "every tracker still open has its next step scheduled or waits for the customer",
        "every failed billing cycle has a dunning tracker",
      ]) {
        expect(output).toContain(`ok   ${check}`);
      }
      expect(output).not.toMatch(/^\s+FAIL /m);
      expect(output).toContain('Health: {"db":"ok","migrations":"current"}');
      // It ends with the app's own charge reconciliation: every shop day it checked adds up.
      expect(output).toMatch(/== Charge reconciliation: each shop day checked by the app against the orders Shopify created/);
      expect(output).toMatch(/All shops: [1-9]\d* shop days checked: [1-9]\d* cycles charged, 0 charged more than once \(expected 0\), 0 orders without a matching charge, 0 charges without an outcome/);
      // It ends with one suggestion from the Insights page's rules (after three days, none has the results it needs yet).
      expect(output).toMatch(/== Insights: one suggestion \(the Insights page's rules, on each shop's last 90 days\)\n {2}(None yet: |\S.*: (Stop retrying|Add a))/);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
