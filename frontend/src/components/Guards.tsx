import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { t } from '../i18n';
import { selectIsAdmin, selectSignedIn, useStore } from '../store';

function LoginRedirect() {
  const loc = useLocation();
  const to = `/login?redirect=${encodeURIComponent(loc.pathname + loc.search)}`;
  return <Navigate to={to} replace />;
}

/** Signed-in users only; others go to the login page and come back afterwards. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const signedIn = useStore(selectSignedIn);
  return signedIn ? <>{children}</> : <LoginRedirect />;
}

function NotAdmin() {
  const navigate = useNavigate();
  useEffect(() => {
    useStore.getState().pushToast(t('admin.only'), 'error');
    navigate('/', { replace: true });
  }, [navigate]);
  return null;
}

/** Admins (role 2) only; shoppers are sent home with a message. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const signedIn = useStore(selectSignedIn);
  const admin = useStore(selectIsAdmin);
  if (!signedIn) return <LoginRedirect />;
  return admin ? <>{children}</> : <NotAdmin />;
}
