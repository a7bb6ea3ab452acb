import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// The Shopify CLI's own validation of shopify.app.toml and of the extensions under
// extensions/ (`shopify app build` checks both offline, the Flow triggers' fields included),
// run on a copy of the app's configuration so the CLI touches nothing here.

const root = path.resolve(import.meta.dirname, "..", "..");
const require = createRequire(import.meta.url);
const cliBin = path.join(path.dirname(require.resolve("@shopify/cli/package.json")), "bin", "run.js");
const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function shopifyAppBuild(appToml: string, editExtensions?: (folder: string) => void): { status: number | null; output: string } {
  const folder = mkdtempSync(path.join(os.tmpdir(), "shopify-cli-"));
  folders.push(folder);
  writeFileSync(path.join(folder, "shopify.app.toml"), appToml);
  cpSync(path.join(root, "extensions"), path.join(folder, "extensions"), { recursive: true });
  editExtensions?.(path.join(folder, "extensions"));
  copyFileSync(path.join(root, "shopify.web.toml"), path.join(folder, "shopify.web.toml"));
  writeFileSync(path.join(folder, "package.json"), JSON.stringify({ name: "cli-check", private: true }));
  // The CLI needs Node >= 22.12: the suite runs on the supported Node (.node-version).
  const result = spawnSync(process.execPath, [cliBin, "app", "build", "--path", folder, "--skip-dependencies-installation"], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, SHOPIFY_CLI_NO_ANALYTICS: "1", NO_COLOR: "1", CI: "1" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the Shopify CLI's validation of the app configuration", () => {
  const appToml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");

  it("accepts shopify.app.toml and the Flow trigger extensions", () => {
    const { status, output } = shopifyAppBuild(appToml);
    expect(output).toContain("built!");
    expect(status, output).toBe(0);
  });

  it("refuses what it refused before (a name over 30 characters), so the check can fail", () => {
    const { status, output } = shopifyAppBuild(appToml.replace(/^name = .*$/m, 'name = "Subscription billing and dunning"'));
    expect(status).not.toBe(0);
    expect(output).toMatch(/\[name\]: String must be less than 30 characters/);
  });

  it("validates the extensions too: a Flow trigger field key must be letters and spaces", () => {
    const toml = (folder: string) => path.join(folder, "payment-recovered", "shopify.extension.toml");
    const { status, output } = shopifyAppBuild(appToml, (folder) =>
      writeFileSync(toml(folder), readFileSync(toml(folder), "utf8").replace('key = "Contract ID"', 'key = "contract_id"')),
    );
    expect(status).not.toBe(0);
    expect(output).toMatch(/String must contain only alphabetic characters and[\s│]+spaces/);
  });
});

describe("shopify.web.toml", () => {
  const webToml = readFileSync(path.join(root, "shopify.web.toml"), "utf8");
  const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

  it("serves the app as the CLI's frontend and backend, set up before the dev server starts", () => {
    expect(webToml).toMatch(/^roles = \["frontend", "backend"\]$/m);
    expect(webToml).toMatch(/^predev = "npm run setup"$/m);
    expect(webToml).toMatch(/^dev = "npm exec remix vite:dev"$/m);
    expect(scripts.setup).toBeDefined();
    expect(() => require.resolve("@remix-run/dev/package.json")).not.toThrow();
  });

  it("sends the CLI's test webhooks to a route the app has", () => {
    const webhooksPath = /^webhooks_path = "(\/webhooks\/[^"]+)"$/m.exec(webToml)?.[1];
    expect(webhooksPath).toBeDefined();
    const route = path.join(root, "app", "routes", `${webhooksPath!.slice(1).replaceAll("/", ".")}.tsx`);
    expect(() => readFileSync(route)).not.toThrow();
  });
});
