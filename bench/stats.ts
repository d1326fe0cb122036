/** Percentile of a sample (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** p50 and p95 of a sample, rounded to hundredths of a millisecond. */
export function p50p95(values: readonly number[]): { readonly p50: number; readonly p95: number } {
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) };
}

/** `value / baseline`, three decimals; NaN when the baseline is not a positive number. */
export function ratio(value: number, baseline: number): number {
  return baseline > 0 ? round(value / baseline, 3) : Number.NaN;
}
