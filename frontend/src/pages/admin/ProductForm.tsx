import { useState, type FormEvent } from 'react';
import { toApiError } from '../../api/client';
import type { Category, Product, ProductInput } from '../../api/types';
import { Field } from '../../components/Field';
import { ImageUpload } from '../../components/ImageUpload';
import { useT, type MessageKey } from '../../i18n';
import { isValidPrice } from '../../utils/money';

interface Props {
  product: Product | null; // null = new
  categories: Category[];
  onSave: (input: ProductInput) => Promise<void>;
  onClose: () => void;
}

type Key = 'name' | 'description' | 'price' | 'stock' | 'image_url';

export function ProductForm({ product, categories, onSave, onClose }: Props) {
  const t = useT();
  const [form, setForm] = useState({
    name: product?.name ?? '',
    description: product?.description ?? '',
    price: product ? product.price.toFixed(2) : '',
    stock: product ? String(product.stock) : '0',
    category_id: product?.category_id ? String(product.category_id) : '',
    image_url: product?.image_url ?? '',
    status: product ? product.status : 1,
  });
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  const [busy, setBusy] = useState(false);
  const [uploading, setUploading] = useState(false); // the picker is sending an image: hold the save

  const validate = () => {
    const e: Partial<Record<Key, MessageKey>> = {};
    const name = form.name.trim();
    if (name.length < 1 || name.length > 200) e.name = 'valid.name';
    if (form.description.length > 5000) e.description = 'valid.description';
    if (!isValidPrice(form.price)) e.price = 'valid.price';
    if (!/^\d{1,8}$/.test(form.stock) || Number(form.stock) > 10_000_000) e.stock = 'valid.stock';
    if (form.image_url.length > 500) e.image_url = 'valid.imageUrl';
    return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, t(v)])) as Partial<Record<Key, string>>;
  };

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (uploading) return;
    const errs = validate();
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await onSave({
        name: form.name.trim(),
        description: form.description,
        price: form.price.trim(), // numeric string: exact, no float rounding
        stock: Number(form.stock),
        category_id: form.category_id ? Number(form.category_id) : null,
        image_url: form.image_url.trim(),
        status: form.status,
      });
    } catch (err) {
      const e = toApiError(err);
      if (e.field && ['name', 'description', 'price', 'stock', 'image_url'].includes(e.field)) setErrors({ [e.field]: e.message });
      else setErrors({ name: e.message });
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" role="presentation" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <form className="card modal" role="dialog" aria-modal="true" aria-labelledby="pf-title" onSubmit={submit} noValidate data-testid="product-form">
        <h2 id="pf-title">{product ? t('admin.editProduct') : t('admin.newProduct')}</h2>
        <Field label={t('admin.name')} value={form.name} autoFocus onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} data-testid="pf-name" />
        <div className="field">
          <label htmlFor="pf-desc">{t('admin.description')}</label>
          <textarea id="pf-desc" rows={3} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} aria-invalid={errors.description ? true : undefined} />
          {errors.description && <p className="field-error">{errors.description}</p>}
        </div>
        <div className="form-row">
          <Field label={t('admin.price')} inputMode="decimal" value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} error={errors.price} data-testid="pf-price" />
          <Field label={t('admin.stock')} inputMode="numeric" value={form.stock} onChange={(e) => setForm({ ...form, stock: e.target.value })} error={errors.stock} data-testid="pf-stock" />
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="pf-cat">{t('admin.category')}</label>
            <select id="pf-cat" value={form.category_id} onChange={(e) => setForm({ ...form, category_id: e.target.value })}>
              <option value="">{t('admin.noCategory')}</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pf-status">{t('admin.status')}</label>
            <select id="pf-status" value={form.status} onChange={(e) => setForm({ ...form, status: Number(e.target.value) })}>
              <option value={1}>{t('admin.onShelf')}</option>
              <option value={0}>{t('admin.offShelf')}</option>
            </select>
          </div>
        </div>
        <Field id="pf-image-url" label={t('admin.imageUrl')} value={form.image_url} placeholder="/images/products/…" onChange={(e) => setForm({ ...form, image_url: e.target.value })} error={errors.image_url} data-testid="pf-image-url" />
        <ImageUpload
          value={form.image_url}
          disabled={busy}
          onBusyChange={setUploading}
          onUploaded={(file) => {
            // The upload ends later: keep whatever was typed meanwhile in the other fields.
            setForm((prev) => ({ ...prev, image_url: file.url }));
            setErrors((prev) => ({ ...prev, image_url: undefined }));
          }}
        />
        <div className="modal-actions">
          <button type="button" className="btn btn-outline" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || uploading} data-testid="pf-save">
            {busy ? t('common.submitting') : t('common.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
