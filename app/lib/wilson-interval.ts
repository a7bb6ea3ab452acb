// How sure a rate measured on few cases is: the Wilson score interval, which stays within
// 0..1 and stays useful at 0 or n successes and small n, unlike the normal approximation
// (which says "0 of 5" is exactly 0 % ± 0). Pure.

export interface RateInterval {
  /** successes / trials */
  rate: number;
  low: number;
  high: number;
}

/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

/** The rate and its 95 % Wilson interval; null without trials. */
export function wilsonInterval(successes: number, trials: number, z = Z_95): RateInterval | null {
  if (!Number.isFinite(trials) || trials <= 0) return null;
  if (successes < 0 || successes > trials) throw new RangeError(`${successes} successes of ${trials} trials`);
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or n successes the bound is exactly 0 or 1; rounding must not move it off.
  return {
    rate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
