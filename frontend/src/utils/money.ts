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
