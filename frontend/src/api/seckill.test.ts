import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useStore } from '../store';
import { serverClock } from '../utils/serverClock';
import { ApiError, http, resetClientForTests, setNavigator } from './client';
import { SECKILL, StreamUnavailable, seckillApi, streamResult } from './seckill';
import type { SeckillResult } from './types';

type Reply = { status: number; body: unknown };
let handler: (config: InternalAxiosRequestConfig) => Reply | Promise<Reply>;
const calls: InternalAxiosRequestConfig[] = [];
const stub: AxiosAdapter = async (config) => {
  calls.push(config);
  const { status, body } = await handler(config);
  const response: AxiosResponse = { data: body, status, statusText: String(status), headers: {}, config, request: {} };
  if (status >= 200 && status < 300) return response;
  throw new AxiosError(`Request failed with status code ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response);
};
const ok = (data: unknown): Reply => ({ status: 200, body: { code: 0, message: 'success', data, trace_id: 't'.repeat(32) } });
const fail = (status: number, code: number, message: string): Reply => ({ status, body: { code, message, data: null, trace_id: 'f'.repeat(32) } });
const user = { id: 1, username: 'bob', email: 'b@example.com', phone: '', role: 1, created_at: '', updated_at: '' };

const result = (status: SeckillResult['status'], extra: Partial<SeckillResult> = {}): SeckillResult => ({ status, activity_id: 3, product_id: 7, ...extra });

/** A fetch stand-in answering with an SSE body delivered in the given chunks. */
function sseFetch(chunks: string[], { status = 200, type = 'text/event-stream' } = {}) {
  const seen: { url: string; init?: RequestInit }[] = [];
  const fn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(url), init });
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(enc.encode(ch));
        c.close();
      },
    });
    return new Response(body, { status, headers: { 'Content-Type': type } });
  });
  return { fn: fn as unknown as typeof fetch, seen };
}

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  serverClock.reset();
  useStore.setState({ token: 'access-1', refreshToken: 'refresh-1', user, toasts: [], cartCount: 0, locale: 'en' });
  setNavigator(vi.fn() as unknown as (to: string) => void);
});
afterEach(() => vi.useRealTimers());

describe('seckill API: envelope and errors', () => {
  it('lists activities, unwraps the envelope and samples the server clock', async () => {
    const now = Date.now();
    handler = () => ok({ list: [{ id: 1 }], server_time: '', server_time_ms: now + 90_000 });
    const d = await seckillApi.activities(true);
    expect(d.list).toEqual([{ id: 1 }]);
    expect(calls[0].url).toBe('/seckill/activities');
    expect(calls[0].params).toEqual({ include_ended: true });
    expect(serverClock.synced).toBe(true);
    expect(Math.abs(serverClock.offset - 90_000)).toBeLessThan(50);
  });

  it('posts a purchase with the token and returns the queued answer', async () => {
    handler = () => ok({ status: 'queued', reservation_id: 'abc', activity_id: 3, product_id: 7 });
    await expect(seckillApi.purchase(7)).resolves.toMatchObject({ status: 'queued', reservation_id: 'abc' });
    expect(calls[0].method).toBe('post');
    expect(calls[0].url).toBe('/seckill');
    expect(JSON.parse(calls[0].data as string)).toEqual({ product_id: 7 });
    expect(AxiosHeaders.from(calls[0].headers).get('Authorization')).toBe('Bearer access-1');
  });

  it.each([
    [409, SECKILL.soldOut, 'sold out'],
    [409, SECKILL.notStarted, 'the flash sale starts at 2026-11-25T10:00:00Z'],
    [409, SECKILL.limitReached, 'you have already bought the limit of 1'],
    [429, SECKILL.rateLimited, 'too many requests'],
  ])('turns HTTP %i code %i into an ApiError without a toast (the card shows it)', async (status, code, message) => {
    handler = () => fail(status, code, message);
    const err = await seckillApi.purchase(7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status, code, message });
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('sends admin changes to the agreed routes', async () => {
    handler = (c) => ok({ id: 4, url: c.url, method: c.method });
    await seckillApi.init({ product_id: 7, stock: 1, start_time: '2026-11-25T10:00:00+08:00' });
    await seckillApi.update(4, { stock: 2 });
    await seckillApi.end(4);
    await seckillApi.result(7);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'post /seckill/init',
      'put /seckill/activities/4',
      'post /seckill/activities/4/end',
      'get /seckill/result',
    ]);
    expect(calls[3].params).toEqual({ product_id: 7 });
  });
});

describe('seckill API: anti-bot token', () => {
  const TOKEN = '0123456789abcdef0123456789abcdef';
  const queued = { status: 'queued', reservation_id: 'abc', activity_id: 3, product_id: 7 };
  const tokenRequired = () => fail(403, SECKILL.tokenRequired, 'a fresh flash-sale token is required: get one from POST /api/seckill/token');
  const bodyOf = (c: InternalAxiosRequestConfig) => JSON.parse(c.data as string) as unknown;
  const routes = () => calls.map((c) => `${c.method} ${c.url} ${c.data as string}`);

  it('fetches a token for the product, signed in, without a toast', async () => {
    handler = () => ok({ token: TOKEN });
    await expect(seckillApi.token(7)).resolves.toBe(TOKEN);
    expect(calls[0].method).toBe('post');
    expect(calls[0].url).toBe('/seckill/token');
    expect(bodyOf(calls[0])).toEqual({ product_id: 7 });
    expect(AxiosHeaders.from(calls[0].headers).get('Authorization')).toBe('Bearer access-1');
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('says 60003 when a token is asked for before the start', async () => {
    handler = () => fail(409, SECKILL.notStarted, 'the flash sale has not started yet; it starts at 2026-11-25T10:00:00Z');
    await expect(seckillApi.token(7)).rejects.toMatchObject({ status: 409, code: SECKILL.notStarted });
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('sends the token with the purchase when given one, and no token field otherwise', async () => {
    handler = () => ok(queued);
    await seckillApi.purchase(7, TOKEN);
    await seckillApi.purchase(7);
    await seckillApi.purchase(7, '');
    expect(calls.map(bodyOf)).toEqual([{ product_id: 7, token: TOKEN }, { product_id: 7 }, { product_id: 7 }]);
  });

  it('buys with one request when the gate is off', async () => {
    handler = () => ok(queued);
    await expect(seckillApi.purchaseWithTokenRetry(7)).resolves.toMatchObject({ status: 'queued', reservation_id: 'abc' });
    expect(routes()).toEqual(['post /seckill {"product_id":7}']);
  });

  it('refused with 60008: fetches a token and buys once more with it', async () => {
    handler = (c) => {
      if (c.url === '/seckill/token') return ok({ token: TOKEN });
      return (bodyOf(c) as { token?: string }).token === TOKEN ? ok(queued) : tokenRequired();
    };
    await expect(seckillApi.purchaseWithTokenRetry(7)).resolves.toMatchObject({ status: 'queued', reservation_id: 'abc' });
    expect(routes()).toEqual([
      'post /seckill {"product_id":7}',
      'post /seckill/token {"product_id":7}',
      `post /seckill {"product_id":7,"token":"${TOKEN}"}`,
    ]);
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('a second 60008 with the fresh token is an error (no further tokens, no loop)', async () => {
    handler = (c) => (c.url === '/seckill/token' ? ok({ token: TOKEN }) : tokenRequired());
    const err = await seckillApi.purchaseWithTokenRetry(7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 403, code: SECKILL.tokenRequired });
    expect(routes().map((r) => r.split(' ')[1])).toEqual(['/seckill', '/seckill/token', '/seckill']);
  });

  it('passes a refused token request on as it is (60003 before the start is retried by the card)', async () => {
    handler = (c) => (c.url === '/seckill/token' ? fail(409, SECKILL.notStarted, 'not started') : tokenRequired());
    await expect(seckillApi.purchaseWithTokenRetry(7)).rejects.toMatchObject({ status: 409, code: SECKILL.notStarted });
    expect(calls.map((c) => c.url)).toEqual(['/seckill', '/seckill/token']);
  });

  it.each([
    [409, SECKILL.notStarted],
    [409, SECKILL.soldOut],
    [429, SECKILL.rateLimited],
  ])('does not ask for a token when the purchase is refused with HTTP %i code %i', async (status, code) => {
    handler = () => fail(status, code, 'refused');
    await expect(seckillApi.purchaseWithTokenRetry(7)).rejects.toMatchObject({ status, code });
    expect(calls.map((c) => c.url)).toEqual(['/seckill']);
  });
});

describe('seckill API: result stream with polling fallback', () => {
  it('reads SSE frames (split across chunks) with the Authorization header until a final result', async () => {
    const queued = JSON.stringify(result('queued'));
    const done = JSON.stringify(result('success', { order_no: 'ORD1' }));
    const frames = `event: result\ndata: ${queued}\n\n: ping\n\nevent: result\ndata: ${done}\n\n`;
    const { fn, seen } = sseFetch([frames.slice(0, 17), frames.slice(17, 60), frames.slice(60)]);
    const updates: string[] = [];
    const r = await streamResult(7, { fetchImpl: fn, onUpdate: (x) => updates.push(x.status) });
    expect(r).toMatchObject({ status: 'success', order_no: 'ORD1' });
    expect(updates).toEqual(['queued', 'success']);
    expect(seen[0].url).toBe('/api/seckill/events?product_id=7');
    expect((seen[0].init?.headers as Record<string, string>).Authorization).toBe('Bearer access-1');
  });

  it('accepts frames that carry an envelope', async () => {
    const { fn } = sseFetch([`event: result\ndata: ${JSON.stringify({ code: 0, message: 'success', data: result('failed', { reason: 'sold out' }) })}\n\n`]);
    await expect(streamResult(7, { fetchImpl: fn })).resolves.toMatchObject({ status: 'failed', reason: 'sold out' });
  });

  it('says StreamUnavailable when the route is missing or is not an event stream', async () => {
    await expect(streamResult(7, { fetchImpl: sseFetch(['{}'], { status: 404, type: 'application/json' }).fn })).rejects.toBeInstanceOf(StreamUnavailable);
    await expect(streamResult(7, { fetchImpl: sseFetch(['{}'], { type: 'application/json' }).fn })).rejects.toBeInstanceOf(StreamUnavailable);
  });

  it('falls back to polling /seckill/result every pollMs when streaming fails', async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError('streaming not supported');
    }) as unknown as typeof fetch;
    const answers = [result('queued'), result('queued'), result('success', { order_no: 'ORD9' })];
    handler = () => ok(answers.shift());
    const onFallback = vi.fn();
    const updates: string[] = [];
    const r = await seckillApi.watch(7, { fetchImpl, pollMs: 5, onFallback, onUpdate: (x) => updates.push(x.status) });
    expect(onFallback).toHaveBeenCalledOnce();
    expect(r).toMatchObject({ status: 'success', order_no: 'ORD9' });
    expect(updates).toEqual(['queued', 'queued', 'success']);
    expect(calls.every((c) => c.url === '/seckill/result')).toBe(true);
  });

  it('polls on when the stream ends without a final result', async () => {
    const { fn } = sseFetch([`event: result\ndata: ${JSON.stringify(result('queued'))}\n\n`]);
    handler = () => ok(result('failed', { reason: 'busy' }));
    const updates: string[] = [];
    const r = await seckillApi.watch(7, { fetchImpl: fn, pollMs: 5, onUpdate: (x) => updates.push(x.status) });
    expect(r?.status).toBe('failed');
    expect(updates).toEqual(['queued', 'failed']);
  });

  it('stops polling when aborted and when the result route says there is no activity', async () => {
    const ctl = new AbortController();
    handler = () => {
      ctl.abort();
      return ok(result('queued'));
    };
    await expect(seckillApi.watch(7, { pollOnly: true, pollMs: 5, signal: ctl.signal })).resolves.toMatchObject({ status: 'queued' });
    handler = () => fail(404, SECKILL.activityNotFound, 'no flash sale for this product');
    await expect(seckillApi.watch(7, { pollOnly: true, pollMs: 5 })).rejects.toMatchObject({ code: 60001 });
  });
});
