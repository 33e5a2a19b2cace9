import { Link } from 'react-router-dom';
import { productsApi } from '../api/products';
import { FlashSale } from '../components/FlashSale';
import { ProductCard, ProductCardSkeleton } from '../components/ProductCard';
import { ErrorState } from '../components/States';
import { useT } from '../i18n';
import { useRequest } from '../utils/useRequest';

export function Home() {
  const t = useT();
  const featured = useRequest(() => productsApi.list({ page_size: 8, sort: 'sales' }), []);
  const categories = useRequest(() => productsApi.categories(), []);

  return (
    <div className="home" data-testid="page-home">
      <section className="hero">
        <div className="hero-text">
          <p className="hero-kicker">{t('app.tagline')}</p>
          <h1>{t('home.heroTitle')}</h1>
          <p>{t('home.heroText')}</p>
          <Link to="/products" className="btn btn-light">
            {t('home.heroCta')}
          </Link>
        </div>
        <div className="hero-art" aria-hidden="true">
          <span className="hero-bubble b1" />
          <span className="hero-bubble b2" />
          <span className="hero-bubble b3" />
        </div>
      </section>

      <FlashSale />

      {(categories.loading || (categories.data?.length ?? 0) > 0) && (
      <section aria-labelledby="cat-title" className="section">
        <h2 id="cat-title" className="section-title">{t('home.categories')}</h2>
        <div className="chips" data-testid="home-categories">
          {(categories.data ?? []).map((c) => (
            <Link key={c.id} className="chip" to={`/products?category=${c.id}`}>
              {c.name}
            </Link>
          ))}
          {categories.loading && !categories.data && <span className="chip chip-skeleton" aria-hidden="true" />}
        </div>
      </section>
      )}

      <section aria-labelledby="featured-title" className="section">
        <div className="section-head">
          <h2 id="featured-title" className="section-title">{t('home.featured')}</h2>
          <Link to="/products?sort=sales">{t('home.viewAll')} →</Link>
        </div>
        {featured.error ? (
          <ErrorState message={featured.error.message} onRetry={featured.reload} />
        ) : (
          <div className="grid" data-testid="featured-products">
            {featured.data
              ? featured.data.list.map((p) => <ProductCard key={p.id} product={p} />)
              : Array.from({ length: 4 }, (_, i) => <ProductCardSkeleton key={i} />)}
          </div>
        )}
      </section>
    </div>
  );
}
