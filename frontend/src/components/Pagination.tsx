import { useT } from '../i18n';

export function Pagination({ page, totalPage, total, onChange }: { page: number; totalPage: number; total: number; onChange: (p: number) => void }) {
  const t = useT();
  if (totalPage <= 1) return total > 0 ? <p className="pagination muted small">{t('common.totalItems', { n: total })}</p> : null;
  return (
    <nav className="pagination" aria-label="pagination" data-testid="pagination">
      <button type="button" className="btn btn-outline btn-sm" disabled={page <= 1} onClick={() => onChange(page - 1)} data-testid="page-prev">
        {t('common.prev')}
      </button>
      <span className="muted small" aria-live="polite">
        {t('common.pageOf', { page, total: totalPage })} · {t('common.totalItems', { n: total })}
      </span>
      <button type="button" className="btn btn-outline btn-sm" disabled={page >= totalPage} onClick={() => onChange(page + 1)} data-testid="page-next">
        {t('common.next')}
      </button>
    </nav>
  );
}
