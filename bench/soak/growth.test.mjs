// The soak's growth rule on made-up series: a steady leak fails it, a plateau, noise and a short
// run pass it. Run with `node --test bench/soak/`.
import assert from 'node:assert/strict';
import test from 'node:test';

import { growthVerdict, percentile, slope } from './growth.mjs';

const RSS_RULE = { pct: 10, abs: 8, perMinute: 1 };  // MiB, as the soak uses it
const series = (n, f) => Array.from({ length: n }, (_, i) => ({ t: i * 10, v: f(i) }));

test('a steady leak of 3 MiB a minute fails', () => {
    const v = growthVerdict(series(54, (i) => 60 + i * 0.5), RSS_RULE);
    assert.equal(v.ok, false);
    assert.ok(v.perMinute > 2.9 && v.perMinute < 3.1, `slope ${v.perMinute}`);
});

test('memory that climbs in the first minutes and levels off passes', () => {
    const v = growthVerdict(series(54, (i) => 60 + 40 * Math.min(1, i / 12)), RSS_RULE);
    assert.equal(v.ok, true);
});

test('noise around a flat level passes, however large one jump', () => {
    const v = growthVerdict(series(54, (i) => 80 + (i % 2 ? 15 : -15)), RSS_RULE);
    assert.equal(v.ok, true);
});

test('a slow rise under the absolute floor passes (a few fds more)', () => {
    const v = growthVerdict(series(54, (i) => 20 + Math.floor(i / 10)), { pct: 10, abs: 16, perMinute: 1 });
    assert.equal(v.ok, true);
});

test('threads that keep being added fail', () => {
    const v = growthVerdict(series(54, (i) => 12 + Math.floor(i / 3)), { pct: 0, abs: 4, perMinute: 0.2 });
    assert.equal(v.ok, false);
});

test('too few samples are not judged', () => {
    const v = growthVerdict(series(5, (i) => i * 100), RSS_RULE);
    assert.equal(v.ok, true);
    assert.equal(v.judged, false);
});

test('percentile and slope', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 99), 4);
    assert.equal(slope([0, 1, 2], [5, 7, 9]), 2);
    assert.equal(slope([1], [1]), 0);
});
