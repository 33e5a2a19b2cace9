import { Link, useParams } from 'react-router-dom';
import { PAYMENT } from '../api/payment';
import { Countdown } from '../components/Countdown';
import { Price } from '../components/Price';
import { QrCode } from '../components/QrCode';
import { Loading } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { usePayment } from '../components/usePayment';
import { tradeStateKey, useT } from '../i18n';
import { ORDER_STATUS } from '../api/types';

/** /orders/:orderNo/pay — WeChat Pay (Native): a QR code to scan, its live state, and the ending. */
export function OrderPay() {
  const t = useT();
  const { orderNo = '' } = useParams();
  const pay = usePayment(orderNo);
  const orderLink = `/orders/${encodeURIComponent(orderNo)}`;
  const back = (
    <Link to={orderLink} className="btn btn-outline" data-testid="pay-back">
      {t('pay.backToOrder')}
    </Link>
  );
  const fee = pay.payment?.total_fee ?? pay.status?.total_fee;
  const scanUrl = pay.payment?.scan_url || pay.status?.scan_url || '';

  let body;
  if (pay.phase === 'starting') {
    body = <Loading label={t('pay.starting')} />;
  } else if (pay.phase === 'paid' || pay.phase === 'refunded') {
    const paid = pay.phase === 'paid';
    body = (
      <div className="pay-ending pay-ending-ok" role="status" data-testid={paid ? 'pay-paid' : 'pay-refunded'}>
        <svg className="pay-ending-icon" viewBox="0 0 48 48" aria-hidden="true">
          <circle cx="24" cy="24" r="22" fill="currentColor" />
          <path d="M14 25l7 7 13-15" fill="none" stroke="#fff" strokeWidth="4" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <p className="state-title">{t(paid ? 'pay.paid' : 'pay.refunded')}</p>
        {fee !== undefined && <Price cents={fee} className="price-lg" />}
        <Link to={orderLink} className="btn btn-primary" data-testid="pay-order-link">
          {t('pay.viewOrder')}
        </Link>
      </div>
    );
  } else if (pay.phase === 'expired') {
    const awaiting = pay.orderStatus === ORDER_STATUS.awaitingPayment;
    body = (
      <div className="pay-ending" role="status" data-testid="pay-expired">
        <p className="state-title">{t(awaiting ? 'pay.expired' : 'pay.closed')}</p>
        <p className="muted">{t(awaiting ? 'pay.expiredHint' : 'pay.closedHint')}</p>
        <div className="pay-ending-actions">
          {awaiting && !pay.timeUp && (
            <button type="button" className="btn btn-primary" onClick={pay.restart} data-testid="pay-restart">
              {t('pay.newCode')}
            </button>
          )}
          {back}
        </div>
      </div>
    );
  } else if (pay.phase === 'error') {
    const conflict = pay.error?.code === PAYMENT.orderStatusConflict && pay.orderStatus !== undefined;
    const notFound = pay.error?.code === PAYMENT.orderNotFound || pay.error?.status === 404;
    body = (
      <div className="pay-ending" role="alert" data-testid="pay-error" data-code={pay.error?.code}>
        {conflict ? (
          <>
            <p className="state-title">{t('pay.notAwaiting')}</p>
            <p>
              {t('pay.orderIs')} <StatusBadge status={pay.orderStatus!} />
            </p>
          </>
        ) : (
          <>
            <p className="state-title">{notFound ? t('order.notFound') : t('pay.failed')}</p>
            {!notFound && pay.error && (
              <p className="muted" data-testid="pay-error-message">
                {pay.error.message}
              </p>
            )}
          </>
        )}
        <div className="pay-ending-actions">
          {!conflict && !notFound && (
            <button type="button" className="btn btn-primary" onClick={pay.restart} data-testid="pay-retry">
              {t('common.retry')}
            </button>
          )}
          {notFound ? (
            <Link to="/orders" className="btn btn-outline" data-testid="pay-back">
              {t('orders.title')}
            </Link>
          ) : (
            back
          )}
        </div>
      </div>
    );
  } else {
    const p = pay.payment!;
    body = (
      <div className="pay-grid">
        <figure className="pay-qr">
          <QrCode value={p.code_url} label={t('pay.qrLabel')} testId="pay-qr" />
          <figcaption className="small muted">{t('pay.scanHint')}</figcaption>
        </figure>
        <div className="pay-info">
          <p className="pay-amount-line">
            <span className="muted">{t('pay.amount')}</span>
            <span data-testid="pay-amount" data-fee={p.total_fee}>
              <Price cents={p.total_fee} className="price-lg" />
            </span>
          </p>
          <p className="pay-countdown-line">
            <span className="muted">{t('pay.timeLeft')}</span>{' '}
            <Countdown until={p.expires_at} onDone={pay.expire} testId="pay-countdown" />
          </p>
          <p className="notice notice-info pay-status" role="status" aria-live="polite" data-testid="pay-status" data-trade-state={pay.tradeState || 'NOTPAY'}>
            <span className="spinner spinner-sm" aria-hidden="true" /> {t(tradeStateKey(pay.tradeState))}
          </p>
          <div className="pay-actions">
            <button type="button" className="btn btn-primary" disabled={pay.checking} onClick={pay.check} data-testid="pay-check">
              {pay.checking ? t('pay.checking') : t('pay.check')}
            </button>
            {back}
          </div>
          {scanUrl && (
            <p className="pay-emulator small">
              <span className="tag tag-muted">{t('pay.devOnly')}</span>{' '}
              <a href={scanUrl} target="_blank" rel="noopener" data-testid="emulator-scan-link">
                {t('pay.emulatorLink')}
              </a>
            </p>
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="pay-page" data-testid="page-pay" data-phase={pay.phase} data-order-no={orderNo}>
      <nav className="crumbs small">
        <Link to={orderLink}>← {t('order.title')}</Link>
      </nav>
      <div className="card panel">
        <div className="pay-head">
          <svg className="pay-logo" viewBox="0 0 24 24" aria-hidden="true">
            <rect width="24" height="24" rx="6" fill="currentColor" />
            <path d="M10 5.5c-3.3 0-6 2.2-6 5 0 1.6.9 3 2.3 3.9L5.8 16l2.2-1.1c.6.2 1.3.3 2 .3h.3a4.6 4.6 0 0 1-.1-1c0-2.8 2.6-5 5.9-5h.3C15.8 7 13.2 5.5 10 5.5z" fill="#fff" />
            <path d="M16.1 10.2c-2.7 0-4.9 1.8-4.9 4s2.2 4 4.9 4c.5 0 1-.1 1.5-.2l1.8.9-.4-1.5c1.2-.7 2-1.9 2-3.2 0-2.2-2.2-4-4.9-4z" fill="#fff" />
          </svg>
          <div>
            <h1 className="page-title">{t('pay.title')}</h1>
            <p className="small muted">
              {t('orders.orderNo')} <span className="mono">{orderNo}</span>
            </p>
          </div>
        </div>
        {body}
      </div>
    </div>
  );
}
