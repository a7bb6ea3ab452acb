import { z } from "zod";

// Webhook bodies are parsed, never cast: a malformed one is answered 400.

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

export const shopUpdatePayload = z.object({ iana_timezone: z.string().min(1) }).passthrough();
