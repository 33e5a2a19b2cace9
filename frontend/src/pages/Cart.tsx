import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { cartApi } from '../api/cart';
import { ordersApi } from '../api/orders';
import type { CartItem } from '../api/types';
import { Price } from '../components/Price';
import { ProductImage } from '../components/ProductImage';
import { QuantityInput } from '../components/QuantityInput';
import { Empty, ErrorState, Loading } from '../components/States';
import { useT } from '../i18n';
import { useStore } from '../store';
import { toCents } from '../utils/money';
import { useRequest } from '../utils/useRequest';

export function Cart() {
  const t = useT();
  const navigate = useNavigate();
  const cart = useRequest(() => cartApi.get(), []);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState<string | null>(null);
  const [initialised, setInitialised] = useState(false);

  const items: CartItem[] = useMemo(() => cart.data?.list ?? [], [cart.data]);
  const selectable = items.filter((i) => i.available);

  // Everything available starts selected; lines that vanish or become unavailable drop out.
  useEffect(() => {
    if (!cart.data) return;
    setSelected((prev) => {
      const ids = new Set(cart.data!.list.filter((i) => i.available).map((i) => i.product_id));
      if (!initialised) return ids;
      return new Set([...prev].filter((id) => ids.has(id)));
    });
    setInitialised(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cart.data]);

  const chosen = items.filter((i) => i.available && selected.has(i.product_id));
  const totalCents = chosen.reduce((sum, i) => sum + toCents(i.price) * i.quantity, 0);
  const totalQty = chosen.reduce((sum, i) => sum + i.quantity, 0);
  const allSelected = selectable.length > 0 && chosen.length === selectable.length;

  const run = async (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    try {
      await action();
      cart.reload();
    } catch {
      // the API layer showed the message
    } finally {
      setBusy(null);
    }
  };

  const toggle = (id: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const checkout = async () => {
    if (chosen.length === 0) {
      useStore.getState().pushToast(t('cart.nothingSelected'));
      return;
    }
    setBusy('checkout');
    try {
      const order = await ordersApi.checkout(chosen.map((i) => i.product_id));
      void cartApi.refreshCount();
      useStore.getState().pushToast(t('order.created'), 'success');
      navigate(`/orders/${order.order_no}`);
    } catch {
      setBusy(null);
      cart.reload();
    }
  };

  if (cart.error && !cart.data) return <ErrorState message={cart.error.message} onRetry={cart.reload} />;
  if (!cart.data) return <Loading />;

  return (
    <div data-testid="page-cart">
      <h1 className="page-title">{t('cart.title')}</h1>
      {items.length === 0 ? (
        <Empty
          title={t('cart.empty')}
          hint={t('cart.emptyHint')}
          action={
            <Link className="btn btn-primary" to="/products">
              {t('cart.goShopping')}
            </Link>
          }
        />
      ) : (
        <div className="cart-layout">
          <div className="card cart-list">
            <div className="cart-head">
              <label className="check">
                <input
                  type="checkbox"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(selectable.map((i) => i.product_id)))}
                  data-testid="cart-select-all"
                />
                <span>{t('cart.selectAll')}</span>
              </label>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                disabled={busy !== null}
                onClick={() => window.confirm(t('cart.clearConfirm')) && run('clear', () => cartApi.clear())}
                data-testid="cart-clear"
              >
                {t('cart.clear')}
              </button>
            </div>
            <ul className="cart-items">
              {items.map((item) => (
                <li key={item.product_id} className={`cart-item ${item.available ? '' : 'is-unavailable'}`} data-testid="cart-item" data-product-id={item.product_id}>
                  <input
                    type="checkbox"
                    aria-label={t('cart.select', { name: item.name })}
                    checked={selected.has(item.product_id)}
                    disabled={!item.available}
                    onChange={() => toggle(item.product_id)}
                    data-testid="cart-item-select"
                  />
                  <Link to={`/products/${item.product_id}`} className="cart-item-img">
                    <ProductImage src={item.image_url} alt={item.name} />
                  </Link>
                  <div className="cart-item-info">
                    <Link to={`/products/${item.product_id}`} className="cart-item-name">
                      {item.name}
                    </Link>
                    <Price yuan={item.price} className="small" />
                    {!item.available && <span className="tag tag-muted">{t('cart.unavailable')}</span>}
                  </div>
                  <QuantityInput
                    value={item.quantity}
                    max={Math.max(1, Math.min(99, item.stock))}
                    disabled={busy !== null}
                    label={t('cart.quantityOf', { name: item.name })}
                    onChange={(n) => run(`qty-${item.product_id}`, () => cartApi.update(item.product_id, n))}
                    testId="cart-item-qty"
                  />
                  <Price cents={toCents(item.price) * item.quantity} className="cart-item-subtotal" />
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm cart-item-remove"
                    disabled={busy !== null}
                    onClick={() => run(`rm-${item.product_id}`, () => cartApi.remove(item.product_id))}
                    data-testid="cart-item-remove"
                  >
                    {t('cart.remove')}
                  </button>
                </li>
              ))}
            </ul>
          </div>
          <aside className="card cart-summary" aria-label={t('cart.total')}>
            <p className="muted small">{t('cart.selectedCount', { n: totalQty })}</p>
            <p className="cart-total">
              <span>{t('cart.total')}</span>
              <Price cents={totalCents} className="price-lg" />
            </p>
            <span className="sr-only" data-testid="cart-total-cents">{totalCents}</span>
            <button type="button" className="btn btn-primary btn-block btn-lg" disabled={busy !== null || chosen.length === 0} onClick={checkout} data-testid="cart-checkout">
              {busy === 'checkout' ? t('common.submitting') : t('cart.checkoutCount', { n: totalQty })}
            </button>
          </aside>
        </div>
      )}
    </div>
  );
}
