import { useEffect, useState, type FormEvent } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { authApi } from '../api/auth';
import { cartApi } from '../api/cart';
import { setNavigator } from '../api/client';
import { useT } from '../i18n';
import { selectIsAdmin, selectSignedIn, useStore } from '../store';
import { Toasts } from './Toasts';

function Logo() {
  return (
    <svg className="logo-mark" viewBox="0 0 64 64" aria-hidden="true">
      <rect width="64" height="64" rx="14" fill="currentColor" />
      <path d="M18 22h28l-3 22H21z" fill="none" stroke="#fff" strokeWidth="4" strokeLinejoin="round" />
      <path d="M25 22a7 7 0 0 1 14 0" fill="none" stroke="#fff" strokeWidth="4" strokeLinecap="round" />
    </svg>
  );
}

function CartIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path d="M3 4h2l2.4 11h10.2L20 7H6.2" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
      <circle cx="9" cy="19.5" r="1.5" fill="currentColor" />
      <circle cx="17" cy="19.5" r="1.5" fill="currentColor" />
    </svg>
  );
}

export function Layout() {
  const t = useT();
  const navigate = useNavigate();
  const location = useLocation();
  const signedIn = useStore(selectSignedIn);
  const isAdmin = useStore(selectIsAdmin);
  const user = useStore((s) => s.user);
  const cartCount = useStore((s) => s.cartCount);
  const locale = useStore((s) => s.locale);
  const setLocale = useStore((s) => s.setLocale);
  const [keyword, setKeyword] = useState('');
  const [leaving, setLeaving] = useState(false);

  // The API layer navigates (to /login) through the router, without a page reload.
  useEffect(() => {
    setNavigator((to) => navigate(to));
  }, [navigate]);

  useEffect(() => {
    document.documentElement.lang = locale === 'zh' ? 'zh-CN' : 'en';
  }, [locale]);

  useEffect(() => {
    if (signedIn) void cartApi.refreshCount();
  }, [signedIn]);

  useEffect(() => {
    window.scrollTo(0, 0);
  }, [location.pathname]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    const q = keyword.trim();
    navigate(q ? `/products?keyword=${encodeURIComponent(q)}` : '/products');
  };

  const logout = async () => {
    setLeaving(true);
    try {
      await authApi.logout();
    } catch {
      // the session ends locally whatever the server said
    }
    useStore.getState().clearSession();
    useStore.getState().pushToast(t('auth.loggedOut'), 'success');
    setLeaving(false);
    navigate('/');
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="header">
        <div className="container header-inner">
          <Link to="/" className="brand" data-testid="brand">
            <Logo />
            <span>GoMall</span>
          </Link>
          <form className="header-search" role="search" onSubmit={search}>
            <label className="sr-only" htmlFor="header-search">
              {t('products.search')}
            </label>
            <input
              id="header-search"
              type="search"
              placeholder={t('products.searchPlaceholder')}
              value={keyword}
              onChange={(e) => setKeyword(e.target.value)}
              data-testid="header-search"
            />
            <button type="submit" className="btn btn-primary btn-sm">
              {t('products.searchButton')}
            </button>
          </form>
          <div className="header-actions">
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-label={t('nav.languageLabel')}
              onClick={() => setLocale(locale === 'zh' ? 'en' : 'zh')}
              data-testid="locale-switch"
            >
              {t('nav.language')}
            </button>
            <Link to="/cart" className="cart-link" data-testid="nav-cart" aria-label={`${t('nav.cart')} (${cartCount})`}>
              <CartIcon />
              <span className="cart-link-text">{t('nav.cart')}</span>
              <span className={`cart-badge ${cartCount ? '' : 'is-empty'}`} data-testid="cart-count">
                {cartCount > 99 ? '99+' : cartCount}
              </span>
            </Link>
          </div>
        </div>
        <nav className="container nav" aria-label={t('nav.menu')}>
          <NavLink to="/" end>
            {t('nav.home')}
          </NavLink>
          <NavLink to="/products" data-testid="nav-products">
            {t('nav.products')}
          </NavLink>
          <NavLink to="/seckill" data-testid="nav-seckill">
            {t('nav.seckill')}
          </NavLink>
          {signedIn && (
            <NavLink to="/orders" data-testid="nav-orders">
              {t('nav.orders')}
            </NavLink>
          )}
          {isAdmin && (
            <NavLink to="/admin" data-testid="nav-admin">
              {t('nav.admin')}
            </NavLink>
          )}
          <span className="nav-spacer" />
          {signedIn ? (
            <>
              <NavLink to="/profile" data-testid="nav-profile">
                <span className="avatar" aria-hidden="true">
                  {user?.username.slice(0, 1).toUpperCase()}
                </span>
                <span data-testid="nav-username">{user?.username}</span>
              </NavLink>
              <button type="button" className="nav-button" onClick={logout} disabled={leaving} data-testid="nav-logout">
                {t('nav.logout')}
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login" data-testid="nav-login">
                {t('nav.login')}
              </NavLink>
              <NavLink to="/register" data-testid="nav-register">
                {t('nav.register')}
              </NavLink>
            </>
          )}
        </nav>
      </header>
      <main id="main" className="container main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="footer">
        <div className="container footer-inner">
          <span>© GoMall</span>
          <span className="muted">{t('footer.text')}</span>
          <a href="/swagger/index.html">{t('footer.api')}</a>
        </div>
      </footer>
      <Toasts />
    </div>
  );
}
