import { useCallback } from 'react';
import { SECKILL } from '../api/seckill';
import { SeckillCard } from '../components/SeckillCard';
import { Empty, ErrorState, Loading } from '../components/States';
import { useT } from '../i18n';
import { useActivities } from '../utils/useActivities';

/** /seckill — every upcoming, running and sold-out flash sale; the list refreshes every 5 s. */
export function Seckill() {
  const t = useT();
  const { list, error, reload, patch } = useActivities({ intervalMs: 5000 });

  const rejected = useCallback(
    (id: number) => (code: number) => {
      if (code === SECKILL.soldOut) patch(id, { state: 'sold_out', remaining: 0 });
      if (code === SECKILL.ended) patch(id, { state: 'ended' });
      if (code === SECKILL.soldOut || code === SECKILL.ended || code === SECKILL.notStarted) void reload();
    },
    [patch, reload],
  );

  return (
    <div className="seckill-page" data-testid="page-seckill">
      <header className="sk-hero">
        <div className="flash-bolt" aria-hidden="true">
          <svg viewBox="0 0 24 24"><path d="M13 2L4 14h7l-1 8 9-12h-7z" fill="currentColor" /></svg>
        </div>
        <div>
          <h1>{t('seckill.title')}</h1>
          <p>{t('seckill.subtitle')}</p>
        </div>
      </header>
      {error ? (
        <ErrorState message={error.status === 404 ? t('seckill.loadError') : error.message} onRetry={reload} />
      ) : !list ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty title={t('seckill.empty')} hint={t('seckill.emptyHint')} />
      ) : (
        <>
          <div className="sk-grid" data-testid="seckill-list">
            {list.map((a) => (
              <SeckillCard key={a.id} activity={a} onChanged={reload} onRejected={rejected(a.id)} />
            ))}
          </div>
          <p className="small muted sk-foot">{t('seckill.refreshing')}</p>
        </>
      )}
    </div>
  );
}
