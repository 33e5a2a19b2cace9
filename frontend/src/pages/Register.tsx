import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { authApi } from '../api/auth';
import { toApiError } from '../api/client';
import { Field } from '../components/Field';
import { useT } from '../i18n';
import { useStore } from '../store';
import { hasErrors, safeRedirect, validateRegister, type Errors, type RegisterForm } from '../utils/validation';

type Key = keyof RegisterForm;

export function Register() {
  const t = useT();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const redirect = safeRedirect(params.get('redirect'));
  const [form, setForm] = useState<RegisterForm>({ username: '', email: '', phone: '', password: '', confirm: '' });
  const [errors, setErrors] = useState<Errors<Key>>({});
  const [serverErrors, setServerErrors] = useState<Partial<Record<Key, string>>>({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);

  const set = (k: Key) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm({ ...form, [k]: e.target.value });
    if (errors[k] || serverErrors[k]) {
      setErrors({ ...errors, [k]: undefined });
      setServerErrors({ ...serverErrors, [k]: undefined });
    }
  };
  const errorOf = (k: Key) => serverErrors[k] ?? (errors[k] && t(errors[k]!));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateRegister(form);
    setErrors(errs);
    setServerErrors({});
    setFormError('');
    if (hasErrors(errs)) return;
    setBusy(true);
    try {
      const result = await authApi.register({
        username: form.username.trim(),
        email: form.email.trim(),
        password: form.password,
        ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      });
      useStore.getState().setSession(result);
      useStore.getState().pushToast(t('auth.registered', { name: result.user.username }), 'success');
      navigate(redirect, { replace: true });
    } catch (err) {
      const apiErr = toApiError(err);
      const field = apiErr.field as Key | undefined;
      if (apiErr.code === 10001) setServerErrors({ username: apiErr.message });
      else if (field && field in form) setServerErrors({ [field]: apiErr.message });
      else setFormError(apiErr.message);
      setBusy(false);
    }
  };

  return (
    <div className="auth-page" data-testid="page-register">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{t('auth.registerTitle')}</h1>
        {formError && (
          <p className="form-error" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
        <Field label={t('auth.username')} name="username" autoComplete="username" autoFocus value={form.username} onChange={set('username')} error={errorOf('username')} hint={t('auth.usernameHint')} data-testid="register-username" />
        <Field label={t('auth.email')} name="email" type="email" autoComplete="email" value={form.email} onChange={set('email')} error={errorOf('email')} data-testid="register-email" />
        <Field label={t('auth.phone')} name="phone" type="tel" autoComplete="tel" value={form.phone} onChange={set('phone')} error={errorOf('phone')} data-testid="register-phone" />
        <Field label={t('auth.password')} name="password" type="password" autoComplete="new-password" value={form.password} onChange={set('password')} error={errorOf('password')} hint={t('auth.passwordHint')} data-testid="register-password" />
        <Field label={t('auth.confirmPassword')} name="confirm" type="password" autoComplete="new-password" value={form.confirm} onChange={set('confirm')} error={errorOf('confirm')} data-testid="register-confirm" />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="register-submit">
          {busy ? t('common.submitting') : t('auth.registerButton')}
        </button>
        <p className="auth-switch small">
          {t('auth.haveAccount')} <Link to={`/login${params.get('redirect') ? `?redirect=${encodeURIComponent(redirect)}` : ''}`}>{t('auth.goLogin')}</Link>
        </p>
      </form>
    </div>
  );
}
