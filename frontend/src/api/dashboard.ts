// Live sale dashboard API (admin only; docs/openapi.yaml "adminDashboard*").
//  - shop() / seckill() read the figures once (the server computes rates and quantiles from its
//    own history of metric snapshots, so every viewer sees the same numbers).
//  - streamDashboard() follows the same figures as server-sent events, one frame a second. It
//    reads the stream with fetch because it needs the Authorization header (the server accepts
//    no token in the URL, so none ends up in logs or history).
import { ApiError, api, refreshAccessToken } from './client';
import { StreamUnavailable } from './seckill';
import { useStore } from '../store';
import { SseParser } from '../utils/sse';
import type { SeckillDashboard, ShopDashboard } from './types';

type FetchFn = typeof fetch;

export const dashboardPaths = {
  shop: '/api/admin/dashboard/shop',
  seckill: (activityId: number) => `/api/admin/dashboard/seckill/${encodeURIComponent(activityId)}`,
};

export const dashboardApi = {
  shop: (windowSeconds: number) =>
    api.get<ShopDashboard>('/admin/dashboard/shop', { params: { window: windowSeconds }, silent: true }),
  seckill: (activityId: number, windowSeconds: number) =>
    api.get<SeckillDashboard>(`/admin/dashboard/seckill/${encodeURIComponent(activityId)}`, {
      params: { window: windowSeconds },
      silent: true,
    }),
};

async function openStream(url: string, signal: AbortSignal | undefined, fetchImpl: FetchFn): Promise<Response> {
  const request = (token: string | null) =>
    fetchImpl(url, {
      method: 'GET',
      headers: { Accept: 'text/event-stream', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      cache: 'no-store',
      signal,
    });
  let res = await request(useStore.getState().token);
  if (res.status === 401 && useStore.getState().refreshToken) {
    await res.body?.cancel().catch(() => undefined);
    res = await request(await refreshAccessToken());
  }
  const type = res.headers.get('Content-Type') ?? '';
  if (!res.ok || !res.body || !type.includes('text/event-stream')) {
    await res.body?.cancel().catch(() => undefined);
    throw new StreamUnavailable(`dashboard stream unavailable (HTTP ${res.status})`, res.status);
  }
  return res;
}

/**
 * Read a dashboard event stream (`path` + "/events") until it ends or `signal` aborts, calling
 * `onFrame` with every frame's figures. Throws StreamUnavailable when the stream cannot be opened
 * (its `status` says why: 503 = every stream place taken, 401/403/404 = will not get better).
 */
export async function streamDashboard<T>(
  path: string,
  windowSeconds: number,
  onFrame: (data: T) => void,
  { signal, fetchImpl = (...a) => fetch(...a) }: { signal?: AbortSignal; fetchImpl?: FetchFn } = {},
): Promise<void> {
  const res = await openStream(`${path}/events?window=${encodeURIComponent(windowSeconds)}`, signal, fetchImpl);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const ev of parser.push(decoder.decode(value, { stream: true }))) {
        if (ev.event !== 'dashboard') continue;
        let data: unknown;
        try {
          data = JSON.parse(ev.data);
        } catch {
          continue; // a frame that is not JSON is skipped
        }
        if (typeof data === 'object' && data !== null) onFrame(data as T);
      }
    }
  } finally {
    reader.releaseLock?.();
  }
}

export { ApiError };
