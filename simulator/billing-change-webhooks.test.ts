import { describe, expect, it, onTestFinished } from "vitest";
import { pinProcessClock, unpinProcessClock } from "../tests/support/pinned-clock";
import { BILLING_TOPICS, billingSetup, START } from "../tests/support/simulator-billing-setup";
import { closeAfterEachTest, SHOP } from "../tests/support/simulator-connection";

closeAfterEachTest();

// The webhooks dunning listens to, raised by the app's mutations and by changes the control
// API makes "elsewhere" (the customer updating a card, the merchant pausing a contract).

/** As shopify.app.toml subscribes: contract pause/cancel/activate and cycle unskip are left out on purpose. */
const DUNNING_SUBSCRIPTIONS = [
  { topics: BILLING_TOPICS, uri: "/webhooks/subscription_billing_attempts" },
  {
    topics: ["customer_payment_methods/create", "customer_payment_methods/update", "customer_payment_methods/revoke"],
    uri: "/webhooks/customer_payment_methods",
  },
  { topics: ["subscription_contracts/update"], uri: "/webhooks/subscription_contracts" },
  { topics: ["subscription_billing_cycles/skip"], uri: "/webhooks/subscription_billing_cycles" },
];

const monthly = { interval: "MONTH" as const, nextBillingDate: START, amount: "29.00" };

const STATUS_MUTATION = (field: string) =>
  `mutation($id: ID!) { ${field}(subscriptionContractId: $id) { contract { status revisionId } userErrors { field message code } } }`;
const SKIP = `mutation($id: ID!, $index: Int!) {
  subscriptionBillingCycleSkip(billingCycleInput: { contractId: $id, selector: { index: $index } }) { billingCycle { cycleIndex skipped } userErrors { code } }
}`;
const UNSKIP = `mutation($id: ID!, $index: Int!) {
  subscriptionBillingCycleUnskip(billingCycleInput: { contractId: $id, selector: { index: $index } }) { billingCycle { cycleIndex skipped } userErrors { code } }
}`;
const SEND_UPDATE_EMAIL = `mutation($id: ID!) {
  customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: $id) { customer { id } userErrors { field message } }
}`;
const CONTRACT_PAYMENT_METHOD = `query($id: ID!, $showRevoked: Boolean) {
  subscriptionContract(id: $id) { customerPaymentMethod(showRevoked: $showRevoked) { id revokedAt } }
}`;

type StatusPayload = { contract: { status: string; revisionId: string } | null; userErrors: Array<{ code: string }> };

async function dunningSetup() {
  const setup = await billingSetup({ simulator: { webhookSubscriptions: DUNNING_SUBSCRIPTIONS } });
  const { run, receiver } = setup;
  const setStatus = async (field: string, contractId: string) => (await run<Record<string, StatusPayload>>(STATUS_MUTATION(field), { id: contractId })).data![field]!;
  /** The payloads the app received for a topic, in order. */
  const received = (topic: string) =>
    receiver.received.filter((webhook) => webhook.headers["x-shopify-topic"] === topic).map((webhook) => JSON.parse(webhook.body) as Record<string, unknown>);
  const attemptOutcome = async (contractId: string, key: string, index: number) => {
    await setup.createAttempt(contractId, key, index);
    await setup.simulator.waitForIdle();
    return setup.simulator.billingAttempts(SHOP).find((attempt) => attempt.idempotencyKey === key)!;
  };
  return { ...setup, setStatus, received, attemptOutcome };
}

const legacyId = (gid: string) => Number(gid.split("/").pop());

describe("subscription_contracts webhooks", () => {
  it("sends update with the REST payload when the app pauses a contract, and nothing when it pauses it again", async () => {
    const { simulator, setStatus, received } = await dunningSetup();
    const { contractId, customerId } = simulator.createContract(SHOP, { ...monthly, maxCycles: 6 });

    expect(await setStatus("subscriptionContractPause", contractId)).toEqual({ contract: { status: "PAUSED", revisionId: "2" }, userErrors: [] });
    await simulator.waitForWebhooks();

    expect(received("subscription_contracts/update")).toEqual([
      {
        id: legacyId(contractId),
        admin_graphql_api_id: contractId,
        customer_id: legacyId(customerId),
        admin_graphql_api_customer_id: customerId,
        status: "paused",
        currency_code: "USD",
        revision_id: "2",
        admin_graphql_api_origin_order_id: null,
        origin_order_id: null,
        billing_policy: { interval: "month", interval_count: 1, min_cycles: null, max_cycles: 6 },
        delivery_policy: { interval: "month", interval_count: 1 },
      },
    ]);
    expect(simulator.contractActions(SHOP)).toEqual([{ action: "PAUSE", contractId, at: expect.any(Date) }]);

    expect(await setStatus("subscriptionContractPause", contractId)).toEqual({ contract: { status: "PAUSED", revisionId: "2" }, userErrors: [] });
    await simulator.waitForWebhooks();
    expect(received("subscription_contracts/update")).toHaveLength(1);
    // The second call still counts as an action the app took.
    expect(simulator.contractActions(SHOP).map((entry) => entry.action)).toEqual(["PAUSE", "PAUSE"]);
  });

  it("logs the status's own topic as not subscribed, without holding up waitForWebhooks", async () => {
    const { simulator, setStatus } = await dunningSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    await setStatus("subscriptionContractPause", contractId);
    await setStatus("subscriptionContractActivate", contractId);
    await simulator.waitForWebhooks();

    expect(simulator.webhookDeliveries.map(({ topic, state }) => ({ topic, state }))).toEqual([
      { topic: "subscription_contracts/update", state: "delivered" },
      { topic: "subscription_contracts/pause", state: "not_subscribed" },
      { topic: "subscription_contracts/update", state: "delivered" },
      { topic: "subscription_contracts/activate", state: "not_subscribed" },
    ]);
    expect((simulator.webhookDeliveries[2]?.payload as { status: string }).status).toBe("active");
  });

  it("sends nothing for a refused mutation", async () => {
    const { simulator, setStatus } = await dunningSetup();
    const { contractId } = simulator.createContract(SHOP, { ...monthly, status: "CANCELLED" });

    expect((await setStatus("subscriptionContractPause", contractId)).userErrors).toEqual([{ field: ["subscriptionContractId"], message: expect.any(String), code: "CONTRACT_TERMINATED" }]);
    await simulator.waitForWebhooks();

    expect(simulator.webhookDeliveries).toEqual([]);
    expect(simulator.contractActions(SHOP)).toEqual([]);
  });

  it("sends update and cancel when the control API changes the status, without counting it as the app's action", async () => {
    const { simulator, received } = await dunningSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    simulator.setContractStatus(SHOP, contractId, "CANCELLED");
    simulator.setContractStatus(SHOP, contractId, "CANCELLED");
    await simulator.waitForWebhooks();

    expect(received("subscription_contracts/update")).toMatchObject([{ status: "cancelled", revision_id: "2" }]);
    expect(simulator.webhookDeliveries.map((delivery) => delivery.topic)).toEqual(["subscription_contracts/update", "subscription_contracts/cancel"]);
    expect(simulator.contractActions(SHOP)).toEqual([]);
  });
});

describe("subscription_billing_cycles webhooks", () => {
  it("sends skip with the cycle when the app skips one, and unskip (unsubscribed here) when it unskips it", async () => {
    const { simulator, run, received } = await dunningSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    await run(SKIP, { id: contractId, index: 2 });
    await run(UNSKIP, { id: contractId, index: 2 });
    await simulator.waitForWebhooks();

    expect(received("subscription_billing_cycles/skip")).toEqual([
      {
        subscription_contract_id: legacyId(contractId),
        admin_graphql_api_subscription_contract_id: contractId,
        cycle_index: 2,
        cycle_start_at: "2026-04-01T00:00:00Z",
        cycle_end_at: "2026-05-01T00:00:00Z",
        billing_attempt_expected_date: "2026-04-01T00:00:00Z",
        skipped: true,
        edited: false,
        status: "unbilled",
      },
    ]);
    expect(simulator.webhookDeliveries.at(-1)).toMatchObject({ topic: "subscription_billing_cycles/unskip", state: "not_subscribed", payload: { cycle_index: 2, skipped: false } });
    expect(simulator.contractActions(SHOP)).toEqual([
      { action: "SKIP", contractId, cycleIndex: 2, at: expect.any(Date) },
      { action: "UNSKIP", contractId, cycleIndex: 2, at: expect.any(Date) },
    ]);
  });

  it("sends skip from the control API once, and nothing for a refused skip of a billed cycle", async () => {
    const { simulator, run, received, createAttempt } = await dunningSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);
    await createAttempt(contractId, "cycle-1", 1);
    await simulator.waitForIdle();

    simulator.skipBillingCycle(SHOP, contractId, 3);
    simulator.skipBillingCycle(SHOP, contractId, 3);
    const refused = await run<{ subscriptionBillingCycleSkip: { userErrors: Array<{ code: string }> } }>(SKIP, { id: contractId, index: 1 });
    await simulator.waitForWebhooks();

    expect(refused.data?.subscriptionBillingCycleSkip.userErrors).toEqual([{ code: "INVALID" }]);
    expect(received("subscription_billing_cycles/skip").map((payload) => payload.cycle_index)).toEqual([3]);
    expect(simulator.contractActions(SHOP)).toEqual([]);
  });
});

describe("customer payment methods", () => {
  it("updatePaymentMethod sends update with the customer, and the next attempt plays the new card's outcomes", async () => {
    const { simulator, received, attemptOutcome } = await dunningSetup();
    const { contractId, customerId, paymentMethodId } = simulator.createContract(SHOP, { ...monthly, defaultOutcome: { error: "INSUFFICIENT_FUNDS" } });
    expect((await attemptOutcome(contractId, "before-update", 1)).errorCode).toBe("INSUFFICIENT_FUNDS");

    simulator.updatePaymentMethod(SHOP, paymentMethodId!, { outcomes: ["action_required"] });
    await simulator.waitForWebhooks();

    expect(received("customer_payment_methods/update")).toEqual([
      {
        admin_graphql_api_id: paymentMethodId,
        token: paymentMethodId!.split("/").pop(),
        customer_id: legacyId(customerId),
        admin_graphql_api_customer_id: customerId,
        instrument_type: "CustomerCreditCard",
        payment_instrument: { last_digits: "4242", month: 12, year: 2030, name: "Sim Customer", brand: "visa" },
      },
    ]);
    expect((await attemptOutcome(contractId, "after-update", 1)).state).toBe("action_required");
    // Once the script is used up, an updated card without a default charges.
    expect((await attemptOutcome(contractId, "after-challenge", 1)).state).toBe("success");
  });

  it("addPaymentMethod sends create, then update for each live contract of the customer, which bills the new card", async () => {
    const { simulator, received, attemptOutcome } = await dunningSetup();
    const first = simulator.createContract(SHOP, { ...monthly, defaultOutcome: { error: "EXPIRED_CARD" } });
    const paused = simulator.createContract(SHOP, { ...monthly, customerId: first.customerId, status: "PAUSED" });
    const cancelled = simulator.createContract(SHOP, { ...monthly, customerId: first.customerId, status: "CANCELLED" });
    const otherCustomer = simulator.createContract(SHOP, monthly);

    const { paymentMethodId } = simulator.addPaymentMethod(SHOP, first.customerId);
    await simulator.waitForWebhooks();

    expect(received("customer_payment_methods/create")).toMatchObject([{ admin_graphql_api_id: paymentMethodId, admin_graphql_api_customer_id: first.customerId }]);
    expect(received("subscription_contracts/update")).toMatchObject([
      { admin_graphql_api_id: first.contractId, status: "active", revision_id: "2" },
      { admin_graphql_api_id: paused.contractId, status: "paused", revision_id: "2" },
    ]);
    const methodOf = (contractId: string) => simulator.listContracts(SHOP).find((contract) => contract.id === contractId)?.paymentMethodId;
    expect([first, paused].map(({ contractId }) => methodOf(contractId))).toEqual([paymentMethodId, paymentMethodId]);
    expect(methodOf(cancelled.contractId)).toBe(first.paymentMethodId);
    expect(methodOf(otherCustomer.contractId)).toBe(otherCustomer.paymentMethodId);
    expect((await attemptOutcome(first.contractId, "new-card", 1)).state).toBe("success");
    expect(simulator.paymentMethodsOf(SHOP, first.customerId).map((method) => method.id)).toEqual([first.paymentMethodId, paymentMethodId]);
  });

  it("addPaymentMethod without assignToContracts leaves the contracts alone", async () => {
    const { simulator, received } = await dunningSetup();
    const { contractId, customerId, paymentMethodId } = simulator.createContract(SHOP, monthly);

    simulator.addPaymentMethod(SHOP, customerId, { assignToContracts: false });
    await simulator.waitForWebhooks();

    expect(received("customer_payment_methods/create")).toHaveLength(1);
    expect(received("subscription_contracts/update")).toEqual([]);
    expect(simulator.listContracts(SHOP).find((contract) => contract.id === contractId)?.paymentMethodId).toBe(paymentMethodId);
  });

  it("revokePaymentMethod sends revoke; the next attempt fails PAYMENT_METHOD_NOT_FOUND and the method shows only with showRevoked", async () => {
    // The simulated clock runs on from where it is set, by the process clock: frozen here,
    // the revocation is dated exactly when the clock was set, not a millisecond later.
    pinProcessClock(START, { frozen: true });
    onTestFinished(unpinProcessClock);
    const { simulator, run, received, attemptOutcome } = await dunningSetup();
    const { contractId, customerId, paymentMethodId } = simulator.createContract(SHOP, monthly);
    simulator.clock.set(new Date("2026-03-10T12:00:00Z"));

    simulator.revokePaymentMethod(SHOP, paymentMethodId!);
    await simulator.waitForWebhooks();

    expect(received("customer_payment_methods/revoke")).toMatchObject([{ admin_graphql_api_id: paymentMethodId, admin_graphql_api_customer_id: customerId }]);
    expect(simulator.paymentMethodsOf(SHOP, customerId)).toEqual([{ id: paymentMethodId, customerId, revokedAt: new Date("2026-03-10T12:00:00Z") }]);
    expect(await attemptOutcome(contractId, "revoked-card", 1)).toMatchObject({ state: "failed", errorCode: "PAYMENT_METHOD_NOT_FOUND" });
    expect(received("subscription_billing_attempts/failure")).toMatchObject([{ error_code: "payment_method_not_found" }]);

    const shown = async (showRevoked: boolean) =>
      (await run<{ subscriptionContract: { customerPaymentMethod: unknown } }>(CONTRACT_PAYMENT_METHOD, { id: contractId, showRevoked })).data?.subscriptionContract
        .customerPaymentMethod;
    expect(await shown(false)).toBeNull();
    expect(await shown(true)).toEqual({ id: paymentMethodId, revokedAt: "2026-03-10T12:00:00Z" });

    expect(() => simulator.updatePaymentMethod(SHOP, paymentMethodId!, { defaultOutcome: "success" })).toThrow(/revoked/);
    expect(() => simulator.revokePaymentMethod(SHOP, paymentMethodId!)).toThrow(/already revoked/);
  });

  it("refuses the update email for a revoked method and records no email", async () => {
    const { simulator, run } = await dunningSetup();
    const { paymentMethodId } = simulator.createContract(SHOP, monthly);
    simulator.revokePaymentMethod(SHOP, paymentMethodId!);

    const answer = await run<{ customerPaymentMethodSendUpdateEmail: unknown }>(SEND_UPDATE_EMAIL, { id: paymentMethodId });

    expect(answer.data?.customerPaymentMethodSendUpdateEmail).toEqual({
      customer: null,
      userErrors: [{ field: ["customerPaymentMethodId"], message: "Customer payment method has been revoked" }],
    });
    expect(simulator.paymentUpdateEmails(SHOP)).toEqual([]);
  });
});
