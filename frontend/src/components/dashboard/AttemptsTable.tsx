import type { OutcomeFigures } from '../../api/types';
import { useT } from '../../i18n';
import { formatCount, formatRate, sortOutcomes } from '../../utils/dashboard';

/** Purchase attempts by outcome: the total since the start and the rate over the window. */
export function AttemptsTable({ attempts }: { attempts: OutcomeFigures[] }) {
  const t = useT();
  if (attempts.length === 0) return <p className="muted" data-testid="dash-attempts-empty">{t('dashboard.noData')}</p>;
  return (
    <div className="card table-wrap">
      <table className="table" data-testid="dash-attempts">
        <thead>
          <tr>
            <th scope="col">{t('dashboard.outcome')}</th>
            <th scope="col" className="num">{t('dashboard.total')}</th>
            <th scope="col" className="num">{t('dashboard.rate')}</th>
          </tr>
        </thead>
        <tbody>
          {sortOutcomes(attempts).map((a) => (
            <tr key={a.outcome} data-testid="dash-attempt-row" data-outcome={a.outcome}>
              <td className="mono">{a.outcome}</td>
              <td className="num" data-testid={`dash-attempts-total-${a.outcome}`} data-value={a.total ?? ''}>
                {formatCount(a.total)}
              </td>
              <td className="num" data-testid={`dash-attempts-rate-${a.outcome}`} data-value={a.rate ?? ''}>
                {formatRate(a.rate)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
