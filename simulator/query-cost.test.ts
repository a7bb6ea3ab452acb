import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { adminSchema } from "./admin-schema";
import { actualQueryCost, LeakyBucket, requestedQueryCost } from "./query-cost";

const schema = buildSchema(`
  type QueryRoot { shop: Shop! node(id: ID!): Node version: String! }
  interface Node { id: ID! }
  type Shop implements Node { id: ID! name: String! owner: User! billingAddress: Address }
  type User implements Node { id: ID! email: String! address: Address }
  type Address { city: String! }
  schema { query: QueryRoot }
`);

function cost(query: string, operationName?: string): number {
  return requestedQueryCost(schema, parse(query), operationName);
}

describe("requestedQueryCost", () => {
  it("charges 1 per object-typed field and nothing for scalars", () => {
    expect(cost("{ shop { name } }")).toBe(1);
    expect(cost("{ shop { name owner { email address { city } } billingAddress { city } } }")).toBe(4);
  });

  it("charges at least 1", () => {
    expect(cost("{ version }")).toBe(1);
  });

  it("counts fields reached through fragments and interfaces", () => {
    const query = `
      query { node(id: "1") { id ... on Shop { owner { ...Owner } } } }
      fragment Owner on User { email address { city } }
    `;
    expect(cost(query)).toBe(3);
  });

  it("costs only the chosen operation", () => {
    const query = "query A { shop { owner { email } } } query B { shop { name } }";
    expect(cost(query, "A")).toBe(2);
    expect(cost(query, "B")).toBe(1);
  });

  it("survives fragment cycles, which validation rejects later", () => {
    const query = "{ shop { ...S } } fragment S on Shop { owner { id } ...S }";
    expect(cost(query)).toBe(2);
  });
});

describe("requestedQueryCost on the admin schema", () => {
  const adminCost = (query: string, variables?: Record<string, unknown>) => requestedQueryCost(adminSchema, parse(query), undefined, variables);

  it("charges a connection 2 plus first/last times one node, pageInfo and cursors free", () => {
    expect(adminCost("{ subscriptionContracts(first: 10) { nodes { id customer { id } } pageInfo { hasNextPage } } }")).toBe(22);
    expect(adminCost("query($n: Int) { subscriptionContracts(last: $n) { edges { cursor node { id } } } }", { n: 250 })).toBe(252);
  });

  it("multiplies nested connections and takes the dearer of edges and nodes", () => {
    const query = "{ subscriptionContracts(first: 5) { nodes { id } edges { node { lines(first: 3) { nodes { id } } } } } }";
    expect(adminCost(query)).toBe(2 + 5 * (1 + (2 + 3 * 1)));
  });

  it("charges a union its most expensive member, not the sum", () => {
    const query = `{ subscriptionBillingAttempt(id: "1") { state {
      ... on SubscriptionBillingAttemptFailedState { error { ... on SubscriptionBillingAttemptPaymentError { code } } }
      ... on SubscriptionBillingAttemptSuccessState { order { totalPriceSet { shopMoney { amount } } } }
    } } }`;
    expect(adminCost(query)).toBe(1 + 1 + 3);
  });

  it("charges a mutation field 10 plus its payload's selection", () => {
    const query = `mutation { subscriptionContractPause(subscriptionContractId: "1") { contract { id } userErrors { field } } }`;
    expect(adminCost(query)).toBe(10 + 1 + 1);
  });
});

describe("actualQueryCost", () => {
  it("counts the nodes a connection returned, not the page size asked for", () => {
    const document = parse("{ subscriptionContracts(first: 50) { nodes { id customer { id } } } }");
    const data = { subscriptionContracts: { nodes: [{ id: "1", customer: { id: "c" } }, { id: "2", customer: null }, { id: "3", customer: { id: "d" } }] } };

    expect(requestedQueryCost(adminSchema, document)).toBe(102);
    // A null customer still costs its own point, as requested.
    expect(actualQueryCost(adminSchema, document, undefined, {}, data)).toBe(2 + 3 * 2);
  });

  it("charges a union member only for the fields of the type returned", () => {
    const document = parse(`{ subscriptionBillingAttempt(id: "1") { state {
      ... on SubscriptionBillingAttemptPendingState { processing }
      ... on SubscriptionBillingAttemptSuccessState { order { totalPriceSet { shopMoney { amount } } } }
    } } }`);

    expect(actualQueryCost(adminSchema, document, undefined, {}, { subscriptionBillingAttempt: { state: { processing: true } } })).toBe(2);
    expect(actualQueryCost(adminSchema, document, undefined, {}, { subscriptionBillingAttempt: null })).toBe(1);
  });
});

describe("LeakyBucket", () => {
  it("takes points while it has them and refills with elapsed time", () => {
    let now = 0;
    const bucket = new LeakyBucket(10, 2, () => now);

    expect(bucket.tryTake(8)).toBe(true);
    expect(bucket.tryTake(3)).toBe(false);
    expect(bucket.currentlyAvailable()).toBe(2);

    now += 500;
    expect(bucket.currentlyAvailable()).toBe(3);
    expect(bucket.tryTake(3)).toBe(true);

    now += 60_000;
    expect(bucket.currentlyAvailable()).toBe(10);
  });

  it("takes refunds up to its size", () => {
    const bucket = new LeakyBucket(10, 1, () => 0);
    bucket.tryTake(8);
    bucket.refund(5);
    expect(bucket.currentlyAvailable()).toBe(7);
    bucket.refund(100);
    expect(bucket.currentlyAvailable()).toBe(10);
  });
});
