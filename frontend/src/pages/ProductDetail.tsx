import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { cartApi } from '../api/cart';
import { ordersApi } from '../api/orders';
import { productsApi } from '../api/products';
import { Price } from '../components/Price';
import { ProductImage } from '../components/ProductImage';
import { QuantityInput } from '../components/QuantityInput';
import { ErrorState, Loading } from '../components/States';
import { useT } from '../i18n';
import { selectSignedIn, useStore } from '../store';
import { useRequest } from '../utils/useRequest';

export function ProductDetail() {
  const t = useT();
  const { id } = useParams();
  const productId = Number(id);
  const navigate = useNavigate();
  const location = useLocation();
  const signedIn = useStore(selectSignedIn);
  const { data: product, error, loading, reload } = useRequest(() => productsApi.get(productId), [productId]);
  const [qty, setQty] = useState(1);
  const [busy, setBusy] = useState<'cart' | 'buy' | null>(null);

  if (error) {
    return error.status === 404 ? (
      <ErrorState message={t('detail.notFound')} />
    ) : (
      <ErrorState message={error.message} onRetry={reload} />
    );
  }
  if (loading && !product) return <Loading />;
  if (!product) return null;

  const available = product.status === 1 && product.stock > 0;
  const max = Math.min(99, product.stock);

  const needLogin = () => {
    if (signedIn) return false;
    useStore.getState().pushToast(t('auth.loginRequired'));
    navigate(`/login?redirect=${encodeURIComponent(location.pathname)}`);
    return true;
  };

  const addToCart = async () => {
    if (needLogin()) return;
    setBusy('cart');
    try {
      await cartApi.add(product.id, qty);
      useStore.getState().pushToast(t('detail.added'), 'success');
      await cartApi.refreshCount();
    } catch {
      // toast already shown by the API layer
    } finally {
      setBusy(null);
    }
  };

  const buyNow = async () => {
    if (needLogin()) return;
    setBusy('buy');
    try {
      const order = await ordersApi.create(product.id, qty);
      useStore.getState().pushToast(t('order.created'), 'success');
      navigate(`/orders/${order.order_no}`);
    } catch {
      setBusy(null);
    }
  };

  return (
    <article className="detail" data-testid="page-product-detail">
      <nav className="crumbs small" aria-label="breadcrumb">
        <Link to="/products">{t('nav.products')}</Link>
        {product.category && (
          <>
            <span aria-hidden="true"> / </span>
            <Link to={`/products?category=${product.category_id ?? ''}`}>{product.category}</Link>
          </>
        )}
      </nav>
      <div className="detail-grid">
        <div className="detail-media card">
          <ProductImage src={product.image_url} alt={product.name} />
        </div>
        <div className="detail-info">
          <h1 data-testid="detail-name">{product.name}</h1>
          <div className="detail-price-box">
            <Price yuan={product.price} className="price-lg" />
            <span className="muted small">{t('products.sales', { n: product.sales ?? 0 })}</span>
          </div>
          <p className="muted" data-testid="detail-stock">
            {product.status !== 1
              ? t('products.offShelf')
              : product.stock > 0
                ? t('detail.stockLeft', { n: product.stock })
                : t('products.soldOut')}
          </p>
          {available ? (
            <>
              <div className="detail-qty">
                <span id="qty-label">{t('detail.quantity')}</span>
                <QuantityInput value={qty} max={max} label={t('detail.quantity')} onChange={setQty} testId="detail-qty" />
              </div>
              <div className="detail-actions">
                <button type="button" className="btn btn-outline btn-lg" onClick={addToCart} disabled={busy !== null} data-testid="add-to-cart">
                  {busy === 'cart' ? t('common.submitting') : t('detail.addToCart')}
                </button>
                <button type="button" className="btn btn-primary btn-lg" onClick={buyNow} disabled={busy !== null} data-testid="buy-now">
                  {busy === 'buy' ? t('common.submitting') : t('detail.buyNow')}
                </button>
              </div>
            </>
          ) : (
            <p className="notice">{t('detail.unavailable')}</p>
          )}
          {product.description && (
            <section className="detail-desc">
              <h2>{t('detail.description')}</h2>
              <p>{product.description}</p>
            </section>
          )}
        </div>
      </div>
    </article>
  );
}
