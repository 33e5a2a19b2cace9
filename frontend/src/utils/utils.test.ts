import { describe, expect, it } from 'vitest';
import { centsToYuanInput, formatCents, formatYuan, isValidPrice, parseYuanToCents, toCents } from './money';
import { QR_QUIET_ZONE, qrSymbol } from './qr';
import { formatCountdown } from './time';
import { checkEmail, checkPassword, checkPhone, checkRefundAmount, checkUsername, safeRedirect, validateRegister } from './validation';

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

describe('refund amounts: typed yuan to exact fen', () => {
  it('reads the digits, never through a float', () => {
    expect(parseYuanToCents('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996
    expect(parseYuanToCents('1.1')).toBe(110);
    expect(parseYuanToCents('1.10')).toBe(110);
    expect(parseYuanToCents('1.')).toBe(100);
    expect(parseYuanToCents(' 129.90 ')).toBe(12990);
    expect(parseYuanToCents('10000000.01')).toBe(1_000_000_001);
    expect(parseYuanToCents('4.35')).toBe(435); // 4.35 * 100 = 434.99999999999994
    for (const bad of ['', '.5', '-1', '1.234', '1e3', '1,000', 'abc', '0x10', '１２']) expect(parseYuanToCents(bad)).toBeNull();
  });
  it('writes fen back as an input value', () => {
    expect(centsToYuanInput(12990)).toBe('129.90');
    expect(centsToYuanInput(5)).toBe('0.05');
    expect(centsToYuanInput(100000000)).toBe('1000000.00');
    expect(parseYuanToCents(centsToYuanInput(29))).toBe(29);
  });
  it('bounds a refund by what is refundable', () => {
    expect(checkRefundAmount('129.90', 12990)).toEqual({ fee: 12990 });
    expect(checkRefundAmount('0.01', 12990)).toEqual({ fee: 1 });
    expect(checkRefundAmount('129.91', 12990)).toEqual({ error: 'refund.range' });
    expect(checkRefundAmount('0', 12990)).toEqual({ error: 'refund.range' });
    expect(checkRefundAmount('0.001', 12990)).toEqual({ error: 'refund.invalid' });
    expect(checkRefundAmount('  ', 12990)).toEqual({ error: 'valid.required' });
  });
});

describe('QR code', () => {
  const dark = (path: string, extent: number) => {
    // Rebuild the module grid from the path (runs "M{x} {y}h{w}v1h-{w}z").
    const grid = Array.from({ length: extent }, () => new Array<boolean>(extent).fill(false));
    for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      const [x, y, w] = [Number(m[1]), Number(m[2]), Number(m[3])];
      for (let i = 0; i < w; i++) grid[y][x + i] = true;
    }
    return grid;
  };
  it('draws a standard symbol with finder patterns and a quiet zone', () => {
    const s = qrSymbol('weixin://wxpay/bizpayurl?pr=abc123');
    expect(s.size).toBe(29); // version 3: 34 bytes at level M (version 2 holds 26)
    expect(s.extent).toBe(29 + 2 * QR_QUIET_ZONE);
    const g = dark(s.path, s.extent);
    const q = QR_QUIET_ZONE;
    for (const [r0, c0] of [[q, q], [q, q + s.size - 7], [q + s.size - 7, q]]) {
      for (let i = 0; i < 7; i++) {
        expect(g[r0][c0 + i]).toBe(true); // outer ring of the finder pattern
        expect(g[r0 + 6][c0 + i]).toBe(true);
        expect(g[r0 + i][c0]).toBe(true);
        expect(g[r0 + i][c0 + 6]).toBe(true);
      }
      expect(g[r0 + 1][c0 + 1]).toBe(false);
      expect(g[r0 + 3][c0 + 3]).toBe(true); // the centre
    }
    expect(g[0].some(Boolean) || g.some((row) => row[0])).toBe(false); // quiet zone
  });
  it('depends on the text', () => {
    expect(qrSymbol('weixin://wxpay/bizpayurl?pr=a').path).not.toBe(qrSymbol('weixin://wxpay/bizpayurl?pr=b').path);
  });
});
