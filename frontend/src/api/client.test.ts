import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useStore } from '../store';
import { ApiError, api, http, resetClientForTests, setNavigator } from './client';
import type { LoginResult } from './types';

// A scripted stand-in for the network: every request goes to `handler`.
type Reply = { status: number; body: unknown };
type Handler = (config: InternalAxiosRequestConfig) => Reply | Promise<Reply>;
let handler: Handler;
const calls: InternalAxiosRequestConfig[] = [];

const stub: AxiosAdapter = async (config) => {
  calls.push(config);
  const { status, body } = await handler(config);
  const response: AxiosResponse = { data: body, status, statusText: String(status), headers: {}, config, request: {} };
  if (status >= 200 && status < 300) return response;
  throw new AxiosError(`Request failed with status code ${status}`, status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST, config, {}, response);
};

const ok = (data: unknown): Reply => ({ status: 200, body: { code: 0, message: 'success', data, trace_id: 't'.repeat(32) } });
const fail = (status: number, code: number, message: string, data: unknown = null): Reply => ({ status, body: { code, message, data, trace_id: 'f'.repeat(32) } });
const authOf = (c: InternalAxiosRequestConfig) => AxiosHeaders.from(c.headers).get('Authorization');
const user = { id: 1, username: 'bob', email: 'b@example.com', phone: '', role: 1, created_at: '', updated_at: '' };
const pair = (n: number): LoginResult => ({ token: `access-${n}`, refresh_token: `refresh-${n}`, expires_in: 900, user });

let navigate: ReturnType<typeof vi.fn>;

beforeEach(() => {
  http.defaults.adapter = stub;
  calls.length = 0;
  resetClientForTests();
  localStorage.clear();
  useStore.setState({ token: null, refreshToken: null, user: null, toasts: [], cartCount: 0, locale: 'en' });
  navigate = vi.fn();
  setNavigator(navigate as unknown as (to: string) => void);
  window.history.replaceState(null, '', '/cart?tab=1');
});

afterEach(() => {
  vi.useRealTimers();
});

describe('envelope', () => {
  it('returns data from a success envelope', async () => {
    handler = () => ok({ id: 5, name: 'Phone', price: 5999.0 });
    await expect(api.get('/product/5')).resolves.toEqual({ id: 5, name: 'Phone', price: 5999.0 });
    expect(calls[0].baseURL).toBe('/api');
  });

  it('attaches the access token', async () => {
    useStore.getState().setSession(pair(1));
    handler = () => ok(null);
    await api.get('/user/profile');
    expect(authOf(calls[0])).toBe('Bearer access-1');
  });

  it('turns an error envelope into an ApiError with code, message, status and field, and toasts the message', async () => {
    handler = () => fail(400, 400, 'username: must be 3-50 letters, digits or underscores', { field: 'username' });
    const err = await api.post('/user/register', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 400, status: 400, field: 'username', message: 'username: must be 3-50 letters, digits or underscores' });
    expect(useStore.getState().toasts.map((t) => t.text)).toEqual(['username: must be 3-50 letters, digits or underscores']);
  });

  it('rejects a 200 response whose envelope code is not 0', async () => {
    handler = () => ({ status: 200, body: { code: 30002, message: 'order status conflict', data: null } });
    await expect(api.post('/order/X/pay')).rejects.toMatchObject({ code: 30002, status: 200 });
  });

  it('does not toast when the call is silent', async () => {
    handler = () => fail(404, 20001, 'product not found');
    await expect(api.get('/product/9', { silent: true })).rejects.toMatchObject({ code: 20001, status: 404 });
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('maps a network failure to status 0', async () => {
    handler = () => {
      throw new AxiosError('Network Error', AxiosError.ERR_NETWORK);
    };
    await expect(api.get('/product', { silent: true })).rejects.toMatchObject({ status: 0, code: 0 });
  });

  it('maps a non-envelope error body to a generic ApiError', async () => {
    handler = () => ({ status: 502, body: '<html>bad gateway</html>' });
    await expect(api.get('/product', { silent: true })).rejects.toMatchObject({ status: 502, code: 502 });
  });
});

describe('token refresh', () => {
  it('refreshes once for two concurrent 401s and retries both requests', async () => {
    useStore.getState().setSession(pair(1));
    let refreshes = 0;
    handler = async (c) => {
      if (c.url === '/auth/refresh-token') {
        refreshes += 1;
        expect(JSON.parse(c.data as string)).toEqual({ refresh_token: 'refresh-1' });
        await new Promise((r) => setTimeout(r, 20)); // let the second 401 arrive mid-refresh
        return ok(pair(2));
      }
      if (authOf(c) !== 'Bearer access-2') return fail(401, 10006, 'token expired');
      return ok({ url: c.url });
    };
    const [a, b] = await Promise.all([api.get('/cart'), api.get('/order')]);
    expect(a).toEqual({ url: '/cart' });
    expect(b).toEqual({ url: '/order' });
    expect(refreshes).toBe(1);
    expect(calls.filter((c) => c.url === '/auth/refresh-token')).toHaveLength(1);
    expect(useStore.getState()).toMatchObject({ token: 'access-2', refreshToken: 'refresh-2' });
    expect(navigate).not.toHaveBeenCalled();
    expect(useStore.getState().toasts).toHaveLength(0);
  });

  it('retries with the current token without refreshing when another request already refreshed', async () => {
    useStore.getState().setSession(pair(1));
    handler = (c) => {
      if (c.url === '/auth/refresh-token') throw new Error('must not refresh');
      // the token changed while this request was on its way
      if (authOf(c) === 'Bearer access-1') {
        useStore.getState().setTokens('access-3', 'refresh-3');
        return fail(401, 10006, 'token expired');
      }
      return ok('fine');
    };
    await expect(api.get('/cart')).resolves.toBe('fine');
    expect(authOf(calls[1])).toBe('Bearer access-3');
  });

  it('clears the session and redirects to login when the refresh fails', async () => {
    useStore.getState().setSession(pair(1));
    useStore.getState().setCartCount(3);
    handler = (c) => (c.url === '/auth/refresh-token' ? fail(401, 10007, 'refresh token invalid') : fail(401, 10006, 'token revoked'));
    const results = await Promise.allSettled([api.get('/cart'), api.get('/order')]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ status: 401, code: 10006 });
    expect(calls.filter((c) => c.url === '/auth/refresh-token')).toHaveLength(1);
    const s = useStore.getState();
    expect(s.token).toBeNull();
    expect(s.refreshToken).toBeNull();
    expect(s.user).toBeNull();
    expect(s.cartCount).toBe(0);
    expect(JSON.parse(localStorage.getItem('gomall')!).state.token).toBeNull();
    expect(navigate).toHaveBeenCalledWith('/login?redirect=%2Fcart%3Ftab%3D1');
  });

  it('refreshes only once per request: a 401 after the retry ends the session', async () => {
    useStore.getState().setSession(pair(1));
    handler = (c) => (c.url === '/auth/refresh-token' ? ok(pair(2)) : fail(401, 10006, 'token revoked'));
    await expect(api.get('/cart')).rejects.toMatchObject({ status: 401 });
    expect(calls.filter((c) => c.url === '/auth/refresh-token')).toHaveLength(1);
    expect(calls.filter((c) => c.url === '/cart')).toHaveLength(2);
    expect(useStore.getState().token).toBeNull();
    expect(navigate).toHaveBeenCalledTimes(1);
  });

  it('sends an anonymous 401 to the login page without trying to refresh', async () => {
    handler = () => fail(401, 401, 'missing authorization');
    await expect(api.get('/cart')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(1);
    expect(navigate).toHaveBeenCalledWith('/login?redirect=%2Fcart%3Ftab%3D1');
  });

  it('treats 401 from login as an answer: no refresh, no redirect', async () => {
    useStore.getState().setSession(pair(1));
    handler = () => fail(401, 10002, 'invalid username or password');
    await expect(api.post('/user/login', {}, { skipAuthRefresh: true, noAuth: true, silent: true })).rejects.toMatchObject({ code: 10002 });
    expect(calls).toHaveLength(1);
    expect(authOf(calls[0])).toBeFalsy();
    expect(navigate).not.toHaveBeenCalled();
    expect(useStore.getState().token).toBe('access-1');
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    useStore.getState().setSession(pair(1));
    handler = (c) => {
      if (c.url === '/auth/refresh-token') throw new AxiosError('Network Error', AxiosError.ERR_NETWORK);
      return fail(401, 10006, 'token expired');
    };
    await expect(api.get('/cart')).rejects.toMatchObject({ status: 0 });
    expect(useStore.getState().refreshToken).toBe('refresh-1');
    expect(navigate).not.toHaveBeenCalled();
  });
});
