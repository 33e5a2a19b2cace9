// The soak's arithmetic, kept apart so that its rules can be tested: percentiles of latencies and
// the verdict on whether a resource sampled over the run (resident memory, fds, threads) grows
// without bound or levels off.

/// The p-th percentile (0-100) of an ascending array, nearest-rank; null when empty.
export function percentile(sorted, p) {
    if (!sorted.length) return null;
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/// Least-squares slope of values against time (ys per unit of xs); 0 for fewer than two points.
export function slope(xs, ys) {
    const n = xs.length;
    if (n < 2) return 0;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
        num += (xs[i] - mx) * (ys[i] - my);
        den += (xs[i] - mx) ** 2;
    }
    return den === 0 ? 0 : num / den;
}

/// Judges one resource. `samples` are {t (seconds since start), v} after the warm-up. A resource
/// grows without bound when all three hold: the last third's maximum exceeds the first third's by
/// more than `pct` percent, and by more than `abs` units (noise on small counts), and the slope
/// fitted over all the samples is above `perMinute` units a minute. A resource that climbs early
/// and levels off (caches filling, pools reaching their size) fails the first two; one that jumps
/// around a flat mean fails the third. Fewer than 6 samples are too few to judge: ok, with a note.
export function growthVerdict(samples, { pct, abs, perMinute }) {
    if (samples.length < 6) {
        return { ok: true, judged: false, note: `only ${samples.length} samples after the warm-up: too few to judge` };
    }
    const third = Math.floor(samples.length / 3);
    const firstMax = Math.max(...samples.slice(0, third).map((s) => s.v));
    const lastMax = Math.max(...samples.slice(samples.length - third).map((s) => s.v));
    const perMin = slope(samples.map((s) => s.t / 60), samples.map((s) => s.v));
    const risePct = firstMax > 0 ? ((lastMax - firstMax) / firstMax) * 100 : (lastMax > 0 ? Infinity : 0);
    const grows = risePct > pct && lastMax - firstMax > abs && perMin > perMinute;
    return { ok: !grows, judged: true, firstMax, lastMax, risePct, perMinute: perMin };
}
