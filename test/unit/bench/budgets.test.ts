import { describe, expect, it } from 'vitest';
import {
  BUNDLE_BUDGET_BYTES,
  COLD_START_VS_BASELINE_MAX,
  mark,
  withinBundleBudget,
  withinColdStartBudget,
  withinWarmCpuBudget,
} from '../../../bench/budgets';
import { p50p95, percentile, ratio, round } from '../../../bench/stats';

describe('bench budgets', () => {
  it('holds a cold start to half the default baseline in the same run, inclusive', () => {
    expect(COLD_START_VS_BASELINE_MAX).toBe(0.5);
    expect(withinColdStartBudget(50, 100)).toBe(true);
    expect(withinColdStartBudget(50.01, 100)).toBe(false);
    expect(withinColdStartBudget(10, 100)).toBe(true);
  });

  it('fails a cold start that was not measured, or a baseline that makes no sense', () => {
    expect(withinColdStartBudget(Number.NaN, 100)).toBe(false);
    expect(withinColdStartBudget(10, Number.NaN)).toBe(false);
    expect(withinColdStartBudget(10, 0)).toBe(false);
    expect(withinColdStartBudget(10, -5)).toBe(false);
  });

  it('allows every bundle 400 KB (decimal), inclusive', () => {
    expect(BUNDLE_BUDGET_BYTES).toBe(400_000);
    expect(withinBundleBudget(400_000)).toBe(true);
    expect(withinBundleBudget(400_001)).toBe(false);
  });

  it('allows 1 ms of warm CPU per event; a function with no warm figure has nothing to miss', () => {
    expect(withinWarmCpuBudget(1)).toBe(true);
    expect(withinWarmCpuBudget(1.0001)).toBe(false);
    expect(withinWarmCpuBudget(undefined)).toBe(true);
  });

  it('marks a missed budget loudly', () => {
    expect(mark(true)).toBe('ok');
    expect(mark(false)).toBe('OVER');
  });
});

describe('bench stats', () => {
  it('takes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 95)).toBe(5);
    expect(percentile([7], 50)).toBe(7);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
    expect(p50p95([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.126])).toEqual({ p50: 5, p95: 10.13 });
  });

  it('gives ratios to three decimals, NaN against a baseline that is not positive', () => {
    expect(ratio(1, 3)).toBe(0.333);
    expect(ratio(50, 100)).toBe(0.5);
    expect(Number.isNaN(ratio(1, 0))).toBe(true);
    expect(Number.isNaN(ratio(1, Number.NaN))).toBe(true);
    expect(round(1.005, 1)).toBe(1);
  });
});
