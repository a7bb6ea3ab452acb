import { describe, expect, it } from "vitest";
import { loadAppWebhookSubscriptions, parseWebhookSubscriptions, subscriptionUriFor } from "./webhook-subscriptions";

describe("parseWebhookSubscriptions", () => {
  it("reads the topics and uri of each [[webhooks.subscriptions]] table, skipping compliance-only ones", () => {
    const toml = `
[webhooks]
api_version = "2026-10"

  # app/routes/webhooks.subscription_billing_attempts.tsx
  [[webhooks.subscriptions]]
  topics = [ "subscription_billing_attempts/success", "subscription_billing_attempts/failure" ]
  uri = "/webhooks/subscription_billing_attempts"

  [[webhooks.subscriptions]]
  compliance_topics = [ "shop/redact" ]
  uri = "/webhooks/shop/redact"

  [[webhooks.subscriptions]]
  topics = ["app/uninstalled"] # inline comment
  uri = "https://hooks.example.com/uninstalled"

[pos]
embedded = false
`;
    const subscriptions = parseWebhookSubscriptions(toml);

    expect(subscriptions).toEqual([
      { topics: ["subscription_billing_attempts/success", "subscription_billing_attempts/failure"], uri: "/webhooks/subscription_billing_attempts" },
      { topics: ["app/uninstalled"], uri: "https://hooks.example.com/uninstalled" },
    ]);
    expect(subscriptionUriFor(subscriptions, "subscription_billing_attempts/failure")).toBe("/webhooks/subscription_billing_attempts");
    expect(subscriptionUriFor(subscriptions, "shop/redact")).toBeUndefined();
  });

  it("reads the app's own shopify.app.toml", () => {
    expect(subscriptionUriFor(loadAppWebhookSubscriptions(), "app/uninstalled")).toBe("/webhooks/app/uninstalled");
  });

  it("answers no subscriptions for a missing file", () => {
    expect(loadAppWebhookSubscriptions("/nonexistent/shopify.app.toml")).toEqual([]);
  });
});
