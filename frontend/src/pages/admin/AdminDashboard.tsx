import { useCallback, useState } from 'react';
import { dashboardApi, dashboardPaths } from '../../api/dashboard';
import type { ShopDashboard } from '../../api/types';
import { FeedStatus } from '../../components/dashboard/FeedStatus';
import { LineChart } from '../../components/dashboard/LineChart';
import { RouteTable } from '../../components/dashboard/RouteTable';
import { StatTile } from '../../components/dashboard/StatTile';
import { ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n';
import { formatCount, formatRate, formatRatio, formatSeconds } from '../../utils/dashboard';
import { useLiveDashboard } from '../../utils/useLiveDashboard';

/** Admin: the whole shop, live — request rate, error rate and p99 overall and by route. */
export function AdminDashboard() {
  const t = useT();
  const [windowSeconds, setWindowSeconds] = useState(10);
  const poll = useCallback(() => dashboardApi.shop(windowSeconds), [windowSeconds]);
  const { data, mode, error } = useLiveDashboard<ShopDashboard>(dashboardPaths.shop, windowSeconds, poll);

  if (!data) return error ? <ErrorState message={error.message} /> : <Loading />;
  const s = data.series;
  return (
    <section data-testid="admin-dashboard">
      <FeedStatus mode={mode} sampledAtMs={data.sampled_at_ms} windowSeconds={windowSeconds} onWindow={setWindowSeconds} />
      <div className="dash-tiles">
        <StatTile label={t('dashboard.requestRate')} value={data.request_rate} format={formatRate} testId="dash-request-rate" />
        <StatTile label={t('dashboard.errorRate')} value={data.error_rate} format={formatRate} testId="dash-error-rate" />
        <StatTile label={t('dashboard.errorRatio')} value={data.error_ratio} format={formatRatio} testId="dash-error-ratio" />
        <StatTile label={t('dashboard.p50')} value={data.p50_seconds} format={formatSeconds} testId="dash-p50" />
        <StatTile label={t('dashboard.p99')} value={data.p99_seconds} format={formatSeconds} testId="dash-p99" />
        <StatTile label={t('dashboard.inFlight')} value={data.in_flight} format={formatCount} testId="dash-in-flight" />
        <StatTile label={t('dashboard.connections')} value={data.connections_open} format={formatCount} testId="dash-connections" />
      </div>
      <div className="dash-charts">
        <LineChart
          title={t('dashboard.requestRate')}
          atMs={s.at_ms}
          lines={[
            { label: t('dashboard.requests'), values: s.request_rate },
            { label: t('dashboard.errors5xx'), values: s.error_rate },
          ]}
          format={formatRate}
          testId="dash-chart-requests"
        />
        <LineChart
          title={t('dashboard.p99')}
          atMs={s.at_ms}
          lines={[{ label: 'p99', values: s.p99_seconds }]}
          format={formatSeconds}
          testId="dash-chart-p99"
        />
      </div>
      <h2 className="section-title">{t('dashboard.byRoute')}</h2>
      <RouteTable routes={data.routes} />
    </section>
  );
}
