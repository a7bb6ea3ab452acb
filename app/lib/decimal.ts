// Exact sums of money as Shopify gives it (decimal strings such as "12.50"): BigInt units at
// the largest scale seen, never floating point. Pure.

interface Units {
  units: bigint;
  scale: number;
}

function parse(text: string): Units | null {
  const match = /^\s*(-?)(\d+)(?:\.(\d+))?\s*$/.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const units = BigInt(`${whole}${fraction}`);
  return { units: sign ? -units : units, scale: fraction.length };
}

function rescale(value: Units, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function format({ units, scale }: Units): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ""}`;
}

/**
 * Σ amount × count over `terms`, exactly ("12.50" × 3 + "7.5" = "45.00"); null when no term
 * parses. Amounts that are not decimals are left out.
 */
export function sumDecimals(terms: Array<{ amount: string; count?: number }>): string | null {
  let total: Units | null = null;
  for (const term of terms) {
    const value = parse(term.amount);
    if (!value) continue;
    const times = BigInt(term.count ?? 1);
    const scale: number = Math.max(total?.scale ?? 0, value.scale);
    total = { units: (total ? rescale(total, scale) : 0n) + rescale(value, scale) * times, scale };
  }
  return total ? format(total) : null;
}

const RATIO_PRECISION = 1_000_000n;

/**
 * `amount` × `ratio`, rounded half away from zero at the amount's own scale ("120.00" × 0.25
 * = "30.00"): what an expected share of a sum of money comes to, kept in decimal units (the
 * ratio counts to a millionth). Null when `amount` is not a decimal or `ratio` not finite.
 */
export function scaleDecimal(amount: string, ratio: number): string | null {
  const value = parse(amount);
  if (!value || !Number.isFinite(ratio)) return null;
  const product = value.units * BigInt(Math.round(ratio * Number(RATIO_PRECISION)));
  const half = RATIO_PRECISION / 2n;
  const units = product >= 0n ? (product + half) / RATIO_PRECISION : -((-product + half) / RATIO_PRECISION);
  return format({ units, scale: value.scale });
}
