import { api } from './client';
import { clean } from './products';
import type { Order, OrderQuery, Page, Product, ProductInput } from './types';

export interface AdminProductQuery {
  page?: number;
  page_size?: number;
  keyword?: string;
}

export const adminApi = {
  products: (query: AdminProductQuery = {}) =>
    api.get<Page<Product>>('/admin/product', { params: clean(query), silent: true }),
  createProduct: (input: ProductInput) => api.post<Product>('/product', input, { silent: true }),
  updateProduct: (id: number, input: ProductInput) => api.put<Product>(`/product/${id}`, input, { silent: true }),
  setShelf: (id: number, onSale: boolean) => api.put<Product>(`/product/${id}`, { status: onSale ? 1 : 0 }),
  deleteProduct: (id: number) => api.delete<null>(`/product/${id}`),
  orders: (query: OrderQuery = {}) => api.get<Page<Order>>('/admin/order', { params: clean(query), silent: true }),
};
