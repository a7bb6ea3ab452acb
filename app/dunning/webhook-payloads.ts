import { z } from "zod";

// Bodies of the webhooks that change a tracker from outside (REST-style, snake_case).

const numericId = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

/** customer_payment_methods/create|update|revoke */
export const customerPaymentMethodPayload = z
  .object({
    admin_graphql_api_id: z.string().min(1),
    admin_graphql_api_customer_id: z.string().min(1).nullish(),
    customer_id: numericId.nullish(),
  })
  .passthrough()
  .refine((payload) => payload.admin_graphql_api_customer_id || payload.customer_id != null, "a customer id is required");

/** subscription_contracts/update (status lowercase: active, paused, cancelled, expired, failed, stale) */
export const subscriptionContractPayload = z
  .object({
    admin_graphql_api_id: z.string().min(1),
    status: z.string().min(1),
    admin_graphql_api_customer_id: z.string().nullish(),
  })
  .passthrough();

/** subscription_billing_cycles/skip */
export const billingCycleSkipPayload = z
  .object({
    subscription_contract_id: numericId.nullish(),
    admin_graphql_api_subscription_contract_id: z.string().min(1).nullish(),
    cycle_index: z.number().int().nonnegative(),
    skipped: z.boolean().optional(),
  })
  .passthrough()
  .refine((payload) => payload.admin_graphql_api_subscription_contract_id || payload.subscription_contract_id != null, "a contract id is required");

export type CustomerPaymentMethodPayload = z.infer<typeof customerPaymentMethodPayload>;
export type SubscriptionContractPayload = z.infer<typeof subscriptionContractPayload>;
export type BillingCycleSkipPayload = z.infer<typeof billingCycleSkipPayload>;

export function customerGidOf(payload: CustomerPaymentMethodPayload): string {
  return payload.admin_graphql_api_customer_id ?? `gid://shopify/Customer/${payload.customer_id}`;
}

export function contractGidOf(payload: BillingCycleSkipPayload): string {
  return payload.admin_graphql_api_subscription_contract_id ?? `gid://shopify/SubscriptionContract/${payload.subscription_contract_id}`;
}
