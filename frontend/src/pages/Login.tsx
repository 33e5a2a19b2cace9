import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { authApi } from '../api/auth';
import { toApiError } from '../api/client';
import { Field } from '../components/Field';
import { useT } from '../i18n';
import { useStore } from '../store';
import { hasErrors, safeRedirect, validateLogin, type Errors } from '../utils/validation';

export function Login() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const redirect = safeRedirect(params.get('redirect'));
  const [form, setForm] = useState({ username: '', password: '' });
  const [errors, setErrors] = useState<Errors<'username' | 'password'>>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateLogin(form);
    setErrors(errs);
    setFormError('');
    if (hasErrors(errs)) return;
    setBusy(true);
    try {
      const result = await authApi.login({ username: form.username.trim(), password: form.password });
      useStore.getState().setSession(result);
      useStore.getState().pushToast(t('auth.welcome', { name: result.user.username }), 'success');
      navigate(redirect, { replace: true });
    } catch (err) {
      const e = toApiError(err);
      setFormError(e.message);
      setBusy(false);
    }
  };

  return (
    <div className="auth-page" data-testid="page-login">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{t('auth.loginTitle')}</h1>
        {formError && (
          <p className="form-error" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
        <Field
          label={t('auth.username')}
          name="username"
          autoComplete="username"
          autoFocus
          value={form.username}
          onChange={(e) => setForm({ ...form, username: e.target.value })}
          error={errors.username && t(errors.username)}
          data-testid="login-username"
        />
        <Field
          label={t('auth.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
          error={errors.password && t(errors.password)}
          data-testid="login-password"
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="login-submit">
          {busy ? t('common.submitting') : t('auth.loginButton')}
        </button>
        <p className="auth-switch small">
          {t('auth.noAccount')}{' '}
          <Link to={`/register${params.get('redirect') ? `?redirect=${encodeURIComponent(redirect)}` : ''}`}>{t('auth.goRegister')}</Link>
        </p>
      </form>
    </div>
  );
}
