import { api } from './client';
import type { LoginRequest, LoginResult, RegisterRequest, User } from './types';

// Login and register answer 401/409/429 as a result of the form, not an expired session;
// the form shows the message inline, so no toast either.
const formCall = { noAuth: true, skipAuthRefresh: true, silent: true } as const;

export const authApi = {
  register: (body: RegisterRequest) => api.post<LoginResult>('/user/register', body, formCall),
  login: (body: LoginRequest) => api.post<LoginResult>('/user/login', body, formCall),
  profile: () => api.get<User>('/user/profile'),
  changePassword: (old_password: string, new_password: string) =>
    api.post<null>('/auth/change-password', { old_password, new_password }, { silent: true }),
  logout: () => api.post<null>('/auth/logout', {}, { skipAuthRefresh: true, silent: true }),
};
