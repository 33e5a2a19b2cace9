// The dashboard's pure helpers: null is "no data" (never 0), units chosen by size, lines turned
// into uPlot columns with gaps kept, outcomes in the order a sale reads.
import { describe, expect, it } from 'vitest';
import {
  NO_DATA,
  chartColumns,
  formatCount,
  formatRate,
  formatRatio,
  formatSeconds,
  hasAnyFigure,
  latestFigure,
  outcomeOf,
  sortOutcomes,
  sumFigures,
} from './dashboard';

describe('formatting', () => {
  it('shows no data for null, undefined, NaN and infinities, and 0 as 0', () => {
    for (const f of [formatRate, formatSeconds, formatRatio, formatCount]) {
      expect(f(null)).toBe(NO_DATA);
      expect(f(undefined)).toBe(NO_DATA);
      expect(f(Number.NaN)).toBe(NO_DATA);
      expect(f(Number.POSITIVE_INFINITY)).toBe(NO_DATA);
    }
    expect(formatRate(0)).toBe('0.00/s');
    expect(formatCount(0)).toBe('0');
    expect(formatRatio(0)).toBe('0.00%');
  });

  it('rates keep fewer decimals as they grow', () => {
    expect(formatRate(0.05)).toBe('0.05/s');
    expect(formatRate(12.34)).toBe('12.3/s');
    expect(formatRate(1234.5)).toBe('1235/s');
  });

  it('latencies in µs, ms or s', () => {
    expect(formatSeconds(0.00085)).toBe('850 µs');
    expect(formatSeconds(0.0025)).toBe('2.50 ms');
    expect(formatSeconds(0.125)).toBe('125.0 ms');
    expect(formatSeconds(1.25)).toBe('1.25 s');
  });

  it('ratios as percentages, counts whole when whole', () => {
    expect(formatRatio(0.0025)).toBe('0.25%');
    expect(formatRatio(0.5)).toBe('50.0%');
    expect(formatCount(10)).toBe('10');
    expect(formatCount(2.25)).toBe('2.3');
  });
});

describe('figures', () => {
  it('latestFigure skips trailing gaps', () => {
    expect(latestFigure([1, 2, null, null])).toBe(2);
    expect(latestFigure([0, null])).toBe(0);
    expect(latestFigure([null, null])).toBeNull();
    expect(latestFigure([])).toBeNull();
    expect(latestFigure(undefined)).toBeNull();
  });

  it('sumFigures adds what is known and is null when nothing is', () => {
    expect(sumFigures([1, null, 2.5])).toBe(3.5);
    expect(sumFigures([0, null])).toBe(0);
    expect(sumFigures([null, null])).toBeNull();
    expect(sumFigures([])).toBeNull();
  });

  it('outcomes: found by name, sorted as the sale reads, unknown ones last by name', () => {
    const list = [
      { outcome: 'zeta', total: 1, rate: 0 },
      { outcome: 'sold_out', total: 10, rate: 1 },
      { outcome: 'alpha', total: 1, rate: 0 },
      { outcome: 'reserved', total: 10, rate: 1 },
    ];
    expect(sortOutcomes(list).map((o) => o.outcome)).toEqual(['reserved', 'sold_out', 'alpha', 'zeta']);
    expect(outcomeOf(list, 'reserved')?.total).toBe(10);
    expect(outcomeOf(list, 'limit')).toBeNull();
    expect(list[0].outcome).toBe('zeta'); // not sorted in place
  });
});

describe('chart data', () => {
  it('x in seconds, one column per line, gaps kept, short lines padded and long ones cut', () => {
    const [xs, a, b] = chartColumns([1000, 2000, 3000], [[1, null, 3], [5, 6, 7, 8]]);
    expect(xs).toEqual([1, 2, 3]);
    expect(a).toEqual([1, null, 3]);
    expect(b).toEqual([5, 6, 7]);
    const [, padded] = chartColumns([1000, 2000], [[4]]);
    expect(padded).toEqual([4, null]);
  });

  it('a chart of nothing but gaps has no figure', () => {
    expect(hasAnyFigure([[null, null], []])).toBe(false);
    expect(hasAnyFigure([[null, 0]])).toBe(true);
  });
});
