/**
 * Reads Prometheus' text exposition format (version 0.0.4), as GET /api/metrics answers it:
 * for the benchmark and the demo, which print the app's counters, and the tests, which check
 * the exposition. Strict: a line it cannot read throws, naming the line.
 */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  /** The sample's own name: a histogram's `_bucket`, `_sum` and `_count` included. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
const TYPES: readonly MetricType[] = ["counter", "gauge", "histogram", "summary", "untyped"];

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (!family) {
      family = { name, type: "untyped", help: "", samples: [] };
      families.set(name, family);
    }
    return family;
  };
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1} of the exposition: ${why}: ${raw}`);
    };
    if (line === "") return;
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(/\s+/);
      if (keyword !== "HELP" && keyword !== "TYPE") return;
      if (!name || !NAME.test(name)) fail("bad metric name");
      if (keyword === "HELP") familyOf(name).help = rest.join(" ");
      else {
        if (!TYPES.includes(rest[0] as MetricType)) fail("unknown type");
        familyOf(name).type = rest[0] as MetricType;
      }
      return;
    }
    const match = SAMPLE.exec(line) ?? fail("not a sample");
    const [, name, labelText = "", valueText] = match;
    const value = numberOf(valueText) ?? fail("bad value");
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText) ?? fail("bad labels");
      labels[label[1]] = label[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    familyOf(familyName(name, families)).samples.push({ name, labels, value });
  });
  return families;
}

/** A sample's value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case, prom-client writes "Nan"). */
function numberOf(text: string): number | undefined {
  const word = text.toLowerCase();
  if (word === "nan") return NaN;
  if (word === "+inf" || word === "inf") return Infinity;
  if (word === "-inf") return -Infinity;
  const value = Number(text);
  return Number.isNaN(value) || text.trim() === "" ? undefined : value;
}

/** The family a sample belongs to: a histogram's or summary's `_bucket`/`_sum`/`_count` belong to it. */
function familyName(sample: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = sample.endsWith(suffix) ? sample.slice(0, -suffix.length) : undefined;
    const family = base ? families.get(base) : undefined;
    if (family && (family.type === "histogram" || family.type === "summary")) return base as string;
  }
  return sample;
}

/** The sum of a family's samples named `sample` (default: the family's own name), by the value of `label`. */
export function sumBy(families: Map<string, MetricFamily>, name: string, label: string, sample = name): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const entry of families.get(name)?.samples ?? []) {
    if (entry.name !== sample) continue;
    const key = entry.labels[label] ?? "";
    sums[key] = (sums[key] ?? 0) + entry.value;
  }
  return sums;
}

/** The sum of every sample of a family named `sample` (default: the family's name) whose labels include `where`. */
export function total(families: Map<string, MetricFamily>, name: string, where: Record<string, string> = {}, sample = name): number {
  return (families.get(name)?.samples ?? [])
    .filter((entry) => entry.name === sample && Object.entries(where).every(([key, value]) => entry.labels[key] === value))
    .reduce((sum, entry) => sum + entry.value, 0);
}
