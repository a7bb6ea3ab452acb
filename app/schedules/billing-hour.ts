// The billing hour as the settings form submits it. Pure and dependency-free: the settings
// page checks the hour in the browser with the server's own code.

export const BILLING_HOURS: readonly number[] = Array.from({ length: 24 }, (_, hour) => hour);

export type BillingHourValidation = { ok: true; hour: number } | { ok: false; error: string };

export function parseBillingHour(value: string | number | null | undefined): BillingHourValidation {
  const text = typeof value === "number" ? String(value) : (value ?? "").trim();
  const hour = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    return { ok: false, error: "Choose the hour billing runs, a whole hour from 0 to 23 (midnight to 11 PM) in the shop's time zone." };
  }
  return { ok: true, hour };
}
