// Pure helpers of the live sale dashboard: formatting figures (null is "no data", never 0),
// the latest figure of a line, attempt totals, and chart data in uPlot's column layout.
import type { Figure, FigureLine, OutcomeFigures } from '../api/types';

export const NO_DATA = '—';

const finite = (v: Figure | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Requests or attempts per second: "12.3/s", "0.05/s", whole numbers above 100. */
export function formatRate(v: Figure | undefined): string {
  if (!finite(v)) return NO_DATA;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}/s`;
}

/** Latency from seconds: "850 µs", "12.5 ms", "1.25 s". */
export function formatSeconds(v: Figure | undefined): string {
  if (!finite(v)) return NO_DATA;
  if (v < 0.001) return `${Math.round(v * 1e6)} µs`;
  if (v < 1) return `${(v * 1000).toFixed(v < 0.01 ? 2 : 1)} ms`;
  return `${v.toFixed(2)} s`;
}

/** A ratio as a percentage: "0.25%". */
export function formatRatio(v: Figure | undefined): string {
  if (!finite(v)) return NO_DATA;
  return `${(v * 100).toFixed(v >= 0.1 ? 1 : 2)}%`;
}

/** A count: whole numbers as they are, others with one decimal. */
export function formatCount(v: Figure | undefined): string {
  if (!finite(v)) return NO_DATA;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The newest figure of a line that is not null. */
export function latestFigure(line: FigureLine | undefined): Figure {
  if (!line) return null;
  for (let i = line.length - 1; i >= 0; i -= 1) {
    if (finite(line[i])) return line[i];
  }
  return null;
}

/** One outcome's figures, or null when the server has none for it. */
export function outcomeOf(attempts: OutcomeFigures[], outcome: string): OutcomeFigures | null {
  return attempts.find((a) => a.outcome === outcome) ?? null;
}

/** Attempts of every outcome together (null when no outcome has a figure). */
export function sumFigures(values: Figure[]): Figure {
  const known = values.filter(finite);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** Outcomes in a stable order: the usual ones first as the sale reads, then the rest by name. */
const OUTCOME_ORDER = ['reserved', 'sold_out', 'duplicate', 'limit', 'not_started', 'ended', 'rate_limited', 'token_missing'];
export function sortOutcomes<T extends { outcome: string }>(list: T[]): T[] {
  const rank = (o: string) => {
    const i = OUTCOME_ORDER.indexOf(o);
    return i < 0 ? OUTCOME_ORDER.length : i;
  };
  return [...list].sort((a, b) => rank(a.outcome) - rank(b.outcome) || a.outcome.localeCompare(b.outcome));
}

/**
 * uPlot's data layout: x in seconds, then one column per line, nulls kept (gaps). Lines shorter
 * than the x axis are padded with nulls; longer ones are cut.
 */
export function chartColumns(atMs: number[], lines: FigureLine[]): [number[], ...(number | null)[][]] {
  const xs = atMs.map((t) => t / 1000);
  const columns = lines.map((line) => xs.map((_, i) => (finite(line[i]) ? (line[i] as number) : null)));
  return [xs, ...columns];
}

/** True when no line has a single figure: the chart shows "no data" instead of empty axes. */
export function hasAnyFigure(lines: FigureLine[]): boolean {
  return lines.some((line) => line.some(finite));
}

/** Windows the page offers, in seconds. */
export const WINDOWS = [10, 60, 300] as const;
