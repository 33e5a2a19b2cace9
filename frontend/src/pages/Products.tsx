import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { productsApi } from '../api/products';
import type { ProductSort } from '../api/types';
import { Pagination } from '../components/Pagination';
import { ProductCard, ProductCardSkeleton } from '../components/ProductCard';
import { Empty, ErrorState } from '../components/States';
import { useT } from '../i18n';
import { useRequest } from '../utils/useRequest';

const SORTS: ProductSort[] = ['newest', 'sales', 'price_asc', 'price_desc'];
const PAGE_SIZE = 12;

export function Products() {
  const t = useT();
  const [params, setParams] = useSearchParams();
  const keyword = params.get('keyword') ?? '';
  const category = Number(params.get('category')) || undefined;
  const sortParam = params.get('sort') as ProductSort | null;
  const sort: ProductSort = sortParam && SORTS.includes(sortParam) ? sortParam : 'newest';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [text, setText] = useState(keyword);
  useEffect(() => {
    setText(keyword);
  }, [keyword]);

  const categories = useRequest(() => productsApi.categories(), []);
  const products = useRequest(
    () => productsApi.list({ page, page_size: PAGE_SIZE, keyword: keyword || undefined, category, sort }),
    [page, keyword, category, sort],
  );

  const update = (changes: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '' || v === 0) next.delete(k);
      else next.set(k, String(v));
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    update({ keyword: text.trim() || undefined });
  };

  const data = products.data;
  return (
    <div data-testid="page-products">
      <h1 className="page-title">{t('products.title')}</h1>
      <div className="toolbar">
        <form className="toolbar-search" role="search" onSubmit={submit}>
          <label className="sr-only" htmlFor="product-search">
            {t('products.search')}
          </label>
          <input
            id="product-search"
            type="search"
            value={text}
            placeholder={t('products.searchPlaceholder')}
            onChange={(e) => setText(e.target.value)}
            data-testid="product-search"
          />
          <button type="submit" className="btn btn-primary" data-testid="product-search-submit">
            {t('products.searchButton')}
          </button>
        </form>
        <div className="toolbar-selects">
          <label className="select-label">
            <span>{t('products.category')}</span>
            <select
              value={category ?? ''}
              onChange={(e) => update({ category: e.target.value || undefined })}
              data-testid="category-filter"
            >
              <option value="">{t('products.allCategories')}</option>
              {(categories.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label className="select-label">
            <span>{t('products.sort')}</span>
            <select value={sort} onChange={(e) => update({ sort: e.target.value === 'newest' ? undefined : e.target.value })} data-testid="sort-select">
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`products.sort.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>

      {products.error ? (
        <ErrorState message={`${t('products.loadError')}: ${products.error.message}`} onRetry={products.reload} />
      ) : data && data.list.length === 0 ? (
        <Empty title={t('products.empty')} hint={t('products.emptyHint')} />
      ) : (
        <div className={`grid ${products.loading && data ? 'is-stale' : ''}`} data-testid="product-grid" aria-busy={products.loading}>
          {data
            ? data.list.map((p) => <ProductCard key={p.id} product={p} />)
            : Array.from({ length: 8 }, (_, i) => <ProductCardSkeleton key={i} />)}
        </div>
      )}
      {data && (
        <Pagination page={data.page} totalPage={data.total_page} total={data.total} onChange={(p) => update({ page: p > 1 ? p : undefined })} />
      )}
    </div>
  );
}
