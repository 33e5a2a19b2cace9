import { useStore } from '../store';
import { api } from './client';
import type { Cart, CartItem } from './types';

/** Keep the header badge in step with the server's cart. */
function track(cart: Cart): Cart {
  useStore.getState().setCartCount(cart.total_quantity);
  return cart;
}

export const cartApi = {
  get: () => api.get<Cart>('/cart').then(track),
  add: (product_id: number, quantity: number) => api.post<CartItem>('/cart', { product_id, quantity }),
  update: (product_id: number, quantity: number) => api.put<CartItem>('/cart', { product_id, quantity }),
  remove: (product_id: number) => api.delete<null>('/cart', { params: { product_id } }),
  clear: () => api.delete<null>('/cart/clear'),
  /** Re-read the count for the header badge, quietly. */
  refreshCount: () =>
    api
      .get<Cart>('/cart', { silent: true })
      .then(track)
      .catch(() => undefined),
};
