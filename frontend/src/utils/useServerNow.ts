import { useEffect, useState } from 'react';
import { nextTickDelay, serverClock, serverNow } from './serverClock';

/**
 * The server's current time, re-rendering once a second — aligned so that a render
 * happens exactly when `target` (epoch ms on the server clock) is reached — and whenever
 * the clock offset is corrected.
 */
export function useServerNow(target?: number | null): number {
  const [now, setNow] = useState(serverNow);
  useEffect(() => serverClock.subscribe(() => setNow(serverNow())), []);
  useEffect(() => {
    const id = window.setTimeout(() => setNow(serverNow()), nextTickDelay(target, now));
    return () => window.clearTimeout(id);
  }, [now, target]);
  return now;
}
