import { describe, expect, it } from 'vitest';
import { formatCents, formatYuan, isValidPrice, toCents } from './money';
import { formatCountdown } from './time';
import { checkEmail, checkPassword, checkPhone, checkUsername, safeRedirect, validateRegister } from './validation';

describe('money', () => {
  it('converts yuan to integer cents without float drift', () => {
    expect(toCents(0.1 + 0.2)).toBe(30);
    expect(toCents('19.99')).toBe(1999);
    expect(toCents(5999.0) * 3).toBe(1799700);
  });
  it('formats', () => {
    expect(formatYuan(5999)).toBe('¥5,999.00');
    expect(formatCents(1)).toBe('¥0.01');
    expect(formatYuan('12.5')).toBe('¥12.50');
  });
  it('validates admin prices like the API', () => {
    expect(isValidPrice('0.01')).toBe(true);
    expect(isValidPrice('10000000.00')).toBe(true);
    expect(isValidPrice('10000000.01')).toBe(false);
    expect(isValidPrice('0')).toBe(false);
    expect(isValidPrice('1.234')).toBe(false);
    expect(isValidPrice('abc')).toBe(false);
  });
});

describe('validation follows the API rules', () => {
  it('username: 3-50 letters, digits, underscores', () => {
    expect(checkUsername('ab')).toBe('valid.username');
    expect(checkUsername('abc')).toBeUndefined();
    expect(checkUsername('a'.repeat(50))).toBeUndefined();
    expect(checkUsername('a'.repeat(51))).toBe('valid.username');
    expect(checkUsername('bad name')).toBe('valid.username');
    expect(checkUsername('')).toBe('valid.required');
  });
  it('password: 6..72 bytes', () => {
    expect(checkPassword('12345')).toBe('valid.password');
    expect(checkPassword('123456')).toBeUndefined();
    expect(checkPassword('x'.repeat(72))).toBeUndefined();
    expect(checkPassword('x'.repeat(73))).toBe('valid.password');
    expect(checkPassword('密'.repeat(25))).toBe('valid.password'); // 75 bytes
  });
  it('email and optional phone', () => {
    expect(checkEmail('a@b.co')).toBeUndefined();
    expect(checkEmail('nope')).toBe('valid.email');
    expect(checkPhone('')).toBeUndefined();
    expect(checkPhone('+8613800000000')).toBeUndefined();
    expect(checkPhone('1234')).toBe('valid.phone');
    expect(checkPhone('12-34-56')).toBe('valid.phone');
  });
  it('register form checks the confirmation', () => {
    expect(validateRegister({ username: 'alice', email: 'a@b.co', phone: '', password: 'secret1', confirm: 'secret2' })).toEqual({ confirm: 'valid.confirm' });
    expect(validateRegister({ username: 'alice', email: 'a@b.co', phone: '', password: 'secret1', confirm: 'secret1' })).toEqual({});
  });
});

describe('misc', () => {
  it('keeps login redirects on this site', () => {
    expect(safeRedirect('/cart')).toBe('/cart');
    expect(safeRedirect('//evil.example')).toBe('/');
    expect(safeRedirect('https://evil.example')).toBe('/');
    expect(safeRedirect('/login?x')).toBe('/');
    expect(safeRedirect(null)).toBe('/');
  });
  it('formats countdowns', () => {
    expect(formatCountdown(899_500)).toBe('14:59');
    expect(formatCountdown(3_600_000)).toBe('1:00:00');
    expect(formatCountdown(-5)).toBe('00:00');
  });
});
