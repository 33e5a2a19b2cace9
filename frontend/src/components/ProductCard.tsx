import { Link } from 'react-router-dom';
import type { Product } from '../api/types';
import { useT } from '../i18n';
import { Price } from './Price';
import { ProductImage } from './ProductImage';

export function ProductCard({ product }: { product: Product }) {
  const t = useT();
  const soldOut = product.stock <= 0;
  return (
    <Link to={`/products/${product.id}`} className="card product-card" data-testid="product-card" data-product-id={product.id}>
      <div className="product-card-media">
        <ProductImage src={product.image_url} alt={product.name} />
        {soldOut && <span className="tag tag-muted product-card-tag">{t('products.soldOut')}</span>}
      </div>
      <div className="product-card-body">
        <h3 className="product-card-name" data-testid="product-name">{product.name}</h3>
        <div className="product-card-meta">
          <Price yuan={product.price} />
          <span className="muted small">{t('products.sales', { n: product.sales ?? 0 })}</span>
        </div>
      </div>
    </Link>
  );
}

export function ProductCardSkeleton() {
  return (
    <div className="card product-card skeleton" aria-hidden="true">
      <div className="product-card-media" />
      <div className="product-card-body">
        <div className="skeleton-line" />
        <div className="skeleton-line short" />
      </div>
    </div>
  );
}
