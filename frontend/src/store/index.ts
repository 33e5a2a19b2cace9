// The one application store. Slices: session (persisted), cart count, toasts, locale (persisted),
// server features learnt from its answers (this page load only).
import { create, type StateCreator } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { LoginResult, User } from '../api/types';
import { ROLE_ADMIN } from '../api/types';

export type Locale = 'zh' | 'en';
export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export interface SessionSlice {
  token: string | null;
  refreshToken: string | null;
  user: User | null;
  setSession: (result: LoginResult) => void;
  setTokens: (token: string, refreshToken: string) => void;
  setUser: (user: User) => void;
  clearSession: () => void;
}

export interface CartSlice {
  cartCount: number;
  setCartCount: (n: number) => void;
}

export interface ToastSlice {
  toasts: Toast[];
  pushToast: (text: string, kind?: ToastKind) => number;
  dismissToast: (id: number) => void;
}

export interface LocaleSlice {
  locale: Locale;
  setLocale: (locale: Locale) => void;
}

export interface FeatureSlice {
  /** The server refused the demo "pay now" (403 30005, production): hide that button. */
  directPayDisabled: boolean;
  setDirectPayDisabled: (disabled: boolean) => void;
}

export type AppState = SessionSlice & CartSlice & ToastSlice & LocaleSlice & FeatureSlice;

export const STORAGE_KEY = 'gomall';
const TOAST_MS = 4000;
const MAX_TOASTS = 4;
let nextToastId = 1;

const sessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  token: null,
  refreshToken: null,
  user: null,
  setSession: (r) => set({ token: r.token, refreshToken: r.refresh_token, user: r.user }),
  setTokens: (token, refreshToken) => set({ token, refreshToken }),
  setUser: (user) => set({ user }),
  clearSession: () => set({ token: null, refreshToken: null, user: null, cartCount: 0 }),
});

const cartSlice: StateCreator<AppState, [], [], CartSlice> = (set) => ({
  cartCount: 0,
  setCartCount: (n) => set({ cartCount: Math.max(0, Math.trunc(n) || 0) }),
});

const toastSlice: StateCreator<AppState, [], [], ToastSlice> = (set, get) => ({
  toasts: [],
  pushToast: (text, kind = 'info') => {
    const id = nextToastId++;
    // The same message twice in a row (e.g. parallel failing requests) shows once.
    if (get().toasts.some((t) => t.text === text && t.kind === kind)) return id;
    set((s) => ({ toasts: [...s.toasts, { id, kind, text }].slice(-MAX_TOASTS) }));
    if (typeof window !== 'undefined') {
      window.setTimeout(() => get().dismissToast(id), TOAST_MS);
    }
    return id;
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
});

const localeSlice: StateCreator<AppState, [], [], LocaleSlice> = (set) => ({
  locale: 'zh', // Chinese by default; the header switch changes it
  setLocale: (locale) => {
    if (typeof document !== 'undefined') document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
    set({ locale });
  },
});

const featureSlice: StateCreator<AppState, [], [], FeatureSlice> = (set) => ({
  directPayDisabled: false,
  setDirectPayDisabled: (directPayDisabled) => set({ directPayDisabled }),
});

export const useStore = create<AppState>()(
  persist(
    (...a) => ({
      ...sessionSlice(...a),
      ...cartSlice(...a),
      ...toastSlice(...a),
      ...localeSlice(...a),
      ...featureSlice(...a),
    }),
    {
      name: STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({
        token: s.token,
        refreshToken: s.refreshToken,
        user: s.user,
        locale: s.locale,
      }),
    },
  ),
);

// Selectors
export const selectSignedIn = (s: AppState) => s.token !== null && s.user !== null;
export const selectIsAdmin = (s: AppState) => s.user?.role === ROLE_ADMIN;

/** Short-hand for code outside React (API layer, event handlers). */
export const toast = (text: string, kind: ToastKind = 'info') => useStore.getState().pushToast(text, kind);
