// The outcomes the Charges page filters by (its tabs), each one or more attempt statuses.
// Pure: the page's component uses them in the browser too.

/** What a merchant filters by; each is one or more attempt statuses. */
export const CHARGE_OUTCOMES = {
  charged: { label: "Charged", tone: "success", statuses: ["SUCCEEDED"] },
  failed: { label: "Failed", tone: "critical", statuses: ["FAILED"] },
  authentication: { label: "Needs 3-D Secure", tone: "warning", statuses: ["ACTION_REQUIRED"] },
  processing: { label: "Processing", tone: "info", statuses: ["PENDING", "PROCESSING"] },
  refused: { label: "Refused by Shopify", tone: "attention", statuses: ["REJECTED"] },
} as const;

export type ChargeOutcome = keyof typeof CHARGE_OUTCOMES;
export const CHARGE_OUTCOME_KEYS = Object.keys(CHARGE_OUTCOMES) as ChargeOutcome[];

export const OUTCOME_OF_STATUS = Object.fromEntries(
  CHARGE_OUTCOME_KEYS.flatMap((key) => CHARGE_OUTCOMES[key].statuses.map((status) => [status, key])),
) as Record<string, ChargeOutcome>;
