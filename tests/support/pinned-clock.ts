import { vi } from "vitest";

/**
 * Where the in-process tests pin the clock unless they need another date: mid-January,
 * weeks away from every daylight-saving change the tests' zones have (Europe and North
 * America change in March, October and November; New Zealand in April and September),
 * and northern winter, which some assertions name ("09:00 in Paris is 08:00 UTC").
 */
export const PINNED_NOW = new Date("2026-01-14T10:00:00Z");

/** How often a running pinned clock is brought level with real time. */
const RESYNC_MS = 10;

let pinned: { base: number; since: number; resync?: NodeJS.Timeout } | undefined;

function pinnedTime(): number {
  if (!pinned) throw new Error("the process clock is not pinned");
  return pinned.base + (pinned.resync ? performance.now() - pinned.since : 0);
}

/**
 * Pins this process's clock: `Date` (new Date(), Date.now(), and so Prisma's now() default,
 * luxon and the JWTs the simulator signs) reads `at`, then moves on with real time, or,
 * `frozen`, only when moveProcessClock() moves it. Only `Date` is faked (vitest's fake
 * Date): timers, performance.now() and I/O run as usual, so servers, database drivers and
 * the simulator's delays are unaffected.
 *
 * The app's route modules called in the test process then read this fixed clock wherever
 * they read the real one (afterAuth's first billing schedule, page loaders, leases, webhook
 * receipt, time budgets), as does everything the simulator does in real time (tokens,
 * rate-limit buckets, its clock's offset). Pin before starting the simulator: a
 * SimulatedClock keeps an offset from Date.now(). Pinning again starts over at `at`.
 *
 * A running clock is set to `at` + the real time since pinning (performance.now()) every
 * few milliseconds, rather than advanced by vitest's shouldAdvanceTime, which adds 20 ms
 * per timer tick and so falls behind whenever the event loop is busy (by 40% during a big
 * billing run): the simulator's buckets refill by Date while the app's Admin API client
 * paces by performance.now(), and the two must agree, as Shopify's and the app's do.
 */
export function pinProcessClock(at: Date, { frozen = false }: { frozen?: boolean } = {}): void {
  unpinProcessClock();
  vi.useFakeTimers({ toFake: ["Date"] });
  pinned = { base: at.getTime(), since: performance.now() };
  if (!frozen) {
    pinned.resync = setInterval(() => vi.setSystemTime(pinnedTime()), RESYNC_MS);
    pinned.resync.unref();
  }
  vi.setSystemTime(at);
}

/** Moves the pinned process clock `ms` on at once (what a frozen clock does instead of passing time). */
export function moveProcessClock(ms: number): void {
  pinnedTime();
  pinned!.base += ms;
  vi.setSystemTime(pinnedTime());
}

/** Gives the process its real clock back. */
export function unpinProcessClock(): void {
  if (pinned?.resync) clearInterval(pinned.resync);
  pinned = undefined;
  vi.useRealTimers();
}
