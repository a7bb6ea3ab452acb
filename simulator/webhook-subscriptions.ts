import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Which topics the app subscribed to, and where they go: the app's own shopify.app.toml
// unless the test passes its own list.

export interface WebhookSubscription {
  topics: string[];
  /** A path on the app ("/webhooks/...") or an absolute https URL. */
  uri: string;
}

const APP_TOML_PATH = fileURLToPath(new URL("../shopify.app.toml", import.meta.url));

export function loadAppWebhookSubscriptions(path: string = APP_TOML_PATH): WebhookSubscription[] {
  return existsSync(path) ? parseWebhookSubscriptions(readFileSync(path, "utf8")) : [];
}

/**
 * The `topics` and `uri` of each `[[webhooks.subscriptions]]` table. A line parser, not a
 * TOML parser: enough for the CLI's generated layout (one key per line, single-line arrays).
 * Compliance topics are ignored: Shopify sends those itself, never for billing.
 */
export function parseWebhookSubscriptions(toml: string): WebhookSubscription[] {
  const subscriptions: WebhookSubscription[] = [];
  let current: Partial<WebhookSubscription> | undefined;
  const finish = () => {
    if (current?.uri && current.topics?.length) subscriptions.push({ topics: current.topics, uri: current.uri });
    current = undefined;
  };
  for (const rawLine of toml.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+#.*$/, "").trim();
    if (line.startsWith("[")) {
      finish();
      if (line === "[[webhooks.subscriptions]]") current = {};
      continue;
    }
    if (!current) continue;
    const topics = /^topics\s*=\s*\[(.*)\]$/.exec(line)?.[1];
    if (topics !== undefined) current.topics = [...topics.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
    const uri = /^uri\s*=\s*"([^"]*)"$/.exec(line)?.[1];
    if (uri !== undefined) current.uri = uri;
  }
  finish();
  return subscriptions;
}

export function subscriptionUriFor(subscriptions: readonly WebhookSubscription[], topic: string): string | undefined {
  return subscriptions.find((subscription) => subscription.topics.includes(topic))?.uri;
}
