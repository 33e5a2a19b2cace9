import { formatCents, formatYuan } from '../utils/money';

export function Price({ yuan, cents, className }: { yuan?: number | string; cents?: number; className?: string }) {
  const text = cents !== undefined ? formatCents(cents) : formatYuan(yuan ?? 0);
  return <span className={`price ${className ?? ''}`}>{text}</span>;
}
