// A time-series chart (uPlot, bundled) of one or more figure lines; "no data" over empty axes
// when no line has a figure yet.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FigureLine } from '../../api/types';
import { useT } from '../../i18n';
import { NO_DATA, chartColumns, hasAnyFigure } from '../../utils/dashboard';

export interface ChartLine {
  label: string;
  values: FigureLine;
}

export const CHART_COLORS = ['#e4393c', '#2f6fdb', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export function LineChart({ title, atMs, lines, format, testId, height = 180 }: {
  title: string;
  atMs: number[];
  lines: ChartLine[];
  format: (v: number) => string;
  testId: string;
  height?: number;
}) {
  const t = useT();
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const formatRef = useRef(format);
  formatRef.current = format;
  const labels = lines.map((l) => l.label).join('\u0000');
  const data = () => chartColumns(atMs, lines.map((l) => l.values)) as uPlot.AlignedData;

  // The plot is built again only when its lines change (a new outcome appears), not per frame.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const names = labels === '' ? [] : labels.split('\u0000');
    const fmt = (v: number | null | undefined) => (v === null || v === undefined ? NO_DATA : formatRef.current(v));
    const options: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      scales: { x: { time: true } },
      series: [
        {},
        ...names.map((label, i) => ({
          label,
          stroke: CHART_COLORS[i % CHART_COLORS.length],
          width: 2,
          value: (_u: uPlot, v: number | null) => fmt(v),
        })),
      ],
      axes: [{}, { size: 72, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => fmt(v)) }],
    };
    const chart = new uPlot(options, data(), el);
    plot.current = chart;
    const observer =
      typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height }));
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labels, height]);

  useEffect(() => {
    plot.current?.setData(data());
  });

  const empty = !hasAnyFigure(lines.map((l) => l.values));
  return (
    <figure className="dash-chart card" data-testid={testId} data-empty={empty ? 'true' : 'false'}>
      <figcaption className="dash-chart-title">{title}</figcaption>
      <div className="dash-chart-plot" ref={host} />
      {empty && <p className="dash-chart-empty muted">{t('dashboard.noData')}</p>}
    </figure>
  );
}
