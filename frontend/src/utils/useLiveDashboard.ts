import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api/client';
import { streamDashboard } from '../api/dashboard';
import { runDashboardFeed, type FeedMode } from './dashboardFeed';

export interface LiveDashboard<T> {
  data: T | undefined;
  mode: FeedMode;
  error: ApiError | null;
}

/**
 * Follow a dashboard route (`path`, e.g. dashboardPaths.shop) over `windowSeconds`: the event
 * stream while it can be had, else polling with `poll`. Restarts when either changes; stops on
 * unmount. The last figures stay on screen while it reconnects.
 */
export function useLiveDashboard<T>(path: string | null, windowSeconds: number, poll: () => Promise<T>): LiveDashboard<T> {
  const [data, setData] = useState<T>();
  const [mode, setMode] = useState<FeedMode>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  const latestPoll = useRef(poll);
  useEffect(() => {
    latestPoll.current = poll;
  });

  useEffect(() => {
    if (!path) return;
    const ctrl = new AbortController();
    void runDashboardFeed<T>({
      stream: (onFrame, signal) => streamDashboard<T>(path, windowSeconds, onFrame, { signal }),
      poll: () => latestPoll.current(),
      onData: setData,
      onMode: setMode,
      onError: setError,
      signal: ctrl.signal,
    });
    return () => ctrl.abort();
  }, [path, windowSeconds]);

  return { data, mode, error };
}
