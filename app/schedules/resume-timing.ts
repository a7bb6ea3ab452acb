import { addLocalDays } from "../time/local-days";
import { localDateAt, nextRunAt, type ScheduleTiming } from "../time/due-time";

// When a paused shop's billing starts again, and what each billing hour would give. Pure.

/**
 * A paused shop resumes as a newly installed one starts: billed through yesterday at most,
 * so the days it was paused are not runs to catch up (nor reported missed), and never a
 * date already billed again (pausing and resuming on one day does not bill it twice).
 */
export function timingOnResume(schedule: ScheduleTiming, now: Date): ScheduleTiming {
  const yesterday = addLocalDays(localDateAt(now, schedule.timezone), -1);
  const last = schedule.lastBilledLocalDate;
  return { ...schedule, lastBilledLocalDate: last !== null && last > yesterday ? last : yesterday };
}

/** When the shop would next be billed at `billingHour`: from now for an active shop, on resuming now for a paused one. */
export function nextRunAtHour(schedule: ScheduleTiming & { active: boolean }, billingHour: number, now: Date): Date {
  const timing = { ...schedule, billingHour };
  return nextRunAt(schedule.active ? timing : timingOnResume(timing, now), now);
}
