import { api } from './client';
import { clean } from './products';
import type { Order, OrderQuery, Page } from './types';

export const ordersApi = {
  create: (product_id: number, quantity: number) => api.post<Order>('/order', { product_id, quantity }),
  checkout: (product_ids?: number[]) => api.post<Order>('/order/checkout', product_ids ? { product_ids } : {}),
  list: (query: OrderQuery = {}) => api.get<Page<Order>>('/order', { params: clean(query), silent: true }),
  get: (orderNo: string) => api.get<Order>(`/order/${encodeURIComponent(orderNo)}`, { silent: true }),
  pay: (orderNo: string) => api.post<Order>(`/order/${encodeURIComponent(orderNo)}/pay`),
  cancel: (orderNo: string) => api.post<Order>(`/order/${encodeURIComponent(orderNo)}/cancel`),
};
