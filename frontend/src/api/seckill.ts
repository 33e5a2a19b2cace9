// Flash sale (seckill) API — notes/seckill.md.
//  - list / detail calls also sample the server clock (utils/serverClock) for countdowns
//  - purchase() answers "queued"; the outcome arrives on GET /seckill/events (SSE, read with
//    fetch streaming because it needs the Authorization header), with polling of
//    GET /seckill/result once a second as the fallback.
//  - with the server's anti-bot gate on (seckill.token_required) a purchase needs a single-use
//    token from POST /seckill/token (issued only after the start); purchaseWithTokenRetry()
//    fetches one when the purchase is refused with 60008 and tries once more.
import { ApiError, api, refreshAccessToken, toApiError } from './client';
import { useStore } from '../store';
import { serverClock } from '../utils/serverClock';
import { SseParser } from '../utils/sse';
import type {
  SeckillActivity,
  SeckillActivityList,
  SeckillInitInput,
  SeckillQueued,
  SeckillResult,
  SeckillToken,
  SeckillUpdateInput,
} from './types';

export const SECKILL = {
  activityNotFound: 60001,
  soldOut: 60002,
  notStarted: 60003,
  ended: 60004,
  limitReached: 60005,
  rateLimited: 60006,
  busy: 60007,
  tokenRequired: 60008,
  activityRunning: 60009,
  invalidWindow: 60010,
} as const;

export const isFinal = (r: SeckillResult | null | undefined): boolean => r?.status === 'success' || r?.status === 'failed';

type FetchFn = typeof fetch;

export interface WatchOptions {
  /** Called with every result seen (stream frames and polls), in order. */
  onUpdate?: (r: SeckillResult) => void;
  signal?: AbortSignal;
  /** Poll interval of the fallback, ms. */
  pollMs?: number;
  /** Skip the stream and poll only. */
  pollOnly?: boolean;
  /** For tests. */
  fetchImpl?: FetchFn;
  /** Called when the stream could not be used and polling took over (for tests and diagnostics). */
  onFallback?: (reason: unknown) => void;
}

/** Thrown when the event stream cannot be opened or read (the caller falls back to polling). */
export class StreamUnavailable extends Error {
  constructor(message: string, readonly status = 0) {
    super(message);
    this.name = 'StreamUnavailable';
  }
}

/** Unwraps {code,message,data} when a frame carries an envelope; frames normally carry the bare result. */
function resultOf(json: unknown): SeckillResult | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  if (typeof o.code === 'number' && 'data' in o) {
    if (o.code !== 0) throw new ApiError({ code: o.code, message: String(o.message ?? ''), status: 200 });
    return resultOf(o.data);
  }
  return typeof o.status === 'string' ? (o as unknown as SeckillResult) : null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const id = setTimeout(done, ms);
    function done() {
      clearTimeout(id);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function openStream(productId: number, signal: AbortSignal | undefined, fetchImpl: FetchFn): Promise<Response> {
  const request = (token: string | null) =>
    fetchImpl(`/api/seckill/events?product_id=${encodeURIComponent(productId)}`, {
      method: 'GET',
      headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      cache: 'no-store',
      signal,
    });
  let res = await request(useStore.getState().token);
  if (res.status === 401 && useStore.getState().refreshToken) {
    await res.body?.cancel().catch(() => undefined);
    const token = await refreshAccessToken(); // shares the client's single-flight refresh
    res = await request(token);
  }
  const type = res.headers.get('Content-Type') ?? '';
  if (!res.ok || !res.body || !type.includes('text/event-stream')) {
    await res.body?.cancel().catch(() => undefined);
    throw new StreamUnavailable(`event stream unavailable (HTTP ${res.status})`, res.status);
  }
  return res;
}

/**
 * Read GET /seckill/events until a final result, the end of the stream, or abort.
 * Returns the last result seen (null if none). Throws StreamUnavailable if it cannot stream.
 */
export async function streamResult(
  productId: number,
  { onUpdate, signal, fetchImpl = (...a) => fetch(...a) }: Pick<WatchOptions, 'onUpdate' | 'signal' | 'fetchImpl'> = {},
): Promise<SeckillResult | null> {
  let res: Response;
  try {
    res = await openStream(productId, signal, fetchImpl);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw e instanceof StreamUnavailable ? e : new StreamUnavailable(e instanceof Error ? e.message : String(e));
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let last: SeckillResult | null = null;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
        if (ev.event !== 'result' && ev.event !== 'message') continue;
        let r: SeckillResult | null = null;
        try {
          r = resultOf(JSON.parse(ev.data));
        } catch (e) {
          if (e instanceof ApiError) throw e;
          continue; // a frame that is not JSON is skipped
        }
        if (!r) continue;
        last = r;
        onUpdate?.(r);
        if (isFinal(r)) {
          await reader.cancel().catch(() => undefined);
          return r;
        }
      }
    }
  } catch (e) {
    if (signal?.aborted || e instanceof ApiError) throw e;
    if (!last) throw new StreamUnavailable(e instanceof Error ? e.message : String(e));
    // the stream broke after it had worked: the caller polls from here
  } finally {
    reader.releaseLock?.();
  }
  return last;
}

export const seckillApi = {
  /** Public list; samples the server clock. */
  activities: async (includeEnded = false): Promise<SeckillActivityList> => {
    const sentAt = Date.now();
    const d = await api.get<SeckillActivityList>('/seckill/activities', {
      params: includeEnded ? { include_ended: true } : undefined,
      silent: true,
    });
    if (typeof d?.server_time_ms === 'number') serverClock.sample(d.server_time_ms, sentAt, Date.now());
    return { ...d, list: Array.isArray(d?.list) ? d.list : [] };
  },
  activity: async (id: number): Promise<SeckillActivity> => {
    const sentAt = Date.now();
    const a = await api.get<SeckillActivity>(`/seckill/activities/${id}`, { silent: true });
    if (typeof a?.server_time_ms === 'number') serverClock.sample(a.server_time_ms, sentAt, Date.now());
    return a;
  },
  // admin — the forms show failures inline
  init: (input: SeckillInitInput) => api.post<SeckillActivity>('/seckill/init', input, { silent: true }),
  update: (id: number, input: SeckillUpdateInput) => api.put<SeckillActivity>(`/seckill/activities/${id}`, input, { silent: true }),
  end: (id: number) => api.post<SeckillActivity>(`/seckill/activities/${id}/end`, {}, { silent: true }),
  // shopper — the page shows failures next to the button
  purchase: (productId: number, token?: string) =>
    api.post<SeckillQueued>('/seckill', token ? { product_id: productId, token } : { product_id: productId }, { silent: true }),
  /** A single-use anti-bot token for the running sale of the product (409 60003 before the start, 60004 after the end). */
  token: async (productId: number): Promise<string> =>
    (await api.post<SeckillToken>('/seckill/token', { product_id: productId }, { silent: true }))?.token ?? '',
  /**
   * purchase() behind the anti-bot gate. With `tokenFirst` (the activity says token_required) a
   * token is fetched before the purchase; otherwise a purchase refused with 60008 (the gate was
   * switched on since the page loaded) fetches one and tries once more. Any other refusal, a
   * failed token request (e.g. 60003 before the start) and a 60008 with a fresh token are thrown
   * as they are.
   */
  purchaseWithTokenRetry: async (productId: number, tokenFirst = false): Promise<SeckillQueued> => {
    if (!tokenFirst) {
      try {
        return await seckillApi.purchase(productId);
      } catch (e) {
        if (toApiError(e).code !== SECKILL.tokenRequired) throw e;
      }
    }
    const token = await seckillApi.token(productId);
    return seckillApi.purchase(productId, token);
  },
  result: (productId: number) => api.get<SeckillResult>('/seckill/result', { params: { product_id: productId }, silent: true }),

  /**
   * Follow the outcome of a purchase until it is final (success/failed) or `signal` aborts:
   * the event stream first; when it cannot be opened, breaks, or ends without a final
   * result, poll /seckill/result every `pollMs`. Resolves with the final result
   * (or the last one seen when aborted).
   */
  watch: async (productId: number, opts: WatchOptions = {}): Promise<SeckillResult | null> => {
    const { onUpdate, signal, pollMs = 1000, pollOnly = false, fetchImpl, onFallback } = opts;
    let last: SeckillResult | null = null;
    const seen = (r: SeckillResult) => {
      last = r;
      onUpdate?.(r);
    };
    if (!pollOnly) {
      try {
        const r = await streamResult(productId, { onUpdate: seen, signal, fetchImpl });
        if (isFinal(r)) return r;
        onFallback?.(new StreamUnavailable('stream ended before a final result'));
      } catch (e) {
        if (signal?.aborted) return last;
        if (e instanceof ApiError) throw e;
        onFallback?.(e);
      }
    }
    while (!signal?.aborted) {
      try {
        const r = await seckillApi.result(productId);
        seen(r);
        if (isFinal(r)) return r;
      } catch (e) {
        const err = toApiError(e);
        if (err.status === 404 || err.status === 401 || err.status === 403) throw err; // will not get better
        // network trouble or 5xx: keep trying
      }
      await sleep(pollMs, signal);
    }
    return last;
  },
};
