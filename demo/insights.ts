/**
 * The demo's last lines: one suggestion, made by the Insights page's own rules on each demo
 * shop's last 90 days (what the month just billed left in the demo database). A month of a
 * few hundred subscribers rarely holds the evidence the app asks before it shows a
 * suggestion: then the closest one is printed as a lead, with what it still needs.
 */
import type { PrismaClient } from "../app/db/client.server";
import { settingsUrlWith } from "../app/components/settings-link";
import { suggestPolicyChanges, type Suggestion } from "../app/dunning/decline-insights";
import { DEFAULT_DUNNING_POLICY, parseDunningPolicy } from "../app/dunning/policy";
import { readRecoveryHistory, type HistorySource } from "../app/dunning/recovery-history.server";
import { MerchantFormat } from "../app/format/merchant-format";
import type { DemoShop } from "./shops";

export async function formatSuggestion(prisma: PrismaClient, shops: DemoShop[], now: Date): Promise<string[]> {
  // The demo's database is SQLite; the statements are the app's own.
  const source: HistorySource = { provider: "sqlite", query: (sql, values) => prisma.$queryRawUnsafe(sql, ...values) };
  const found: Array<{ shop: DemoShop; suggestion: Suggestion }> = [];
  for (const shop of shops) {
    const format = new MerchantFormat({ locale: "en-GB", timeZone: shop.ianaTimezone, now });
    const row = await prisma.dunningPolicy.findUnique({ where: { shop: shop.domain } });
    const parsed = row ? parseDunningPolicy(row) : null;
    const policy = parsed?.ok ? parsed.policy : DEFAULT_DUNNING_POLICY;
    const history = await readRecoveryHistory(shop.domain, now, source);
    for (const suggestion of suggestPolicyChanges(history, policy, format)) found.push({ shop, suggestion });
  }
  // A suggestion the app shows first; else the lead closest to being one.
  const best = found.find(({ suggestion }) => suggestion.strong) ?? [...found].sort((a, b) => a.suggestion.retriesNeeded - b.suggestion.retriesNeeded)[0];
  const lines = ["\n== Insights: one suggestion (the Insights page's rules, on each shop's last 90 days)"];
  if (!best) {
    lines.push("  None yet: no shop has retries whose results point anywhere (a suggestion needs the results of later retries; run more days).");
    return lines;
  }
  const { shop, suggestion } = best;
  lines.push(`  ${shop.name}: ${suggestion.title}.`, `    ${suggestion.evidence}`, `    ${suggestion.change}`);
  if (!suggestion.strong) {
    lines.push(
      `    Not shown in the app yet: it rests on ${suggestion.retries} retries; the evidence is strong enough after about ${suggestion.retriesNeeded} more` +
        `${suggestion.kind === "STOP_EARLIER" ? ", none of them recovering a payment" : ""}.`,
    );
  }
  // A path, not a link: the demo's server stops with the demo (and a link would carry a session token).
  lines.push(`    On Insights, "Try it in Settings" opens ${settingsUrlWith("", suggestion.fields)}: the form pre-filled, unsaved, with its what-if.`);
  return lines;
}
