/**
 * What the demo prints last: the app's own charge reconciliation, per shop (each local day,
 * after the next day's run, the app read Shopify's billing attempts of the day and compared
 * them with its records). Read from the app's database, as the Overview shows it.
 */
import type { PrismaClient } from "../app/db/client.server";

const figureWords = (figures: { cyclesCharged: number; cyclesChargedMoreThanOnce: number; ordersWithoutAttempt: number; attemptsWithoutOutcome: number }) =>
  `${figures.cyclesCharged} cycles charged, ${figures.cyclesChargedMoreThanOnce} charged more than once (expected 0), ` +
  `${figures.ordersWithoutAttempt} orders without a matching charge, ${figures.attemptsWithoutOutcome} charges without an outcome`;

export async function formatReconciliation(prisma: PrismaClient, shops: Array<{ domain: string; name: string }>): Promise<string[]> {
  const lines: string[] = [];
  const totals = { cyclesCharged: 0, cyclesChargedMoreThanOnce: 0, ordersWithoutAttempt: 0, attemptsWithoutOutcome: 0, days: 0 };
  for (const shop of shops) {
    const days = await prisma.chargeReconciliation.findMany({ where: { shop: shop.domain, status: "COMPLETED" }, orderBy: { localDate: "asc" } });
    const waiting = await prisma.chargeReconciliation.count({ where: { shop: shop.domain, status: { in: ["DUE", "RUNNING"] } } });
    const sum = (key: "cyclesCharged" | "cyclesChargedMoreThanOnce" | "ordersWithoutAttempt" | "attemptsWithoutOutcome") => days.reduce((total, day) => total + (day[key] ?? 0), 0);
    const figures = { cyclesCharged: sum("cyclesCharged"), cyclesChargedMoreThanOnce: sum("cyclesChargedMoreThanOnce"), ordersWithoutAttempt: sum("ordersWithoutAttempt"), attemptsWithoutOutcome: sum("attemptsWithoutOutcome") };
    for (const key of Object.keys(figures) as Array<keyof typeof figures>) totals[key] += figures[key];
    totals.days += days.length;
    const first = days[0]?.localDate;
    const last = days.at(-1);
    const checkedAt = last?.completedAt ? `, last checked ${last.completedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
    const span = last ? ` (${first === last.localDate ? first : `${first} to ${last.localDate}`}${checkedAt})` : "";
    lines.push(`  ${shop.name.padEnd(18)} ${days.length} day${days.length === 1 ? "" : "s"} checked${span}: ${figureWords(figures)}${waiting ? `; ${waiting} day(s) still to check` : ""}`);
  }
  lines.push(`  All shops: ${totals.days} shop days checked: ${figureWords(totals)}`);
  return lines;
}
