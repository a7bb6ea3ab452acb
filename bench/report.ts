/** `npm run bench`'s results as Markdown tables (printed, and pasted into docs/benchmarks.md). */
import { STORM_CONCURRENCY, WEBHOOK_CONCURRENCY, type ProviderResult } from "./provider-run";
import type { Distribution } from "./shop-phases";

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const percent = (value: number) => (Number.isFinite(value) ? `${Math.round(value * 100)} %` : "n/a");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The headline numbers, one column per provider. */
export function summaryTable(results: ProviderResult[]): string {
  const row = (label: string, value: (result: ProviderResult) => string) => [label, ...results.map(value)];
  const perContract = (value: number, result: ProviderResult) => fixed(value / Math.max(1, result.attemptsSent), 2);
  return table(
    ["", ...results.map((result) => result.provider)],
    [
      row("app build (commit, built at)", (r) => `${r.build.commit}, ${r.build.builtAt.slice(0, 19)}Z`),
      row("contracts charged (attempts sent / SUCCEEDED)", (r) => `${r.attemptsSent} / ${r.attemptsSucceeded}`),
      row("billing calls (POST /api/billing/run)", (r) => String(r.billingCalls)),
      row("shops in the answers: due / claimed / heldElsewhere / deferred", (r) =>
        ["due", "claimed", "heldElsewhere", "deferred"].map((key) => r.shopsTally[key] ?? 0).join(" / "),
      ),
      row("**wall: billing run** (first call to last answer)", (r) => `**${fixed(r.runSeconds)} s**`),
      row("wall: until every webhook was absorbed", (r) => `${fixed(r.untilWebhooksSeconds)} s`),
      row("lower bound from the points really taken", (r) => `${fixed(r.observedBound.seconds)} s (${r.observedBound.points} pts max/shop)`),
      row("lower bound from the minimum work", (r) => `${fixed(r.minimumBound.seconds)} s (${Math.round(r.minimumBound.points)} pts/shop)`),
      row("**ratio wall / lower bound**", (r) => `**${fixed(r.runSeconds / r.observedBound.seconds, 2)}**`),
      row("Shopify calls per charged contract (minimum)", (r) => `${perContract(r.graphqlRequests, r)} (${perContract(r.minimumBound.totalCalls, r)})`),
      row("THROTTLED answers (simulator / app's count)", (r) => `${r.throttledAnswers} / ${r.appShopifyCalls.throttled ?? 0}`),
      row("**database statements per charged contract** (result webhooks included)", (r) => `**${perContract(r.databaseStatements, r)}**`),
      row("**app CPU ms per charged contract** (result webhooks included)", (r) => `**${fixed((r.cpuSeconds.appTotal * 1000) / Math.max(1, r.attemptsSent), 2)}**`),
      row(`**result webhooks at concurrency ${STORM_CONCURRENCY}**: per second, p50 / p99`, (r) =>
        `**${fixed(r.storm.perSecond, 0)}/s**, ${fixed(r.storm.latencyMs.p50, 1)} / ${fixed(r.storm.latencyMs.p99, 1)} ms (${r.storm.failures} not 200)`,
      ),
      row("app CPU ms per result webhook (that phase)", (r) => fixed(r.storm.appCpuMsPerWebhook, 2)),
      row("webhooks absorbed per second", (r) => `${fixed(r.webhooksPerSecond, 0)} (${r.webhooksProcessed} in all)`),
      row("webhook answer time while the billing calls ran (at most: 8 in flight / rate)", (r) =>
        r.webhooksDuringRun > 0 ? `${fixed((WEBHOOK_CONCURRENCY * r.runSeconds) / r.webhooksDuringRun, 2)} s` : "n/a",
      ),
      row("webhook deliveries retried / duplicates recognised", (r) => `${r.webhookRetries} / ${r.webhookDuplicates}`),
      row("peak RSS of the app process", (r) => `${fixed(r.peakRssBytes / 2 ** 20, 0)} MiB`),
      row("app CPU / wall of the billing run", (r) => percent(r.cpuSeconds.appRun / r.runSeconds)),
      row("app CPU / wall until webhooks absorbed", (r) => percent(r.cpuSeconds.appTotal / r.untilWebhooksSeconds)),
      row("bench process (simulator) CPU / wall", (r) => percent(r.cpuSeconds.bench / r.untilWebhooksSeconds)),
      row("database server CPU / wall", (r) => (r.provider === "sqlite" ? "-" : percent(r.cpuSeconds.database / r.untilWebhooksSeconds))),
      row("other processes on the machine, CPU / wall", (r) => {
        const { machineBusy, appTotal, bench, database } = r.cpuSeconds;
        return percent((machineBusy - appTotal - bench - database) / r.untilWebhooksSeconds);
      }),
      row("machine CPU busy (all cores)", (r) => percent(r.cpuSeconds.machineBusy / r.cpuSeconds.machineCapacity)),
      row("machine load average (1 min) at start / end", (r) => `${fixed(r.loadAverage.start, 2)} / ${fixed(r.loadAverage.end, 2)}`),
    ],
  );
}

const span = (d: Distribution) => `${fixed(d.min, 1)} / ${fixed(d.median, 1)} / ${fixed(d.p90, 1)} / ${fixed(d.max, 1)}`;

/** Where the time went, per provider: request phases, per-shop phases, costs and the profile. */
export function detailTables(result: ProviderResult): string {
  const sections = [
    `#### ${result.provider}: GraphQL operations (seconds after the first call, sampled every 0.1 s)`,
    table(
      ["operation", "calls", "first seen", "last seen", "mean points"],
      result.operations.map((op) => {
        const cost = result.costs.find((c) => c.operation === op.operation);
        return [op.operation, String(op.calls), fixed(op.firstSeconds, 1), fixed(op.lastSeconds, 1), fixed(cost?.meanPoints ?? NaN, 1)];
      }),
    ),
    `#### ${result.provider}: per-shop phases over ${result.shopPhases.shops} shops (min / median / p90 / max, seconds)`,
    table(
      ["phase", "min / median / p90 / max"],
      [
        ["claimed (after the first call)", span(result.shopPhases.claimedAt)],
        ["first Admin API request", span(result.shopPhases.firstRequestAt)],
        ["last Admin API request", span(result.shopPhases.lastRequestAt)],
        ["last webhook result recorded", span(result.shopPhases.lastResultAt)],
        ["claim to first request (duration)", span(result.shopPhases.beforeFirstRequestSeconds)],
        ["first to last request (duration)", span(result.shopPhases.requestSpanSeconds)],
      ],
    ),
    `Webhooks absorbed while the billing calls ran: ${result.webhooksDuringRun}; database statements then: ${result.databaseStatementsDuringRun}. ` +
      `CPU seconds: app ${fixed(result.cpuSeconds.appTotal)} (${fixed(result.cpuSeconds.appRun)} during the billing run), ` +
      `bench process ${fixed(result.cpuSeconds.bench)}, database server ${fixed(result.cpuSeconds.database)}, machine ${fixed(result.cpuSeconds.machineBusy)} ` +
      `of ${fixed(result.cpuSeconds.machineCapacity)}. App's Shopify calls by outcome: ${JSON.stringify(result.appShopifyCalls)}.`,
  ];
  for (const [window, profile] of Object.entries(result.profiles ?? {})) {
    const shares = (list: Array<{ name: string; seconds: number }>) =>
      list.map((share) => [share.name, fixed(share.seconds), percent(share.seconds / profile.sampledSeconds)]);
    const label = window === "billingRun" ? "during the billing calls" : "absorbing the webhooks left after the last call";
    sections.push(
      `#### ${result.provider}: app CPU profile ${label} (${fixed(profile.sampledSeconds)} s sampled, idle excluded)`,
      table(["self time by code", "s", "share"], shares(profile.selfByCategory)),
      table(["inclusive time by code (on the stack)", "s", "share"], shares(profile.inclusiveByCategory)),
      table(["self time by function", "s", "share"], shares(profile.selfByFunction)),
      table(["app function, inclusive (on the stack)", "s", "share"], shares(profile.inclusiveByAppFunction)),
    );
  }
  return sections.join("\n\n");
}
