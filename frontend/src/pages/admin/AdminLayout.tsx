import { NavLink, Outlet } from 'react-router-dom';
import { useT } from '../../i18n';

export function AdminLayout() {
  const t = useT();
  return (
    <div className="admin" data-testid="page-admin">
      <div className="admin-head">
        <h1 className="page-title">{t('admin.title')}</h1>
        <nav className="tabs" aria-label={t('admin.title')}>
          <NavLink to="/admin/products" className={({ isActive }) => `tab ${isActive ? 'is-active' : ''}`} data-testid="admin-tab-products">
            {t('admin.products')}
          </NavLink>
          <NavLink to="/admin/orders" className={({ isActive }) => `tab ${isActive ? 'is-active' : ''}`} data-testid="admin-tab-orders">
            {t('admin.orders')}
          </NavLink>
          <NavLink to="/admin/seckill" className={({ isActive }) => `tab ${isActive ? 'is-active' : ''}`} data-testid="admin-tab-seckill">
            {t('admin.seckill')}
          </NavLink>
          <NavLink to="/admin/dashboard" className={({ isActive }) => `tab ${isActive ? 'is-active' : ''}`} data-testid="admin-tab-dashboard">
            {t('dashboard.title')}
          </NavLink>
        </nav>
      </div>
      <Outlet />
    </div>
  );
}
