import type { ReactNode } from 'react';
import { useT } from '../i18n';

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <div className="state state-loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

export function Empty({ title, hint, action }: { title: string; hint?: string; action?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty">
      <svg className="state-icon" viewBox="0 0 48 48" aria-hidden="true">
        <rect x="8" y="14" width="32" height="26" rx="4" fill="none" stroke="currentColor" strokeWidth="2.5" />
        <path d="M8 22h32M20 28h8" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
      </svg>
      <p className="state-title">{title}</p>
      {hint && <p className="muted">{hint}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const t = useT();
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <p className="state-title">{message}</p>
      {onRetry && (
        <button type="button" className="btn btn-outline" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
