/**
 * A V8 CPU profile of the app over the measured window (`npm run bench -- --profile`), and
 * where the app's own CPU time went in it, by package and by function. Node 20 refuses
 * --cpu-prof in NODE_OPTIONS, so the app is started with a preload that runs the inspector's
 * profiler between two SIGUSR2 signals from the bench.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  seconds: number;
}

export interface ProfileSummary {
  /** The app's functions with the time spent in them and what they called. */
  inclusiveByAppFunction: ProfileShare[];
  sampledSeconds: number;
  /** Time in frames of the category itself. */
  selfByCategory: ProfileShare[];
  /** Time with a frame of the category anywhere on the stack. */
  inclusiveByCategory: ProfileShare[];
  selfByFunction: ProfileShare[];
}

const PRELOAD = `
const inspector = require("node:inspector");
const fs = require("node:fs");
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable");
let running = false;
let written = 0;
process.on("SIGUSR2", () => {
  running = !running;
  if (running) return session.post("Profiler.start");
  const file = process.env.BENCH_PROFILE_FILE + "-" + ++written + ".cpuprofile";
  session.post("Profiler.stop", (error, result) => fs.writeFileSync(file, JSON.stringify(error ? { error: String(error) } : result.profile)));
});
`;

export interface AppProfiler {
  /** Environment for the app: the preload and where it writes the profiles. */
  env: Record<string, string>;
  start(pid: number): void;
  /** Stops the profiler and waits for the app to write the profile; returns its file. */
  stop(pid: number): Promise<string>;
}

export function appProfiler(directory: string): AppProfiler {
  const preload = path.join(directory, "profile-preload.cjs");
  const prefix = path.join(directory, "app");
  writeFileSync(preload, PRELOAD);
  let stops = 0;
  return {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${preload}`.trim(), BENCH_PROFILE_FILE: prefix },
    start: (pid) => process.kill(pid, "SIGUSR2"),
    async stop(pid) {
      process.kill(pid, "SIGUSR2");
      const file = `${prefix}-${++stops}.cpuprofile`;
      // Written synchronously but large: wait until the file exists and parses.
      for (let waited = 0; waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (!existsSync(file)) continue;
        try {
          JSON.parse(readFileSync(file, "utf8"));
          return file;
        } catch {
          // still being written
        }
      }
      throw new Error("the app did not write its CPU profile within 30 s");
    },
  };
}

/** Where a frame's code comes from: a package, the app's build, Node itself, or V8's pseudo-frames. */
function categoryOf(frame: ProfileNode["callFrame"]): string {
  if (!frame.url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  const packagePath = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (packagePath) return packagePath[1];
  if (frame.url.includes("/build/server/")) return "app (build/server)";
  if (frame.url.startsWith("node:")) return "node core";
  return frame.url;
}

/** Self and inclusive time of the profile's samples, idle excluded. */
export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const functions = new Map<string, number>();
  const appFunctions = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let sampled = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const weight = profile.timeDeltas[index + 1] ?? 0;
    if (weight <= 0) continue;
    const leaf = byId.get(profile.samples[index])!;
    if (leaf.callFrame.functionName === "(idle)") continue;
    sampled += weight;
    add(self, categoryOf(leaf.callFrame), weight);
    const { functionName, url, lineNumber } = leaf.callFrame;
    add(functions, `${functionName || "(anonymous)"} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ""} [${categoryOf(leaf.callFrame)}]`.trim(), weight);
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) onStack.add(categoryOf(byId.get(id)!.callFrame));
    for (const category of onStack) add(inclusive, category, weight);
    // The app's own functions on the stack: where its time goes, callees included.
    const appOnStack = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (categoryOf(frame) === "app (build/server)" && frame.functionName) appOnStack.add(`${frame.functionName} ${path.basename(frame.url)}:${frame.lineNumber + 1}`);
    }
    for (const name of appOnStack) add(appFunctions, name, weight);
  }
  const ranked = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, seconds: us / 1e6 }));
  return {
    sampledSeconds: sampled / 1e6,
    selfByCategory: ranked(self),
    inclusiveByCategory: ranked(inclusive).filter((share) => !share.name.startsWith("(")),
    selfByFunction: ranked(functions),
    inclusiveByAppFunction: ranked(appFunctions),
  };
}
