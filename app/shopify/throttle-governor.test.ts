import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../tests/support/fake-admin-api";
import { type CostReservation, ThrottleGovernor } from "./throttle-governor";

function setUp() {
  const clock = new VirtualClock();
  const governor = new ThrottleGovernor({ now: clock.now, sleep: clock.sleep });
  return { clock, governor };
}

const bucket = (currentlyAvailable: number, maximumAvailable = 1000, restoreRate = 50) => ({
  currentlyAvailable,
  maximumAvailable,
  restoreRate,
});

/** Whether the promise has settled after pending callbacks ran. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe("ThrottleGovernor", () => {
  it("lets one request through at a time until Shopify first reports the bucket", async () => {
    const { clock, governor } = setUp();
    const first = await clock.run(governor.reserve(10));
    const second = governor.reserve(10);
    expect(await isSettled(second)).toBe(false);

    governor.settle(first, bucket(990));
    expect(await isSettled(second)).toBe(true);
    expect(governor.status()).toEqual(bucket(990));
  });

  it("waits exactly the time the restore rate needs to cover the cost", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(20));

    await clock.run(governor.reserve(120));
    // 100 points short at 50 points a second.
    expect(clock.now()).toBe(2000);
    expect(clock.sleeps).toEqual([2000]);
  });

  it("counts the points of requests in flight", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(100));

    await clock.run(governor.reserve(60));
    expect(governor.availableNow()).toBe(40);
    await clock.run(governor.reserve(60));
    // 20 points short: 400 ms.
    expect(clock.now()).toBe(400);
  });

  it("wakes a waiter early when an answer refunds points", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(100));
    const big = await clock.run(governor.reserve(100));
    const next = governor.reserve(50);
    expect(await isSettled(next)).toBe(false);

    // The query cost 10 of the 100 it asked for: Shopify reports 90 left.
    governor.settle(big, bucket(90));
    expect(await isSettled(next)).toBe(true);
    expect(clock.now()).toBe(0);
  });

  it("serves waiters first come, first served", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(0));
    const order: number[] = [];
    const expensive = governor.reserve(100).then(() => order.push(100));
    const cheap = governor.reserve(1).then(() => order.push(1));

    await clock.run(Promise.all([expensive, cheap]));
    expect(order).toEqual([100, 1]);
    expect(clock.now()).toBe(2020);
  });

  it("does not let a report overtaken by a later request's report raise the estimate", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(500));
    const earlier = await clock.run(governor.reserve(100));
    const later = await clock.run(governor.reserve(100));

    governor.settle(later, bucket(300));
    governor.settle(earlier, bucket(400));
    expect(governor.status()).toEqual(bucket(300));
    expect(governor.availableNow()).toBe(300);
  });

  it("lowers the estimate with an overtaken report when Shopify ran the requests in the other order", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(500));
    const earlier = await clock.run(governor.reserve(100));
    const later = await clock.run(governor.reserve(100));

    // Shopify ran `later` first (500 -> 400), then `earlier` (400 -> 300).
    governor.settle(later, bucket(400));
    governor.settle(earlier, bucket(300));
    expect(governor.availableNow()).toBe(300);
  });

  it("assumes the points spent when an answer carries no report", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(500));
    governor.settle(await clock.run(governor.reserve(100)));
    expect(governor.availableNow()).toBe(400);
  });

  it("gives the points back when a reservation is cancelled", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(500));
    governor.cancel(await clock.run(governor.reserve(100)));
    expect(governor.availableNow()).toBe(500);
  });

  it("waits for a full bucket, not forever, for a query larger than the bucket", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(0, 100, 50));
    await clock.run(governor.reserve(5000));
    expect(clock.now()).toBe(2000);
  });

  it("holds everything back while paused", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(1000));
    governor.pauseFor(1500);
    await clock.run(governor.reserve(1));
    expect(clock.now()).toBe(1500);
  });

  it("never waits on a bucket that does not refill when nothing is in flight", async () => {
    const { clock, governor } = setUp();
    governor.settle(await clock.run(governor.reserve(10)), bucket(0, 1000, 0));
    await clock.run(governor.reserve(10));
    expect(clock.now()).toBe(0);
  });

  it("keeps steady-state spending at the restore rate with several requests in flight", async () => {
    const { clock, governor } = setUp();
    // A server-side bucket that the governor only learns about through reports.
    let serverLevel = 100;
    let serverAt = 0;
    let overdrawn = 0;
    const serve = async (reservation: CostReservation) => {
      await clock.after(30);
      serverLevel = Math.min(100, serverLevel + ((clock.now() - serverAt) / 1000) * 50);
      serverAt = clock.now();
      if (serverLevel < reservation.cost) overdrawn += 1;
      else serverLevel -= reservation.cost;
      const report = bucket(Math.floor(serverLevel), 100, 50);
      await clock.after(30);
      governor.settle(reservation, report);
    };
    const work = Array.from({ length: 60 }, async () => serve(await governor.reserve(20)));
    await clock.run(Promise.all(work));

    expect(overdrawn).toBe(0);
    // 1200 points, 100 of them in the bucket at the start, 50 a second after that.
    expect(clock.now()).toBeGreaterThanOrEqual(22_000);
    expect(clock.now()).toBeLessThan(22_000 * 1.1);
  });
});
