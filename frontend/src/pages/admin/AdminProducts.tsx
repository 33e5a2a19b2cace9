import { useState, type FormEvent } from 'react';
import { adminApi } from '../../api/admin';
import { productsApi } from '../../api/products';
import type { Product, ProductInput } from '../../api/types';
import { Pagination } from '../../components/Pagination';
import { Price } from '../../components/Price';
import { ProductImage } from '../../components/ProductImage';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useT } from '../../i18n';
import { useStore } from '../../store';
import { useRequest } from '../../utils/useRequest';
import { ProductForm } from './ProductForm';

export function AdminProducts() {
  const t = useT();
  const [page, setPage] = useState(1);
  const [keyword, setKeyword] = useState('');
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<Product | null | undefined>(undefined); // undefined = closed, null = new
  const [busyId, setBusyId] = useState<number | null>(null);
  const list = useRequest(() => adminApi.products({ page, page_size: 20, keyword: keyword || undefined }), [page, keyword]);
  const categories = useRequest(() => productsApi.categories(), []);

  const save = async (input: ProductInput) => {
    if (editing) await adminApi.updateProduct(editing.id, input);
    else await adminApi.createProduct(input);
    useStore.getState().pushToast(t('admin.saved'), 'success');
    setEditing(undefined);
    list.reload();
  };

  const act = async (id: number, action: () => Promise<unknown>, message: string) => {
    setBusyId(id);
    try {
      await action();
      useStore.getState().pushToast(message, 'success');
      list.reload();
    } catch {
      // toast shown by the API layer
    } finally {
      setBusyId(null);
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    setPage(1);
    setKeyword(text.trim());
  };

  const data = list.data;
  return (
    <section data-testid="admin-products">
      <div className="toolbar">
        <form className="toolbar-search" role="search" onSubmit={search}>
          <label className="sr-only" htmlFor="admin-search">{t('admin.searchPlaceholder')}</label>
          <input id="admin-search" type="search" value={text} placeholder={t('admin.searchPlaceholder')} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="btn btn-outline">{t('products.searchButton')}</button>
        </form>
        <button type="button" className="btn btn-primary" onClick={() => setEditing(null)} data-testid="admin-new-product">
          + {t('admin.newProduct')}
        </button>
      </div>
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
                <th scope="col">ID</th>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('admin.category')}</th>
                <th scope="col" className="num">{t('admin.price')}</th>
                <th scope="col" className="num">{t('admin.stock')}</th>
                <th scope="col">{t('admin.status')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.list.map((p) => (
                <tr key={p.id} data-testid="admin-product-row" data-product-id={p.id}>
                  <td className="mono">{p.id}</td>
                  <td>
                    <span className="order-item-product">
                      <ProductImage src={p.image_url} alt={p.name} className="thumb" />
                      <span>{p.name}</span>
                    </span>
                  </td>
                  <td>{p.category || '—'}</td>
                  <td className="num"><Price yuan={p.price} /></td>
                  <td className="num">{p.stock}</td>
                  <td>
                    <span className={`badge ${p.status === 1 ? 'badge-status-2' : 'badge-status-5'}`}>{p.status === 1 ? t('admin.onShelf') : t('admin.offShelf')}</span>
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-ghost btn-sm" disabled={busyId === p.id} onClick={() => setEditing(p)}>
                      {t('common.edit')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm"
                      disabled={busyId === p.id}
                      onClick={() => act(p.id, () => adminApi.setShelf(p.id, p.status !== 1), t('admin.saved'))}
                      data-testid="admin-shelf-toggle"
                    >
                      {p.status === 1 ? t('admin.takeOff') : t('admin.putOn')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm btn-danger"
                      disabled={busyId === p.id}
                      onClick={() => window.confirm(t('admin.deleteConfirm', { name: p.name })) && act(p.id, () => adminApi.deleteProduct(p.id), t('admin.deleted'))}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data && <Pagination page={data.page} totalPage={data.total_page} total={data.total} onChange={setPage} />}
      {editing !== undefined && <ProductForm product={editing} categories={categories.data ?? []} onSave={save} onClose={() => setEditing(undefined)} />}
    </section>
  );
}
