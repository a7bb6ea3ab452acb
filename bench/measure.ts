/**
 * What `npm run bench` reads while it runs: the app's counters, CPU and memory of processes
 * from /proc (Linux), and a timeline of the requests the store simulator received.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { METRIC_PREFIX } from "../app/observability/metrics.server";
import type { SimulatedRequest, StoreSimulator } from "../simulator/store-simulator";
import { parsePrometheusText, sumBy, total } from "../tools/prometheus-text";

/** The app's counters the benchmark reports, as differences between two readings. */
export interface AppMetricsSnapshot {
  databaseStatements: number;
  /** Admin API round trips by outcome (ok, throttled, rate_limited, ...). */
  shopifyCalls: Record<string, number>;
  /** Webhook deliveries by result (processed, duplicate, rejected, ...). */
  webhooks: Record<string, number>;
  rssBytes: number;
  peakRssBytes: number;
}

/** GET /api/metrics (Prometheus' text format), read into the figures the benchmark reports. */
export async function readAppMetrics(appUrl: string, secret: string): Promise<AppMetricsSnapshot> {
  const response = await fetch(`${appUrl}/api/metrics`, { headers: { Authorization: `Bearer ${secret}` } });
  if (response.status !== 200) throw new Error(`GET /api/metrics answered ${response.status}: ${await response.text()}`);
  const families = parsePrometheusText(await response.text());
  return {
    databaseStatements: total(families, `${METRIC_PREFIX}database_statements_total`),
    shopifyCalls: sumBy(families, `${METRIC_PREFIX}shopify_calls_total`, "outcome"),
    webhooks: sumBy(families, `${METRIC_PREFIX}webhooks_total`, "result"),
    rssBytes: total(families, "process_resident_memory_bytes"),
    peakRssBytes: total(families, `${METRIC_PREFIX}process_peak_resident_memory_bytes`),
  };
}

/**
 * POSTs JSON without a client-side timeout: a billing call may take its whole time budget
 * (up to 900 s), longer than fetch's default 300 s header timeout.
 */
export function postJson<T>(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: T }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", headers: { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => {
          try {
            resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as T });
          } catch {
            reject(new Error(`POST ${url} answered ${response.statusCode} with non-JSON: ${text.slice(0, 500)}`));
          }
        });
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

const CLOCK_TICKS_PER_SECOND = (() => {
  const answer = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  return Number(answer.stdout?.trim()) || 100;
})();

/** Fields after "pid (comm)" of /proc/<pid>/stat, or undefined when the process is gone. */
function statFields(pid: number | string): { comm: string; fields: string[] } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    return { comm: text.slice(text.indexOf("(") + 1, close), fields: text.slice(close + 2).split(" ") };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds the process has used so far (utime and stime, fields 14 and 15). */
export function processCpuSeconds(pid: number): number {
  const stat = statFields(pid);
  if (!stat) return NaN;
  return (Number(stat.fields[11]) + Number(stat.fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The process's peak resident set (VmHWM), in bytes. */
export function processPeakRssBytes(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by every process with this command name (the PostgreSQL server's backends). */
export function cpuSecondsOfCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(entry);
    if (stat?.comm === command) total += (Number(stat.fields[11]) + Number(stat.fields[12])) / CLOCK_TICKS_PER_SECOND;
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine, all cores (first line of /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3] + (ticks[4] ?? 0);
  return { busy: (total - idle) / CLOCK_TICKS_PER_SECOND, total: total / CLOCK_TICKS_PER_SECOND };
}

export interface OperationSpan {
  operation: string;
  calls: number;
  /** Seconds after the first billing call when the first and the last request were seen. */
  firstSeconds: number;
  lastSeconds: number;
}

/**
 * Samples the simulator's request log and webhook log every `intervalMs`, so that each request
 * gets the time it was seen (within one interval): when each phase of the run happened.
 */
export class RequestTimeline {
  private timer: NodeJS.Timeout | undefined;
  private seenRequests: number;
  private readonly seenAt: number[] = [];
  private readonly requests: SimulatedRequest[];
  /** Index of the first request that belongs to the measured run. */
  readonly firstRequestIndex: number;
  firstWebhookDeliveredAt: number | undefined;

  constructor(
    private readonly simulator: StoreSimulator,
    private readonly startedAt: number,
    private readonly intervalMs = 100,
  ) {
    this.requests = simulator.requests;
    this.seenRequests = simulator.requests.length;
    this.firstRequestIndex = simulator.requests.length;
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const now = performance.now();
    for (; this.seenRequests < this.requests.length; this.seenRequests++) this.seenAt.push(now);
    if (this.firstWebhookDeliveredAt === undefined && this.simulator.webhookDeliveries.some((delivery) => delivery.state === "delivered")) {
      this.firstWebhookDeliveredAt = now;
    }
  }

  /** Per shop: seconds after the first billing call when its first and last request were seen. */
  shopSpans(): Map<string, { firstSeconds: number; lastSeconds: number }> {
    const spans = new Map<string, { firstSeconds: number; lastSeconds: number }>();
    this.seenAt.forEach((seenAt, offset) => {
      const { shop } = this.requests[this.firstRequestIndex + offset];
      const seconds = (seenAt - this.startedAt) / 1000;
      const span = spans.get(shop) ?? { firstSeconds: seconds, lastSeconds: seconds };
      span.lastSeconds = seconds;
      spans.set(shop, span);
    });
    return spans;
  }

  /** Per GraphQL operation: how many calls, and when the first and last one were seen. */
  spans(): OperationSpan[] {
    const spans = new Map<string, OperationSpan>();
    this.seenAt.forEach((seenAt, offset) => {
      const operation = this.requests[this.firstRequestIndex + offset].operationName ?? "(unnamed)";
      const seconds = (seenAt - this.startedAt) / 1000;
      const span = spans.get(operation) ?? { operation, calls: 0, firstSeconds: seconds, lastSeconds: seconds };
      span.calls++;
      span.lastSeconds = seconds;
      spans.set(operation, span);
    });
    return [...spans.values()].sort((a, b) => a.firstSeconds - b.firstSeconds);
  }
}
