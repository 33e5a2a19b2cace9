import { api } from './client';
import type { Category, Page, Product, ProductQuery } from './types';

function clean<T extends object>(query: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  ) as Partial<T>;
}

export const productsApi = {
  list: (query: ProductQuery = {}) => api.get<Page<Product>>('/product', { params: clean(query), silent: true }),
  get: (id: number) => api.get<Product>(`/product/${id}`, { silent: true }),
  categories: () => api.get<{ list: Category[] }>('/category', { silent: true }).then((d) => d.list),
};

export { clean };
