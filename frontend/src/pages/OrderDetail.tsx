import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { toApiError } from '../api/client';
import { ordersApi } from '../api/orders';
import { PAYMENT } from '../api/payment';
import { ORDER_STATUS } from '../api/types';
import { Countdown } from '../components/Countdown';
import { PaymentsPanel } from '../components/PaymentsPanel';
import { Price } from '../components/Price';
import { ProductImage } from '../components/ProductImage';
import { StatusBadge } from '../components/StatusBadge';
import { ErrorState, Loading } from '../components/States';
import { payTypeKey, useT } from '../i18n';
import { useStore } from '../store';
import { toCents } from '../utils/money';
import { formatDateTime } from '../utils/time';
import { useRequest } from '../utils/useRequest';
import { itemsOf } from './Orders';

export function OrderDetail() {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const { orderNo = '' } = useParams();
  const order = useRequest(() => ordersApi.get(orderNo), [orderNo]);
  const [busy, setBusy] = useState<'pay' | 'cancel' | null>(null);
  const [expired, setExpired] = useState(false);
  const directPayDisabled = useStore((s) => s.directPayDisabled);

  if (order.error && !order.data) {
    return order.error.status === 404 ? (
      <ErrorState message={t('order.notFound')} />
    ) : (
      <ErrorState message={order.error.message} onRetry={order.reload} />
    );
  }
  const o = order.data;
  if (!o) return <Loading />;

  const act = async (kind: 'pay' | 'cancel') => {
    if (kind === 'cancel' && !window.confirm(t('order.cancelConfirm'))) return;
    setBusy(kind);
    try {
      const updated = kind === 'pay' ? await ordersApi.pay(o.order_no) : await ordersApi.cancel(o.order_no);
      order.setData(updated);
      useStore.getState().pushToast(t(kind === 'pay' ? 'order.paid' : 'order.cancelled'), 'success');
    } catch (e) {
      // 403 30005: the server has no demo payment (production); WeChat Pay stays.
      if (kind === 'pay' && toApiError(e).code === PAYMENT.directPayDisabled) useStore.getState().setDirectPayDisabled(true);
      order.reload();
    } finally {
      setBusy(null);
    }
  };

  const awaiting = o.status === ORDER_STATUS.awaitingPayment;
  const items = itemsOf(o);
  return (
    <div className="order-detail" data-testid="page-order-detail" data-order-no={o.order_no}>
      <nav className="crumbs small">
        <Link to="/orders">← {t('orders.title')}</Link>
      </nav>
      <div className="card panel order-summary">
        <div className="order-summary-head">
          <div>
            <h1 className="page-title">{t('order.title')}</h1>
            <p className="small muted">
              {t('orders.orderNo')} <span className="mono" data-testid="order-no">{o.order_no}</span>
            </p>
          </div>
          <StatusBadge status={o.status} />
        </div>
        {awaiting && o.expires_at && (
          <p className={`notice ${expired ? 'notice-warn' : ''}`} data-testid="order-expiry">
            {expired ? (
              t('order.expired')
            ) : (
              <>
                {t('order.timeLeft')}{' '}
                <Countdown
                  until={o.expires_at}
                  onDone={() => {
                    setExpired(true);
                    window.setTimeout(order.reload, 3000);
                  }}
                />
              </>
            )}
          </p>
        )}
        <dl className="info-list info-inline">
          <dt>{t('orders.createdAt')}</dt>
          <dd>{formatDateTime(o.created_at, locale)}</dd>
          <dt>{t('order.payType')}</dt>
          <dd>{t(payTypeKey(o.pay_type))}</dd>
          {o.paid_at && (
            <>
              <dt>{t('order.paidAt')}</dt>
              <dd>{formatDateTime(o.paid_at, locale)}</dd>
            </>
          )}
        </dl>
      </div>

      <div className="card panel">
        <table className="table order-items">
          <thead>
            <tr>
              <th scope="col">{t('order.product')}</th>
              <th scope="col" className="num">{t('order.price')}</th>
              <th scope="col" className="num">{t('order.quantity')}</th>
              <th scope="col" className="num">{t('order.subtotal')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => {
              const unitCents = o.items?.length ? toCents(i.price) : Math.round(toCents(o.total_price) / Math.max(1, o.quantity));
              return (
                <tr key={i.product_id} data-testid="order-item">
                  <td>
                    <Link to={`/products/${i.product_id}`} className="order-item-product">
                      <ProductImage src={i.product_image} alt={i.product_name} className="thumb" />
                      <span>{i.product_name}</span>
                    </Link>
                  </td>
                  <td className="num"><Price cents={unitCents} /></td>
                  <td className="num">× {i.quantity}</td>
                  <td className="num"><Price cents={unitCents * i.quantity} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="order-total">
          <span>{t('orders.total')}</span>
          <Price yuan={o.total_price} className="price-lg" />
          <span className="sr-only" data-testid="order-total">{o.total_price}</span>
        </div>
        {awaiting && (
          <div className="order-actions">
            <button type="button" className="btn btn-outline" disabled={busy !== null} onClick={() => act('cancel')} data-testid="order-cancel">
              {busy === 'cancel' ? t('common.submitting') : t('order.cancel')}
            </button>
            {!directPayDisabled && (
              <button type="button" className="btn btn-outline btn-lg" disabled={busy !== null || expired} onClick={() => act('pay')} data-testid="order-pay">
                {busy === 'pay' ? t('common.submitting') : t('order.pay')}
              </button>
            )}
            {expired ? (
              <button type="button" className="btn btn-primary btn-lg btn-wechat" disabled data-testid="pay-wechat">
                {t('pay.wechat')}
              </button>
            ) : (
              <Link to={`/orders/${encodeURIComponent(o.order_no)}/pay`} className="btn btn-primary btn-lg btn-wechat" data-testid="pay-wechat">
                {t('pay.wechat')}
              </Link>
            )}
          </div>
        )}
      </div>

      <PaymentsPanel orderNo={o.order_no} orderStatus={o.status} onChanged={order.reload} />
    </div>
  );
}
