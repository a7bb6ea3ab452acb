import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema } from "./admin-schema";
import { ATTEMPT_BY_ID, billingSetup, CREATE_ATTEMPT, START } from "../tests/support/simulator-billing-setup";
import { closeAfterEachTest, SHOP } from "../tests/support/simulator-connection";
import { billingCyclesOperation } from "../app/shopify/operations/subscription-billing-cycles.server";
import { SubscriptionContractForDunning } from "../app/shopify/operations/subscription-contract.server";

closeAfterEachTest();

const CONTRACTS_PAGE = /* GraphQL */ `
  query ContractsPage($first: Int!, $after: String, $query: String) {
    subscriptionContracts(first: $first, after: $after, query: $query) {
      edges {
        cursor
        node {
          id
          status
          nextBillingDate
          currencyCode
          lastPaymentStatus
          billingPolicy { interval intervalCount maxCycles }
          deliveryPolicy { interval intervalCount }
          customer { id email displayName }
          customerPaymentMethod { id }
          lines(first: 5) { nodes { title quantity currentPrice { amount currencyCode } } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const CYCLES_IN_RANGE = /* GraphQL */ `
  query CyclesInRange($contractId: ID!, $startDate: DateTime!, $endDate: DateTime!) {
    subscriptionBillingCycles(contractId: $contractId, first: 10, billingCyclesDateRangeSelector: { startDate: $startDate, endDate: $endDate }) {
      nodes { cycleIndex cycleStartAt cycleEndAt billingAttemptExpectedDate status skipped edited sourceContract { id } }
    }
  }
`;

const BULK_CHARGE = /* GraphQL */ `
  mutation BulkCharge($startDate: DateTime!, $endDate: DateTime!) {
    subscriptionBillingCycleBulkCharge(
      billingAttemptExpectedDateRange: { startDate: $startDate, endDate: $endDate }
      filters: { contractStatus: [ACTIVE], billingCycleStatus: [UNBILLED] }
    ) {
      job { id done }
      userErrors { field message code }
    }
  }
`;

const BULK_RESULTS = /* GraphQL */ `
  query BulkResults($jobId: ID!) {
    job(id: $jobId) { done }
    subscriptionBillingCycleBulkResults(jobId: $jobId, first: 10) { nodes { cycleIndex status sourceContract { id } } }
  }
`;

interface ContractNode {
  id: string;
  status: string;
  nextBillingDate: string;
  customer: { email: string; displayName: string };
  customerPaymentMethod: { id: string };
  billingPolicy: { interval: string; intervalCount: number; maxCycles: number | null };
  lines: { nodes: Array<{ currentPrice: { amount: string; currencyCode: string } }> };
}

interface ContractsPageData {
  subscriptionContracts: { edges: Array<{ cursor: string; node: ContractNode }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
}

describe("subscription contract queries", () => {
  it("pages through the contracts a status filter selects, with billing policy, customer and price", async () => {
    const { simulator, run } = await billingSetup();
    const first = simulator.createContract(SHOP, { interval: "WEEK", intervalCount: 2, nextBillingDate: START, amount: "29.00", email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" });
    simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "10.00", status: "PAUSED" });
    const third = simulator.createContract(SHOP, { interval: "YEAR", nextBillingDate: START, amount: "99.50", currencyCode: "EUR", maxCycles: 3 });

    const page1 = (await run<ContractsPageData>(CONTRACTS_PAGE, { first: 1, query: "status:ACTIVE" })).data!.subscriptionContracts;
    const page2 = (await run<ContractsPageData>(CONTRACTS_PAGE, { first: 1, after: page1.pageInfo.endCursor, query: "status:ACTIVE" })).data!
      .subscriptionContracts;

    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page1.edges[0]?.node).toEqual({
      id: first.contractId,
      status: "ACTIVE",
      nextBillingDate: "2026-03-01T00:00:00Z",
      currencyCode: "USD",
      lastPaymentStatus: null,
      billingPolicy: { interval: "WEEK", intervalCount: 2, maxCycles: null },
      deliveryPolicy: { interval: "WEEK", intervalCount: 2 },
      customer: { id: first.customerId, email: "ada@example.com", displayName: "Ada Lovelace" },
      customerPaymentMethod: { id: expect.stringMatching(/^gid:\/\/shopify\/CustomerPaymentMethod\/[0-9a-f]{32}$/) },
      lines: { nodes: [{ title: "Subscription box", quantity: 1, currentPrice: { amount: "29.0", currencyCode: "USD" } }] },
    });
    expect(page2.edges[0]?.node).toMatchObject({ id: third.contractId, billingPolicy: { interval: "YEAR", maxCycles: 3 }, lines: { nodes: [{ currentPrice: { amount: "99.5", currencyCode: "EUR" } }] } });
  });

  it("names a contract's customer as Shopify does: the full name, else the email; the default email address apart", async () => {
    const { simulator, run } = await billingSetup();
    const named = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "1.00", firstName: "Grace", lastName: "Hopper", email: "grace@example.com" });
    const unnamed = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "1.00", firstName: "", lastName: "", email: "anon@example.com" });
    const query = `query($a: ID!, $b: ID!) {
      a: subscriptionContract(id: $a) { customer { id displayName defaultEmailAddress { emailAddress } } }
      b: subscriptionContract(id: $b) { customer { displayName defaultEmailAddress { emailAddress } } }
    }`;
    type Answer = Record<"a" | "b", { customer: { id?: string; displayName: string; defaultEmailAddress: { emailAddress: string } | null } }>;
    const before = (await run<Answer>(query, { a: named.contractId, b: unnamed.contractId })).data!;
    expect(before.a.customer).toEqual({ id: named.customerId, displayName: "Grace Hopper", defaultEmailAddress: { emailAddress: "grace@example.com" } });
    expect(before.b.customer).toEqual({ displayName: "anon@example.com", defaultEmailAddress: { emailAddress: "anon@example.com" } });

    simulator.updateCustomer(SHOP, named.customerId, { lastName: "Brewster Hopper", email: "admiral@example.com" });
    const after = (await run<Answer>(query, { a: named.contractId, b: unnamed.contractId })).data!;
    expect(after.a.customer).toMatchObject({ displayName: "Grace Brewster Hopper", defaultEmailAddress: { emailAddress: "admiral@example.com" } });
  });

  it("ignores an undocumented search field and says so in extensions.search", async () => {
    const { simulator, run } = await billingSetup();
    simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "1.00" });

    const answer = await run<ContractsPageData>(CONTRACTS_PAGE, { first: 5, query: "next_billing_date:<=2026-01-01" });

    expect(answer.data?.subscriptionContracts.edges).toHaveLength(1);
    expect(answer.extensions?.search).toEqual([
      { path: ["subscriptionContracts"], warnings: [{ field: "next_billing_date", message: "Invalid search field for this query." }] },
    ]);
  });

  it("lists the billing cycles expected in a date range, with skips and billed ones", async () => {
    const { simulator, run } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, { interval: "WEEK", nextBillingDate: START, amount: "5.00" });
    simulator.skipBillingCycle(SHOP, contractId, 3);
    await run(CREATE_ATTEMPT, { contractId, key: "week-1", index: 1 });
    await simulator.waitForIdle();

    const { data } = await run<{ subscriptionBillingCycles: { nodes: Array<Record<string, unknown>> } }>(CYCLES_IN_RANGE, {
      contractId,
      startDate: "2026-03-01T00:00:00Z",
      endDate: "2026-03-15T00:00:00Z",
    });

    expect(data?.subscriptionBillingCycles.nodes).toEqual([
      { cycleIndex: 1, cycleStartAt: "2026-03-01T00:00:00Z", cycleEndAt: "2026-03-08T00:00:00Z", billingAttemptExpectedDate: "2026-03-01T00:00:00Z", status: "BILLED", skipped: false, edited: false, sourceContract: { id: contractId } },
      { cycleIndex: 2, cycleStartAt: "2026-03-08T00:00:00Z", cycleEndAt: "2026-03-15T00:00:00Z", billingAttemptExpectedDate: "2026-03-08T00:00:00Z", status: "UNBILLED", skipped: false, edited: false, sourceContract: { id: contractId } },
      { cycleIndex: 3, cycleStartAt: "2026-03-15T00:00:00Z", cycleEndAt: "2026-03-22T00:00:00Z", billingAttemptExpectedDate: "2026-03-15T00:00:00Z", status: "UNBILLED", skipped: true, edited: false, sourceContract: { id: contractId } },
    ]);
    // Cycle 1 billed and cycle 3 skipped: the next billing date is cycle 2's.
    expect(simulator.listContracts(SHOP)[0]?.nextBillingDate).toEqual(new Date("2026-03-08T00:00:00Z"));
  });

  it("finds one cycle by date and answers an unknown contract with an empty connection", async () => {
    const { simulator, run } = await billingSetup();
    const { contractId } = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "5.00" });

    const { data } = await run<{ byDate: { cycleIndex: number }; none: { nodes: unknown[] } }>(
      `query($contractId: ID!) {
        byDate: subscriptionBillingCycle(billingCycleInput: { contractId: $contractId, selector: { date: "2026-05-20T00:00:00Z" } }) { cycleIndex }
        none: subscriptionBillingCycles(contractId: "gid://shopify/SubscriptionContract/1", first: 5) { nodes { cycleIndex } }
      }`,
      { contractId },
    );

    expect(data).toEqual({ byDate: { cycleIndex: 3 }, none: { nodes: [] } });
  });
});

describe("bulk charge", () => {
  it("charges the unbilled cycles of active contracts expected in the range, in the background", async () => {
    const { simulator, run } = await billingSetup();
    simulator.clock.set(new Date("2026-03-05T00:00:00Z"));
    const due = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: new Date("2026-03-02T00:00:00Z"), amount: "10.00" });
    const alsoDue = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: new Date("2026-03-04T00:00:00Z"), amount: "12.00" });
    simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: new Date("2026-03-03T00:00:00Z"), amount: "5.00", status: "PAUSED" });
    simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: new Date("2026-03-20T00:00:00Z"), amount: "5.00" });

    const started = await run<{ subscriptionBillingCycleBulkCharge: { job: { id: string; done: boolean }; userErrors: unknown[] } }>(BULK_CHARGE, {
      startDate: "2026-03-01T00:00:00Z",
      endDate: "2026-03-05T00:00:00Z",
    });
    const job = started.data!.subscriptionBillingCycleBulkCharge.job;
    expect(job).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/Job\//), done: false });
    await simulator.waitForIdle();

    const results = await run<{ job: { done: boolean }; subscriptionBillingCycleBulkResults: { nodes: Array<{ sourceContract: { id: string }; status: string }> } }>(
      BULK_RESULTS,
      { jobId: job.id },
    );
    expect(results.data?.job.done).toBe(true);
    expect(results.data?.subscriptionBillingCycleBulkResults.nodes.map((node) => [node.sourceContract.id, node.status])).toEqual([
      [due.contractId, "BILLED"],
      [alsoDue.contractId, "BILLED"],
    ]);
    expect(simulator.orders(SHOP).map((order) => order.amount)).toEqual(["10.00", "12.00"]);
    expect(simulator.billingAttempts(SHOP).every((attempt) => attempt.idempotencyKey.startsWith("bulk-charge-"))).toBe(true);
  });

  it("refuses ranges longer than a week or ending more than a day ahead", async () => {
    const { run } = await billingSetup();
    const codes = async (startDate: string, endDate: string) =>
      (await run<{ subscriptionBillingCycleBulkCharge: { userErrors: Array<{ code: string }> } }>(BULK_CHARGE, { startDate, endDate })).data!
        .subscriptionBillingCycleBulkCharge.userErrors.map((error) => error.code);

    expect(await codes("2026-02-01T00:00:00Z", "2026-02-20T00:00:00Z")).toEqual(["INVALID_DATE_RANGE"]);
    expect(await codes("2026-03-01T00:00:00Z", "2026-03-05T00:00:00Z")).toEqual(["END_DATE_IN_THE_FUTURE"]);
    expect(await codes("2026-02-05T00:00:00Z", "2026-02-01T00:00:00Z")).toEqual(["START_DATE_BEFORE_END_DATE"]);
  });
});

describe("contract and payment-method mutations for dunning", () => {
  it("pauses, cancels and refuses to revive a cancelled contract; skips a cycle; sends the update email", async () => {
    const { simulator, run } = await billingSetup();
    const { contractId, paymentMethodId, customerId } = simulator.createContract(SHOP, { interval: "MONTH", nextBillingDate: START, amount: "5.00" });
    const status = async (mutation: string) => {
      const { data } = await run<Record<string, { contract: { status: string } | null; userErrors: Array<{ code: string }> }>>(
        `mutation($id: ID!) { ${mutation}(subscriptionContractId: $id) { contract { status } userErrors { field code } } }`,
        { id: contractId },
      );
      return data![mutation];
    };

    expect(await status("subscriptionContractPause")).toEqual({ contract: { status: "PAUSED" }, userErrors: [] });
    expect(await status("subscriptionContractCancel")).toEqual({ contract: { status: "CANCELLED" }, userErrors: [] });
    expect(await status("subscriptionContractActivate")).toEqual({ contract: null, userErrors: [{ field: ["subscriptionContractId"], code: "CONTRACT_TERMINATED" }] });

    const skipped = await run<{ subscriptionBillingCycleSkip: { billingCycle: { cycleIndex: number; skipped: boolean } } }>(
      `mutation($id: ID!) { subscriptionBillingCycleSkip(billingCycleInput: { contractId: $id, selector: { index: 2 } }) { billingCycle { cycleIndex skipped } userErrors { code } } }`,
      { id: contractId },
    );
    expect(skipped.data?.subscriptionBillingCycleSkip.billingCycle).toEqual({ cycleIndex: 2, skipped: true });

    const email = await run<{ customerPaymentMethodSendUpdateEmail: unknown }>(
      `mutation($id: ID!) { customerPaymentMethodSendUpdateEmail(customerPaymentMethodId: $id) { customer { id } userErrors { field message } } }`,
      { id: paymentMethodId },
    );
    expect(email.data?.customerPaymentMethodSendUpdateEmail).toEqual({ customer: { id: customerId }, userErrors: [] });
    expect(simulator.paymentUpdateEmails(SHOP)).toEqual([{ paymentMethodId, customerId, sentAt: expect.any(Date) }]);
  });
});

describe("the schema against an app's operations", () => {
  const APP_OPERATIONS = {
    contractsPage: CONTRACTS_PAGE,
    cyclesInRange: CYCLES_IN_RANGE,
    attemptCreateWithStateFragments: CREATE_ATTEMPT,
    attemptById: ATTEMPT_BY_ID,
    bulkCharge: BULK_CHARGE,
    bulkResults: BULK_RESULTS,
    appDueCycles: billingCyclesOperation(2).document,
    appContractForDunning: SubscriptionContractForDunning.document,
    deprecatedAttemptFields: `query Old($id: ID!) { subscriptionBillingAttempt(id: $id) { ready errorCode errorMessage nextActionUrl order { id } processingError { code message } } }`,
  };

  it.each(Object.entries(APP_OPERATIONS))("validates %s", (_name, operation) => {
    expect(validate(adminSchema, parse(operation)).map((error) => error.message)).toEqual([]);
  });

  it("rejects fields Shopify does not have, such as a code on the unexpected error", () => {
    const wrong = `query($id: ID!) { subscriptionBillingAttempt(id: $id) { state { ... on SubscriptionBillingAttemptFailedState {
      error { ... on SubscriptionBillingAttemptUnexpectedError { code } } } } } }`;
    expect(validate(adminSchema, parse(wrong)).map((error) => error.message)).toEqual([
      'Cannot query field "code" on type "SubscriptionBillingAttemptUnexpectedError".',
    ]);
  });
});
