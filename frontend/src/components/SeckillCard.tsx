import { Link, useNavigate } from 'react-router-dom';
import type { SeckillActivity, SeckillState } from '../api/types';
import { useT, type MessageKey } from '../i18n';
import { selectSignedIn, useStore } from '../store';
import { formatCents, toCents } from '../utils/money';
import { nextBoundary, soldPercent, stateAt } from '../utils/seckill';
import { serverNow } from '../utils/serverClock';
import { formatDateTime } from '../utils/time';
import { useServerNow } from '../utils/useServerNow';
import { Countdown } from './Countdown';
import { Price } from './Price';
import { ProductImage } from './ProductImage';
import { useSeckillPurchase } from './useSeckillPurchase';

export function SeckillStateBadge({ state }: { state: SeckillState }) {
  const t = useT();
  return (
    <span className={`badge sk-badge sk-badge-${state}`} data-testid="seckill-state" data-state={state}>
      {t(`seckill.state.${state}` as MessageKey)}
    </span>
  );
}

const errorKey = (code: number): MessageKey | null => {
  const key = `seckill.err.${code}`;
  return /^6000[1-8]$/.test(String(code)) ? (key as MessageKey) : null;
};

/** One flash-sale activity with its buy button. onChanged asks the page to refresh the list. */
export function SeckillCard({ activity: a, onChanged, onRejected }: {
  activity: SeckillActivity;
  onChanged?: () => void;
  onRejected?: (code: number) => void;
}) {
  const t = useT();
  const navigate = useNavigate();
  const locale = useStore((s) => s.locale);
  const signedIn = useStore(selectSignedIn);
  // Re-render exactly at the next start/end so the button enables itself without a reload.
  const now = useServerNow(nextBoundary(a, serverNow()));
  const state = stateAt(a, now);
  const p = useSeckillPurchase(a, { signedIn, onRejected });

  const inFlight = p.phase === 'submitting' || p.phase === 'queued';
  const limitReached = p.bought >= a.per_user_limit;
  const canBuy = state === 'active' && !inFlight && !limitReached;

  let label: string;
  if (p.phase === 'submitting') label = t('seckill.btnSubmitting');
  else if (p.phase === 'queued') label = t('seckill.btnQueued');
  else if (limitReached && p.bought > 0) label = t('seckill.btnBought');
  else if (state === 'upcoming') label = t('seckill.btnUpcoming');
  else if (state === 'sold_out') label = t('seckill.btnSoldOut');
  else if (state === 'ended') label = t('seckill.btnEnded');
  else label = signedIn ? t('seckill.buy') : t('seckill.buyLogin');

  const click = () => {
    if (!canBuy) return;
    if (!signedIn) {
      navigate(`/login?redirect=${encodeURIComponent('/seckill')}`);
      return;
    }
    void p.buy();
  };

  const saveCents = toCents(a.original_price) - toCents(a.price);
  const pct = soldPercent(a);
  const code = p.error?.code ?? 0;
  const errKey = p.phase === 'error' ? errorKey(code) : null;

  return (
    <article className={`card sk-card sk-${state}`} data-testid="seckill-card" data-activity-id={a.id} data-product-id={a.product_id} data-state={state}>
      <div className="sk-media">
        <ProductImage src={a.product_image} alt={a.product_name} />
        <SeckillStateBadge state={state} />
      </div>
      <div className="sk-body">
        <h3 className="sk-name" data-testid="seckill-name">{a.product_name}</h3>
        <div className="sk-prices">
          <span className="sk-flash">
            <span className="sr-only">{t('seckill.flashPrice')}</span>
            <Price yuan={a.price} className="price-lg" />
          </span>
          <del className="muted" data-testid="seckill-original-price">
            <span className="sr-only">{t('seckill.originalPrice')}</span>
            {formatCents(toCents(a.original_price))}
          </del>
          {saveCents > 0 && <span className="tag">{t('seckill.save', { amount: formatCents(saveCents) })}</span>}
        </div>
        <div
          className="sk-progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-label={t('seckill.soldPercent', { n: pct })}
        >
          <span style={{ width: `${pct}%` }} />
        </div>
        <p className="sk-meta small">
          <span data-testid="seckill-remaining" data-remaining={a.remaining}>
            {t('seckill.remaining', { remaining: Math.max(0, a.remaining), total: a.total_stock })}
          </span>
          <span className="muted">{t('seckill.limit', { n: a.per_user_limit })}</span>
        </p>
        <p className="sk-timer" data-testid="seckill-timer">
          {state === 'upcoming' ? (
            <>
              <span>{t('seckill.startsIn')}</span>
              <Countdown until={a.start_time} testId="seckill-countdown" onDone={onChanged} />
              <span className="muted small">{t('seckill.startsAt', { time: formatDateTime(a.start_time, locale) })}</span>
            </>
          ) : state === 'ended' ? (
            <span className="muted">{t('seckill.endedAt', { time: formatDateTime(a.end_time, locale) })}</span>
          ) : (
            <>
              <span>{t('seckill.endsIn')}</span>
              <Countdown until={a.end_time} testId="seckill-countdown" onDone={onChanged} />
            </>
          )}
        </p>
        <button
          type="button"
          className="btn btn-primary btn-lg btn-block sk-buy"
          disabled={!canBuy}
          aria-busy={inFlight || undefined}
          onClick={click}
          data-testid="seckill-buy"
        >
          {inFlight && <span className="spinner spinner-light" aria-hidden="true" />}
          {label}
        </button>
        <div className="sk-status" aria-live="polite" data-testid="seckill-status" data-phase={p.phase} data-code={code || undefined} data-history={p.history.join(',')}>
          {p.phase === 'queued' && (
            <p className="notice notice-info">
              <span className="spinner" aria-hidden="true" /> {t('seckill.queued')}
            </p>
          )}
          {p.phase === 'success' && (
            <p className="notice notice-ok">
              {t('seckill.success')}{' '}
              {p.orderNo && (
                <Link to={`/orders/${encodeURIComponent(p.orderNo)}`} className="btn btn-primary btn-sm" data-testid="seckill-order-link">
                  {t('seckill.toPay')} →
                </Link>
              )}
            </p>
          )}
          {p.phase === 'failed' && (
            <p className="notice notice-warn">{p.reason ? t('seckill.failedReason', { reason: p.reason }) : t('seckill.failed')}</p>
          )}
          {p.phase === 'error' && p.error && (
            <p className="notice notice-warn" role="alert" data-testid="seckill-error">
              <strong>{errKey ? t(errKey, { n: a.per_user_limit }) : p.error.message}</strong>
              {errKey && p.error.message && <span className="sk-server-msg small">{t('seckill.serverSays', { message: p.error.message })}</span>}
            </p>
          )}
        </div>
      </div>
    </article>
  );
}
