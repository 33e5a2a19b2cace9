import { Link, useSearchParams } from 'react-router-dom';
import { ordersApi } from '../api/orders';
import { ORDER_STATUS, type Order } from '../api/types';
import { Pagination } from '../components/Pagination';
import { Price } from '../components/Price';
import { ProductImage } from '../components/ProductImage';
import { StatusBadge } from '../components/StatusBadge';
import { Empty, ErrorState, Loading } from '../components/States';
import { statusKey, useT } from '../i18n';
import { useStore } from '../store';
import { formatDateTime } from '../utils/time';
import { useRequest } from '../utils/useRequest';

export const STATUS_FILTERS = [
  undefined,
  ORDER_STATUS.awaitingPayment,
  ORDER_STATUS.paid,
  ORDER_STATUS.shipped,
  ORDER_STATUS.completed,
  ORDER_STATUS.cancelled,
  ORDER_STATUS.refunded,
];

export function itemsOf(order: Order) {
  if (order.items && order.items.length > 0) return order.items;
  return [{ product_id: order.product_id, product_name: order.product_name, product_image: order.product_image, quantity: order.quantity, price: order.total_price }];
}

export function StatusTabs({ value, onChange }: { value: number | undefined; onChange: (s: number | undefined) => void }) {
  const t = useT();
  return (
    <div className="tabs" role="tablist" aria-label={t('orders.filter')} data-testid="status-filter">
      {STATUS_FILTERS.map((s) => (
        <button
          key={s ?? 'all'}
          type="button"
          role="tab"
          aria-selected={value === s}
          className={`tab ${value === s ? 'is-active' : ''}`}
          onClick={() => onChange(s)}
          data-testid={`status-tab-${s ?? 'all'}`}
        >
          {s === undefined ? t('common.all') : t(statusKey(s))}
        </button>
      ))}
    </div>
  );
}

export function Orders() {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status = statusParam !== null && statusParam !== '' ? Number(statusParam) : undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const orders = useRequest(() => ordersApi.list({ page, page_size: 10, status }), [page, status]);

  const go = (next: { status?: number; page?: number }) => {
    const p = new URLSearchParams();
    if (next.status !== undefined) p.set('status', String(next.status));
    if (next.page && next.page > 1) p.set('page', String(next.page));
    setParams(p);
  };

  const data = orders.data;
  return (
    <div data-testid="page-orders">
      <h1 className="page-title">{t('orders.title')}</h1>
      <StatusTabs value={status} onChange={(s) => go({ status: s })} />
      {orders.error ? (
        <ErrorState message={orders.error.message} onRetry={orders.reload} />
      ) : !data ? (
        <Loading />
      ) : data.list.length === 0 ? (
        <Empty title={t('orders.empty')} />
      ) : (
        <ul className={`order-list ${orders.loading ? 'is-stale' : ''}`}>
          {data.list.map((o) => {
            const items = itemsOf(o);
            const count = items.reduce((n, i) => n + i.quantity, 0);
            return (
              <li key={o.order_no} className="card order-card" data-testid="order-row" data-order-no={o.order_no}>
                <div className="order-card-head">
                  <span className="small muted">
                    {t('orders.orderNo')} <span className="mono">{o.order_no}</span> · {formatDateTime(o.created_at, locale)}
                  </span>
                  <StatusBadge status={o.status} />
                </div>
                <Link to={`/orders/${o.order_no}`} className="order-card-body">
                  <div className="order-thumbs">
                    {items.slice(0, 4).map((i) => (
                      <ProductImage key={i.product_id} src={i.product_image} alt={i.product_name} className="thumb" />
                    ))}
                  </div>
                  <div className="order-card-name">{items.map((i) => i.product_name).join('、')}</div>
                  <div className="order-card-total">
                    <span className="small muted">{t('orders.items', { n: count })}</span>
                    <Price yuan={o.total_price} />
                  </div>
                </Link>
                {o.status === ORDER_STATUS.awaitingPayment && (
                  <div className="order-card-foot">
                    <Link to={`/orders/${encodeURIComponent(o.order_no)}/pay`} className="btn btn-primary btn-sm btn-wechat" data-testid="pay-wechat">
                      {t('pay.wechat')}
                    </Link>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {data && <Pagination page={data.page} totalPage={data.total_page} total={data.total} onChange={(p) => go({ status, page: p })} />}
    </div>
  );
}
