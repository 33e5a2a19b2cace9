import { useState } from 'react';
import { adminApi } from '../../api/admin';
import { Pagination } from '../../components/Pagination';
import { Price } from '../../components/Price';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorState, Loading } from '../../components/States';
import { payTypeKey, useT } from '../../i18n';
import { useStore } from '../../store';
import { formatDateTime } from '../../utils/time';
import { useRequest } from '../../utils/useRequest';
import { itemsOf, StatusTabs } from '../Orders';

export function AdminOrders() {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<number | undefined>(undefined);
  const list = useRequest(() => adminApi.orders({ page, page_size: 20, status }), [page, status]);
  const data = list.data;
  return (
    <section data-testid="admin-orders">
      <StatusTabs value={status} onChange={(s) => { setStatus(s); setPage(1); }} />
      {list.error ? (
        <ErrorState message={list.error.message} onRetry={list.reload} />
      ) : !data ? (
        <Loading />
      ) : data.list.length === 0 ? (
        <Empty title={t('admin.empty')} />
      ) : (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('orders.orderNo')}</th>
                <th scope="col">{t('admin.user')}</th>
                <th scope="col">{t('order.product')}</th>
                <th scope="col" className="num">{t('orders.total')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('order.payType')}</th>
                <th scope="col">{t('orders.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {data.list.map((o) => (
                <tr key={o.order_no} data-testid="admin-order-row">
                  <td className="mono">{o.order_no}</td>
                  <td className="mono">{o.user_id}</td>
                  <td>{itemsOf(o).map((i) => `${i.product_name} ×${i.quantity}`).join('、')}</td>
                  <td className="num"><Price yuan={o.total_price} /></td>
                  <td><StatusBadge status={o.status} /></td>
                  <td>{t(payTypeKey(o.pay_type))}</td>
                  <td className="nowrap">{formatDateTime(o.created_at, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pagination page={data.page} totalPage={data.total_page} total={data.total} onChange={setPage} />}
    </section>
  );
}
