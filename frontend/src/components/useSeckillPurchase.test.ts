// The card's buy flow against a stubbed API: the anti-bot token retry and the not-started retry.
import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { http, resetClientForTests, setNavigator } from '../api/client';
import { SECKILL } from '../api/seckill';
import type { SeckillActivity } from '../api/types';
import { useStore } from '../store';
import { serverClock } from '../utils/serverClock';
import { useSeckillPurchase } from './useSeckillPurchase';

type Reply = { status: number; body: unknown };
type Purchase = ReturnType<typeof useSeckillPurchase>;
let handler: (config: InternalAxiosRequestConfig) => Reply;
const calls: string[] = [];
const stub: AxiosAdapter = async (config) => {
  const reply = handler(config);
  calls.push(`${config.url} ${(config.data as string | undefined) ?? ''}`.trim());
  const response: AxiosResponse = { data: reply.body, status: reply.status, statusText: '', headers: {}, config, request: {} };
  if (reply.status < 300) return response;
  throw new AxiosError('refused', AxiosError.ERR_BAD_REQUEST, config, {}, response);
};
const ok = (data: unknown): Reply => ({ status: 200, body: { code: 0, message: 'success', data } });
const fail = (status: number, code: number): Reply => ({ status, body: { code, message: `code ${code}`, data: null } });
const TOKEN = 'feedfacefeedfacefeedfacefeedface';
const queued = ok({ status: 'queued', reservation_id: 'r1', activity_id: 3, product_id: 7 });
const success = ok({ status: 'success', activity_id: 3, product_id: 7, order_no: 'ORD1' });

function activity(startMs: number, tokenRequired?: boolean): SeckillActivity {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: 3, product_id: 7, product_name: 'Phone', product_image: '', price: 1, original_price: 2, total_stock: 5, sold: 0,
    remaining: 5, state: 'active', start_time: iso(startMs), end_time: iso(startMs + 600_000), per_user_limit: 1,
    created_at: '', updated_at: '', ...(tokenRequired === undefined ? {} : { token_required: tokenRequired }),
  };
}

let root: Root | null = null;
let latest: Purchase | undefined;
const card = (): Purchase => {
  if (!latest) throw new Error('not rendered');
  return latest;
};
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

async function mountCard(a: SeckillActivity): Promise<void> {
  function Probe() {
    latest = useSeckillPurchase(a, { signedIn: false }); // not signed in: no look-up of earlier attempts on mount
    return null;
  }
  // Rendered outside act(): state updates land asynchronously, the checks wait for them.
  latest = undefined;
  root = createRoot(document.createElement('div'));
  root.render(createElement(Probe));
  await waitFor(() => expect(latest?.phase).toBe('idle'));
}
async function buyAndSettle(): Promise<void> {
  await card().buy();
  await waitFor(() => expect(['success', 'failed', 'error']).toContain(card().phase));
}

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  serverClock.reset();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(vi.fn() as unknown as (to: string) => void);
  // No event stream in jsdom: the outcome comes from polling /seckill/result.
  vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('no streaming here'))));
});
afterEach(() => {
  root?.unmount();
  root = null;
  vi.unstubAllGlobals();
});

describe('useSeckillPurchase: anti-bot token', () => {
  it('refused with 60008, fetches a token, buys with it and follows the result to success', async () => {
    handler = (c) => {
      if (c.url === '/seckill/token') return ok({ token: TOKEN });
      if (c.url === '/seckill/result') return success;
      return String(c.data).includes(TOKEN) ? queued : fail(403, SECKILL.tokenRequired);
    };
    await mountCard(activity(Date.now() - 60_000));
    await buyAndSettle();
    expect(card().phase).toBe('success');
    expect(card().orderNo).toBe('ORD1');
    expect(card().history).toEqual(['idle', 'submitting', 'queued', 'success']);
    expect(calls.slice(0, 3)).toEqual(['/seckill {"product_id":7}', '/seckill/token {"product_id":7}', `/seckill {"product_id":7,"token":"${TOKEN}"}`]);
  });

  it('asks for the token first when the activity says token_required', async () => {
    handler = (c) => {
      if (c.url === '/seckill/token') return ok({ token: TOKEN });
      if (c.url === '/seckill/result') return success;
      return String(c.data).includes(TOKEN) ? queued : fail(403, SECKILL.tokenRequired);
    };
    await mountCard(activity(Date.now() - 60_000, true));
    await buyAndSettle();
    expect(card().phase).toBe('success');
    expect(calls.slice(0, 2)).toEqual(['/seckill/token {"product_id":7}', `/seckill {"product_id":7,"token":"${TOKEN}"}`]);
  });

  it('shows a second 60008 (with a fresh token) as an error without asking again', async () => {
    handler = (c) => (c.url === '/seckill/token' ? ok({ token: TOKEN }) : fail(403, SECKILL.tokenRequired));
    await mountCard(activity(Date.now() - 60_000));
    await buyAndSettle();
    expect(card().phase).toBe('error');
    expect(card().error).toMatchObject({ status: 403, code: SECKILL.tokenRequired });
    expect(calls.map((c) => c.split(' ')[0])).toEqual(['/seckill', '/seckill/token', '/seckill']);
  });

  it('retries a token refused with 60003 just after the start like a purchase refused so', async () => {
    let tokenAsks = 0;
    handler = (c) => {
      if (c.url === '/seckill/token') return ++tokenAsks === 1 ? fail(409, SECKILL.notStarted) : ok({ token: TOKEN });
      if (c.url === '/seckill/result') return success;
      return String(c.data).includes(TOKEN) ? queued : fail(403, SECKILL.tokenRequired);
    };
    await mountCard(activity(Date.now() - 100));
    await buyAndSettle();
    expect(card().phase).toBe('success');
    expect(calls.slice(0, 5).map((c) => c.split(' ')[0])).toEqual(['/seckill', '/seckill/token', '/seckill', '/seckill/token', '/seckill']);
    expect(calls[4]).toContain(TOKEN);
  });

  it('shows a token refused with 60003 long after the start as an error', async () => {
    handler = (c) => (c.url === '/seckill/token' ? fail(409, SECKILL.notStarted) : fail(403, SECKILL.tokenRequired));
    await mountCard(activity(Date.now() - 60_000));
    await buyAndSettle();
    expect(card().phase).toBe('error');
    expect(card().error?.code).toBe(SECKILL.notStarted);
    expect(calls).toHaveLength(2);
  });
});
