import type { RouteFigures } from '../../api/types';
import { useT } from '../../i18n';
import { formatCount, formatRate, formatSeconds } from '../../utils/dashboard';

/** Request rate, 5xx rate and p99 by route template, busiest first (as the server sorts them). */
export function RouteTable({ routes }: { routes: RouteFigures[] }) {
  const t = useT();
  if (routes.length === 0) return <p className="muted" data-testid="dash-routes-empty">{t('dashboard.noData')}</p>;
  return (
    <div className="card table-wrap">
      <table className="table" data-testid="dash-routes">
        <thead>
          <tr>
            <th scope="col">{t('dashboard.method')}</th>
            <th scope="col">{t('dashboard.route')}</th>
            <th scope="col" className="num">{t('dashboard.requestRate')}</th>
            <th scope="col" className="num">{t('dashboard.errorRate')}</th>
            <th scope="col" className="num">{t('dashboard.p99')}</th>
            <th scope="col" className="num">{t('dashboard.requests')}</th>
          </tr>
        </thead>
        <tbody>
          {routes.map((r) => (
            <tr key={`${r.method} ${r.route}`} data-testid="dash-route-row" data-route={r.route} data-method={r.method}>
              <td className="mono">{r.method}</td>
              <td className="mono">{r.route}</td>
              <td className="num" data-testid="dash-route-rate" data-value={r.request_rate ?? ''}>{formatRate(r.request_rate)}</td>
              <td className={`num${r.error_rate ? ' dash-bad' : ''}`}>{formatRate(r.error_rate)}</td>
              <td className="num">{formatSeconds(r.p99_seconds)}</td>
              <td className="num" data-testid="dash-route-requests" data-value={r.requests ?? ''}>{formatCount(r.requests)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
