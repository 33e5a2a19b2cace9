import { describe, expect, it } from 'vitest';
import { type SeckillActivity } from '../api/types';
import { countdownParts, formatRemaining, msUntil, nextTickDelay, offsetFromSample, ServerClock } from './serverClock';
import { featured, localInputToIso, nextBoundary, soldPercent, stateAt, toLocalInput } from './seckill';

describe('server clock offset', () => {
  it('is server time minus the midpoint of the round trip', () => {
    // sent at 1000, answered at 1200 (rtt 200); the server stamped 61100 -> at the midpoint (1100) the server said 61100
    expect(offsetFromSample(61_100, 1_000, 1_200)).toEqual({ offset: 60_000, rtt: 200 });
    expect(offsetFromSample(500, 1_000, 1_000)).toEqual({ offset: -500, rtt: 0 });
  });

  it('drives now() and keeps the sample with the smallest round trip', () => {
    let browser = 10_000;
    const clock = new ServerClock(3, () => browser);
    expect(clock.synced).toBe(false);
    expect(clock.now()).toBe(10_000); // unknown offset: the browser clock
    clock.sample(130_000, 9_000, 10_000); // rtt 1000 -> offset 120500
    expect(clock.offset).toBe(120_500);
    clock.sample(130_100, 9_990, 10_010); // rtt 20 -> offset 120100 (better)
    expect(clock.offset).toBe(120_100);
    clock.sample(131_000, 10_000, 10_400); // rtt 400: worse, ignored
    expect(clock.offset).toBe(120_100);
    browser = 20_000;
    expect(clock.now()).toBe(140_100);
    // only the last `keep` samples count: after 3 more, the rtt-20 one is gone
    clock.sample(200_000, 10_000, 10_100);
    clock.sample(200_000, 10_000, 10_100);
    clock.sample(200_000, 10_000, 10_060);
    expect(clock.offset).toBe(200_000 - 10_030);
  });

  it('notifies subscribers when the offset changes and ignores bad samples', () => {
    const clock = new ServerClock(5, () => 0);
    let calls = 0;
    const off = clock.subscribe(() => calls++);
    clock.sample(1_000, 0, 0);
    clock.sample(1_000, 0, 0); // same offset
    expect(calls).toBe(1);
    clock.sample(Number.NaN, 0, 0);
    clock.sample(0, 0, 0);
    expect(clock.offset).toBe(1_000);
    off();
    clock.sample(5_000, 0, 0);
    expect(calls).toBe(1);
  });
});

describe('countdown helper', () => {
  it('rounds up so 00:00 shows exactly at the target', () => {
    expect(formatRemaining(10_000)).toBe('00:10');
    expect(formatRemaining(9_001)).toBe('00:10');
    expect(formatRemaining(9_000)).toBe('00:09');
    expect(formatRemaining(1)).toBe('00:01');
    expect(formatRemaining(0)).toBe('00:00');
    expect(formatRemaining(-5_000)).toBe('00:00');
    expect(formatRemaining(3_600_000)).toBe('1:00:00');
    expect(formatRemaining(90_061_000, '天')).toBe('1天 01:01:01');
    expect(countdownParts(61_500)).toMatchObject({ minutes: 1, seconds: 2, totalSeconds: 62 });
  });

  it('schedules ticks on whole seconds before the target, the last one exactly at it', () => {
    expect(nextTickDelay(10_000, 7_250)).toBe(750); // 2750 left -> next tick at 2000 left
    expect(nextTickDelay(10_000, 9_000)).toBe(1000);
    expect(nextTickDelay(10_000, 9_997)).toBe(3); // a timer that fired early still lands on the target
    expect(nextTickDelay(10_000, 10_000)).toBe(1000);
    expect(nextTickDelay(null, 5)).toBe(1000);
    expect(msUntil('1970-01-01T00:00:10Z', 4_000)).toBe(6_000);
    expect(msUntil(10_000, 4_000)).toBe(6_000);
  });
});

const act = (over: Partial<SeckillActivity> = {}): SeckillActivity => ({
  id: 1, product_id: 7, product_name: 'Phone', product_image: '', price: 99, original_price: 199,
  total_stock: 10, sold: 0, remaining: 10, state: 'upcoming',
  start_time: '1970-01-01T00:00:10Z', end_time: '1970-01-01T00:01:00Z', per_user_limit: 1, created_at: '', updated_at: '',
  ...over,
});

describe('activity state on the server clock', () => {
  it('turns active exactly at the start and ended at the end, without a new fetch', () => {
    const a = act();
    expect(stateAt(a, 9_999)).toBe('upcoming');
    expect(stateAt(a, 10_000)).toBe('active');
    expect(stateAt(a, 59_999)).toBe('active');
    expect(stateAt(a, 60_000)).toBe('ended');
    expect(nextBoundary(a, 5_000)).toBe(10_000);
    expect(nextBoundary(a, 10_000)).toBe(60_000);
    expect(nextBoundary(a, 60_000)).toBeNull();
  });

  it('keeps sold out and ended from the server', () => {
    expect(stateAt(act({ state: 'sold_out', remaining: 0 }), 20_000)).toBe('sold_out');
    expect(stateAt(act({ remaining: 0 }), 20_000)).toBe('sold_out');
    expect(stateAt(act({ state: 'ended' }), 20_000)).toBe('ended');
    expect(soldPercent(act({ remaining: 3 }))).toBe(70);
    expect(soldPercent(act({ total_stock: 0, remaining: 0 }))).toBe(100);
  });

  it('features the running sale ending first, else the next to start', () => {
    const a = act({ id: 1, start_time: '1970-01-01T00:00:10Z' });
    const b = act({ id: 2, start_time: '1970-01-01T00:00:05Z', end_time: '1970-01-01T00:00:50Z' });
    expect(featured([a, b], 0)?.id).toBe(2);
    expect(featured([a, b], 20_000)?.id).toBe(2);
    expect(featured([a, act({ id: 3, state: 'ended' })], 70_000)).toBeNull();
  });

  it('converts datetime-local values to ISO with the browser offset and back', () => {
    const iso = localInputToIso('2026-11-25T10:00:07')!;
    expect(iso).toMatch(/^2026-11-25T10:00:07[+-]\d{2}:\d{2}$/);
    expect(new Date(iso).getTime()).toBe(new Date(2026, 10, 25, 10, 0, 7).getTime());
    expect(localInputToIso('2026-11-25T10:00')).toMatch(/^2026-11-25T10:00:00[+-]\d{2}:\d{2}$/);
    expect(localInputToIso('nope')).toBeNull();
    expect(toLocalInput(new Date(2026, 0, 2, 3, 4, 5).getTime())).toBe('2026-01-02T03:04:05');
  });
});
