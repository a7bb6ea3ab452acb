/**
 * How dunning treats each SubscriptionBillingAttempt error code of Admin API 2026-10 (the
 * typed payment, inventory and general errors, plus UNEXPECTED_ERROR). Webhooks carry the
 * codes lowercase; the API uppercase. Every code is listed on purpose: a test fails when
 * the pinned version gains one, so a new code is classified by a person, not by a default.
 */
export const DeclineClass = {
  /** Might pass later with the same card (funds, issuer or processor hiccups): retry on the schedule. */
  Soft: "SOFT",
  /** Will fail again with the same card: ask the customer for a new one; retry only after they act. */
  Hard: "HARD",
  /** Out of stock: the inventory schedule; the merchant is told, not the customer. */
  Inventory: "INVENTORY",
  /** The customer must authenticate (3-D Secure): shown, never retried blindly. */
  Challenge: "CHALLENGE",
  /** The shop's setup is wrong (gateway, test mode, amounts): no retry can help; stop and tell the merchant. */
  Merchant: "MERCHANT",
} as const;

export type DeclineClass = (typeof DeclineClass)[keyof typeof DeclineClass];

const { Soft, Hard, Inventory, Merchant } = DeclineClass;

export const DECLINE_CLASS_BY_CODE = {
  // SubscriptionBillingAttemptPaymentErrorCode
  AMOUNT_TOO_LARGE: Merchant, // above the gateway's limit for the shop
  AMOUNT_TOO_SMALL: Merchant,
  AUTHENTICATION_ERROR: Soft, // the authentication service failed, not the customer
  AUTHENTICATION_FAILED: Hard, // the customer failed or refused authentication
  AUTHENTICATION_REQUIRED: Hard, // an off-session charge cannot pass until the customer authenticates
  BUYER_CANCELED_PAYMENT_METHOD: Hard,
  CALL_ISSUER: Hard, // only the cardholder can clear it with the bank
  CANCELLED_PAYMENT: Hard,
  CARD_DECLINED: Soft, // generic decline: retrying later is what issuers expect
  CARD_NUMBER_INCORRECT: Hard,
  CONFIRMATION_REJECTED: Hard,
  DO_NOT_HONOR: Soft, // generic issuer decline, often temporary
  EXPIRED_BUYER_ACTION: Hard, // the customer's authentication window passed
  EXPIRED_CARD: Hard,
  EXPIRED_PAYMENT_METHOD: Hard,
  FRAUD_SUSPECTED: Hard, // retrying a suspected-fraud card hurts the shop's standing
  GENERIC_ERROR: Soft,
  INCORRECT_ADDRESS: Hard,
  INCORRECT_NUMBER: Hard,
  INCORRECT_ZIP: Hard,
  INSUFFICIENT_FUNDS: Soft, // the classic recoverable decline
  INVALID_CURRENCY: Merchant,
  INVALID_CUSTOMER_BILLING_AGREEMENT: Hard,
  INVALID_EXPIRY_DATE: Hard,
  INVALID_NUMBER: Hard,
  INVALID_PAYMENT_METHOD: Hard,
  INVALID_PURCHASE_TYPE: Merchant,
  INVALID_SHIPPING_ADDRESS: Hard, // the customer must correct the address on the contract
  INVOICE_ALREADY_PAID: Merchant, // nothing to collect: the merchant should check the order
  MERCHANT_RULE: Merchant, // one of the shop's own risk rules blocked it
  OFF_SESSION_REJECTED: Hard,
  PAYMENT_METHOD_DECLINED: Soft,
  PAYMENT_METHOD_UNSUPPORTED: Hard,
  PAYMENT_PROVIDER_ERROR: Soft,
  PAYPAL_ERROR_GENERAL: Soft,
  PROCESSING_ERROR: Soft,
  PURCHASE_TYPE_NOT_SUPPORTED: Merchant,
  RETRY_DECLINED: Hard, // the issuer said not to retry this card
  TEST_MODE: Merchant,
  TRANSACTION_LIMIT_EXCEEDED: Soft, // a daily or monthly card limit resets
  TRANSIENT_ERROR: Soft,
  // SubscriptionBillingAttemptInventoryErrorCode
  INSUFFICIENT_INVENTORY: Inventory,
  INVENTORY_ALLOCATIONS_NOT_FOUND: Inventory,
  // SubscriptionBillingAttemptGeneralErrorCode
  CUSTOMER_INVALID: Merchant,
  CUSTOMER_NOT_FOUND: Merchant,
  FREE_GIFT_CARD_NOT_ALLOWED: Merchant,
  INVALID_BILLING_ADDRESS: Hard,
  MERCHANT_ACCOUNT_ERROR: Merchant,
  NON_TEST_ORDER_LIMIT_REACHED: Merchant, // a development store's order limit
  PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG: Merchant,
  PAYMENT_METHOD_NOT_FOUND: Hard, // revoked or deleted: the customer must add one
  PAYMENT_METHOD_NOT_SPECIFIED: Hard,
  PAYMENT_PROVIDER_IS_NOT_ENABLED: Merchant,
  // SubscriptionBillingAttemptUnexpectedError
  UNEXPECTED_ERROR: Soft, // Shopify's own failure
} as const satisfies Record<string, DeclineClass>;

export type BillingAttemptErrorCode = keyof typeof DECLINE_CLASS_BY_CODE;

/**
 * The class of a failed attempt's error code, in either case. A code this version does not
 * know (a newer API, or none at all) is treated as soft: the bounded schedule limits the harm.
 */
export function classifyDecline(code: string | null | undefined): DeclineClass {
  if (!code) return Soft;
  return (DECLINE_CLASS_BY_CODE as Record<string, DeclineClass>)[code.toUpperCase()] ?? Soft;
}

export function isKnownErrorCode(code: string): code is BillingAttemptErrorCode {
  return Object.hasOwn(DECLINE_CLASS_BY_CODE, code.toUpperCase());
}
