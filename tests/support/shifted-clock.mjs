// Loaded with `node --import` before the built server (tests/e2e): the server's clock reads
// TEST_CLOCK_START when it starts and then moves on with real time, so pages that show "the
// last 30 days" show fixed dates, as the in-process tests' pinned clock does (pinned-clock.ts).
// Only Date changes: timers, performance.now() and I/O run as usual.

import process from "node:process";

const start = Date.parse(process.env.TEST_CLOCK_START ?? "");
if (Number.isNaN(start)) throw new Error(`TEST_CLOCK_START must be an ISO date-time, got ${JSON.stringify(process.env.TEST_CLOCK_START)}`);

const RealDate = Date;
const offset = start - RealDate.now();
const now = () => RealDate.now() + offset;

globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget);
  },
  apply() {
    // Date() called without `new` gives the current time as text.
    return new RealDate(now()).toString();
  },
  get(target, property, receiver) {
    return property === "now" ? now : Reflect.get(target, property, receiver);
  },
});
