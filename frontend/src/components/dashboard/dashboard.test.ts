// Dashboard components: tiles show the figure (or "no data", never a made-up 0) with the raw
// number in data-value; the attempts table in the sale's order; the chart hands uPlot columns,
// updates in place per frame and says "no data" over empty axes; the activity page puts the
// stream's figures where the browser test reads them.
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SeckillDashboard } from '../../api/types';
import { useStore } from '../../store';

const plots: { data: unknown; setData: ReturnType<typeof vi.fn>; destroy: ReturnType<typeof vi.fn>; series: number }[] = [];
vi.mock('uplot', () => ({
  default: vi.fn(function FakePlot(this: Record<string, unknown>, opts: { series: unknown[] }, data: unknown) {
    const plot = { data, setData: vi.fn(), destroy: vi.fn(), setSize: vi.fn(), series: opts.series.length };
    plots.push(plot);
    return plot;
  }),
}));
vi.mock('uplot/dist/uPlot.min.css', () => ({}));

const live = vi.hoisted(() => ({ value: { data: undefined as unknown, mode: 'live', error: null as unknown } }));
vi.mock('../../utils/useLiveDashboard', () => ({ useLiveDashboard: () => live.value }));
vi.mock('../../api/seckill', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../api/seckill')>();
  return { ...real, seckillApi: { ...real.seckillApi, activity: vi.fn(async () => ({ product_name: 'Phone', total_stock: 10 })) } };
});

const { StatTile } = await import('./StatTile');
const { AttemptsTable } = await import('./AttemptsTable');
const { LineChart } = await import('./LineChart');
const { AdminSeckillDashboard } = await import('../../pages/admin/AdminSeckillDashboard');
const { formatCount, formatRate } = await import('../../utils/dashboard');

let root: Root | null = null;
let host: HTMLDivElement;
const $ = (testId: string) => host.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

function render(node: ReturnType<typeof createElement>) {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
  root.render(node);
}

beforeEach(() => {
  useStore.setState({ locale: 'en' });
  plots.length = 0;
});
afterEach(() => {
  root?.unmount();
  root = null;
  host?.remove();
});

describe('StatTile', () => {
  it('shows the formatted figure with the raw number, and no data for null', async () => {
    render(
      createElement('div', null,
        createElement(StatTile, { label: 'Units', value: 0, format: formatCount, testId: 'a' }),
        createElement(StatTile, { label: 'Rate', value: null, format: formatRate, testId: 'b' }),
      ),
    );
    await waitFor(() => expect($('a')).not.toBeNull());
    expect($('a')!.textContent).toBe('0');
    expect($('a')!.dataset.value).toBe('0');
    expect($('b')!.textContent).toBe('—');
    expect($('b')!.dataset.value).toBe('');
    expect($('b')!.title).toBe('No data');
  });
});

describe('AttemptsTable', () => {
  it('lists outcomes in the sale\'s order with totals and rates', async () => {
    render(createElement(AttemptsTable, {
      attempts: [
        { outcome: 'sold_out', total: 10, rate: 2.5 },
        { outcome: 'reserved', total: 10, rate: null },
      ],
    }));
    await waitFor(() => expect($('dash-attempts')).not.toBeNull());
    const rows = [...host.querySelectorAll<HTMLElement>('[data-testid="dash-attempt-row"]')].map((r) => r.dataset.outcome);
    expect(rows).toEqual(['reserved', 'sold_out']);
    expect($('dash-attempts-total-reserved')!.dataset.value).toBe('10');
    expect($('dash-attempts-rate-sold_out')!.textContent).toBe('2.50/s');
    expect($('dash-attempts-rate-reserved')!.textContent).toBe('—');
  });

  it('says no data when there are no attempts', async () => {
    render(createElement(AttemptsTable, { attempts: [] }));
    await waitFor(() => expect($('dash-attempts-empty')).not.toBeNull());
  });
});

describe('LineChart', () => {
  it('gives uPlot columns, updates them in place and destroys the plot on unmount', async () => {
    const props = { title: 'Rate', atMs: [1000, 2000], lines: [{ label: 'a', values: [1, null] }], format: formatRate, testId: 'chart' };
    render(createElement(LineChart, props));
    await waitFor(() => expect(plots).toHaveLength(1));
    expect(plots[0].data).toEqual([[1, 2], [1, null]]);
    expect(plots[0].series).toBe(2); // x + one line
    expect($('chart')!.dataset.empty).toBe('false');

    root!.render(createElement(LineChart, { ...props, atMs: [1000, 2000, 3000], lines: [{ label: 'a', values: [1, null, 4] }] }));
    await waitFor(() => expect(plots[0].setData).toHaveBeenLastCalledWith([[1, 2, 3], [1, null, 4]]));
    expect(plots).toHaveLength(1); // same lines: no new plot

    root!.render(createElement(LineChart, { ...props, lines: [{ label: 'a', values: [1, 2] }, { label: 'b', values: [3, 4] }] }));
    await waitFor(() => expect(plots).toHaveLength(2)); // a new line: built again
    expect(plots[0].destroy).toHaveBeenCalled();
  });

  it('shows no data when no line has a figure', async () => {
    render(createElement(LineChart, { title: 'p99', atMs: [1000], lines: [{ label: 'p99', values: [null] }], format: formatRate, testId: 'chart' }));
    await waitFor(() => expect($('chart')).not.toBeNull());
    expect($('chart')!.dataset.empty).toBe('true');
    expect($('chart')!.textContent).toContain('No data');
  });
});

describe('AdminSeckillDashboard', () => {
  const sale: SeckillDashboard = {
    activity_id: 7,
    sampled_at_ms: 1_800_000_000_000,
    interval_ms: 1000,
    window_seconds: 10,
    units_left: 0,
    queue_depth: 0,
    sse_clients: null,
    orders_written: 10,
    orders_written_rate: 1,
    handoff: { p50_seconds: 0.002, p99_seconds: 0.009, count: 10 },
    attempts: [
      { outcome: 'sold_out', total: 10, rate: 1 },
      { outcome: 'reserved', total: 10, rate: 1 },
    ],
    series: {
      at_ms: [1_799_999_999_000, 1_800_000_000_000],
      units_left: [1, 0],
      queue_depth: [0, 0],
      orders_written_rate: [1, 1],
      handoff_p50_seconds: [0.002, null],
      handoff_p99_seconds: [0.009, null],
      attempt_rate: { reserved: [1, 1], sold_out: [0, 2] },
    },
  };

  it('puts the stream\'s figures in the tiles, tables and charts', async () => {
    live.value = { data: sale, mode: 'live', error: null };
    render(createElement(MemoryRouter, { initialEntries: ['/admin/seckill/7/dashboard'] },
      createElement(Routes, null, createElement(Route, { path: '/admin/seckill/:id/dashboard', element: createElement(AdminSeckillDashboard) }))));
    await waitFor(() => expect($('admin-seckill-dashboard')).not.toBeNull());
    expect($('dash-units-left')!.dataset.value).toBe('0');
    expect($('dash-orders-written')!.dataset.value).toBe('10');
    expect($('dash-reserved')!.dataset.value).toBe('10');
    expect($('dash-attempt-rate')!.dataset.value).toBe('2');
    expect($('dash-handoff-p99')!.textContent).toBe('9.00 ms');
    expect($('dash-sse-clients')!.textContent).toBe('—');
    expect($('dash-mode')!.dataset.mode).toBe('live');
    expect($('dash-attempts-total-sold_out')!.dataset.value).toBe('10');
    await waitFor(() => expect($('dash-activity-title')!.textContent).toContain('Phone'));
    expect(plots.length).toBe(4);
  });

  it('shows the server\'s reason when there are no figures', async () => {
    live.value = { data: undefined, mode: 'stopped', error: { message: 'flash sale 7 not found', status: 404 } };
    render(createElement(MemoryRouter, { initialEntries: ['/admin/seckill/7/dashboard'] },
      createElement(Routes, null, createElement(Route, { path: '/admin/seckill/:id/dashboard', element: createElement(AdminSeckillDashboard) }))));
    await waitFor(() => expect($('error-state')).not.toBeNull());
    expect($('error-state')!.textContent).toContain('flash sale 7 not found');
  });
});
