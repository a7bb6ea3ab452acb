import { describe, expect, it } from "vitest";
import { billingSetup, START } from "../tests/support/simulator-billing-setup";
import { closeAfterEachTest, SHOP } from "../tests/support/simulator-connection";

closeAfterEachTest();

const monthly = { interval: "MONTH" as const, nextBillingDate: START, amount: "29.00" };

describe("subscriptionBillingAttemptCreate", () => {
  it("answers a pending attempt that completes into an order, a billed cycle and the next billing date", async () => {
    const { simulator, createAttempt, attemptById, receiver } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    const created = await createAttempt(contractId, "cycle-1");
    expect(created.userErrors).toEqual([]);
    expect(created.subscriptionBillingAttempt).toMatchObject({
      id: expect.stringMatching(/^gid:\/\/shopify\/SubscriptionBillingAttempt\/\d+$/),
      idempotencyKey: "cycle-1",
      ready: false,
      completedAt: null,
      state: { __typename: "SubscriptionBillingAttemptPendingState", processing: true },
    });

    await simulator.waitForIdle();
    const completed = await attemptById(created.subscriptionBillingAttempt!.id);
    expect(completed?.state).toEqual({
      __typename: "SubscriptionBillingAttemptSuccessState",
      order: { id: expect.stringMatching(/^gid:\/\/shopify\/Order\/\d+$/), name: "#1001", totalPriceSet: { shopMoney: { amount: "29.0", currencyCode: "USD" } } },
    });
    expect(completed?.ready).toBe(true);
    expect(simulator.listContracts(SHOP)[0]?.nextBillingDate).toEqual(new Date("2026-04-01T00:00:00Z"));
    expect(simulator.billingCycles(SHOP, contractId, { count: 2 }).map((cycle) => cycle.status)).toEqual(["BILLED", "UNBILLED"]);
    expect(receiver.received).toHaveLength(1);
  });

  it("posts the result to the app with Shopify's headers, a valid HMAC and the REST-style payload", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);
    const attemptId = (await createAttempt(contractId, "cycle-1")).subscriptionBillingAttempt!.id;
    await simulator.waitForWebhooks();

    const [webhook] = receiver.received;
    const order = simulator.orders(SHOP)[0]!;
    expect(webhook).toMatchObject({ path: "/webhooks/subscription_billing_attempts", validHmac: true });
    expect(webhook?.headers).toMatchObject({
      "x-shopify-topic": "subscription_billing_attempts/success",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": simulator.webhookDeliveries[0]?.webhookId,
    });
    expect(JSON.parse(webhook!.body)).toEqual({
      id: Number(attemptId.split("/").pop()),
      admin_graphql_api_id: attemptId,
      idempotency_key: "cycle-1",
      order_id: Number(order.id.split("/").pop()),
      admin_graphql_api_order_id: order.id,
      subscription_contract_id: Number(contractId.split("/").pop()),
      admin_graphql_api_subscription_contract_id: contractId,
      ready: true,
      error_message: null,
      error_code: null,
    });
    expect(simulator.webhookDeliveries).toMatchObject([{ topic: "subscription_billing_attempts/success", state: "delivered", status: 200, attempts: 1 }]);
  });

  it("is idempotent by key: retries, even concurrent ones, get the same attempt and charge once", async () => {
    const { simulator, createAttempt, receiver } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    const concurrent = await Promise.all([createAttempt(contractId, "same-key"), createAttempt(contractId, "same-key")]);
    await simulator.waitForIdle();
    const later = await createAttempt(contractId, "same-key");

    const ids = [...concurrent, later].map((payload) => payload.subscriptionBillingAttempt?.id);
    expect(new Set(ids).size).toBe(1);
    expect(later.subscriptionBillingAttempt?.state.__typename).toBe("SubscriptionBillingAttemptSuccessState");
    expect(simulator.billingAttempts(SHOP)).toHaveLength(1);
    expect(simulator.chargeCount(SHOP)).toBe(1);
    expect(receiver.received).toHaveLength(1);
  });

  it("plays the payment method's script: two declines, then a charge", async () => {
    const { simulator, createAttempt, attemptById, receiver } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, {
      ...monthly,
      paymentMethodOutcomes: [{ error: "INSUFFICIENT_FUNDS" }, { error: "INSUFFICIENT_FUNDS" }, "success"],
    });

    const states: Array<Record<string, unknown>> = [];
    for (const key of ["try-1", "try-2", "try-3"]) {
      const attempt = (await createAttempt(contractId, key)).subscriptionBillingAttempt!;
      await simulator.waitForIdle();
      states.push((await attemptById(attempt.id))!.state);
      if (key === "try-1") expect(simulator.billingCycles(SHOP, contractId, { count: 1 })[0]?.status).toBe("UNBILLED");
    }

    const declined = {
      __typename: "SubscriptionBillingAttemptFailedState",
      error: { __typename: "SubscriptionBillingAttemptPaymentError", paymentCode: "INSUFFICIENT_FUNDS" },
    };
    expect(states).toEqual([declined, declined, expect.objectContaining({ __typename: "SubscriptionBillingAttemptSuccessState" })]);
    expect(simulator.billingAttempts(SHOP).map((attempt) => attempt.errorCode)).toEqual(["INSUFFICIENT_FUNDS", "INSUFFICIENT_FUNDS", null]);
    expect(simulator.chargeCount(SHOP)).toBe(1);
    const payloads = receiver.received.map((webhook) => JSON.parse(webhook.body) as Record<string, unknown>);
    expect(receiver.received.map((webhook) => webhook.headers["x-shopify-topic"])).toEqual([
      "subscription_billing_attempts/failure",
      "subscription_billing_attempts/failure",
      "subscription_billing_attempts/success",
    ]);
    expect(payloads[0]).toMatchObject({ error_code: "insufficient_funds", error_message: "Insufficient funds.", order_id: null, ready: true });
  });

  it("reports general and unexpected errors and 3-D Secure challenges in their own union members", async () => {
    const { simulator, createAttempt, attemptById, receiver } = await billingSetup();
    const { contractId, paymentMethodId } = simulator.createContract(SHOP, monthly);
    simulator.scriptPaymentMethod(paymentMethodId!, [{ error: "PAYMENT_METHOD_NOT_FOUND" }, { error: "UNEXPECTED_ERROR", message: "Gateway timeout" }, "action_required"]);

    const states = [];
    for (const key of ["a", "b", "c"]) {
      const attempt = (await createAttempt(contractId, key)).subscriptionBillingAttempt!;
      await simulator.waitForIdle();
      states.push((await attemptById(attempt.id))!.state);
    }

    expect(states).toEqual([
      { __typename: "SubscriptionBillingAttemptFailedState", error: { __typename: "SubscriptionBillingAttemptGeneralError", generalCode: "PAYMENT_METHOD_NOT_FOUND" } },
      { __typename: "SubscriptionBillingAttemptFailedState", error: { __typename: "SubscriptionBillingAttemptUnexpectedError", message: "Gateway timeout" } },
      {
        __typename: "SubscriptionBillingAttemptActionRequiredState",
        action: { nextActionUrl: expect.stringMatching(/^https:\/\//), status: "OFF_SESSION_REJECTED" },
      },
    ]);
    expect(receiver.received.at(-1)?.headers["x-shopify-topic"]).toBe("subscription_billing_attempts/challenged");
  });

  it("refuses what Shopify refuses, with BillingAttemptUserErrorCode values, and charges nothing", async () => {
    const { simulator, createAttempt } = await billingSetup();
    const active = simulator.createContract(SHOP, monthly).contractId;
    const paused = simulator.createContract(SHOP, { ...monthly, status: "PAUSED" }).contractId;
    const cancelled = simulator.createContract(SHOP, monthly).contractId;
    simulator.setContractStatus(SHOP, cancelled, "CANCELLED");
    simulator.skipBillingCycle(SHOP, active, 2);

    const codes = async (contractId: string, key: string, index: number | null) =>
      (await createAttempt(contractId, key, index)).userErrors.map((error) => error.code);

    expect(await codes(paused, "p", 1)).toEqual(["CONTRACT_PAUSED"]);
    expect(await codes(cancelled, "c", 1)).toEqual(["CONTRACT_TERMINATED"]);
    expect(await codes(active, "s", 2)).toEqual(["BILLING_CYCLE_SKIPPED"]);
    expect(await codes(active, "zero", 0)).toEqual(["CYCLE_INDEX_OUT_OF_RANGE"]);
    expect(await codes(active, "  ", 1)).toEqual(["BLANK"]);
    expect(await codes("gid://shopify/SubscriptionContract/999", "x", 1)).toEqual(["CONTRACT_NOT_FOUND"]);
    expect(simulator.billingAttempts(SHOP)).toEqual([]);

    await createAttempt(active, "first", 1);
    await simulator.waitForIdle();
    const billedAgain = await createAttempt(active, "second", 1);
    expect(billedAgain).toEqual({
      subscriptionBillingAttempt: null,
      userErrors: [{ code: "INVALID", field: ["subscriptionBillingAttemptInput", "billingCycleSelector"], message: "Billing cycle has already been billed" }],
    });
    expect(simulator.chargeCount(SHOP)).toBe(1);
  });
  it("refuses the next attempts on a contract with an injected user error, then bills normally", async () => {
    const { simulator, createAttempt } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);
    simulator.failNextBillingAttempt(SHOP, contractId, "THROTTLED");

    const refused = await createAttempt(contractId, "first-try");
    const accepted = await createAttempt(contractId, "second-try");

    expect(refused).toEqual({ subscriptionBillingAttempt: null, userErrors: [{ code: "THROTTLED", field: null, message: expect.any(String) }] });
    expect(accepted.userErrors).toEqual([]);
    expect(() => simulator.failNextBillingAttempt(SHOP, contractId, "NOT_A_CODE" as "THROTTLED")).toThrow(/BillingAttemptUserErrorCode/);
  });
});

describe("the simulated clock", () => {
  const CHARGE_CYCLE = /* GraphQL */ `
    mutation Charge($contractId: ID!, $index: Int!) {
      subscriptionBillingCycleCharge(subscriptionContractId: $contractId, billingCycleSelector: { index: $index }) {
        subscriptionBillingAttempt { id createdAt originTime }
        userErrors { code }
      }
    }
  `;
  type ChargeData = {
    subscriptionBillingCycleCharge: { subscriptionBillingAttempt: { createdAt: string; originTime: string } | null; userErrors: Array<{ code: string }> };
  };

  it("dates attempts and orders in business time, and lets a cycle be charged once it is due", async () => {
    const { simulator, run } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);

    const early = await run<ChargeData>(CHARGE_CYCLE, { contractId, index: 2 });
    expect(early.data?.subscriptionBillingCycleCharge.userErrors).toEqual([{ code: "BILLING_CYCLE_CHARGE_BEFORE_EXPECTED_DATE" }]);

    simulator.clock.set(new Date("2026-04-01T09:00:00Z"));
    const due = await run<ChargeData>(CHARGE_CYCLE, { contractId, index: 2 });
    await simulator.waitForIdle();

    const attempt = due.data?.subscriptionBillingCycleCharge.subscriptionBillingAttempt;
    expect(Date.parse(attempt!.createdAt)).toBeGreaterThanOrEqual(Date.parse("2026-04-01T09:00:00Z"));
    expect(Date.parse(attempt!.createdAt)).toBeLessThan(Date.parse("2026-04-01T09:01:00Z"));
    expect(attempt?.originTime).toBe("2026-04-01T00:00:00Z");
    expect(simulator.orders(SHOP)[0]?.createdAt.toISOString()).toMatch(/^2026-04-01T09:00/);
    expect(simulator.clock.advance(86_400_000).toISOString()).toMatch(/^2026-04-02T09:00/);
  });

  it("bills the current cycle when no selector is given", async () => {
    const { simulator, createAttempt } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, monthly);
    simulator.clock.set(new Date("2026-05-15T00:00:00Z"));

    await createAttempt(contractId, "current", null);

    expect(simulator.billingAttempts(SHOP)[0]?.cycleIndex).toBe(3);
  });
});
