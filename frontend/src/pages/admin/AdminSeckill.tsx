import { useState } from 'react';
import { Link } from 'react-router-dom';
import { seckillApi } from '../../api/seckill';
import type { SeckillActivity, SeckillInitInput } from '../../api/types';
import { Price } from '../../components/Price';
import { ProductImage } from '../../components/ProductImage';
import { SeckillStateBadge } from '../../components/SeckillCard';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n';
import { useStore } from '../../store';
import { soldPercent, stateAt } from '../../utils/seckill';
import { formatDateTime } from '../../utils/time';
import { useActivities } from '../../utils/useActivities';
import { useServerNow } from '../../utils/useServerNow';
import { SeckillForm } from './SeckillForm';

/** Admin: every flash sale (ended ones too), stock refreshing every 5 s; create, edit before the start, end early. */
export function AdminSeckill() {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const [showEnded, setShowEnded] = useState(true);
  const { list, error, reload, refreshing } = useActivities({ includeEnded: showEnded, intervalMs: 5000 });
  const [editing, setEditing] = useState<SeckillActivity | null | undefined>(undefined); // undefined = closed, null = new
  const [busyId, setBusyId] = useState<number | null>(null);
  const now = useServerNow();

  const save = async (input: SeckillInitInput) => {
    if (editing) {
      const { product_id: _ignored, ...change } = input;
      void _ignored;
      await seckillApi.update(editing.id, change);
      useStore.getState().pushToast(t('admin.saved'), 'success');
    } else {
      await seckillApi.init(input);
      useStore.getState().pushToast(t('seckillAdmin.created'), 'success');
    }
    setEditing(undefined);
    void reload();
  };

  const end = async (a: SeckillActivity) => {
    if (!window.confirm(t('seckillAdmin.endConfirm', { name: a.product_name }))) return;
    setBusyId(a.id);
    try {
      await seckillApi.end(a.id);
      useStore.getState().pushToast(t('seckillAdmin.ended'), 'success');
    } catch (e) {
      useStore.getState().pushToast((e as Error).message, 'error');
    } finally {
      setBusyId(null);
      void reload();
    }
  };

  return (
    <section data-testid="admin-seckill">
      <div className="toolbar">
        <label className="check">
          <input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.target.checked)} data-testid="seckill-show-ended" />
          {t('seckillAdmin.showEnded')}
        </label>
        <span className="small muted" aria-live="off">
          {refreshing && <span className="spinner spinner-sm" aria-hidden="true" />} {t('seckillAdmin.autoRefresh')}
        </span>
        <button type="button" className="btn btn-primary" onClick={() => setEditing(null)} data-testid="seckill-new">
          + {t('seckillAdmin.new')}
        </button>
      </div>
      {error ? (
        <ErrorState message={error.message} onRetry={reload} />
      ) : !list ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty title={t('admin.empty')} />
      ) : (
        <div className="card table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">ID</th>
                <th scope="col">{t('seckillAdmin.product')}</th>
                <th scope="col" className="num">{t('seckill.flashPrice')}</th>
                <th scope="col" className="num">{t('seckillAdmin.sold')} / {t('seckillAdmin.stock')}</th>
                <th scope="col" className="num">{t('seckillAdmin.remaining')}</th>
                <th scope="col">{t('seckillAdmin.window')}</th>
                <th scope="col" className="num">{t('seckillAdmin.limit')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => {
                const state = stateAt(a, now);
                return (
                  <tr key={a.id} data-testid="admin-seckill-row" data-activity-id={a.id} data-product-id={a.product_id} data-state={state}>
                    <td className="mono">{a.id}</td>
                    <td>
                      <span className="order-item-product">
                        <ProductImage src={a.product_image} alt={a.product_name} className="thumb" />
                        <span>{a.product_name}</span>
                      </span>
                    </td>
                    <td className="num">
                      <Price yuan={a.price} />
                      <br />
                      <del className="small muted"><Price yuan={a.original_price} className="price-muted" /></del>
                    </td>
                    <td className="num">
                      {a.sold} / {a.total_stock}
                      <div className="sk-progress sk-progress-sm" aria-hidden="true"><span style={{ width: `${soldPercent(a)}%` }} /></div>
                    </td>
                    <td className="num" data-testid="admin-seckill-remaining">{a.remaining}</td>
                    <td className="small nowrap">
                      {formatDateTime(a.start_time, locale)}
                      <br />
                      {formatDateTime(a.end_time, locale)}
                    </td>
                    <td className="num">{a.per_user_limit}</td>
                    <td><SeckillStateBadge state={state} /></td>
                    <td className="row-actions">
                      <Link
                        to={`/admin/seckill/${a.id}/dashboard`}
                        className="btn btn-ghost btn-sm"
                        data-testid="seckill-dashboard-link"
                      >
                        {t('dashboard.open')}
                      </Link>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        disabled={state !== 'upcoming' || busyId === a.id}
                        title={state !== 'upcoming' ? t('seckillAdmin.editOnlyBefore') : undefined}
                        onClick={() => setEditing(a)}
                        data-testid="seckill-edit"
                      >
                        {t('common.edit')}
                      </button>
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm btn-danger"
                        disabled={state === 'ended' || busyId === a.id}
                        onClick={() => void end(a)}
                        data-testid="seckill-end"
                      >
                        {t('seckillAdmin.endNow')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing !== undefined && <SeckillForm activity={editing} onSave={save} onClose={() => setEditing(undefined)} />}
    </section>
  );
}
