// Why billing attempts fail, named as in the Admin API 2026-10. Since 2026-04 a failed
// attempt reports a typed error (SubscriptionBillingAttemptError: payment, inventory,
// general or unexpected, each with its own code enum); the deprecated flat
// SubscriptionBillingAttemptErrorCode still lists every code. One list per category here;
// the schema's enums and the webhook's error_code are built from them.

export const PAYMENT_ERROR_CODES = [
  "AMOUNT_TOO_LARGE",
  "AMOUNT_TOO_SMALL",
  "AUTHENTICATION_ERROR",
  "AUTHENTICATION_FAILED",
  "AUTHENTICATION_REQUIRED",
  "BUYER_CANCELED_PAYMENT_METHOD",
  "CALL_ISSUER",
  "CANCELLED_PAYMENT",
  "CARD_DECLINED",
  "CARD_NUMBER_INCORRECT",
  "CONFIRMATION_REJECTED",
  "DO_NOT_HONOR",
  "EXPIRED_BUYER_ACTION",
  "EXPIRED_CARD",
  "EXPIRED_PAYMENT_METHOD",
  "FRAUD_SUSPECTED",
  "GENERIC_ERROR",
  "INCORRECT_ADDRESS",
  "INCORRECT_NUMBER",
  "INCORRECT_ZIP",
  "INSUFFICIENT_FUNDS",
  "INVALID_CURRENCY",
  "INVALID_CUSTOMER_BILLING_AGREEMENT",
  "INVALID_EXPIRY_DATE",
  "INVALID_NUMBER",
  "INVALID_PAYMENT_METHOD",
  "INVALID_PURCHASE_TYPE",
  "INVALID_SHIPPING_ADDRESS",
  "INVOICE_ALREADY_PAID",
  "MERCHANT_RULE",
  "OFF_SESSION_REJECTED",
  "PAYMENT_METHOD_DECLINED",
  "PAYMENT_METHOD_UNSUPPORTED",
  "PAYMENT_PROVIDER_ERROR",
  "PAYPAL_ERROR_GENERAL",
  "PROCESSING_ERROR",
  "PURCHASE_TYPE_NOT_SUPPORTED",
  "RETRY_DECLINED",
  "TEST_MODE",
  "TRANSACTION_LIMIT_EXCEEDED",
  "TRANSIENT_ERROR",
] as const;

export const INVENTORY_ERROR_CODES = ["INSUFFICIENT_INVENTORY", "INVENTORY_ALLOCATIONS_NOT_FOUND"] as const;

export const GENERAL_ERROR_CODES = [
  "CUSTOMER_INVALID",
  "CUSTOMER_NOT_FOUND",
  "FREE_GIFT_CARD_NOT_ALLOWED",
  "INVALID_BILLING_ADDRESS",
  "MERCHANT_ACCOUNT_ERROR",
  "NON_TEST_ORDER_LIMIT_REACHED",
  "PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG",
  "PAYMENT_METHOD_NOT_FOUND",
  "PAYMENT_METHOD_NOT_SPECIFIED",
  "PAYMENT_PROVIDER_IS_NOT_ENABLED",
] as const;

/** The one code of SubscriptionBillingAttemptErrorCode that maps to SubscriptionBillingAttemptUnexpectedError. */
export const UNEXPECTED_ERROR_CODE = "UNEXPECTED_ERROR";

export type BillingAttemptErrorCode =
  | (typeof PAYMENT_ERROR_CODES)[number]
  | (typeof INVENTORY_ERROR_CODES)[number]
  | (typeof GENERAL_ERROR_CODES)[number]
  | typeof UNEXPECTED_ERROR_CODE;

/** Every value of the deprecated flat enum SubscriptionBillingAttemptErrorCode, sorted as Shopify lists them. */
export const ALL_BILLING_ATTEMPT_ERROR_CODES: readonly BillingAttemptErrorCode[] = (
  [...PAYMENT_ERROR_CODES, ...INVENTORY_ERROR_CODES, ...GENERAL_ERROR_CODES, UNEXPECTED_ERROR_CODE] as BillingAttemptErrorCode[]
).sort();

export type BillingAttemptErrorCategory = "PAYMENT" | "INVENTORY" | "GENERAL" | "UNEXPECTED";

export function errorCategoryOf(code: BillingAttemptErrorCode): BillingAttemptErrorCategory {
  if ((PAYMENT_ERROR_CODES as readonly string[]).includes(code)) return "PAYMENT";
  if ((INVENTORY_ERROR_CODES as readonly string[]).includes(code)) return "INVENTORY";
  if ((GENERAL_ERROR_CODES as readonly string[]).includes(code)) return "GENERAL";
  return "UNEXPECTED";
}

export function isBillingAttemptErrorCode(value: unknown): value is BillingAttemptErrorCode {
  return typeof value === "string" && (ALL_BILLING_ATTEMPT_ERROR_CODES as readonly string[]).includes(value);
}

/** SubscriptionContract.lastBillingAttemptErrorType for a failure with this code. */
export function lastBillingErrorTypeOf(code: BillingAttemptErrorCode): "PAYMENT_ERROR" | "INVENTORY_ERROR" | "CUSTOMER_ERROR" | "OTHER" {
  if (code === "CUSTOMER_INVALID" || code === "CUSTOMER_NOT_FOUND") return "CUSTOMER_ERROR";
  const category = errorCategoryOf(code);
  if (category === "PAYMENT") return "PAYMENT_ERROR";
  if (category === "INVENTORY") return "INVENTORY_ERROR";
  return "OTHER";
}

/** A human message for error_message / errorMessage, as a gateway would word it. */
export function defaultErrorMessage(code: BillingAttemptErrorCode): string {
  const words = code.toLowerCase().replace(/_/g, " ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/** BillingAttemptUserErrorCode: why subscriptionBillingAttemptCreate / subscriptionBillingCycleCharge refuse, with Shopify's messages. */
export const BILLING_ATTEMPT_USER_ERRORS = {
  BILLING_CYCLE_CHARGE_BEFORE_EXPECTED_DATE: "Billing cycle charge attempt made more than 24 hours before the billing cycle billingAttemptExpectedDate",
  BILLING_CYCLE_SKIPPED: "Billing cycle must not be skipped",
  BLANK: "Idempotency key can't be blank",
  CONTRACT_NOT_FOUND: "Subscription contract does not exist",
  CONTRACT_PAUSED: "Subscription contract cannot be billed if paused",
  CONTRACT_TERMINATED: "Subscription contract cannot be billed once terminated",
  CONTRACT_UNDER_REVIEW: "Subscription contract is under review, origin order is high risk and unfulfilled",
  CYCLE_INDEX_OUT_OF_RANGE: "Billing cycle selector cannot select billing cycle outside of index range",
  CYCLE_START_DATE_OUT_OF_RANGE: "Billing cycle selector cannot select billing cycle outside of start date range",
  INVALID: "The input value is invalid",
  ORIGIN_TIME_BEFORE_CONTRACT_CREATION: "Origin time cannot be before the contract creation time",
  ORIGIN_TIME_OUT_OF_RANGE: "Origin time needs to be within the selected billing cycle's start and end at date",
  PROCESSING_FAILED: "Billing attempt processing failed",
  THROTTLED: "Billing attempts for this shop are being throttled",
  UPCOMING_CYCLE_LIMIT_EXCEEDED: "Billing cycle selector cannot select upcoming billing cycle past limit",
} as const;

export type BillingAttemptUserErrorCode = keyof typeof BILLING_ATTEMPT_USER_ERRORS;
