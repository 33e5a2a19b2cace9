import { statusKey, useT } from '../i18n';

export function StatusBadge({ status }: { status: number }) {
  const t = useT();
  return (
    <span className={`badge badge-status-${status}`} data-testid="order-status" data-status={status}>
      {t(statusKey(status))}
    </span>
  );
}
