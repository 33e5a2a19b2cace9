import { useEffect, useRef } from 'react';
import { useT } from '../i18n';
import { formatRemaining, timeOfTarget } from '../utils/serverClock';
import { useServerNow } from '../utils/useServerNow';

/**
 * Time left until `until` on the server clock (utils/serverClock), ticking on whole
 * seconds so that 00:00 shows exactly at the target; calls onDone once when it is reached.
 */
export function Countdown({ until, onDone, testId = 'countdown' }: { until: string | number; onDone?: () => void; testId?: string }) {
  const t = useT();
  const end = timeOfTarget(until);
  const now = useServerNow(end);
  const left = end - now;
  const fired = useRef<number | null>(null);
  useEffect(() => {
    if (left <= 0 && fired.current !== end) {
      fired.current = end;
      onDone?.();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [left <= 0, end]);
  return (
    <span className="countdown" data-testid={testId} data-ms-left={Math.max(0, left)} role="timer">
      {formatRemaining(left, t('seckill.days'))}
    </span>
  );
}
