import { useEffect, useState } from 'react';
import { formatCountdown } from '../utils/time';

/** Ticks every second until `until`; calls onDone once when it reaches zero. */
export function Countdown({ until, onDone }: { until: string; onDone?: () => void }) {
  const end = new Date(until).getTime();
  const [now, setNow] = useState(() => Date.now());
  const left = end - now;
  useEffect(() => {
    if (left <= 0) {
      onDone?.();
      return;
    }
    const id = window.setTimeout(() => setNow(Date.now()), Math.min(1000, left));
    return () => window.clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [now, end]);
  return (
    <span className="countdown" data-testid="countdown" role="timer">
      {formatCountdown(left)}
    </span>
  );
}
