// The same input rules the API applies (notes/contract.md), checked before sending.
import type { MessageKey } from '../i18n';
import { parseYuanToCents } from './money';

export type Errors<K extends string> = Partial<Record<K, MessageKey>>;

const USERNAME = /^[A-Za-z0-9_]{3,50}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?\d{5,20}$/;

export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

export function checkUsername(v: string): MessageKey | undefined {
  if (!v) return 'valid.required';
  return USERNAME.test(v) ? undefined : 'valid.username';
}

export function checkPassword(v: string): MessageKey | undefined {
  if (!v) return 'valid.required';
  const n = byteLength(v);
  return n >= 6 && n <= 72 ? undefined : 'valid.password';
}

export function checkEmail(v: string): MessageKey | undefined {
  if (!v) return 'valid.required';
  return EMAIL.test(v) && v.length <= 100 ? undefined : 'valid.email';
}

export function checkPhone(v: string): MessageKey | undefined {
  if (!v) return undefined; // optional
  return PHONE.test(v) ? undefined : 'valid.phone';
}

export interface RegisterForm {
  username: string;
  email: string;
  phone: string;
  password: string;
  confirm: string;
}

export function validateRegister(f: RegisterForm): Errors<keyof RegisterForm> {
  const e: Errors<keyof RegisterForm> = {};
  e.username = checkUsername(f.username.trim());
  e.email = checkEmail(f.email.trim());
  e.phone = checkPhone(f.phone.trim());
  e.password = checkPassword(f.password);
  if (!e.password && f.confirm !== f.password) e.confirm = 'valid.confirm';
  return prune(e);
}

export function validateLogin(f: { username: string; password: string }): Errors<'username' | 'password'> {
  return prune({
    username: f.username.trim() ? undefined : 'valid.required',
    password: f.password ? undefined : 'valid.required',
  });
}

export function validateChangePassword(f: { old: string; next: string; confirm: string }): Errors<'old' | 'next' | 'confirm'> {
  const e: Errors<'old' | 'next' | 'confirm'> = {};
  e.old = f.old ? undefined : 'valid.required';
  e.next = checkPassword(f.next);
  if (!e.next && f.confirm !== f.next) e.confirm = 'valid.confirm';
  return prune(e);
}

export function prune<K extends string>(e: Errors<K>): Errors<K> {
  for (const k of Object.keys(e) as K[]) if (e[k] === undefined) delete e[k];
  return e;
}

export function hasErrors(e: object): boolean {
  return Object.keys(e).length > 0;
}

/** Login redirect targets must stay inside this site. */
export function safeRedirect(target: string | null | undefined, fallback = '/'): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  if (target.startsWith('/login') || target.startsWith('/register')) return fallback;
  return target;
}

/** A refund typed in yuan -> fen, within 0.01 .. the refundable amount (fen); or what is wrong with it. */
export function checkRefundAmount(input: string, refundableFee: number): { fee: number } | { error: MessageKey } {
  if (!input.trim()) return { error: 'valid.required' };
  const fee = parseYuanToCents(input);
  if (fee === null) return { error: 'refund.invalid' };
  if (fee < 1 || fee > refundableFee) return { error: 'refund.range' };
  return { fee };
}
