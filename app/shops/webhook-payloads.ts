import { z } from "zod";

// Webhook bodies are parsed, never cast. One the handler cannot use is acknowledged and
// logged (app/shopify/webhook-handler.server.ts), so these say only what the handler needs.

export const anyPayload = z.unknown();

export const scopesUpdatePayload = z.object({
  current: z.array(z.string()),
  previous: z.array(z.string()).optional(),
});

const customerRef = z.object({ id: z.union([z.number().int(), z.string().regex(/^\d+$/)]) }).passthrough();

export const customerPrivacyPayload = z
  .object({ shop_domain: z.string(), customer: customerRef })
  .passthrough();

export const shopRedactPayload = z.object({ shop_domain: z.string() }).passthrough();

/** shop/update: Shopify's sample carries `iana_timezone: null`; the time zone is kept then. */
export const shopUpdatePayload = z.object({ iana_timezone: z.string().min(1).nullish() }).passthrough();
