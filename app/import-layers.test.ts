import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The dependency rule of the README ("How it fits together"), checked on the sources: each folder of app/
// imports only folders below it, pure modules import no I/O, and the top-level folders
// (product scripts, demo, benchmark, tools, tests) import each other one way only.

const root = path.resolve(import.meta.dirname, "..");

/** app/'s units, top to bottom; a unit may import units of a later group only. */
const APP_LAYERS: string[][] = [
  ["routes", "root", "entry.server"],
  // React pieces the admin pages and the root's error page share.
  ["components"],
  ["start-up.server"],
  ["cron"],
  ["shopify.server"],
  // Orchestration: webhook intake, install and privacy, and the admin pages' read models that span domains.
  ["webhooks", "shops", "overview", "shop-settings"],
  ["dunning", "charges", "reconciliation"],
  ["schedules"],
  // flow: the Shopify Flow outbox (dunning writes to it) and its delivery.
  ["attempts", "customers", "flow"],
  ["shopify", "http"],
  ["db"],
  ["observability"],
  ["config"],
  ["time", "lib", "format"],
];

/** Top-level folders, and the ones each may import from (besides its own). */
const FOLDER_RULES: Record<string, string[]> = {
  app: [],
  simulator: ["app"],
  scripts: ["app"],
  tools: ["app", "simulator", "scripts"],
  demo: ["app", "simulator", "tools", "scripts"],
  bench: ["app", "simulator", "tools", "scripts"],
  tests: ["app", "simulator", "tools", "scripts", "demo", "bench"],
};

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const found: Import[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.[^"']+)["']/gms)) {
    found.push({ from: file, to: path.resolve(path.dirname(file), match[3]), typeOnly: Boolean(match[2]) });
  }
  for (const match of text.matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g)) {
    found.push({ from: file, to: path.resolve(path.dirname(file), match[1]), typeOnly: false });
  }
  return found;
}

const relative = (file: string) => path.relative(root, file);
/** A folder of app/, or a file at its top ("shopify.server"): imports name files without their extension. */
const appUnitOf = (file: string) => path.relative(path.join(root, "app"), file).split(path.sep)[0].replace(/\.tsx?$/, "");
const layerOf = (unit: string) => APP_LAYERS.findIndex((layer) => layer.includes(unit));
const isTest = (file: string) => /\.test\.tsx?$/.test(file);

const appImports = sourceFiles(path.join(root, "app"))
  .filter((file) => !isTest(file))
  .flatMap(importsOf)
  .filter((edge) => edge.to.startsWith(path.join(root, "app") + path.sep));

/** Edges from a unit of app/ to one in its own layer or above it. */
function upwardImports(edges: Import[]): string[] {
  return edges
    .filter((edge) => appUnitOf(edge.from) !== appUnitOf(edge.to) && layerOf(appUnitOf(edge.to)) <= layerOf(appUnitOf(edge.from)))
    .map((edge) => `${relative(edge.from)} -> ${relative(edge.to)}`);
}

describe("the import graph", () => {
  it("places every unit of app/ in a layer", () => {
    const units = new Set(sourceFiles(path.join(root, "app")).filter((file) => !isTest(file)).map(appUnitOf));
    expect([...units].filter((unit) => layerOf(unit) === -1)).toEqual([]);
  });

  it("has no folder of app/ importing a folder above it (or one beside it)", () => {
    expect(appImports.length).toBeGreaterThan(100);
    expect(upwardImports(appImports)).toEqual([]);
  });

  it("keeps pure modules (no .server in the name) free of I/O: they import no .server module", () => {
    const impure = appImports
      .filter((edge) => !/\.server\.tsx?$/.test(edge.from) && !edge.from.includes(`${path.sep}routes${path.sep}`) && !edge.typeOnly)
      .filter((edge) => /\.server$/.test(edge.to) && !/root\.tsx$/.test(edge.from))
      .map((edge) => `${relative(edge.from)} -> ${relative(edge.to)}`);
    expect(impure).toEqual([]);
  });

  it("has the top-level folders import each other one way only", () => {
    const crossings = Object.keys(FOLDER_RULES).flatMap((folder) =>
      sourceFiles(path.join(root, folder))
        // Tests may use any test support; the rule is about what product, demo and tools code depends on.
        .filter((file) => !isTest(file))
        .flatMap(importsOf)
        .map((edge) => ({ ...edge, target: path.relative(root, edge.to).split(path.sep)[0] }))
        .filter(({ target }) => target !== folder && target in FOLDER_RULES && !FOLDER_RULES[folder].includes(target))
        .map((edge) => `${relative(edge.from)} -> ${relative(edge.to)}`),
    );
    expect(crossings).toEqual([]);
  });

  it("reports an upward or sideways import", () => {
    const edge = (from: string, to: string): Import => ({ from: path.join(root, "app", from), to: path.join(root, "app", to), typeOnly: false });
    expect(
      upwardImports([
        edge("attempts/a.server.ts", "dunning/b.server"),
        edge("webhooks/a.server.ts", "shops/b.server"),
        edge("dunning/a.server.ts", "attempts/b.server"),
      ]),
    ).toEqual(["app/attempts/a.server.ts -> app/dunning/b.server", "app/webhooks/a.server.ts -> app/shops/b.server"]);
  });
});
