import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { authApi } from '../api/auth';
import { toApiError } from '../api/client';
import { Field } from '../components/Field';
import { ErrorState, Loading } from '../components/States';
import { roleKey, useT } from '../i18n';
import { useStore } from '../store';
import { formatDateTime } from '../utils/time';
import { useRequest } from '../utils/useRequest';
import { hasErrors, validateChangePassword, type Errors } from '../utils/validation';

type PwKey = 'old' | 'next' | 'confirm';

export function Profile() {
  const t = useT();
  const navigate = useNavigate();
  const locale = useStore((s) => s.locale);
  const profile = useRequest(async () => {
    const user = await authApi.profile();
    useStore.getState().setUser(user);
    return user;
  }, []);
  const [pw, setPw] = useState({ old: '', next: '', confirm: '' });
  const [errors, setErrors] = useState<Errors<PwKey>>({});
  const [oldError, setOldError] = useState('');
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);

  const change = async (e: FormEvent) => {
    e.preventDefault();
    const errs = validateChangePassword(pw);
    setErrors(errs);
    setOldError('');
    if (hasErrors(errs)) return;
    setBusy(true);
    try {
      await authApi.changePassword(pw.old, pw.next);
      // The server revoked every session of this user, this one included.
      useStore.getState().clearSession();
      useStore.getState().pushToast(t('profile.passwordChanged'), 'success');
      navigate('/login?redirect=%2Fprofile', { replace: true });
    } catch (err) {
      const apiErr = toApiError(err);
      if (apiErr.code === 10005 || apiErr.field === 'old_password') setOldError(apiErr.message);
      else useStore.getState().pushToast(apiErr.message, 'error');
      setBusy(false);
    }
  };

  const logout = async () => {
    setLeaving(true);
    try {
      await authApi.logout();
    } catch {
      // ends locally anyway
    }
    useStore.getState().clearSession();
    useStore.getState().pushToast(t('auth.loggedOut'), 'success');
    navigate('/', { replace: true });
  };

  const user = profile.data;
  return (
    <div className="profile" data-testid="page-profile">
      <h1 className="page-title">{t('profile.title')}</h1>
      <div className="two-col">
        <section className="card panel" aria-labelledby="info-title">
          <h2 id="info-title">{t('profile.info')}</h2>
          {profile.error ? (
            <ErrorState message={profile.error.message} onRetry={profile.reload} />
          ) : !user ? (
            <Loading />
          ) : (
            <dl className="info-list" data-testid="profile-info">
              <dt>{t('auth.username')}</dt>
              <dd data-testid="profile-username">{user.username}</dd>
              <dt>{t('auth.email')}</dt>
              <dd>{user.email || '—'}</dd>
              <dt>{t('auth.phone')}</dt>
              <dd>{user.phone || '—'}</dd>
              <dt>{t('profile.role')}</dt>
              <dd>{t(roleKey(user.role))}</dd>
              <dt>{t('profile.createdAt')}</dt>
              <dd>{formatDateTime(user.created_at, locale)}</dd>
            </dl>
          )}
          <button type="button" className="btn btn-outline" onClick={logout} disabled={leaving} data-testid="profile-logout">
            {t('nav.logout')}
          </button>
        </section>
        <section className="card panel" aria-labelledby="pw-title">
          <h2 id="pw-title">{t('profile.changePassword')}</h2>
          <form onSubmit={change} noValidate>
            <Field label={t('profile.oldPassword')} type="password" autoComplete="current-password" value={pw.old} onChange={(e) => setPw({ ...pw, old: e.target.value })} error={oldError || (errors.old && t(errors.old))} data-testid="pw-old" />
            <Field label={t('profile.newPassword')} type="password" autoComplete="new-password" value={pw.next} onChange={(e) => setPw({ ...pw, next: e.target.value })} error={errors.next && t(errors.next)} hint={t('auth.passwordHint')} data-testid="pw-new" />
            <Field label={t('profile.confirmNew')} type="password" autoComplete="new-password" value={pw.confirm} onChange={(e) => setPw({ ...pw, confirm: e.target.value })} error={errors.confirm && t(errors.confirm)} data-testid="pw-confirm" />
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="pw-submit">
              {busy ? t('common.submitting') : t('profile.changeButton')}
            </button>
          </form>
        </section>
      </div>
    </div>
  );
}
