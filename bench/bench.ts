/**
 * `npm run bench`: the billing run against the store simulator with Shopify's limits, on
 * each database provider, compared with the lower bound those limits impose. Not a test:
 * it prints numbers (docs/benchmarks.md explains them). Needs a build first:
 *   flock /tmp/remix-build.lock npx remix vite:build
 *
 *   --shops 100 --contracts 100     shops, and due contracts per shop
 *   --latency 100 --jitter 20       ms added to every Admin API request (plus up to `jitter` ms)
 *   --restore-rate 100              points per second each shop's bucket refills (bucket: the simulator's default)
 *   --providers sqlite,postgresql,mysql   BENCH_POSTGRESQL_URL / BENCH_MYSQL_URL for the servers
 *   --shop-concurrency N            BILLING_SHOP_CONCURRENCY for the app (default: the app's)
 *   --time-budget 300               timeBudgetSeconds of each billing call
 *   --profile                       also profile the app's CPU (--cpu-prof) and show where its time went
 *   --json FILE                     write the raw results
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { BENCH_PROVIDERS, checkPrerequisites, type BenchProvider } from "./environment";
import { detailTables, summaryTable } from "./report";
import { benchProvider, type BenchOptions, type ProviderResult } from "./provider-run";

function positiveInteger(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return parsed;
}

function parseOptions(argv: string[]): BenchOptions & { providers: BenchProvider[]; json?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      shops: { type: "string" },
      contracts: { type: "string" },
      latency: { type: "string" },
      jitter: { type: "string" },
      "restore-rate": { type: "string" },
      providers: { type: "string" },
      "shop-concurrency": { type: "string" },
      "time-budget": { type: "string" },
      profile: { type: "boolean", default: false },
      json: { type: "string" },
    },
    strict: true,
  });
  const providers = (values.providers ?? BENCH_PROVIDERS.join(",")).split(",").map((name) => name.trim());
  for (const provider of providers) {
    if (!(BENCH_PROVIDERS as readonly string[]).includes(provider)) throw new Error(`--providers: "${provider}" is not one of ${BENCH_PROVIDERS.join(", ")}`);
  }
  return {
    shops: positiveInteger("shops", values.shops, 100),
    contracts: positiveInteger("contracts", values.contracts, 100),
    latencyMs: positiveInteger("latency", values.latency, 100, 0),
    jitterMs: positiveInteger("jitter", values.jitter, 20, 0),
    restoreRate: positiveInteger("restore-rate", values["restore-rate"], 100),
    shopConcurrency: values["shop-concurrency"] === undefined ? undefined : positiveInteger("shop-concurrency", values["shop-concurrency"], 100),
    timeBudgetSeconds: positiveInteger("time-budget", values["time-budget"], 300),
    profile: values.profile,
    providers: providers as BenchProvider[],
    json: values.json,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  checkPrerequisites(options.providers);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.type()} ${os.release()}`;
  console.log(
    `Billing benchmark ${new Date().toISOString()} on ${machine}\n` +
      `${options.shops} shops × ${options.contracts} due contracts, latency ${options.latencyMs} ms + up to ${options.jitterMs} ms, ` +
      `restore rate ${options.restoreRate} points/s, shop concurrency ${options.shopConcurrency ?? "app default"}${options.profile ? ", app profiled" : ""}\n`,
  );
  const results: ProviderResult[] = [];
  const failures: Array<{ provider: BenchProvider; error: string }> = [];
  const startedAt = performance.now();
  for (const provider of options.providers) {
    const providerStartedAt = performance.now();
    try {
      results.push(await benchProvider(provider, options));
    } catch (error) {
      // One provider failing (the app answering 500, say) still leaves the others worth measuring.
      failures.push({ provider, error: error instanceof Error ? error.message : String(error) });
      console.error(`[${provider}] failed: ${failures[failures.length - 1].error}`);
    }
    console.log(`[${provider}] done in ${((performance.now() - providerStartedAt) / 1000).toFixed(0)} s (setup included)\n`);
  }
  const limit = results[0]?.limit;
  if (limit) {
    console.log(`Bucket ${limit.bucketSize} points, restore ${limit.restoreRate} points/s; bound per shop = max(0, points - bucket) / restore + 3 × ${limit.latencyMs} ms\n`);
    console.log(summaryTable(results));
    for (const result of results) console.log(`\n${detailTables(result)}`);
  }
  for (const { provider, error } of failures) console.log(`\n${provider}: FAILED: ${error.split("\n")[0]}`);
  if (failures.length > 0 && options.shopConcurrency === undefined) {
    console.log("With the app's default BILLING_SHOP_CONCURRENCY the run can fail (docs/benchmarks.md, findings); try --shop-concurrency 16.");
  }
  console.log(`\nTotal ${((performance.now() - startedAt) / 1000).toFixed(0)} s.`);
  if (options.json) writeFileSync(options.json, JSON.stringify({ machine, options, results, failures }, null, 2));
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
