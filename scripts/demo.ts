/**
 * `npm run demo`: the app, offline, on the embedded SQLite default. Sets up the database,
 * builds the app if needed, starts it against the store simulator (a fake Shopify; real
 * runs talk to Shopify), installs a demo shop the way Shopify admin would, and prints
 * where to look. Runs until Ctrl-C; `--once` stops after the walkthrough.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signSessionToken } from "../simulator/session-token";
import { startStoreSimulator } from "../simulator/store-simulator";
import { freePort, startBuiltApp } from "./app-server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEMO_API_KEY = "demo-api-key";
const DEMO_API_SECRET = "demo-api-secret-not-for-production";
const DEMO_DATABASE_URL = process.env.DEMO_DATABASE_URL || "file:./prisma/demo.sqlite";
const DEMO_SHOPS = [
  { domain: "maple-coffee.myshopify.com", name: "Maple Coffee", ianaTimezone: "America/Toronto", currencyCode: "CAD" },
  { domain: "kiwi-socks.myshopify.com", name: "Kiwi Socks", ianaTimezone: "Pacific/Auckland", currencyCode: "NZD" },
];

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
}

function newestModification(directory: string): number {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestModification(full) : statSync(full).mtimeMs);
  }, 0);
}

function buildIfStale(): void {
  const serverBuild = path.join(root, "build", "server", "index.js");
  if (existsSync(serverBuild) && statSync(serverBuild).mtimeMs > newestModification(path.join(root, "app"))) return;
  console.log("\n== Building the app");
  run(process.execPath, [path.join(root, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"]);
}

function adminUrl(appUrl: string, shop: string): string {
  const url = new URL("/app", appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${shop.split(".")[0]}`).toString("base64"));
  url.searchParams.set(
    "id_token",
    signSessionToken({ shop, apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET, expiresInSeconds: 3600 }),
  );
  return url.toString();
}

async function main(): Promise<void> {
  const once = process.argv.includes("--once");
  console.log("== Setting up the SQLite database (npm run setup)");
  run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "setup.ts")], {
    DATABASE_URL: DEMO_DATABASE_URL,
    DIRECT_DATABASE_URL: "",
  });
  buildIfStale();

  console.log("\n== Starting the store simulator (a fake Shopify Admin API) and the app");
  const simulator = await startStoreSimulator({ apiKey: DEMO_API_KEY, apiSecret: DEMO_API_SECRET });
  for (const { domain, ...shop } of DEMO_SHOPS) simulator.upsertShop(domain, shop);
  const port = Number(process.env.PORT) || (await freePort());
  const appUrl = `http://localhost:${port}`;
  const app = await startBuiltApp({
    PORT: String(port),
    SHOPIFY_API_KEY: DEMO_API_KEY,
    SHOPIFY_API_SECRET: DEMO_API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    DATABASE_URL: DEMO_DATABASE_URL,
    DIRECT_DATABASE_URL: "",
    SHOPIFY_STORE_SIMULATOR_URL: simulator.url,
  });
  simulator.setAppUrl(app.url);
  const shutdown = async () => {
    await app.stop();
    await simulator.close();
  };

  try {
    console.log("\n== Installing the demo shops (Shopify admin opens the app; token exchange; afterAuth)");
    for (const shop of DEMO_SHOPS) {
      const response = await fetch(adminUrl(app.url, shop.domain), {
        headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36" },
      });
      const html = await response.text();
      const schedule = /Subscriptions are charged every day at (?:<!-- -->)?([\d:]+)(?:<!-- -->)? in(?:<!-- -->)? (?:<!-- -->)?([\w/+-]+)/.exec(html);
      if (response.status !== 200 || !schedule) throw new Error(`installing ${shop.domain} failed (${response.status})`);
      console.log(`  ${shop.name.padEnd(14)} billed daily at ${schedule[1]} ${schedule[2]}`);
    }

    const delivery = await simulator.deliverWebhook({
      shop: DEMO_SHOPS[0].domain,
      topic: "app/scopes_update",
      payload: { current: ["read_own_subscription_contracts", "write_own_subscription_contracts"], previous: [] },
      path: "/webhooks/app/scopes_update",
    });
    console.log(`  webhook app/scopes_update delivered with a valid HMAC: HTTP ${delivery.status}`);

    const health = await (await fetch(`${app.url}/healthz`)).json();
    console.log(`\n== Running. Health: ${JSON.stringify(health)}`);
    console.log(`  Admin page (outside Shopify admin, token valid 1 hour):\n  ${adminUrl(appUrl, DEMO_SHOPS[0].domain)}`);
    console.log("  The billing run and dunning arrive with the next issues; this demo grows with them.");
  } catch (error) {
    console.error(app.output());
    await shutdown();
    throw error;
  }

  if (once) return shutdown();
  console.log("\nPress Ctrl-C to stop.");
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  await shutdown();
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
