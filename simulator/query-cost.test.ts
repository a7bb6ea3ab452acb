import { buildSchema, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { LeakyBucket, requestedQueryCost } from "./query-cost";

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
});
