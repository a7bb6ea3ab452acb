import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema } from "./admin-schema";
import { checkFlowTrigger, FLOW_PAYLOAD_MAX_BYTES, loadAppFlowTriggers, parseFlowTriggerExtension } from "./flow-triggers";
import { billingSetup, START } from "../tests/support/simulator-billing-setup";
import { closeAfterEachTest, SHOP } from "../tests/support/simulator-connection";
import { BillingCyclesWithAttempts } from "../app/shopify/operations/billing-cycle-of-attempt.server";
import { FlowTriggerReceive } from "../app/shopify/operations/flow-trigger-receive.server";
import { createdBetweenQuery, SubscriptionBillingAttemptsCreated } from "../app/shopify/operations/subscription-billing-attempts.server";
import { FlowTriggerHandle } from "../app/flow/flow-triggers";
import { requestedQueryCost } from "./query-cost";

// What the reconciliation reads (the shop's attempts by creation time, a cycle's attempts),
// the control API's planted orders, and Flow triggers: the app's extensions, what
// flowTriggerReceive accepts and refuses, and the record tests read back.

closeAfterEachTest();

const HOUR = 3600_000;

describe("the operations the app sends", () => {
  it.each([
    ["SubscriptionBillingAttemptsCreated", SubscriptionBillingAttemptsCreated.document, { first: 100, after: null, query: "created_at:>=2026-03-01T00:00:00Z" }],
    ["BillingCyclesWithAttempts", BillingCyclesWithAttempts.document, { contractId: "gid://shopify/SubscriptionContract/1", latestFirst: true }],
    ["FlowTriggerReceive", FlowTriggerReceive.document, {}],
  ])("%s is valid against the schema subset, and costs what the app estimates", (name, document, variables) => {
    const parsed = parse(document);
    expect(validate(adminSchema, parsed)).toEqual([]);
    const estimated = [SubscriptionBillingAttemptsCreated, BillingCyclesWithAttempts, FlowTriggerReceive].find((operation) => operation.name === name)!.estimatedCost;
    expect(requestedQueryCost(adminSchema, parsed, name, variables)).toBe(estimated);
  });
});

describe("subscriptionBillingAttempts", () => {
  it("lists the shop's attempts created in a range, oldest first, with their contract and the order of a success, a page at a time", async () => {
    const { simulator, run, createAttempt } = await billingSetup();
    const paid = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "12.00" });
    const declined = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "9.00", defaultOutcome: { error: "INSUFFICIENT_FUNDS" } });
    const later = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "5.00" });
    await createAttempt(paid.contractId, "paid-1");
    await simulator.waitForIdle();
    simulator.clock.advance(HOUR);
    await createAttempt(declined.contractId, "declined-1");
    await simulator.waitForIdle();
    simulator.clock.advance(2 * HOUR);
    await createAttempt(later.contractId, "outside-the-range");
    await simulator.waitForIdle();

    const range = { start: START, end: new Date(START.getTime() + 2 * HOUR) };
    type Page = { subscriptionBillingAttempts: { nodes: Array<Record<string, unknown>>; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = (await run<Page>(SubscriptionBillingAttemptsCreated.document, { first: 1, after: null, query: createdBetweenQuery(range) })).data!;
    const second = (await run<Page>(SubscriptionBillingAttemptsCreated.document, { first: 1, after: first.subscriptionBillingAttempts.pageInfo.endCursor, query: createdBetweenQuery(range) })).data!;

    const order = simulator.orders(SHOP)[0];
    expect(first.subscriptionBillingAttempts.nodes).toEqual([
      {
        id: expect.stringMatching(/^gid:\/\/shopify\/SubscriptionBillingAttempt\/\d+$/),
        idempotencyKey: "paid-1",
        createdAt: expect.stringMatching(/^2026-03-01T00:00:0\dZ$/),
        subscriptionContract: { id: paid.contractId },
        state: { __typename: "SubscriptionBillingAttemptSuccessState", order: { id: order.id, name: order.name, createdAt: expect.stringMatching(/^2026-03-01T00:00:0\dZ$/) } },
      },
    ]);
    expect(first.subscriptionBillingAttempts.pageInfo.hasNextPage).toBe(true);
    expect(second.subscriptionBillingAttempts.nodes).toEqual([
      expect.objectContaining({ idempotencyKey: "declined-1", subscriptionContract: { id: declined.contractId }, state: { __typename: "SubscriptionBillingAttemptFailedState" } }),
    ]);
    expect(second.subscriptionBillingAttempts.pageInfo.hasNextPage).toBe(false);
  });
});

describe("plantOrder (control API)", () => {
  it("plants a second paid order on a charged cycle, under a key the app never used, that the cycle's attempts list", async () => {
    const { simulator, run, createAttempt, receiver } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "12.00" });
    await createAttempt(contractId, "app-key-1");
    await simulator.waitForIdle();

    const planted = simulator.plantOrder(SHOP, { contractId, cycleIndex: 1 });
    await simulator.waitForIdle();

    expect(simulator.orders(SHOP).map((order) => [order.cycleIndex, order.name])).toEqual([
      [1, "#1001"],
      [1, planted.orderName],
    ]);
    expect(planted.orderName).toBe("#1002");
    expect(simulator.billingAttempts(SHOP).find((attempt) => attempt.id === planted.attemptId)).toMatchObject({ state: "success", idempotencyKey: expect.stringMatching(/^planted-/) });
    // Shopify announces it like any other success.
    expect(receiver.received.filter((webhook) => webhook.headers["x-shopify-topic"] === "subscription_billing_attempts/success")).toHaveLength(2);

    type Cycles = { subscriptionBillingCycles: { nodes: Array<{ cycleIndex: number; billingAttempts: { nodes: Array<{ id: string }> } }> } };
    const cycles = (await run<Cycles>(BillingCyclesWithAttempts.document, {
      contractId,
      startDate: new Date(START.getTime() - 62 * 24 * HOUR).toISOString(),
      endDate: new Date(START.getTime() + 24 * HOUR).toISOString(),
      latestFirst: true,
    })).data!;
    expect(cycles.subscriptionBillingCycles.nodes.find((cycle) => cycle.cycleIndex === 1)?.billingAttempts.nodes[0]).toEqual({ id: planted.attemptId });
  });

  it("refuses a key already used and a contract it does not have", async () => {
    const { simulator, createAttempt } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "12.00" });
    await createAttempt(contractId, "app-key-1");
    expect(() => simulator.plantOrder(SHOP, { contractId, cycleIndex: 1, idempotencyKey: "app-key-1" })).toThrow(/already has the key/);
    expect(() => simulator.plantOrder(SHOP, { contractId: "gid://shopify/SubscriptionContract/9", cycleIndex: 1 })).toThrow(/no subscription contract/);
  });
});

describe("Flow triggers", () => {
  it("reads the app's four trigger extensions, each with Flow trigger field types only", () => {
    const triggers = loadAppFlowTriggers();
    expect(triggers.map((trigger) => trigger.handle).sort()).toEqual(Object.values(FlowTriggerHandle).sort());
    // Flow triggers take these (number_integer and multi_line_text_field are action-only).
    const allowed = ["customer_reference", "single_line_text_field", "number_decimal", "boolean", "email", "url"];
    for (const trigger of triggers) {
      expect(trigger.handle.length).toBeLessThanOrEqual(30);
      expect(trigger.fields.map((field) => field.type).every((type) => allowed.includes(type))).toBe(true);
      expect(trigger.fields.every((field) => field.type.endsWith("_reference") || /^[A-Za-z ]+$/.test(field.key ?? ""))).toBe(true);
      expect(trigger.fields.map((field) => field.key ?? field.type)).toEqual(expect.arrayContaining(["customer_reference", "Contract ID", "Amount", "Decline reason", "Event ID"]));
    }
  });

  const declared = parseFlowTriggerExtension(`
[[extensions]]
name = "Payment recovered"
type = "flow_trigger"
handle = "payment-recovered"

[settings]

[[settings.fields]]
type = "customer_reference"

[[settings.fields]]
type = "number_decimal"
key = "Amount"

[[settings.fields]]
type = "single_line_text_field"
key = "Decline reason"
`);

  it.each([
    ["an accepted payload (a field may be left out)", { handle: "payment-recovered", payload: { customer_id: 42, Amount: 12.5 } }, []],
    ["an unknown handle", { handle: "payment-lost", payload: {} }, [{ field: ["handle"], message: expect.stringMatching(/Invalid handle/) }]],
    ["no payload object", { handle: "payment-recovered", payload: [1] }, [{ field: ["payload"], message: "Payload must be a JSON object." }]],
    ["a field the trigger does not declare", { handle: "payment-recovered", payload: { Amout: 1 } }, [{ field: ["payload", "Amout"], message: expect.stringMatching(/not a field/) }]],
    ["a value of the wrong type", { handle: "payment-recovered", payload: { Amount: "12.50", customer_id: "gid://shopify/Customer/1" } }, [
      { field: ["payload", "Amount"], message: '"Amount" must be a number.' },
      { field: ["payload", "customer_id"], message: '"customer_id" must be the object\'s numeric id.' },
    ]],
    ["text over one line", { handle: "payment-recovered", payload: { "Decline reason": "two\nlines" } }, [{ field: ["payload", "Decline reason"], message: expect.any(String) }]],
    ["a payload over the size limit", { handle: "payment-recovered", payload: { "Decline reason": "x".repeat(FLOW_PAYLOAD_MAX_BYTES) } }, [{ field: ["payload"], message: expect.stringMatching(/maximum is 50000/) }]],
  ])("checks %s", (_name, args, errors) => {
    expect(checkFlowTrigger(declared, args)).toEqual(errors);
  });

  it("accepts a trigger through flowTriggerReceive and records it; refuses one for an undeclared handle with a user error", async () => {
    const { simulator, run } = await billingSetup();
    const payload = { customer_id: 1, "Contract ID": "gid://shopify/SubscriptionContract/1", "Billing cycle": 2, Amount: 29, "Currency code": "USD", "Event ID": "e-1" };
    type Answer = { flowTriggerReceive: { userErrors: Array<{ field: string[] | null; message: string }> } };
    const accepted = (await run<Answer>(FlowTriggerReceive.document, { handle: FlowTriggerHandle.Recovered, payload })).data!;
    const refused = (await run<Answer>(FlowTriggerReceive.document, { handle: "not-ours", payload })).data!;

    expect(accepted.flowTriggerReceive.userErrors).toEqual([]);
    expect(refused.flowTriggerReceive.userErrors).toEqual([{ field: ["handle"], message: expect.stringMatching(/Invalid handle/) }]);
    expect(simulator.flowTriggers(SHOP)).toEqual([{ handle: FlowTriggerHandle.Recovered, payload, receivedAt: expect.any(Date) }]);
  });
});
