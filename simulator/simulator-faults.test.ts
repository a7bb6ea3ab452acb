import { describe, expect, it } from "vitest";
import { closeAfterEachTest, connectedSimulator, graphql, offlineToken, SHOP } from "../tests/support/simulator-connection";

closeAfterEachTest();

const CONTRACT_IDS = "query ContractIds { subscriptionContracts(first: 100) { nodes { id } } }";
const PAUSE = `mutation Pause($id: ID!) { subscriptionContractPause(subscriptionContractId: $id) { contract { id } userErrors { code } } }`;
const contract = { interval: "MONTH" as const, nextBillingDate: new Date("2026-03-01T00:00:00Z"), amount: "5.00" };

describe("query cost", () => {
  it("charges the requested cost up front and refunds down to what the returned nodes cost", async () => {
    // A bucket that barely refills, so the numbers are exact.
    const { simulator, run } = await connectedSimulator({ bucketSize: 2000, restoreRate: 0.001 });
    for (let index = 0; index < 3; index++) simulator.createContract(SHOP, contract);

    const { extensions } = await run(CONTRACT_IDS);

    expect(extensions?.cost).toEqual({
      requestedQueryCost: 102,
      actualQueryCost: 5,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1995, restoreRate: 0.001 },
    });
    expect(simulator.requests.at(-1)).toMatchObject({ operationName: "ContractIds", cost: 5 });
  });

  it("refuses a query over 1000 points without running or charging it", async () => {
    const { run } = await connectedSimulator({ restoreRate: 0.001 });

    const { data, errors, extensions } = await run("{ subscriptionContracts(first: 250) { nodes { lines(first: 10) { nodes { id } } } } }");

    expect(data).toBeUndefined();
    expect(errors).toEqual([expect.objectContaining({ extensions: { code: "MAX_COST_EXCEEDED", cost: 3252, maxCost: 1000 } })]);
    expect(extensions?.cost).toMatchObject({ requestedQueryCost: 3252, actualQueryCost: null, throttleStatus: { currentlyAvailable: 2000 } });
  });

  it("throttles a mutation-heavy burst once the bucket is empty", async () => {
    // Each pause costs 10 + contract + userErrors = 12; the bucket holds two.
    const { simulator, run } = await connectedSimulator({ bucketSize: 25, restoreRate: 0.001 });
    const { contractId } = simulator.createContract(SHOP, contract);

    const answers = [await run(PAUSE, { id: contractId }), await run(PAUSE, { id: contractId }), await run(PAUSE, { id: contractId })];

    expect(answers.map((answer) => answer.extensions?.cost.actualQueryCost)).toEqual([12, 12, null]);
    expect(answers[2]?.errors).toEqual([{ message: "Throttled", extensions: { code: "THROTTLED" } }]);
  });

  it("sets a shop's bucket and restore rate through the control API", async () => {
    const { simulator, run } = await connectedSimulator();
    simulator.setRateLimit(SHOP, { bucketSize: 50, restoreRate: 5 });

    const mine = await run("{ shop { name } }");
    const otherToken = await offlineToken(simulator, "other-shop.myshopify.com");
    const other = await graphql(simulator, "other-shop.myshopify.com", otherToken, { query: "{ shop { name } }" });

    expect(mine.extensions?.cost.throttleStatus).toMatchObject({ maximumAvailable: 50, restoreRate: 5 });
    expect(other.json.extensions?.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
  });
});

describe("fault injection", () => {
  it("answers THROTTLED to the next requests whatever the bucket holds, without charging", async () => {
    const { simulator, run } = await connectedSimulator({ restoreRate: 0.001 });
    simulator.throttleNextRequests(SHOP, 2);

    const answers = [await run("{ shop { name } }"), await run("{ shop { name } }"), await run("{ shop { name } }")];

    expect(answers.map((answer) => (answer.errors ? "THROTTLED" : "ok"))).toEqual(["THROTTLED", "THROTTLED", "ok"]);
    expect(answers[2]?.extensions?.cost.throttleStatus.currentlyAvailable).toBe(1999);
    expect(simulator.requests.slice(-3).map((request) => [request.throttled ?? false, request.cost])).toEqual([
      [true, 0],
      [true, 0],
      [false, 1],
    ]);
  });

  it("fails the next requests of a shop with the scripted HTTP status", async () => {
    const { simulator, token } = await connectedSimulator();
    simulator.failNextRequests(SHOP, { status: 503, count: 2 });
    simulator.failNextRequests(SHOP, { status: 429 });
    const query = { query: "query Name { shop { name } }" };

    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await graphql(simulator, SHOP, token, query)).status);
    simulator.failNextRequests(SHOP, { status: 429 });
    const limited = await fetch(`${simulator.url}/${SHOP}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify(query),
    });

    expect(statuses).toEqual([503, 503, 429, 200]);
    expect(limited.headers.get("retry-after")).toBe("2.0");
    expect(await limited.json()).toEqual({ errors: expect.stringMatching(/^Exceeded/) });
    expect(simulator.requests.filter((request) => request.status === 503)).toHaveLength(2);
    expect(() => simulator.failNextRequests(SHOP, { status: 418 as 500 })).toThrow(/status/);
  });

  it("delays every GraphQL answer by the configured latency", async () => {
    // The durations are what is asserted, so the bounds are far apart: the delayed answer
    // waits for a timer of LATENCY_MS (which never fires early, give or take the 1 ms timers
    // round to), and an undelayed local round trip would need a one-second stall to reach it.
    const LATENCY_MS = 1_000;
    const { simulator, run } = await connectedSimulator({ latencyMs: LATENCY_MS });

    let startedAt = performance.now();
    await run("{ shop { name } }");
    const slow = performance.now() - startedAt;
    simulator.setLatency({ latencyMs: 0 });
    startedAt = performance.now();
    await run("{ shop { name } }");
    const fast = performance.now() - startedAt;

    expect(slow).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    expect(fast).toBeLessThan(LATENCY_MS - 1);
  });
});
