import { Link } from 'react-router-dom';
import { useT } from '../i18n';
import { formatCents, toCents } from '../utils/money';
import { featured, nextBoundary, timeOf } from '../utils/seckill';
import { serverNow } from '../utils/serverClock';
import { useActivities } from '../utils/useActivities';
import { useServerNow } from '../utils/useServerNow';
import { Countdown } from './Countdown';
import { ProductImage } from './ProductImage';

function Bolt() {
  return (
    <div className="flash-bolt" aria-hidden="true">
      <svg viewBox="0 0 24 24"><path d="M13 2L4 14h7l-1 8 9-12h-7z" fill="currentColor" /></svg>
    </div>
  );
}

/**
 * Home-page flash-sale banner: the running sale (countdown to its end) or the next one
 * (countdown to its start), linking to /seckill. A static "coming soon" banner when there is none.
 */
export function FlashSale() {
  const t = useT();
  const { list, error, reload } = useActivities({ intervalMs: 30_000 });
  const probe = list ? featured(list, serverNow()) : null;
  const now = useServerNow(probe ? nextBoundary(probe, serverNow()) : null);
  const a = list ? featured(list, now) : null;

  if (!list && !error) return <section className="flash flash-placeholder" aria-hidden="true" />;
  if (!a) {
    return (
      <section className="flash flash-soon" data-testid="flash-coming-soon" aria-labelledby="flash-title">
        <Bolt />
        <div>
          <span className="tag tag-light">{t('flash.badge')}</span>
          <h2 id="flash-title">{t('flash.soonTitle')}</h2>
          <p>{t('flash.soonText')}</p>
        </div>
      </section>
    );
  }
  const running = now >= timeOf(a.start_time);
  const others = (list?.length ?? 1) - 1;
  return (
    <section className="flash flash-banner" data-testid="flash-banner" data-activity-id={a.id} data-running={running} aria-labelledby="flash-title">
      <Link to="/seckill" className="flash-banner-link" data-testid="flash-banner-link">
        <Bolt />
        <div className="flash-banner-main">
          <span className="tag tag-light">{running ? t('seckill.banner.active') : t('seckill.banner.upcoming')}</span>
          <h2 id="flash-title">{a.product_name}</h2>
          <p className="flash-banner-prices">
            <strong>{formatCents(toCents(a.price))}</strong> <del>{formatCents(toCents(a.original_price))}</del>
            {others > 0 && <span className="flash-banner-more">{t('seckill.banner.more', { n: others + 1 })}</span>}
          </p>
        </div>
        <div className="flash-banner-timer">
          <span className="small">{running ? t('seckill.endsIn') : t('seckill.startsIn')}</span>
          <Countdown until={running ? a.end_time : a.start_time} testId="flash-countdown" onDone={reload} />
          <span className="btn btn-light btn-sm">{t('seckill.banner.cta')} →</span>
        </div>
        <ProductImage src={a.product_image} alt="" className="flash-banner-img" />
      </Link>
    </section>
  );
}
