// Helpers shared by the full-stack flash-sale fault tests (seckill-fullstack-*.test.mjs): a crowd
// that buys in waves across one or more server instances and records every answer, and the
// checks that hold after any fault once the queue has drained: every "queued" answer resolved,
// the orders in the database match the shoppers' results, nobody over the limit, no oversell.
import {
    assert, EXTERNAL, EXTERNAL_SKIP, FULL_STACK, FULL_STACK_SKIP, ORDER_NO_RE, checkEnvelope, expectOk, pool, sleep,
} from './harness.mjs';

/// Why a full-stack fault test cannot run here, or '' when it can: it needs the flash sale on
/// Redis + RabbitMQ and controls those servers through scripts/stack, so it must also own the
/// shop's processes (not under GOMALL_BASE_URL).
export function fullStackSkipReason() {
    if (EXTERNAL) return EXTERNAL_SKIP;
    if (!FULL_STACK) return FULL_STACK_SKIP;
    return '';
}

export const CODE_SOLD_OUT = 60002;
export const CODE_LIMIT = 60005;
export const CODE_RATE = 60006;
export const CODE_BUSY = 60007;

/// Purchase answers that are fine while a server of the stack fails: queued, sold out, limit
/// reached, rate limited, or "busy, try again" (503 60007: nothing was reserved); each a proper
/// envelope.
export function acceptableAnswer(res) {
    try {
        checkEnvelope(res);
    } catch {
        return false;
    }
    return res.status === 200
        || (res.status === 409 && [CODE_SOLD_OUT, CODE_LIMIT].includes(res.body?.code))
        || (res.status === 429 && res.body?.code === CODE_RATE)
        || (res.status === 503 && res.body?.code === CODE_BUSY);
}

export function answerKey(o) {
    return o.err ? `no answer (${o.err.cause?.code || o.err.name})` : `${o.res.status}/${o.res.body?.code}`;
}

export function tally(outcomes) {
    const counts = {};
    for (const o of outcomes) counts[answerKey(o)] = (counts[answerKey(o)] || 0) + 1;
    return counts;
}

function shuffle(items) {
    const a = [...items];
    for (let i = a.length - 1; i > 0; i -= 1) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
}

/// A crowd of shoppers buying one product, in waves, spread over `servers`. Every answer is kept
/// with when it was sent and received, so a test can look at what happened in a time window.
export class Crowd {
    constructor({ servers, productId, shoppers, timeoutMs = 15000 }) {
        this.servers = servers;
        this.productId = productId;
        this.shoppers = shoppers;
        this.timeoutMs = timeoutMs;
        this.outcomes = [];       // {u, server, sentAt, at, ms, res} | {..., err}
        this.queued = new Map();  // user id -> [{reservation, server}] (one per "queued" answer)
        this.next = 0;
    }

    /// One purchase by `u` on `server`; recorded.
    async buy(u, server) {
        const sentAt = Date.now();
        let o;
        try {
            const res = await server.seckillBuy(u, this.productId, { checkEnvelope: false, timeoutMs: this.timeoutMs });
            o = { u, server, sentAt, at: Date.now(), res };
            if (res.status === 200) {
                const list = this.queued.get(u.user.id) || [];
                list.push({ reservation: res.body?.data?.reservation_id, server });
                this.queued.set(u.user.id, list);
            }
        } catch (err) {
            o = { u, server, sentAt, at: Date.now(), err };
        }
        o.ms = o.at - sentAt;
        this.outcomes.push(o);
        return o;
    }

    /// `size` shoppers who hold no queued answer yet (chosen at random), `concurrency` at a time,
    /// one request each, to the servers in turn. Returns the wave's outcomes.
    async wave(size, concurrency = 25) {
        const free = this.shoppers.filter((u) => !this.queued.has(u.user.id));
        const picked = shuffle(free).slice(0, size);
        return pool(picked, concurrency, (u) => {
            const server = this.servers[this.next % this.servers.length];
            this.next += 1;
            return this.buy(u, server);
        });
    }

    /// Waves every `pauseMs` until `done()` is true (checked before each wave) or `deadline`.
    async wavesUntil(done, { size = 20, pauseMs = 100, deadline = Date.now() + 60000, concurrency = 25 } = {}) {
        while (!(await done()) && Date.now() < deadline) {
            await this.wave(size, concurrency);
            await sleep(pauseMs);
        }
    }

    /// Waves until a whole wave is answered "sold out" (by every server in turn) or the deadline;
    /// returns true when sold out.
    async untilSoldOut({ size = 30, pauseMs = 100, timeoutMs = 60000, concurrency = 25 } = {}) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            const w = await this.wave(size, concurrency);
            if (w.length === 0) return false;  // everybody holds a unit: cannot be sold out
            if (w.every((o) => o.res?.status === 409 && o.res.body?.code === CODE_SOLD_OUT)) return true;
            await sleep(pauseMs);
        }
        return false;
    }

    /// Buys in waves of `size` every `pauseMs` in the background, until the returned function is
    /// called (it resolves once the wave in flight is answered): a crowd that keeps coming while a
    /// test breaks something.
    keepFiring({ size = 10, pauseMs = 100 } = {}) {
        const firing = { on: true };
        const done = (async () => {
            while (firing.on) {
                await this.wave(size, size);
                await sleep(pauseMs);
            }
        })();
        return async () => {
            firing.on = false;
            await done;
        };
    }

    get queuedCount() {
        let n = 0;
        for (const list of this.queued.values()) n += list.length;
        return n;
    }

    /// Answers that are neither acceptable nor "no answer": what a test must never see.
    badAnswers(outcomes = this.outcomes) {
        return outcomes.filter((o) => o.res && !acceptableAnswer(o.res))
            .map((o) => `${o.res.what} -> ${o.res.status} ${o.res.text.slice(0, 200)}`);
    }
}

/// Polls the shopper's result (on `server`) until none of `reservations` is still queued, or the
/// deadline; returns the last result data.
export async function waitReservations(server, u, productId, reservations, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const r = await server.seckillResult(u, productId);
        expectOk(r);
        const d = r.body.data;
        const byId = new Map((d.reservations || []).map((x) => [x.reservation_id, x]));
        const open = reservations.filter((id) => !byId.has(id) || byId.get(id).status === 'queued');
        if ((open.length === 0 && d.status !== 'queued') || Date.now() > deadline) return d;
        await sleep(200);
    }
}

/// Every order of `activityId` (admin order list, every page).
export async function activityOrders(server, activityId) {
    const all = await server.listAll('/api/admin/order', await server.adminToken());
    return all.filter((o) => o.seckill_activity_id === activityId);
}

/// The checks after the queue has drained. Resolves every queued answer (results asked of the
/// servers in turn), then compares the shoppers' results with the activity's orders in the
/// database. Returns {orders, results (user id -> result data), successes, failures}.
///   allowFailed: queued reservations may end "failed" with a reason (Redis lost its data);
///                otherwise each must end "success" with an order number.
export async function verifyAfterDrain(t, { crowd, activity, limit = 1, allowFailed = false, drainMs = 30000 }) {
    const { servers, productId, shoppers } = crowd;
    const byUser = new Map(shoppers.map((u) => [u.user.id, u]));
    let turn = 0;
    const nextServer = () => servers[(turn++) % servers.length];

    // every queued answer resolves
    const results = new Map();
    let successes = 0;
    let failures = 0;
    const problems = [];
    await pool([...crowd.queued.entries()], 20, async ([userId, list]) => {
        const u = byUser.get(userId);
        const ids = list.map((x) => x.reservation);
        const d = await waitReservations(nextServer(), u, productId, ids, drainMs);
        results.set(userId, d);
        const byId = new Map((d.reservations || []).map((x) => [x.reservation_id, x]));
        for (const id of ids) {
            const r = byId.get(id);
            if (!r) { problems.push(`${u.username}: queued reservation ${id} unknown to the result ${JSON.stringify(d)}`); continue; }
            if (r.status === 'success') {
                successes += 1;
                if (!ORDER_NO_RE.test(String(r.order_no))) problems.push(`${u.username}: success without an order number ${JSON.stringify(r)}`);
            } else if (r.status === 'failed' && allowFailed) {
                failures += 1;
                if (typeof r.reason !== 'string' || r.reason.length === 0) problems.push(`${u.username}: failed without a reason ${JSON.stringify(r)}`);
            } else {
                problems.push(`${u.username}: queued reservation ${id} ended ${JSON.stringify(r)}`);
            }
        }
    });
    assert.deepEqual(problems.slice(0, 10), [], `${problems.length} queued answers did not resolve as they must`);

    // nothing stays queued, for anybody (also shoppers whose answer was lost or never queued)
    const stuck = [];
    await pool(shoppers.filter((u) => !results.has(u.user.id)), 25, async (u) => {
        const r = await nextServer().seckillResult(u, productId);
        expectOk(r);
        results.set(u.user.id, r.body.data);
        if (r.body.data.status === 'queued') stuck.push(u.username);
    });
    assert.deepEqual(stuck.slice(0, 10), [], `${stuck.length} shoppers still queued`);

    // the database: no oversell, nobody over the limit, no duplicates, results and orders agree
    const orders = await activityOrders(servers[0], activity.id);
    t.diagnostic(`orders of activity ${activity.id}: ${orders.length} (stock ${activity.total_stock}); `
        + `queued answers ${crowd.queuedCount}: ${successes} success, ${failures} failed`);
    assert.ok(orders.length <= activity.total_stock, `oversold: ${orders.length} orders for stock ${activity.total_stock}`);
    assert.equal(new Set(orders.map((o) => o.order_no)).size, orders.length, 'duplicate order numbers');
    const perUser = new Map();
    for (const o of orders) perUser.set(o.user_id, [...(perUser.get(o.user_id) || []), o]);
    const over = [...perUser.entries()].filter(([, os]) => os.length > limit).map(([id, os]) => `user ${id}: ${os.length}`);
    assert.deepEqual(over, [], 'shoppers over the per-user limit');
    const mismatched = [];
    for (const o of orders) {
        const d = results.get(o.user_id);
        const listed = d && (d.reservations || []).some((r) => r.status === 'success' && r.order_no === o.order_no);
        if (!byUser.has(o.user_id)) mismatched.push(`order ${o.order_no} of user ${o.user_id}, not one of the crowd`);
        else if (!listed) mismatched.push(`order ${o.order_no} of ${byUser.get(o.user_id).username} not in the result ${JSON.stringify(d)}`);
    }
    for (const [userId, d] of results) {
        for (const r of d.reservations || []) {
            if (r.status !== 'success') continue;
            if (!(perUser.get(userId) || []).some((o) => o.order_no === r.order_no)) {
                mismatched.push(`${byUser.get(userId)?.username}: result success ${r.order_no} without that order`);
            }
        }
    }
    assert.deepEqual(mismatched.slice(0, 10), [], `${mismatched.length} mismatches between results and orders`);
    for (const o of orders) {
        assert.equal(o.quantity, 1);
        assert.equal(o.product_id, productId);
    }
    return { orders, results, successes, failures };
}

/// Polls GET /api/seckill/activities/:id on `server` until `pred(activity)` or the deadline.
export async function waitActivity(server, id, pred, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const a = await server.activity(id);
        if (pred(a) || Date.now() > deadline) return a;
        await sleep(250);
    }
}

/// Waits until `server` lists the activity as active (another instance learns of an activity
/// created elsewhere on its reconciler's next pass).
export async function waitIndexed(server, activityId, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const res = await server.api('GET', '/api/seckill/activities');
        const found = res.status === 200 && (res.body.data.list || []).some((a) => a.id === activityId && a.state === 'active');
        if (found || Date.now() > deadline) return found;
        await sleep(200);
    }
}
