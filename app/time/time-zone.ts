/** True when the runtime's time-zone database knows `timeZone` (an IANA name). */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A local billing hour as a clock time: 9 -> "09:00". */
export function formatBillingHour(hour: number): string {
  return `${String(hour).padStart(2, "0")}:00`;
}
