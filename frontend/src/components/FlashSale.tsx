import { Link } from 'react-router-dom';
import { seckillApi } from '../api/seckill';
import { useStore } from '../store';
import { useT } from '../i18n';
import { formatDateTime } from '../utils/time';
import { useRequest } from '../utils/useRequest';
import { Price } from './Price';
import { ProductImage } from './ProductImage';

/**
 * Flash-sale section of the home page. The activity API is not there yet: while
 * GET /api/seckill/activities fails (or lists nothing) a static "coming soon" banner shows.
 */
export function FlashSale() {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const { data, error, loading } = useRequest(() => seckillApi.activities(), []);

  if (loading) return <section className="flash flash-placeholder" aria-hidden="true" />;
  if (error || !data || data.length === 0) {
    return (
      <section className="flash flash-soon" data-testid="flash-coming-soon" aria-labelledby="flash-title">
        <div className="flash-bolt" aria-hidden="true">
          <svg viewBox="0 0 24 24"><path d="M13 2L4 14h7l-1 8 9-12h-7z" fill="currentColor" /></svg>
        </div>
        <div>
          <span className="tag tag-light">{t('flash.badge')}</span>
          <h2 id="flash-title">{t('flash.soonTitle')}</h2>
          <p>{t('flash.soonText')}</p>
        </div>
      </section>
    );
  }
  return (
    <section className="flash" data-testid="flash-sale" aria-labelledby="flash-title">
      <h2 id="flash-title">{t('flash.title')}</h2>
      <div className="flash-list">
        {data.slice(0, 4).map((a) => (
          <Link key={a.id} to={`/products/${a.product_id}`} className="card flash-item">
            <ProductImage src={a.image_url} alt={a.product_name ?? a.name ?? ''} />
            <div>
              <strong>{a.product_name ?? a.name}</strong>
              {a.seckill_price !== undefined && <Price yuan={a.seckill_price} />}
              {a.start_time && <p className="small muted">{t('flash.startsAt', { time: formatDateTime(a.start_time, locale) })}</p>}
            </div>
          </Link>
        ))}
      </div>
    </section>
  );
}
