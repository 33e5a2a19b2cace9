// The single Axios instance every API call goes through.
//  - base URL /api, JSON (a FormData body goes out as multipart/form-data, see the request interceptor)
//  - attaches the access token from the store
//  - unwraps the envelope {code, message, data, trace_id}: callers receive `data`
//  - turns every failure into a typed ApiError and shows the server's message as a toast
//  - on 401 refreshes the access token once (concurrent 401s share one in-flight refresh),
//    retries the original request, and when the refresh fails ends the session and sends
//    the user to /login?redirect=<current path>
import axios, { AxiosHeaders, type AxiosError, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { t } from '../i18n';
import { useStore } from '../store';
import type { Envelope, LoginResult } from './types';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Do not send the access token (login, register, refresh). */
    noAuth?: boolean;
    /** A 401 is an answer, not an expired session: no refresh, no redirect (login, refresh). */
    skipAuthRefresh?: boolean;
    /** Do not show a toast for a failure (the caller shows it inline, or it is optional). */
    silent?: boolean;
    /** Internal: already retried once after a refresh. */
    _retried?: boolean;
  }
}

export interface ApiErrorInit {
  code: number;
  message: string;
  status: number;
  field?: string;
  traceId?: string;
}

/** A failed API call: the envelope's code and message, the HTTP status (0 = no response). */
export class ApiError extends Error {
  readonly code: number;
  readonly status: number;
  readonly field?: string;
  readonly traceId?: string;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.code = init.code;
    this.status = init.status;
    this.field = init.field;
    this.traceId = init.traceId;
  }
}

export const http = axios.create({
  baseURL: '/api',
  timeout: 20_000,
  headers: { Accept: 'application/json' },
});

// --- navigation hook (the router registers its navigate; tests register a spy) ---------
type Navigate = (to: string) => void;
let navigate: Navigate = (to) => window.location.assign(to);
export function setNavigator(fn: Navigate): void {
  navigate = fn;
}

// --- helpers ---------------------------------------------------------------------------
function isEnvelope(body: unknown): body is Envelope<unknown> {
  return typeof body === 'object' && body !== null && typeof (body as { code?: unknown }).code === 'number';
}

function fieldOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null) {
    const field = (data as { field?: unknown }).field;
    if (typeof field === 'string' && field) return field;
  }
  return undefined;
}

function fromEnvelope(body: Envelope<unknown>, status: number): ApiError {
  return new ApiError({
    code: body.code,
    message: body.message || t('common.error'),
    status,
    field: fieldOf(body.data),
    traceId: body.trace_id,
  });
}

/** Any thrown value to an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (axios.isAxiosError(err)) {
    const res = err.response;
    if (!res) return new ApiError({ code: 0, message: t('common.network'), status: 0 });
    if (isEnvelope(res.data)) return fromEnvelope(res.data, res.status);
    return new ApiError({ code: res.status, message: t('common.error'), status: res.status });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError({ code: 500, message, status: 0 });
}

function bearer(config: AxiosRequestConfig | undefined): string | null {
  const raw = config?.headers ? AxiosHeaders.from(config.headers as AxiosHeaders).get('Authorization') : null;
  return typeof raw === 'string' && raw.startsWith('Bearer ') ? raw.slice(7) : null;
}

function currentPath(): string {
  const { pathname, search, hash } = window.location;
  return pathname + search + hash;
}

/** Clear the session and send the user to the login page, coming back here afterwards. */
export function endSession(): void {
  const state = useStore.getState();
  const hadSession = state.token !== null || state.refreshToken !== null;
  const onLogin = window.location.pathname === '/login';
  if (!hadSession && onLogin) return; // a parallel request already ended it
  state.clearSession();
  state.pushToast(hadSession ? t('auth.sessionExpired') : t('auth.loginRequired'), 'info');
  if (!onLogin) {
    navigate(`/login?redirect=${encodeURIComponent(currentPath())}`);
  }
}

// --- token refresh (single flight) ---------------------------------------------------
let inflight: Promise<string> | null = null;

/** Exchange the refresh token for a new pair. Concurrent callers share one request. */
export function refreshAccessToken(): Promise<string> {
  if (!inflight) {
    inflight = (async () => {
      const refreshToken = useStore.getState().refreshToken;
      if (!refreshToken) throw new ApiError({ code: 10007, message: t('auth.sessionExpired'), status: 401 });
      const res = await http.post<LoginResult>(
        '/auth/refresh-token',
        { refresh_token: refreshToken },
        { noAuth: true, skipAuthRefresh: true, silent: true },
      );
      useStore.getState().setSession(res.data);
      return res.data.token;
    })().finally(() => {
      inflight = null;
    });
  }
  return inflight;
}

// --- interceptors ----------------------------------------------------------------------
http.interceptors.request.use((config: InternalAxiosRequestConfig) => {
  const token = useStore.getState().token;
  if (config.noAuth) config.headers.delete('Authorization');
  else if (token) config.headers.set('Authorization', `Bearer ${token}`);
  // A form (file upload) goes out as multipart/form-data with the boundary the browser chooses:
  // no Content-Type of ours may reach it (a JSON one would make Axios serialise the form).
  if (typeof FormData !== 'undefined' && config.data instanceof FormData) config.headers.delete('Content-Type');
  return config;
});

function fail(err: ApiError, config: AxiosRequestConfig | undefined): Promise<never> {
  if (!config?.silent) useStore.getState().pushToast(err.message, 'error');
  return Promise.reject(err);
}

http.interceptors.response.use(
  (res: AxiosResponse) => {
    const body: unknown = res.data;
    if (isEnvelope(body)) {
      if (body.code !== 0) return fail(fromEnvelope(body, res.status), res.config);
      res.data = body.data;
    }
    return res;
  },
  async (error: AxiosError | ApiError) => {
    if (error instanceof ApiError) return Promise.reject(error);
    const config = error.config;
    const status = error.response?.status;

    if (status === 401 && config && !config.skipAuthRefresh) {
      const state = useStore.getState();
      if (!config._retried && state.refreshToken) {
        const used = bearer(config);
        let token: string | null = null;
        if (state.token && used !== state.token) {
          token = state.token; // someone refreshed while this request was on its way
        } else {
          try {
            token = await refreshAccessToken();
          } catch (refreshError) {
            const e = toApiError(refreshError);
            if (e.status === 0) return fail(e, config); // network trouble: keep the session
            endSession();
            return Promise.reject(toApiError(error));
          }
        }
        const headers = AxiosHeaders.from(config.headers);
        headers.set('Authorization', `Bearer ${token}`);
        return http.request({ ...config, headers, _retried: true });
      }
      endSession();
      return Promise.reject(toApiError(error));
    }
    return fail(toApiError(error), config);
  },
);

// --- typed call helpers (return the envelope's data) -----------------------------------
export const api = {
  get: <T>(url: string, config?: AxiosRequestConfig) => http.get<T>(url, config).then((r) => r.data),
  post: <T>(url: string, body?: unknown, config?: AxiosRequestConfig) =>
    http.post<T>(url, body ?? {}, config).then((r) => r.data),
  put: <T>(url: string, body?: unknown, config?: AxiosRequestConfig) =>
    http.put<T>(url, body ?? {}, config).then((r) => r.data),
  delete: <T>(url: string, config?: AxiosRequestConfig) => http.delete<T>(url, config).then((r) => r.data),
};

/** For tests. */
export function resetClientForTests(): void {
  inflight = null;
}
