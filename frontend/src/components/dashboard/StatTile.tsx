import type { Figure } from '../../api/types';
import { useT } from '../../i18n';
import { NO_DATA } from '../../utils/dashboard';

/**
 * One figure with its label. `data-value` carries the raw number ("" for no data) so tests and
 * tools read the figure, not its formatting.
 */
export function StatTile({ label, value, format, testId, hint }: {
  label: string;
  value: Figure | undefined;
  format: (v: Figure) => string;
  testId: string;
  hint?: string;
}) {
  const t = useT();
  const missing = value === null || value === undefined;
  return (
    <div className="dash-tile card">
      <span className="dash-tile-label muted">{label}</span>
      <strong
        className={`dash-tile-value${missing ? ' is-missing' : ''}`}
        data-testid={testId}
        data-value={missing ? '' : String(value)}
        title={missing ? t('dashboard.noData') : undefined}
      >
        {missing ? NO_DATA : format(value)}
      </strong>
      {hint && <span className="dash-tile-hint small muted">{hint}</span>}
    </div>
  );
}
