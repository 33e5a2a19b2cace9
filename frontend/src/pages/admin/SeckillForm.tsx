import { useEffect, useState, type FormEvent } from 'react';
import { adminApi } from '../../api/admin';
import { toApiError } from '../../api/client';
import type { Product, SeckillActivity, SeckillInitInput } from '../../api/types';
import { Field } from '../../components/Field';
import { useT, type MessageKey } from '../../i18n';
import { useStore } from '../../store';
import { formatYuan, isValidPrice } from '../../utils/money';
import { localInputToIso, timeOf, toLocalInput } from '../../utils/seckill';
import { serverNow } from '../../utils/serverClock';
import { formatDateTime } from '../../utils/time';
import { useServerNow } from '../../utils/useServerNow';

interface Props {
  activity: SeckillActivity | null; // null = new
  onSave: (input: SeckillInitInput) => Promise<void>;
  onClose: () => void;
}

type Key = 'product_id' | 'price' | 'stock' | 'start_time' | 'end_time' | 'per_user_limit';

/** Create (POST /seckill/init) or edit before the start (PUT /seckill/activities/:id). */
export function SeckillForm({ activity, onSave, onClose }: Props) {
  const t = useT();
  const locale = useStore((s) => s.locale);
  const now = useServerNow();
  const [keyword, setKeyword] = useState('');
  const [products, setProducts] = useState<Product[] | null>(null);
  const [productsError, setProductsError] = useState('');
  const [form, setForm] = useState(() => {
    // A new sale defaults to the next whole minute + 5 on the server clock, for an hour.
    const start = activity ? timeOf(activity.start_time) : Math.ceil((serverNow() + 5 * 60_000) / 60_000) * 60_000;
    const end = activity ? timeOf(activity.end_time) : start + 3_600_000;
    return {
      product_id: activity ? String(activity.product_id) : '',
      price: activity ? activity.price.toFixed(2) : '',
      stock: activity ? String(activity.total_stock) : '10',
      start_time: toLocalInput(start),
      end_time: toLocalInput(end),
      per_user_limit: activity ? String(activity.per_user_limit) : '1',
    };
  });
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (activity) return;
    let live = true;
    const id = window.setTimeout(() => {
      adminApi.products({ page: 1, page_size: 100, keyword: keyword.trim() || undefined }).then(
        (p) => live && (setProducts(p.list), setProductsError('')),
        (e: unknown) => live && setProductsError(toApiError(e).message),
      );
    }, keyword ? 250 : 0);
    return () => {
      live = false;
      window.clearTimeout(id);
    };
  }, [keyword, activity]);

  const picked = products?.find((p) => String(p.id) === form.product_id);
  const set = (k: Key, v: string) => setForm((f) => ({ ...f, [k]: v }));

  const validate = () => {
    const e: Partial<Record<Key, MessageKey>> = {};
    if (!/^\d+$/.test(form.product_id) || Number(form.product_id) < 1) e.product_id = 'valid.product';
    if (form.price.trim() && !isValidPrice(form.price)) e.price = 'valid.seckillPrice';
    if (!/^\d{1,7}$/.test(form.stock.trim()) || Number(form.stock) < 1 || Number(form.stock) > 1_000_000) e.stock = 'valid.seckillStock';
    if (!/^\d{1,3}$/.test(form.per_user_limit.trim()) || Number(form.per_user_limit) < 1 || Number(form.per_user_limit) > 100) e.per_user_limit = 'valid.limit';
    const start = localInputToIso(form.start_time);
    const end = localInputToIso(form.end_time);
    if (!start) e.start_time = 'valid.datetime';
    if (!end) e.end_time = 'valid.datetime';
    if (start && end && Date.parse(end) <= Date.parse(start)) e.end_time = 'valid.window';
    return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, t(v)])) as Partial<Record<Key, string>>;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const errs = validate();
    setErrors(errs);
    setFormError('');
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await onSave({
        product_id: Number(form.product_id),
        ...(form.price.trim() ? { price: form.price.trim() } : {}),
        stock: Number(form.stock),
        start_time: localInputToIso(form.start_time)!,
        end_time: localInputToIso(form.end_time)!,
        per_user_limit: Number(form.per_user_limit),
      });
    } catch (err) {
      const e = toApiError(err);
      if (e.field && ['product_id', 'price', 'stock', 'start_time', 'end_time', 'per_user_limit'].includes(e.field)) setErrors({ [e.field]: e.message });
      else setFormError(e.message);
      setBusy(false);
    }
  };

  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form className="card modal" role="dialog" aria-modal="true" aria-labelledby="sf-title" onSubmit={submit} noValidate data-testid="seckill-form">
        <h2 id="sf-title">{activity ? t('seckillAdmin.edit') : t('seckillAdmin.new')}</h2>
        {formError && <p className="form-error" role="alert" data-testid="seckill-form-error">{formError}</p>}
        {activity ? (
          <div className="field">
            <label>{t('seckillAdmin.product')}</label>
            <p className="sf-product">{activity.product_name} <span className="muted mono">#{activity.product_id}</span></p>
          </div>
        ) : (
          <div className={`field ${errors.product_id ? 'field-invalid' : ''}`}>
            <label htmlFor="sf-product">{t('seckillAdmin.product')}</label>
            <div className="sf-picker">
              <input
                type="search"
                aria-label={t('seckillAdmin.productSearch')}
                placeholder={t('seckillAdmin.productSearch')}
                value={keyword}
                onChange={(e) => setKeyword(e.target.value)}
                data-testid="sf-product-search"
              />
              <select id="sf-product" value={form.product_id} onChange={(e) => set('product_id', e.target.value)} data-testid="sf-product" aria-invalid={errors.product_id ? true : undefined} disabled={!products}>
                <option value="">{products ? t('seckillAdmin.pickProduct') : t('common.loading')}</option>
                {(products ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    #{p.id} {p.name} · {formatYuan(p.price)}
                  </option>
                ))}
              </select>
            </div>
            {(errors.product_id || productsError) && <p className="field-error" role="alert">{errors.product_id || productsError}</p>}
          </div>
        )}
        <div className="form-row">
          <Field
            label={t('seckillAdmin.price')}
            inputMode="decimal"
            value={form.price}
            onChange={(e) => set('price', e.target.value)}
            error={errors.price}
            hint={picked ? t('seckillAdmin.priceHint', { price: formatYuan(picked.price) }) : undefined}
            data-testid="sf-price"
          />
          <Field label={t('seckillAdmin.stock')} inputMode="numeric" value={form.stock} onChange={(e) => set('stock', e.target.value)} error={errors.stock} data-testid="sf-stock" />
        </div>
        <div className="form-row">
          <Field label={t('seckillAdmin.start')} type="datetime-local" step={1} value={form.start_time} onChange={(e) => set('start_time', e.target.value)} error={errors.start_time} data-testid="sf-start" />
          <Field label={t('seckillAdmin.end')} type="datetime-local" step={1} value={form.end_time} onChange={(e) => set('end_time', e.target.value)} error={errors.end_time} data-testid="sf-end" />
        </div>
        <p className="field-hint sf-time-hint" data-testid="sf-server-time">{t('seckillAdmin.timeHint', { zone, time: formatDateTime(new Date(now).toISOString(), locale) })}</p>
        <Field label={t('seckillAdmin.limit')} inputMode="numeric" value={form.per_user_limit} onChange={(e) => set('per_user_limit', e.target.value)} error={errors.per_user_limit} data-testid="sf-limit" />
        <div className="modal-actions">
          <button type="button" className="btn btn-outline" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="sf-save">
            {busy ? t('common.submitting') : t('common.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
