import { type BillingAttemptErrorCode, classifyDecline, DeclineClass } from "./decline-classes";

// What a failed payment's error code means, in a sentence a merchant reads (never the code
// itself): one per code of the pinned Admin API version, and what dunning does about it.

export const DECLINE_DESCRIPTIONS = {
  AMOUNT_TOO_LARGE: "The amount is above what the payment provider accepts for this shop.",
  AMOUNT_TOO_SMALL: "The amount is below what the payment provider accepts.",
  AUTHENTICATION_ERROR: "The card's authentication service failed.",
  AUTHENTICATION_FAILED: "The customer did not pass the card's authentication.",
  AUTHENTICATION_REQUIRED: "The bank wants the customer to authenticate this payment.",
  BUYER_CANCELED_PAYMENT_METHOD: "The customer cancelled this payment method.",
  CALL_ISSUER: "The bank asks the cardholder to call it.",
  CANCELLED_PAYMENT: "The payment was cancelled.",
  CARD_DECLINED: "The bank declined the card without giving a reason.",
  CARD_NUMBER_INCORRECT: "The card number is wrong.",
  CONFIRMATION_REJECTED: "The customer rejected the payment confirmation.",
  DO_NOT_HONOR: "The bank declined the payment (do not honor).",
  EXPIRED_BUYER_ACTION: "The customer did not confirm the payment in time.",
  EXPIRED_CARD: "The card has expired.",
  EXPIRED_PAYMENT_METHOD: "The payment method has expired.",
  FRAUD_SUSPECTED: "The bank suspects fraud.",
  GENERIC_ERROR: "The payment failed for a reason the provider did not give.",
  INCORRECT_ADDRESS: "The billing address does not match the card.",
  INCORRECT_NUMBER: "The card number is wrong.",
  INCORRECT_ZIP: "The postal code does not match the card.",
  INSUFFICIENT_FUNDS: "The card had insufficient funds.",
  INVALID_CURRENCY: "The payment provider does not take the shop's currency.",
  INVALID_CUSTOMER_BILLING_AGREEMENT: "The customer's billing agreement is no longer valid.",
  INVALID_EXPIRY_DATE: "The card's expiry date is wrong.",
  INVALID_NUMBER: "The card number is not valid.",
  INVALID_PAYMENT_METHOD: "The payment method is not valid.",
  INVALID_PURCHASE_TYPE: "The payment provider does not allow this kind of purchase.",
  INVALID_SHIPPING_ADDRESS: "The subscription's shipping address is not valid.",
  INVOICE_ALREADY_PAID: "This billing was already paid.",
  MERCHANT_RULE: "One of the shop's own payment rules blocked it.",
  OFF_SESSION_REJECTED: "The bank refused a payment made without the customer present.",
  PAYMENT_METHOD_DECLINED: "The payment method was declined.",
  PAYMENT_METHOD_UNSUPPORTED: "The payment provider does not support this payment method.",
  PAYMENT_PROVIDER_ERROR: "The payment provider had an error.",
  PAYPAL_ERROR_GENERAL: "PayPal declined the payment.",
  PROCESSING_ERROR: "The payment could not be processed just then.",
  PURCHASE_TYPE_NOT_SUPPORTED: "The payment provider does not support this kind of purchase.",
  RETRY_DECLINED: "The bank asked not to retry this card.",
  TEST_MODE: "The payment provider is in test mode.",
  TRANSACTION_LIMIT_EXCEEDED: "The card's spending limit was reached.",
  TRANSIENT_ERROR: "A temporary error at the payment provider.",
  INSUFFICIENT_INVENTORY: "A product in the subscription is out of stock.",
  INVENTORY_ALLOCATIONS_NOT_FOUND: "No location has stock to fulfil the subscription.",
  CUSTOMER_INVALID: "The customer's record is not valid.",
  CUSTOMER_NOT_FOUND: "The customer no longer exists.",
  FREE_GIFT_CARD_NOT_ALLOWED: "Free gift cards cannot be billed on a subscription.",
  INVALID_BILLING_ADDRESS: "The billing address is not valid.",
  MERCHANT_ACCOUNT_ERROR: "There is a problem with the shop's payment account.",
  NON_TEST_ORDER_LIMIT_REACHED: "The development store's order limit was reached.",
  PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG: "The payment method does not work with the shop's payment setup.",
  PAYMENT_METHOD_NOT_FOUND: "The customer's payment method was removed.",
  PAYMENT_METHOD_NOT_SPECIFIED: "The subscription has no payment method.",
  PAYMENT_PROVIDER_IS_NOT_ENABLED: "The shop's payment provider is not enabled.",
  UNEXPECTED_ERROR: "Shopify had an unexpected error.",
} as const satisfies Record<BillingAttemptErrorCode, string>;

/** A short name for each code, for headings and lists ("Insufficient funds"); the sentence says more. */
export const DECLINE_LABELS = {
  AMOUNT_TOO_LARGE: "Amount too large",
  AMOUNT_TOO_SMALL: "Amount too small",
  AUTHENTICATION_ERROR: "Authentication service error",
  AUTHENTICATION_FAILED: "Authentication failed",
  AUTHENTICATION_REQUIRED: "Authentication required",
  BUYER_CANCELED_PAYMENT_METHOD: "Payment method cancelled",
  CALL_ISSUER: "Call the bank",
  CANCELLED_PAYMENT: "Payment cancelled",
  CARD_DECLINED: "Card declined",
  CARD_NUMBER_INCORRECT: "Wrong card number",
  CONFIRMATION_REJECTED: "Confirmation rejected",
  DO_NOT_HONOR: "Do not honor",
  EXPIRED_BUYER_ACTION: "Confirmation timed out",
  EXPIRED_CARD: "Expired card",
  EXPIRED_PAYMENT_METHOD: "Expired payment method",
  FRAUD_SUSPECTED: "Fraud suspected",
  GENERIC_ERROR: "Payment failed, no reason given",
  INCORRECT_ADDRESS: "Wrong billing address",
  INCORRECT_NUMBER: "Wrong card number",
  INCORRECT_ZIP: "Wrong postal code",
  INSUFFICIENT_FUNDS: "Insufficient funds",
  INVALID_CURRENCY: "Currency not accepted",
  INVALID_CUSTOMER_BILLING_AGREEMENT: "Billing agreement no longer valid",
  INVALID_EXPIRY_DATE: "Wrong expiry date",
  INVALID_NUMBER: "Invalid card number",
  INVALID_PAYMENT_METHOD: "Invalid payment method",
  INVALID_PURCHASE_TYPE: "Purchase type not allowed",
  INVALID_SHIPPING_ADDRESS: "Invalid shipping address",
  INVOICE_ALREADY_PAID: "Already paid",
  MERCHANT_RULE: "Blocked by the shop's rules",
  OFF_SESSION_REJECTED: "Refused without the customer present",
  PAYMENT_METHOD_DECLINED: "Payment method declined",
  PAYMENT_METHOD_UNSUPPORTED: "Payment method not supported",
  PAYMENT_PROVIDER_ERROR: "Payment provider error",
  PAYPAL_ERROR_GENERAL: "Declined by PayPal",
  PROCESSING_ERROR: "Processing error",
  PURCHASE_TYPE_NOT_SUPPORTED: "Purchase type not supported",
  RETRY_DECLINED: "Bank asked not to retry",
  TEST_MODE: "Provider in test mode",
  TRANSACTION_LIMIT_EXCEEDED: "Spending limit reached",
  TRANSIENT_ERROR: "Temporary provider error",
  INSUFFICIENT_INVENTORY: "Out of stock",
  INVENTORY_ALLOCATIONS_NOT_FOUND: "No stock at any location",
  CUSTOMER_INVALID: "Invalid customer record",
  CUSTOMER_NOT_FOUND: "Customer no longer exists",
  FREE_GIFT_CARD_NOT_ALLOWED: "Free gift card not allowed",
  INVALID_BILLING_ADDRESS: "Invalid billing address",
  MERCHANT_ACCOUNT_ERROR: "Shop payment account problem",
  NON_TEST_ORDER_LIMIT_REACHED: "Development store order limit",
  PAYMENT_METHOD_INCOMPATIBLE_WITH_GATEWAY_CONFIG: "Payment method not set up for the shop",
  PAYMENT_METHOD_NOT_FOUND: "Payment method removed",
  PAYMENT_METHOD_NOT_SPECIFIED: "No payment method",
  PAYMENT_PROVIDER_IS_NOT_ENABLED: "Payment provider not enabled",
  UNEXPECTED_ERROR: "Shopify error",
} as const satisfies Record<BillingAttemptErrorCode, string>;

/** The short name of a code in either case; codes this version does not know share one name, as does no code at all. */
export function declineLabel(code: string | null | undefined): string {
  if (!code) return "No reason given";
  return (DECLINE_LABELS as Record<string, string>)[code.toUpperCase()] ?? "Other reasons";
}

/** The sentence for an error code in either case; a code this version does not know still reads as a sentence. */
export function describeDecline(code: string | null | undefined): string {
  if (!code) return "The payment failed without a reason.";
  const known = (DECLINE_DESCRIPTIONS as Record<string, string>)[code.toUpperCase()];
  return known ?? `The payment failed (${code.toLowerCase().replaceAll("_", " ")}).`;
}

export const DECLINE_CATEGORY_LABELS: Record<DeclineClass, string> = {
  [DeclineClass.Soft]: "Temporary decline",
  [DeclineClass.Hard]: "Card needs updating",
  [DeclineClass.Inventory]: "Out of stock",
  [DeclineClass.Challenge]: "Needs 3-D Secure",
  [DeclineClass.Merchant]: "Shop setup problem",
};

/** What dunning does about each category, for a merchant. */
export const DECLINE_CATEGORY_HANDLING: Record<DeclineClass, string> = {
  [DeclineClass.Soft]: "retried on the payment schedule",
  [DeclineClass.Hard]: "waits for the customer to update their card",
  [DeclineClass.Inventory]: "retried on the inventory schedule; you are told",
  [DeclineClass.Challenge]: "waits for the customer to authenticate",
  [DeclineClass.Merchant]: "stopped until you fix the shop's setup",
};

/** The category label of a code ("Card needs updating"); for a stored class too ("HARD"). */
export function declineCategoryLabel(codeOrClass: string | null | undefined): string {
  const asClass = codeOrClass && (Object.values(DeclineClass) as string[]).includes(codeOrClass) ? (codeOrClass as DeclineClass) : classifyDecline(codeOrClass);
  return DECLINE_CATEGORY_LABELS[asClass];
}
