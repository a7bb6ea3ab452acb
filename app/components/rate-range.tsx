// A rate and its 95 % range on a 0-100 % track, for the eye; the text beside it says the same.

export function RateRange({ rate, low, high }: { rate: number; low: number; high: number }) {
  const percent = (value: number) => `${Math.min(100, Math.max(0, value * 100)).toFixed(2)}%`;
  return (
    <svg width="100%" height="12" role="presentation" aria-hidden="true" style={{ display: "block", maxWidth: 240, overflow: "visible" }}>
      <rect x="0" y="4" width="100%" height="4" rx="2" fill="var(--p-color-bg-fill-tertiary, #e3e3e3)" />
      <rect x={percent(low)} y="2" width={percent(Math.max(high - low, 0.005))} height="8" rx="3" fill="var(--p-color-bg-fill-info, #91d0ff)" />
      <circle cx={percent(rate)} cy="6" r="4" fill="var(--p-color-bg-fill-info-active, #005bd3)" />
    </svg>
  );
}
