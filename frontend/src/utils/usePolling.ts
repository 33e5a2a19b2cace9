import { useEffect, useRef } from 'react';

/**
 * Call `poll` now and then `intervalMs` after each call has settled (never two at once), while
 * `enabled` and the tab is visible: a hidden tab stops asking, and asks at once when shown again.
 * Stops on unmount and when `enabled` turns false. Failures are the caller's business (`poll`
 * may throw; the next round still comes).
 */
export function usePolling(poll: () => unknown, intervalMs: number, enabled = true): void {
  const latest = useRef(poll);
  useEffect(() => {
    latest.current = poll;
  });

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let running = false;
    let timer: number | undefined;
    const hidden = () => document.visibilityState === 'hidden';

    const schedule = () => {
      window.clearTimeout(timer);
      timer = undefined;
      if (!stopped && !hidden()) timer = window.setTimeout(() => void tick(), intervalMs);
    };
    const tick = async () => {
      if (stopped || running || hidden()) return;
      running = true;
      try {
        await latest.current();
      } catch {
        // the next round may do better
      } finally {
        running = false;
      }
      schedule();
    };
    const onVisibility = () => {
      if (hidden()) {
        window.clearTimeout(timer);
        timer = undefined;
      } else if (timer === undefined) {
        void tick();
      }
    };

    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [enabled, intervalMs]);
}
