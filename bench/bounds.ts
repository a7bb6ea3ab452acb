/**
 * The lower bound the simulated Shopify imposes on a billing run. Each shop has its own
 * bucket (size B points, refilled at R points/s, full at the start), and each request takes
 * at least L ms. A shop whose requests take P points cannot finish before
 *
 *   T(shop) = max(0, P - B) / R + 3 * L
 *
 * (the points beyond a full bucket arrive at the restore rate; listing contracts, reading a
 * contract's cycles and creating its attempt are three round trips that cannot overlap).
 * Shops are independent, so the run's bound is the largest T(shop).
 */
import { CONNECTION_BASE_COST } from "../simulator/query-cost";
import type { SimulatedRequest } from "../simulator/store-simulator";

/** Shopify's largest page of contracts. */
const CONTRACTS_PER_PAGE = 250;
// The app's operations by name (prefixes: a batched operation may carry its size, e.g. "...Create25").
const LISTING = /^ActiveSubscriptionContracts/;
const CYCLES = /^SubscriptionBillingCycles/;
const ATTEMPTS = /^SubscriptionBillingAttemptCreate/;

export interface RateLimit {
  bucketSize: number;
  restoreRate: number;
  /** The simulator's fixed latency (jitter only adds to it), so the bound stays a bound. */
  latencyMs: number;
}

export interface ShopWork {
  shop: string;
  calls: number;
  /** Answers without an executed query (THROTTLED or refused): status 200 but no points taken. */
  unexecuted: number;
  points: number;
  /** `executed`: calls whose query ran (points taken). */
  byOperation: Map<string, { calls: number; executed: number; points: number }>;
}

export function workByShop(requests: readonly SimulatedRequest[]): Map<string, ShopWork> {
  const shops = new Map<string, ShopWork>();
  for (const request of requests) {
    if (!request.path.endsWith("/graphql.json")) continue;
    const work = shops.get(request.shop) ?? { shop: request.shop, calls: 0, unexecuted: 0, points: 0, byOperation: new Map() };
    work.calls++;
    const cost = request.cost ?? 0;
    if (request.status === 200 && cost === 0) work.unexecuted++;
    work.points += cost;
    const operation = request.operationName ?? "(unnamed)";
    const ofOperation = work.byOperation.get(operation) ?? { calls: 0, executed: 0, points: 0 };
    ofOperation.calls++;
    if (cost > 0) ofOperation.executed++;
    ofOperation.points += cost;
    work.byOperation.set(operation, ofOperation);
    shops.set(request.shop, work);
  }
  return shops;
}

export function shopBoundSeconds(points: number, limit: RateLimit): number {
  return Math.max(0, points - limit.bucketSize) / limit.restoreRate + (3 * limit.latencyMs) / 1000;
}

export interface Bound {
  seconds: number;
  /** The shop that sets the bound, and the points its requests took (or would take). */
  shop: string;
  points: number;
  calls: number;
}

/** The bound from the points the app's requests really took. */
export function observedBound(work: Map<string, ShopWork>, limit: RateLimit): Bound {
  let worst: Bound = { seconds: 0, shop: "(none)", points: 0, calls: 0 };
  for (const shop of work.values()) {
    const seconds = shopBoundSeconds(shop.points, limit);
    if (seconds > worst.seconds || (seconds === worst.seconds && shop.points > worst.points)) {
      worst = { seconds, shop: shop.shop, points: shop.points, calls: shop.calls };
    }
  }
  return worst;
}

/** Points the shop's requests of matching operations took, and how many executed. */
function pointsOf(shop: ShopWork | undefined, operation: RegExp): { executed: number; points: number } {
  let executed = 0;
  let points = 0;
  for (const [name, ofOperation] of shop?.byOperation ?? []) {
    if (!operation.test(name)) continue;
    executed += ofOperation.executed;
    points += ofOperation.points;
  }
  return { executed, points };
}

/**
 * The bound from the least work that bills every contract cycle by cycle: one page of
 * contracts per 250, one cycles query and one attempt per contract. Points per contract are
 * what the app's requests really took (its listing per node, its cycles and attempt points per
 * contract), so batching several contracts into one request changes calls, not points.
 */
export function minimumWorkBound(work: Map<string, ShopWork>, contractsByShop: Map<string, number>, limit: RateLimit): Bound & { totalCalls: number } {
  const totalContracts = [...contractsByShop.values()].reduce((sum, count) => sum + count, 0);
  let cyclesPoints = 0;
  let attemptPoints = 0;
  for (const shop of work.values()) {
    cyclesPoints += pointsOf(shop, CYCLES).points;
    attemptPoints += pointsOf(shop, ATTEMPTS).points;
  }
  const perContract = totalContracts > 0 ? (cyclesPoints + attemptPoints) / totalContracts : 0;
  let worst: Bound = { seconds: 0, shop: "(none)", points: 0, calls: 0 };
  let totalCalls = 0;
  for (const [shop, contracts] of contractsByShop) {
    const listing = pointsOf(work.get(shop), LISTING);
    const perNode = contracts > 0 ? Math.max(0, listing.points - CONNECTION_BASE_COST * listing.executed) / contracts : 1;
    const pages = Math.max(1, Math.ceil(contracts / CONTRACTS_PER_PAGE));
    const points = pages * CONNECTION_BASE_COST + contracts * (perNode + perContract);
    const calls = pages + 2 * contracts;
    totalCalls += calls;
    const seconds = shopBoundSeconds(points, limit);
    if (seconds > worst.seconds || (seconds === worst.seconds && points > worst.points)) worst = { seconds, shop, points, calls };
  }
  return { ...worst, totalCalls };
}

/** Points per executed request, by operation, over the whole run. */
export function costsByOperation(work: Map<string, ShopWork>): Array<{ operation: string; calls: number; meanPoints: number }> {
  const totals = new Map<string, { calls: number; executed: number; points: number }>();
  for (const shop of work.values()) {
    for (const [operation, { calls, executed, points }] of shop.byOperation) {
      const total = totals.get(operation) ?? { calls: 0, executed: 0, points: 0 };
      total.calls += calls;
      total.executed += executed;
      total.points += points;
      totals.set(operation, total);
    }
  }
  return [...totals].map(([operation, { calls, executed, points }]) => ({ operation, calls, meanPoints: executed === 0 ? 0 : points / executed }));
}
