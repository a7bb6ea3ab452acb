import { readFileSync } from "node:fs";
import path from "node:path";

/** shopify.app.toml's webhook subscriptions: each address with the topics sent to it. */
export function webhookSubscriptions(): Array<{ uri: string; topics: string[]; routeFile: string }> {
  const root = path.resolve(import.meta.dirname, "..", "..");
  const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
  return [...toml.matchAll(/^\s*(?:compliance_)?topics = \[([^\]]*)\]\s*\n\s*uri = "(\/webhooks\/[^"]+)"$/gm)].map(([, topics, uri]) => ({
    uri,
    topics: [...topics.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
    // Remix flat routes: /webhooks/app/uninstalled is app/routes/webhooks.app.uninstalled.tsx.
    routeFile: path.join(root, "app", "routes", `${uri.slice(1).replaceAll("/", ".")}.tsx`),
  }));
}
