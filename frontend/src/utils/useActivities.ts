import { useCallback, useEffect, useRef, useState } from 'react';
import { seckillApi } from '../api/seckill';
import { toApiError, type ApiError } from '../api/client';
import type { SeckillActivity } from '../api/types';

/**
 * Flash-sale activities, refreshed every `intervalMs` while mounted (and on reload()).
 * Keeps the last list across refreshes; `error` is only set while there is no list.
 * patch() changes one activity locally until the next refresh (e.g. sold out learnt from a purchase).
 */
export function useActivities({ includeEnded = false, intervalMs = 5000 }: { includeEnded?: boolean; intervalMs?: number } = {}) {
  const [list, setList] = useState<SeckillActivity[] | undefined>();
  const [error, setError] = useState<ApiError>();
  const [refreshing, setRefreshing] = useState(false);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setRefreshing(true);
    try {
      const d = await seckillApi.activities(includeEnded);
      if (mine !== seq.current) return;
      setList(d.list);
      setError(undefined);
    } catch (e) {
      if (mine !== seq.current) return;
      setError(toApiError(e));
    } finally {
      if (mine === seq.current) setRefreshing(false);
    }
  }, [includeEnded]);

  useEffect(() => {
    void load();
    if (!intervalMs) return;
    const id = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') void load();
    }, intervalMs);
    return () => window.clearInterval(id);
  }, [load, intervalMs]);

  const patch = useCallback((id: number, change: Partial<SeckillActivity>) => {
    setList((l) => l?.map((a) => (a.id === id ? { ...a, ...change } : a)));
  }, []);

  return { list, error: list ? undefined : error, refreshing, reload: load, patch };
}
