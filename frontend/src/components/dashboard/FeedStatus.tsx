import type { FeedMode } from '../../utils/dashboardFeed';
import { useT, type MessageKey } from '../../i18n';
import { WINDOWS } from '../../utils/dashboard';
import { formatDateTime } from '../../utils/time';
import { useStore } from '../../store';

/** How the figures arrive (live stream, polling), when they were sampled, and the rate window. */
export function FeedStatus({ mode, sampledAtMs, windowSeconds, onWindow }: {
  mode: FeedMode;
  sampledAtMs: number | null | undefined;
  windowSeconds: number;
  onWindow: (seconds: number) => void;
}) {
  const t = useT();
  const locale = useStore((s) => s.locale);
  return (
    <div className="toolbar dash-status">
      <span className={`badge dash-mode dash-mode-${mode}`} data-testid="dash-mode" data-mode={mode}>
        {t(`dashboard.mode.${mode}` as MessageKey)}
      </span>
      {sampledAtMs ? (
        <span className="small muted" data-testid="dash-sampled-at">
          {t('dashboard.sampledAt', { time: formatDateTime(new Date(sampledAtMs).toISOString(), locale) })}
        </span>
      ) : null}
      <label className="dash-window">
        <span className="small muted">{t('dashboard.window')}</span>
        <select value={windowSeconds} onChange={(e) => onWindow(Number(e.target.value))} data-testid="dash-window">
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {t('dashboard.seconds', { n: w })}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
