import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { dashboardApi, dashboardPaths } from '../../api/dashboard';
import { seckillApi } from '../../api/seckill';
import type { SeckillDashboard } from '../../api/types';
import { AttemptsTable } from '../../components/dashboard/AttemptsTable';
import { FeedStatus } from '../../components/dashboard/FeedStatus';
import { LineChart } from '../../components/dashboard/LineChart';
import { StatTile } from '../../components/dashboard/StatTile';
import { ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n';
import { formatCount, formatRate, formatSeconds, outcomeOf, sortOutcomes, sumFigures } from '../../utils/dashboard';
import { useLiveDashboard } from '../../utils/useLiveDashboard';
import { useRequest } from '../../utils/useRequest';

/** Admin: one flash sale, live — units left, attempts by outcome, hand-off latency, orders, queue. */
export function AdminSeckillDashboard() {
  const t = useT();
  const { id } = useParams();
  const activityId = /^[1-9]\d{0,15}$/.test(id ?? '') ? Number(id) : null;
  const [windowSeconds, setWindowSeconds] = useState(10);
  const poll = useCallback(() => dashboardApi.seckill(activityId ?? 0, windowSeconds), [activityId, windowSeconds]);
  const { data, mode, error } = useLiveDashboard<SeckillDashboard>(
    activityId ? dashboardPaths.seckill(activityId) : null,
    windowSeconds,
    poll,
  );
  const activity = useRequest(() => (activityId ? seckillApi.activity(activityId) : Promise.reject(new Error('no id'))), [activityId]);

  const back = (
    <Link to="/admin/seckill" className="small" data-testid="dash-back">
      ← {t('dashboard.back')}
    </Link>
  );
  if (!activityId) return <ErrorState message={t('dashboard.badActivity')} />;
  if (!data) return error ? <><ErrorState message={error.message} />{back}</> : <Loading />;

  const s = data.series;
  const attempts = sortOutcomes(data.attempts);
  const reserved = outcomeOf(data.attempts, 'reserved');
  return (
    <section data-testid="admin-seckill-dashboard" data-activity-id={activityId}>
      <div className="dash-head">
        {back}
        <h2 className="section-title" data-testid="dash-activity-title">
          {t('dashboard.activityTitle', { id: activityId, name: activity.data?.product_name ?? '' })}
          {activity.data && <span className="muted small"> · {t('dashboard.stockOf', { n: activity.data.total_stock })}</span>}
        </h2>
      </div>
      <FeedStatus mode={mode} sampledAtMs={data.sampled_at_ms} windowSeconds={windowSeconds} onWindow={setWindowSeconds} />
      <div className="dash-tiles">
        <StatTile label={t('dashboard.unitsLeft')} value={data.units_left} format={formatCount} testId="dash-units-left" />
        <StatTile label={t('dashboard.ordersWritten')} value={data.orders_written} format={formatCount} testId="dash-orders-written" />
        <StatTile label={t('dashboard.reserved')} value={reserved?.total ?? null} format={formatCount} testId="dash-reserved" />
        <StatTile
          label={t('dashboard.attemptsPerSecond')}
          value={sumFigures(data.attempts.map((a) => a.rate))}
          format={formatRate}
          testId="dash-attempt-rate"
        />
        <StatTile label={t('dashboard.queueDepth')} value={data.queue_depth} format={formatCount} testId="dash-queue-depth" />
        <StatTile label={t('dashboard.handoffP50')} value={data.handoff.p50_seconds} format={formatSeconds} testId="dash-handoff-p50" />
        <StatTile label={t('dashboard.handoffP99')} value={data.handoff.p99_seconds} format={formatSeconds} testId="dash-handoff-p99" />
        <StatTile label={t('dashboard.sseClients')} value={data.sse_clients} format={formatCount} testId="dash-sse-clients" />
      </div>
      <div className="dash-charts">
        <LineChart
          title={t('dashboard.unitsLeft')}
          atMs={s.at_ms}
          lines={[{ label: t('dashboard.unitsLeft'), values: s.units_left }]}
          format={formatCount}
          testId="dash-chart-units"
        />
        <LineChart
          title={t('dashboard.attemptsPerSecond')}
          atMs={s.at_ms}
          lines={attempts.map((a) => ({ label: a.outcome, values: s.attempt_rate[a.outcome] ?? [] }))}
          format={formatRate}
          testId="dash-chart-attempts"
        />
        <LineChart
          title={t('dashboard.handoff')}
          atMs={s.at_ms}
          lines={[
            { label: 'p50', values: s.handoff_p50_seconds },
            { label: 'p99', values: s.handoff_p99_seconds },
          ]}
          format={formatSeconds}
          testId="dash-chart-handoff"
        />
        <LineChart
          title={t('dashboard.ordersAndQueue')}
          atMs={s.at_ms}
          lines={[
            { label: t('dashboard.ordersRate'), values: s.orders_written_rate },
            { label: t('dashboard.queueDepth'), values: s.queue_depth },
          ]}
          format={formatCount}
          testId="dash-chart-orders"
        />
      </div>
      <h2 className="section-title">{t('dashboard.attempts')}</h2>
      <AttemptsTable attempts={data.attempts} />
    </section>
  );
}
