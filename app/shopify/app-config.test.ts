import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SCOPES } from "../config/environment";
import { webhookSubscriptions } from "../../tests/support/webhook-subscriptions";
import { SHOPIFY_API_VERSION } from "./api-version";

const toml = readFileSync(path.resolve(import.meta.dirname, "..", "..", "shopify.app.toml"), "utf8");

/**
 * The source that declares a route's topics: the route module, or the intake module it hands
 * its deliveries to (the billing-attempt results, which the production server also answers).
 */
function routeDeclaration(routeFile: string): string {
  const source = readFileSync(routeFile, "utf8");
  if (/topics: \[/.test(source)) return source;
  const intake = /from "(\.\.\/webhooks\/[^"]+)"/.exec(source)?.[1];
  return intake ? readFileSync(path.resolve(path.dirname(routeFile), `${intake}.ts`), "utf8") : source;
}

describe("shopify.app.toml agrees with the code", () => {
  it("pins the same Admin API version", () => {
    expect(toml).toMatch(new RegExp(`^api_version = "${SHOPIFY_API_VERSION}"$`, "m"));
    expect(SHOPIFY_API_VERSION).toBe("2026-10");
  });

  it("asks for the scopes the app requests at runtime", () => {
    expect(toml).toContain(`scopes = "${DEFAULT_SCOPES}"`);
  });

  it("each webhook route accepts exactly the topics the toml sends it", () => {
    const subscriptions = webhookSubscriptions();
    expect(subscriptions).toHaveLength(10);
    for (const { uri, topics, routeFile } of subscriptions) {
      const accepted = [...(/topics: \[([^\]]*)\]/.exec(routeDeclaration(routeFile))?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      expect(accepted.sort(), uri).toEqual([...topics].sort());
    }
  });

  it("routes every declared webhook to an existing route module", () => {
    const uris = [...toml.matchAll(/^\s*uri = "(\/webhooks\/[^"]+)"$/gm)].map((m) => m[1]);
    expect(uris).toHaveLength(10);
    for (const uri of uris) {
      const routeFile = path.resolve(import.meta.dirname, "..", "routes", `${uri.slice(1).replaceAll("/", ".")}.tsx`);
      expect(() => readFileSync(routeFile), uri).not.toThrow();
    }
  });
});
