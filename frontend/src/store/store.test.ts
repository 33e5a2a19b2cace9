import { beforeEach, describe, expect, it } from 'vitest';
import type { LoginResult } from '../api/types';
import { selectIsAdmin, selectSignedIn, STORAGE_KEY, useStore } from './index';

const login: LoginResult = {
  token: 'access-1',
  refresh_token: 'refresh-1',
  expires_in: 900,
  user: { id: 7, username: 'alice', email: 'a@example.com', phone: '', role: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
};

function stored(): Record<string, unknown> | null {
  const raw = localStorage.getItem(STORAGE_KEY);
  return raw ? (JSON.parse(raw).state as Record<string, unknown>) : null;
}

describe('store', () => {
  beforeEach(() => {
    localStorage.clear();
    useStore.getState().clearSession();
    useStore.setState({ toasts: [], cartCount: 0, locale: 'zh' });
  });

  it('persists the session (tokens and user) in localStorage', () => {
    useStore.getState().setSession(login);
    const s = stored();
    expect(s).toMatchObject({ token: 'access-1', refreshToken: 'refresh-1', user: { username: 'alice' } });
    expect(selectSignedIn(useStore.getState())).toBe(true);
    expect(selectIsAdmin(useStore.getState())).toBe(false);
  });

  it('does not persist toasts or the cart count', () => {
    useStore.getState().setSession(login);
    useStore.getState().setCartCount(3);
    useStore.getState().pushToast('hello');
    const s = stored()!;
    expect(s).not.toHaveProperty('toasts');
    expect(s).not.toHaveProperty('cartCount');
  });

  it('restores the session from localStorage', async () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ state: { token: 'a2', refreshToken: 'r2', user: { ...login.user, role: 2 }, locale: 'en' }, version: 1 }));
    await useStore.persist.rehydrate();
    const s = useStore.getState();
    expect(s.token).toBe('a2');
    expect(s.refreshToken).toBe('r2');
    expect(s.locale).toBe('en');
    expect(selectIsAdmin(s)).toBe(true);
  });

  it('clearSession removes tokens, user and cart count, and the stored copy', () => {
    useStore.getState().setSession(login);
    useStore.getState().setCartCount(4);
    useStore.getState().clearSession();
    const s = useStore.getState();
    expect(s.token).toBeNull();
    expect(s.refreshToken).toBeNull();
    expect(s.user).toBeNull();
    expect(s.cartCount).toBe(0);
    expect(stored()).toMatchObject({ token: null, refreshToken: null, user: null });
    expect(selectSignedIn(s)).toBe(false);
  });

  it('does not persist what it learnt about the server (demo payment disabled)', () => {
    useStore.getState().setSession(login);
    useStore.getState().setDirectPayDisabled(true);
    expect(useStore.getState().directPayDisabled).toBe(true);
    expect(stored()).not.toHaveProperty('directPayDisabled');
    useStore.getState().setDirectPayDisabled(false);
  });

  it('keeps a sane cart count', () => {
    const { setCartCount } = useStore.getState();
    setCartCount(5);
    expect(useStore.getState().cartCount).toBe(5);
    setCartCount(-2);
    expect(useStore.getState().cartCount).toBe(0);
    setCartCount(Number.NaN);
    expect(useStore.getState().cartCount).toBe(0);
    setCartCount(2.7);
    expect(useStore.getState().cartCount).toBe(2);
  });

  it('shows a toast once even when pushed twice, and dismisses it', () => {
    const id = useStore.getState().pushToast('boom', 'error');
    useStore.getState().pushToast('boom', 'error');
    expect(useStore.getState().toasts).toHaveLength(1);
    useStore.getState().dismissToast(id);
    expect(useStore.getState().toasts).toHaveLength(0);
  });
});
