// The feed: the stream while it works (and again when the server ends it), polling when every
// stream place is taken or the network fails, a stop with the server's reason on 401/403/404.
import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
import { describe, expect, it } from 'vitest';
import { StreamUnavailable } from '../api/seckill';
import { runDashboardFeed, type FeedMode } from './dashboardFeed';

function axiosFailure(status: number, code: number, message: string) {
  const config = { headers: new AxiosHeaders() };
  const response = { data: { code, message, data: null }, status, statusText: '', headers: {}, config } as AxiosResponse;
  return new AxiosError(message, AxiosError.ERR_BAD_REQUEST, config, {}, response);
}

function recorder() {
  const seen: { data: number[]; modes: FeedMode[]; errors: (number | null)[] } = { data: [], modes: [], errors: [] };
  return {
    seen,
    onData: (d: number) => seen.data.push(d),
    onMode: (m: FeedMode) => seen.modes.push(m),
    onError: (e: { status: number } | null) => seen.errors.push(e ? e.status : null),
  };
}

describe('runDashboardFeed', () => {
  it('follows the stream and opens it again when the server ends it', async () => {
    const ctrl = new AbortController();
    const r = recorder();
    let opened = 0;
    await runDashboardFeed<number>({
      ...r,
      signal: ctrl.signal,
      poll: async () => {
        throw new Error('should not poll');
      },
      stream: async (onFrame) => {
        opened += 1;
        onFrame(opened * 10);
        onFrame(opened * 10 + 1);
        if (opened === 3) ctrl.abort();
      },
    });
    expect(opened).toBe(3);
    expect(r.seen.data).toEqual([10, 11, 20, 21, 30, 31]);
    expect(r.seen.modes[0]).toBe('connecting');
    expect(r.seen.modes).not.toContain('polling');
    expect(r.seen.modes.at(-1)).toBe('live');
  });

  it('polls while every stream place is taken (503), then tries the stream again', async () => {
    const ctrl = new AbortController();
    const r = recorder();
    let opened = 0;
    let polled = 0;
    await runDashboardFeed<number>({
      ...r,
      signal: ctrl.signal,
      pollRounds: 3,
      sleep: async () => undefined,
      poll: async () => {
        polled += 1;
        return 100 + polled;
      },
      stream: async (onFrame) => {
        opened += 1;
        if (opened === 1) throw new StreamUnavailable('full', 503);
        onFrame(1);
        ctrl.abort();
      },
    });
    expect(polled).toBe(3);
    expect(opened).toBe(2);
    expect(r.seen.data).toEqual([101, 102, 103, 1]);
    expect(r.seen.modes).toEqual(['connecting', 'polling', 'live']);
  });

  it('a network failure mid-stream falls back to polling, and poll failures are shown but not final', async () => {
    const ctrl = new AbortController();
    const r = recorder();
    let polled = 0;
    await runDashboardFeed<number>({
      ...r,
      signal: ctrl.signal,
      pollRounds: 2,
      sleep: async () => undefined,
      poll: async () => {
        polled += 1;
        if (polled === 1) throw axiosFailure(503, 503, 'busy');
        ctrl.abort();
        return 7;
      },
      stream: async (onFrame) => {
        onFrame(1);
        throw new TypeError('network error');
      },
    });
    expect(r.seen.data).toEqual([1, 7]);
    expect(r.seen.errors).toContain(503);
    expect(r.seen.modes).not.toContain('stopped');
  });

  it('stops with the server\'s reason when the answer will not get better', async () => {
    for (const status of [401, 403, 404]) {
      const ctrl = new AbortController();
      const r = recorder();
      let opened = 0;
      await runDashboardFeed<number>({
        ...r,
        signal: ctrl.signal,
        sleep: async () => undefined,
        poll: async () => {
          throw axiosFailure(status, status === 404 ? 60001 : status, 'no');
        },
        stream: async () => {
          opened += 1;
          throw new StreamUnavailable('refused', status);
        },
      });
      expect(opened).toBe(1);
      expect(r.seen.modes.at(-1)).toBe('stopped');
      expect(r.seen.errors.at(-1)).toBe(status);
    }
  });

  it('an abort while streaming ends the feed without polling', async () => {
    const ctrl = new AbortController();
    const r = recorder();
    let polled = 0;
    await runDashboardFeed<number>({
      ...r,
      signal: ctrl.signal,
      poll: async () => {
        polled += 1;
        return 0;
      },
      stream: async () => {
        ctrl.abort();
        throw new DOMException('aborted', 'AbortError');
      },
    });
    expect(polled).toBe(0);
  });
});
