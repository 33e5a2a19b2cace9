// Pure flash-sale helpers: the state an activity is in at a given server time.
import type { SeckillActivity, SeckillState } from '../api/types';

export function timeOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/**
 * State at `now` (server clock). The list's state is a snapshot from when it was fetched;
 * the times decide between refreshes (an upcoming activity becomes active exactly at its
 * start without a reload). Sold out / ended as reported by the server stay that way.
 */
export function stateAt(a: SeckillActivity, now: number): SeckillState {
  if (a.state === 'ended' || now >= timeOf(a.end_time)) return 'ended';
  if (now < timeOf(a.start_time)) return 'upcoming';
  if (a.state === 'sold_out' || a.remaining <= 0) return 'sold_out';
  return 'active';
}

/** The next moment (server ms) at which stateAt can change, or null. */
export function nextBoundary(a: SeckillActivity, now: number): number | null {
  const start = timeOf(a.start_time);
  const end = timeOf(a.end_time);
  if (now < start) return start;
  if (now < end && a.state !== 'ended') return end;
  return null;
}

/** The activity a home-page banner features: the running one ending first, else the next to start. */
export function featured(list: SeckillActivity[], now: number): SeckillActivity | null {
  const active = list.filter((a) => stateAt(a, now) === 'active').sort((a, b) => timeOf(a.end_time) - timeOf(b.end_time));
  if (active.length) return active[0];
  const upcoming = list.filter((a) => stateAt(a, now) === 'upcoming').sort((a, b) => timeOf(a.start_time) - timeOf(b.start_time));
  return upcoming[0] ?? null;
}

/** Sold percentage for the progress bar, 0..100. */
export function soldPercent(a: SeckillActivity): number {
  if (a.total_stock <= 0) return 100;
  return Math.min(100, Math.max(0, Math.round(((a.total_stock - Math.max(0, a.remaining)) / a.total_stock) * 100)));
}

/** "2026-11-25T10:00" or "...T10:00:05" typed in a datetime-local input -> ISO 8601 with the browser's offset. */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(date.getTime())) return null;
  const off = -date.getTimezoneOffset(); // minutes east of UTC
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Epoch ms -> the value a datetime-local input (with seconds) shows for it in the browser's zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
