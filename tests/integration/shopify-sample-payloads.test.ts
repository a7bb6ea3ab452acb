import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PrismaClient } from "../../app/db/client.server";
import { callAction, signedWebhookRequest } from "../support/app-under-test";
import { startAppWithInstalledShop, type InstalledApp } from "../support/installed-app";
import { testProviders } from "../support/providers";
import { webhookSubscriptions } from "../support/webhook-subscriptions";

// Every subscribed topic, with a payload shaped as Shopify documents it (its sample payloads
// carry null ids, numeric ids beside GIDs, lowercase error codes): each is acknowledged with
// 200, never refused, so Shopify never retries it for hours nor drops the subscription.

const ROUTES = "../../app/routes";
const SHOP = "samples.myshopify.com";

const shopObject = {
  id: 548380009,
  name: "Super Toys",
  email: "super@supertoys.com",
  domain: null,
  province: "Tennessee",
  country: "US",
  address1: "190 MacLaren Street",
  zip: "37178",
  city: "Houston",
  phone: "3213213210",
  primary_locale: "en",
  created_at: null,
  updated_at: null,
  country_code: "US",
  currency: "USD",
  customer_email: "super@supertoys.com",
  timezone: "(GMT-05:00) Eastern Time (US & Canada)",
  iana_timezone: null,
  shop_owner: "John Smith",
  money_format: "${{amount}}",
  weight_unit: "kg",
  myshopify_domain: null,
  plan_name: null,
};

const attemptPayload = (errorCode: string | null) => ({
  id: null,
  admin_graphql_api_id: null,
  idempotency_key: "4f2c4fe1-a7cd-4e12-a6b9-d5ab4c6b4a8c",
  order_id: 1,
  admin_graphql_api_order_id: "gid://shopify/Order/1",
  subscription_contract_id: 1,
  admin_graphql_api_subscription_contract_id: "gid://shopify/SubscriptionContract/1",
  ready: true,
  error_message: errorCode ? "Payment method was declined" : null,
  error_code: errorCode,
});

const paymentMethodPayload = {
  admin_graphql_api_id: "gid://shopify/CustomerPaymentMethod/f3bbf4a5a8a0c8c8e6a6b5e4a3b2c1d0",
  token: "f3bbf4a5a8a0c8c8e6a6b5e4a3b2c1d0",
  customer_id: 1,
  admin_graphql_api_customer_id: "gid://shopify/Customer/1",
  instrument_type: "CustomerCreditCard",
  payment_instrument: { last_digits: "4242", month: 1, year: 2030, name: "Jane Doe", brand: "visa" },
};

const SAMPLES: Record<string, unknown> = {
  "app/scopes_update": { id: 1, previous: ["read_products"], current: ["read_products", "read_orders"], updated_at: "2026-10-01T00:00:00Z" },
  "shop/update": shopObject,
  "subscription_billing_attempts/success": attemptPayload(null),
  "subscription_billing_attempts/failure": attemptPayload("insufficient_funds"),
  "subscription_billing_attempts/challenged": attemptPayload(null),
  "customer_payment_methods/create": paymentMethodPayload,
  "customer_payment_methods/update": paymentMethodPayload,
  "customer_payment_methods/revoke": paymentMethodPayload,
  "subscription_contracts/update": {
    admin_graphql_api_id: "gid://shopify/SubscriptionContract/1",
    id: 1,
    billing_policy: { interval: "week", interval_count: 1, min_cycles: 1, max_cycles: 2 },
    currency_code: "USD",
    customer_id: 1,
    admin_graphql_api_customer_id: "gid://shopify/Customer/1",
    delivery_policy: { interval: "week", interval_count: 1 },
    status: "active",
    admin_graphql_api_origin_order_id: "gid://shopify/Order/1",
    origin_order_id: 1,
    revision_id: "1",
  },
  "subscription_billing_cycles/skip": {
    subscription_contract_id: 1,
    cycle_start_at: "2026-10-01T00:00:00-04:00",
    cycle_end_at: "2026-10-08T00:00:00-04:00",
    cycle_index: 1,
    contract_edit: null,
    billing_attempt_expected_date: "2026-10-01T00:00:00-04:00",
    skipped: true,
    edited: false,
  },
  "customers/data_request": {
    shop_id: 954889,
    shop_domain: SHOP,
    orders_requested: [299938, 280263, 220458],
    customer: { id: 191167, email: "john@example.com", phone: "555-625-1199" },
    data_request: { id: 9999 },
  },
  "customers/redact": {
    shop_id: 954889,
    shop_domain: SHOP,
    customer: { id: 191167, email: "john@example.com", phone: "555-625-1199" },
    orders_to_redact: [299938, 280263, 220458],
  },
  "app/uninstalled": shopObject,
  "shop/redact": { shop_id: 954889, shop_domain: SHOP },
};

/** topic -> route module, from shopify.app.toml. */
const ROUTE_OF = new Map(
  webhookSubscriptions().flatMap(({ uri, topics }) => topics.map((topic) => [topic, `${ROUTES}/${uri.slice(1).replaceAll("/", ".")}`] as const)),
);

describe.each(testProviders())("%s: Shopify's documented payloads", (provider) => {
  let app: InstalledApp;
  let prisma: PrismaClient;

  beforeAll(async () => {
    app = await startAppWithInstalledShop(provider, SHOP, { ianaTimezone: "America/New_York" });
    prisma = app.prisma;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("has a sample for every subscribed topic", () => {
    expect([...ROUTE_OF.keys()].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  /** What each sample must have done (or, for attempts the app never made, not done). */
  const EFFECTS: Record<string, () => Promise<void>> = {
    "app/scopes_update": async () =>
      expect((await prisma.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_products,read_orders"),
    "shop/update": async () =>
      expect((await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).timezone).toBe("America/New_York"),
    "subscription_billing_attempts/failure": async () => {
      expect(await prisma.billingAttempt.count({ where: { shop: SHOP } })).toBe(0);
      expect(await prisma.dunningTracker.count({ where: { shop: SHOP } })).toBe(0);
    },
    "customers/data_request": async () =>
      expect((await prisma.merchantNotification.findFirstOrThrow({ where: { shop: SHOP } })).message).toMatch(/customer 191167 .* holds nothing/),
    "app/uninstalled": async () => {
      expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
      expect(await prisma.billingSchedule.findUniqueOrThrow({ where: { shop: SHOP } })).toMatchObject({ active: false });
    },
    "shop/redact": async () => {
      expect(await prisma.billingSchedule.count({ where: { shop: SHOP } })).toBe(0);
      expect(await prisma.merchantNotification.count({ where: { shop: SHOP } })).toBe(0);
    },
  };

  // In this order: the shop's own topics, then its uninstall and redaction.
  it.each(Object.keys(SAMPLES))("%s: acknowledged with 200", async (topic) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const response = await callAction(ROUTE_OF.get(topic)!, signedWebhookRequest({ topic, shop: SHOP, payload: SAMPLES[topic] }));
      expect(response.status, await response.clone().text()).toBe(200);
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
    await EFFECTS[topic]?.();
  });
});
