// Money arrives as yuan with two decimals; arithmetic is done in integer cents.

export function toCents(yuan: number | string): number {
  const n = typeof yuan === 'number' ? yuan : Number(yuan);
  if (!Number.isFinite(n)) return 0;
  return Math.round(n * 100);
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  const fen = String(abs % 100).padStart(2, '0');
  return `${sign}¥${yuan}.${fen}`;
}

export function formatYuan(yuan: number | string): string {
  return formatCents(toCents(yuan));
}

/** "12.5" -> true; "12.345" -> false; range 0.01..10000000.00 */
export function isValidPrice(input: string): boolean {
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(input.trim())) return false;
  const cents = toCents(input);
  return cents >= 1 && cents <= 1_000_000_000;
}

/**
 * A yuan amount typed by a person ("12", "12.3", "12.30", "0.05") -> integer fen, read from the
 * digits (never through a float); null for anything else (signs, exponents, more than two decimals).
 */
export function parseYuanToCents(input: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(input.trim());
  if (!m) return null;
  const whole = Number(m[1]);
  const fraction = Number((m[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
}

/** Integer fen -> "12.30" (no currency sign, no grouping): the value of an amount input. */
export function centsToYuanInput(cents: number): string {
  const abs = Math.abs(Math.trunc(cents));
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
