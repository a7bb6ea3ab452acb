// Billing cycles of a contract, derived from its anchor date and billing policy. Pure date
// arithmetic in UTC; cycle 1 starts (and is expected to be billed) on the anchor.

export const SELLING_PLAN_INTERVALS = ["DAY", "WEEK", "MONTH", "YEAR"] as const;
export type SellingPlanInterval = (typeof SELLING_PLAN_INTERVALS)[number];

export interface BillingSchedule {
  anchor: Date;
  interval: SellingPlanInterval;
  intervalCount: number;
  /** The last billable cycle, when the policy has one. */
  maxCycles?: number;
}

export interface CycleWindow {
  index: number;
  startAt: Date;
  /** Exclusive: the next cycle's start. */
  endAt: Date;
  billingAttemptExpectedDate: Date;
}

const DAY_MS = 86_400_000;
const AVERAGE_MS: Record<SellingPlanInterval, number> = {
  DAY: DAY_MS,
  WEEK: 7 * DAY_MS,
  MONTH: 30.44 * DAY_MS,
  YEAR: 365.25 * DAY_MS,
};

/** `anchor` plus `count` intervals. Months and years keep the anchor's day, clamped to the month's end (Jan 31 -> Feb 28). */
export function addIntervals(anchor: Date, interval: SellingPlanInterval, count: number): Date {
  if (interval === "DAY" || interval === "WEEK") {
    return new Date(anchor.getTime() + count * (interval === "DAY" ? DAY_MS : 7 * DAY_MS));
  }
  const months = interval === "MONTH" ? count : count * 12;
  const target = new Date(anchor.getTime());
  const day = anchor.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

export function cycleWindow(schedule: BillingSchedule, index: number): CycleWindow {
  const step = schedule.intervalCount;
  const startAt = addIntervals(schedule.anchor, schedule.interval, step * (index - 1));
  return {
    index,
    startAt,
    endAt: addIntervals(schedule.anchor, schedule.interval, step * index),
    billingAttemptExpectedDate: startAt,
  };
}

export function isCycleInRange(schedule: BillingSchedule, index: number): boolean {
  return Number.isInteger(index) && index >= 1 && (schedule.maxCycles === undefined || index <= schedule.maxCycles);
}

/** The cycle whose window contains `date`; 0 before the anchor. Ignores maxCycles. */
export function cycleIndexAt(schedule: BillingSchedule, date: Date): number {
  const at = date.getTime();
  if (at < schedule.anchor.getTime()) return 0;
  const estimate = 1 + Math.floor((at - schedule.anchor.getTime()) / (AVERAGE_MS[schedule.interval] * schedule.intervalCount));
  let index = Math.max(1, estimate);
  // The estimate is off by at most a cycle or two for calendar months; walk to the exact one.
  while (index > 1 && cycleWindow(schedule, index).startAt.getTime() > at) index--;
  while (cycleWindow(schedule, index).endAt.getTime() <= at) index++;
  return index;
}

/** Indexes of the cycles whose expected billing date falls within [start, end], within the policy's range. */
export function cycleIndexesExpectedBetween(schedule: BillingSchedule, start: Date, end: Date): number[] {
  if (end.getTime() < start.getTime()) return [];
  const indexes: number[] = [];
  let index = Math.max(1, cycleIndexAt(schedule, start));
  for (; isCycleInRange(schedule, index); index++) {
    const expected = cycleWindow(schedule, index).billingAttemptExpectedDate.getTime();
    if (expected > end.getTime()) break;
    if (expected >= start.getTime()) indexes.push(index);
  }
  return indexes;
}

export interface CycleSelector {
  index?: number | null;
  date?: Date | null;
}

export type CycleSelection = { index: number } | { problem: "INDEX_OUT_OF_RANGE" | "DATE_OUT_OF_RANGE" | "AMBIGUOUS" };

/** The cycle a SubscriptionBillingCycleSelector picks; without one, the cycle current at `now`. */
export function selectCycle(schedule: BillingSchedule, selector: CycleSelector | null | undefined, now: Date): CycleSelection {
  const index = selector?.index ?? undefined;
  const date = selector?.date ?? undefined;
  if (index !== undefined && date !== undefined) return { problem: "AMBIGUOUS" };
  if (index !== undefined) return isCycleInRange(schedule, index) ? { index } : { problem: "INDEX_OUT_OF_RANGE" };
  if (date !== undefined) {
    const at = cycleIndexAt(schedule, date);
    return isCycleInRange(schedule, at) ? { index: at } : { problem: "DATE_OUT_OF_RANGE" };
  }
  const current = Math.max(1, cycleIndexAt(schedule, now));
  return isCycleInRange(schedule, current) ? { index: current } : { problem: "INDEX_OUT_OF_RANGE" };
}
