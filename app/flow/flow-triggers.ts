// The app's Shopify Flow triggers (extensions/<handle>/shopify.extension.toml) and the payload
// each event sends: the keys are the fields those files declare, a customer goes as
// `customer_id` (its customer_reference field). Pure.

export const FlowTriggerHandle = {
  PaymentFailed: "payment-failed-dunning-started",
  Recovered: "payment-recovered",
  Exhausted: "dunning-exhausted",
  PaymentMethodNeeded: "payment-method-update-needed",
} as const;

export type FlowTriggerHandle = (typeof FlowTriggerHandle)[keyof typeof FlowTriggerHandle];

/** Flow refuses bigger payloads; ours are well under a kilobyte (the decline reason is cut first if ever needed). */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

/** What an event says, as the outbox keeps it. */
export interface FlowTriggerFacts {
  handle: string;
  eventKey: string;
  customerId: string | null;
  contractId: string;
  billingCycleIndex: number;
  /** A decimal string, as Shopify gives prices. */
  amount: string | null;
  currencyCode: string | null;
  declineCode: string | null;
  declineReason: string | null;
  /** SKIP | PAUSE | CANCEL, on the exhausted trigger. */
  finalAction: string | null;
}

const FINAL_ACTION_WORDS: Record<string, string> = {
  SKIP: "Skipped the billing cycle",
  PAUSE: "Paused the contract",
  CANCEL: "Cancelled the contract",
};

function numericId(gid: string | null, type: string): number | undefined {
  const match = gid ? new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(gid) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * The payload of an event, or a refusal when it cannot fit Flow's limit. Unknown facts are
 * left out (a workflow using the field sees no value) rather than sent empty. The amount is
 * a JSON number (number_decimal): Flow compares it; nothing here adds or rounds it.
 */
export function flowTriggerPayload(facts: FlowTriggerFacts): { payload: Record<string, unknown> } | { refused: string } {
  const customerId = numericId(facts.customerId, "Customer");
  const payload: Record<string, unknown> = {
    ...(customerId !== undefined ? { customer_id: customerId } : {}),
    "Contract ID": facts.contractId,
    "Billing cycle": facts.billingCycleIndex,
    ...(facts.amount !== null && /^-?\d+(\.\d+)?$/.test(facts.amount) ? { Amount: Number(facts.amount) } : {}),
    ...(facts.amount !== null && facts.currencyCode ? { "Currency code": facts.currencyCode } : {}),
    ...(facts.declineCode ? { "Decline code": facts.declineCode } : {}),
    ...(facts.declineReason ? { "Decline reason": facts.declineReason.replace(/\s+/g, " ") } : {}),
    ...(facts.handle === FlowTriggerHandle.Exhausted && facts.finalAction ? { "Final action": FINAL_ACTION_WORDS[facts.finalAction] ?? facts.finalAction } : {}),
    "Event ID": facts.eventKey,
  };
  const size = () => new TextEncoder().encode(JSON.stringify(payload)).length;
  if (size() > FLOW_PAYLOAD_MAX_BYTES && typeof payload["Decline reason"] === "string") {
    payload["Decline reason"] = (payload["Decline reason"] as string).slice(0, 500);
  }
  return size() > FLOW_PAYLOAD_MAX_BYTES ? { refused: `the payload is over Flow's ${FLOW_PAYLOAD_MAX_BYTES} bytes` } : { payload };
}
