import { describe, expect, it } from "vitest";
import { FLOW_PAYLOAD_MAX_BYTES, flowTriggerPayload, FlowTriggerHandle, type FlowTriggerFacts } from "./flow-triggers";

const facts: FlowTriggerFacts = {
  handle: FlowTriggerHandle.Exhausted,
  eventKey: "tracker-7:dunning-exhausted",
  customerId: "gid://shopify/Customer/42",
  contractId: "gid://shopify/SubscriptionContract/1042",
  billingCycleIndex: 3,
  amount: "29.90",
  currencyCode: "EUR",
  declineCode: "card_declined",
  declineReason: "The bank declined the card without giving a reason.",
  finalAction: "PAUSE",
};

describe("flowTriggerPayload", () => {
  it("sends the declared fields: the customer by its numeric id, the amount as a number, the final action in words", () => {
    expect(flowTriggerPayload(facts)).toEqual({
      payload: {
        customer_id: 42,
        "Contract ID": "gid://shopify/SubscriptionContract/1042",
        "Billing cycle": 3,
        Amount: 29.9,
        "Currency code": "EUR",
        "Decline code": "card_declined",
        "Decline reason": "The bank declined the card without giving a reason.",
        "Final action": "Paused the contract",
        "Event ID": "tracker-7:dunning-exhausted",
      },
    });
  });

  it.each([
    ["no customer", { customerId: null }, ["customer_id"]],
    ["a customer id that is not a Customer GID", { customerId: "" }, ["customer_id"]],
    ["no amount (its currency goes with it)", { amount: null }, ["Amount", "Currency code"]],
    ["no decline", { declineCode: null, declineReason: null }, ["Decline code", "Decline reason"]],
  ] as const)("leaves out what it does not know: %s", (_name, change, absent) => {
    const built = flowTriggerPayload({ ...facts, ...change });
    expect("payload" in built && Object.keys(built.payload)).toEqual(expect.not.arrayContaining([...absent]));
  });

  it("names the final action on the exhausted trigger only", () => {
    const built = flowTriggerPayload({ ...facts, handle: FlowTriggerHandle.Recovered });
    expect("payload" in built && built.payload["Final action"]).toBeUndefined();
  });

  it("keeps a payload under Flow's limit by cutting the reason, on one line", () => {
    const built = flowTriggerPayload({ ...facts, declineReason: `Too\nlong ${"x".repeat(FLOW_PAYLOAD_MAX_BYTES)}` });
    expect("payload" in built && built.payload["Decline reason"]).toMatch(/^Too long x+$/);
    expect("payload" in built && (built.payload["Decline reason"] as string).length).toBe(500);
  });
});
