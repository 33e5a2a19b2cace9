// Flash sale under a crowd: thousands of shoppers racing for little stock, one shopper hammering
// the buy button, and a crowd outside the sale window. Proves the guarantees "never oversell",
// "at most the per-user limit", "every queued answer becomes an order" and "refused outside the
// window without reserving anything".
//
// Environment: GOMALL_TEST_SECKILL_SHOPPERS (default 2000) shoppers in the big race; registration
// has a 60 s budget, and the race runs with whoever got registered by then (at least 3 x stock).
import { test, useServer, assert, sleep, ORDER_NO_RE, expectOk, pool, isoSeconds } from './harness.mjs';

const srv = useServer({ label: 'seckill-crowd' });

const SHOPPERS = Number(process.env.GOMALL_TEST_SECKILL_SHOPPERS || 2000);
const REGISTER_BUDGET_MS = 60000;
const REGISTER_CONCURRENCY = 50;
const CROWD_CONCURRENCY = 300;  // shoppers in flight at once (each with all their requests)

function tally(outcomes) {
    const counts = {};
    for (const o of outcomes) {
        const key = o.err ? `error ${o.err.message}` : `${o.res.status}/${o.res.body?.code}`;
        counts[key] = (counts[key] || 0) + 1;
    }
    return counts;
}

/// Registers up to n shoppers, REGISTER_CONCURRENCY at a time, within budgetMs.
async function registerShoppers(n, prefix, budgetMs = REGISTER_BUDGET_MS) {
    const deadline = Date.now() + budgetMs;
    const users = await pool(Array.from({ length: n }, (_, i) => i), REGISTER_CONCURRENCY,
        async () => (Date.now() > deadline ? null : srv.register(prefix)));
    return users.filter(Boolean);
}

/// Each shopper sends `perShopper` concurrent purchase requests; CROWD_CONCURRENCY shoppers at a
/// time. Returns [{u, res} | {u, err}] for every request.
async function crowd(users, productId, perShopper) {
    const nested = await pool(users, CROWD_CONCURRENCY, (u) => Promise.all(Array.from({ length: perShopper }, () => srv.seckillBuy(u, productId, { checkEnvelope: false })
        .then((res) => ({ u, res }), (err) => ({ u, err })))));
    return nested.flat();
}

/// The orders of `u` that belong to the activity.
async function ordersOf(u, activityId, productId) {
    const all = await srv.listAll('/api/order', u.token);
    return all.filter((o) => o.product_id === productId && o.seckill_activity_id === activityId);
}

test('crowd: thousands of shoppers x 3 requests on stock 100 -> exactly 100 orders, limit kept, no 5xx', { timeout: 600000 }, async (t) => {
    const t0 = Date.now();
    const users = await registerShoppers(SHOPPERS, 'crowd');
    const regMs = Date.now() - t0;
    t.diagnostic(`registered ${users.length} of ${SHOPPERS} shoppers in ${regMs} ms`);
    if (users.length < SHOPPERS) {
        t.diagnostic(`registration budget of ${REGISTER_BUDGET_MS} ms reached: racing with ${users.length} shoppers`);
    }
    const STOCK = 100;
    assert.ok(users.length >= 3 * STOCK, `need at least ${3 * STOCK} shoppers, registered ${users.length}`);

    const p = await srv.createProduct({ stock: 1000, price: 199 });
    const a = await srv.createActivity({ product_id: p.id, stock: STOCK, price: 9.9 });
    assert.equal(a.per_user_limit, 1);

    const t1 = Date.now();
    const outcomes = await crowd(users, p.id, 3);
    t.diagnostic(`${outcomes.length} requests in ${Date.now() - t1} ms: ${JSON.stringify(tally(outcomes))}`);

    const errors = outcomes.filter((o) => o.err);
    assert.deepEqual(errors.map((o) => o.err.message).slice(0, 5), [], `${errors.length} requests got no response`);
    const bad = outcomes.filter(({ res }) => !(res.status === 200
        || (res.status === 409 && [60002, 60005].includes(res.body?.code))
        || (res.status === 429 && res.body?.code === 60006)));
    assert.deepEqual(bad.map(({ res }) => `${res.status} ${res.text.slice(0, 200)}`).slice(0, 10), [],
        `${bad.length} answers other than queued / 409 60002 / 409 60005 / 429 60006`);

    const queued = outcomes.filter(({ res }) => res.status === 200);
    assert.equal(queued.length, STOCK, `exactly ${STOCK} queued answers: ${JSON.stringify(tally(outcomes))}`);
    const winners = new Map();
    for (const { u, res } of queued) {
        expectOk(res);
        assert.equal(res.body.data.status, 'queued');
        assert.equal(res.body.data.activity_id, a.id);
        assert.equal(res.body.data.product_id, p.id);
        assert.ok(!winners.has(u.user.id), `shopper ${u.username} was queued twice with limit 1`);
        winners.set(u.user.id, { u, reservation: res.body.data.reservation_id });
    }
    assert.equal(new Set(queued.map(({ res }) => res.body.data.reservation_id)).size, STOCK, 'reservation ids are unique');

    // every queued answer becomes an order
    const finals = await pool([...winners.values()], 20, async ({ u, reservation }) => {
        const f = await srv.waitSeckillFinal(u, p.id, 30000);
        assert.equal(f.status, 'success', `${u.username}: ${JSON.stringify(f)}`);
        assert.match(f.order_no, ORDER_NO_RE);
        assert.equal(f.reservation_id, reservation);
        return { u, orderNo: f.order_no };
    });
    assert.equal(new Set(finals.map((f) => f.orderNo)).size, STOCK, 'order numbers are unique');

    const act = await srv.waitActivity(a.id, (x) => x.sold === STOCK);
    assert.equal(act.sold, STOCK);
    assert.equal(act.remaining, 0);
    assert.equal(act.state, 'sold_out');

    // the database holds exactly those orders, nobody more than the limit
    const expected = new Map(finals.map((f) => [f.u.user.id, f.orderNo]));
    let total = 0;
    const over = [];
    await pool(users, 50, async (u) => {
        const orders = await ordersOf(u, a.id, p.id);
        total += orders.length;
        if (orders.length > 1) over.push(`${u.username}: ${orders.length}`);
        const want = expected.get(u.user.id);
        if (want) {
            assert.equal(orders.length, 1, `winner ${u.username} has ${orders.length} orders`);
            assert.equal(orders[0].order_no, want);
            assert.equal(orders[0].quantity, 1);
            assert.equal(orders[0].total_price, 9.9);
        } else {
            assert.equal(orders.length, 0, `${u.username} was never queued but has an order`);
        }
    });
    assert.deepEqual(over, [], 'shoppers over the per-user limit');
    assert.equal(total, STOCK, `orders for the activity across shoppers: ${total}`);

    // losers see no reservation; a late shopper gets sold out at once
    const losers = users.filter((u) => !winners.has(u.user.id)).slice(0, 20);
    for (const u of losers) {
        const r = await srv.seckillResult(u, p.id);
        expectOk(r);
        assert.equal(r.body.data.status, 'none', `${u.username}: ${r.text}`);
    }
    const late = await srv.seckillBuy(losers[0], p.id);
    assert.equal(late.status, 409, late.text);
    assert.equal(late.body.code, 60002);
});

test('one shopper, 50 concurrent requests, per_user_limit 2 -> exactly 2 queued and 2 orders', async () => {
    const u = await srv.register('greedy');
    const p = await srv.createProduct({ stock: 100, price: 50 });
    const a = await srv.createActivity({ product_id: p.id, stock: 10, price: 5, per_user_limit: 2 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => srv.seckillBuy(u, p.id, { checkEnvelope: false })
        .then((res) => ({ u, res }), (err) => ({ u, err }))));
    const counts = tally(outcomes);
    assert.ok(outcomes.every((o) => !o.err), JSON.stringify(counts));
    const queued = outcomes.filter(({ res }) => res.status === 200);
    assert.equal(queued.length, 2, `outcomes: ${JSON.stringify(counts)}`);
    for (const { res } of outcomes) {
        if (res.status === 200) continue;
        assert.ok((res.status === 409 && res.body?.code === 60005) || (res.status === 429 && res.body?.code === 60006),
            `unexpected ${res.status} ${res.text}`);
    }
    const limited = outcomes.filter(({ res }) => res.body?.code === 60005);
    for (const { res } of limited.slice(0, 1)) assert.match(res.body.message, /2/, `limit message names the limit: ${res.body.message}`);

    const final = await srv.waitSeckillFinal(u, p.id);
    assert.equal(final.status, 'success', JSON.stringify(final));
    assert.equal(final.reservations.length, 2, JSON.stringify(final));
    for (const r of final.reservations) {
        assert.equal(r.status, 'success', JSON.stringify(final));
        assert.match(r.order_no, ORDER_NO_RE);
    }
    assert.deepEqual(new Set(final.reservations.map((r) => r.reservation_id)), new Set(queued.map(({ res }) => res.body.data.reservation_id)));
    const orders = await ordersOf(u, a.id, p.id);
    assert.equal(orders.length, 2);
    const act = await srv.waitActivity(a.id, (x) => x.sold === 2);
    assert.equal(act.sold, 2);
    assert.equal(act.remaining, 8);

    // still at the limit afterwards
    await sleep(1100);
    const more = await srv.seckillBuy(u, p.id, { checkEnvelope: false });
    assert.equal(more.status, 409, more.text);
    assert.equal(more.body.code, 60005);
});

test('window: a crowd before the start and after the end is refused and reserves nothing', async () => {
    const users = await registerShoppers(50, 'window');
    assert.equal(users.length, 50);
    const p = await srv.createProduct({ stock: 100, price: 30 });
    const now = await srv.serverNowMs();
    const startMs = Date.parse(isoSeconds(now + 5000));
    const endMs = startMs + 2000;
    const a = await srv.createActivity({
        product_id: p.id, stock: 10, price: 3, start_time: isoSeconds(startMs), end_time: isoSeconds(endMs),
    });
    assert.equal(a.state, 'upcoming');

    const before = await crowd(users, p.id, 3);
    const beforeDone = await srv.serverNowMs();
    assert.ok(beforeDone < startMs, `the before-start crowd took too long (finished ${beforeDone - startMs} ms after the start)`);
    const counts = tally(before);
    for (const o of before) {
        assert.ok(!o.err, JSON.stringify(counts));
        assert.ok((o.res.status === 409 && o.res.body?.code === 60003) || (o.res.status === 429 && o.res.body?.code === 60006),
            `before start: ${o.res.status} ${o.res.text}`);
    }
    assert.ok(before.some((o) => o.res.body?.code === 60003), JSON.stringify(counts));
    let act = await srv.activity(a.id);
    assert.equal(act.sold, 0);
    assert.equal(act.remaining, 10);
    assert.equal(act.state, 'upcoming');

    // wait until the window has passed (nobody buys in it)
    for (let i = 0; i < 100 && (await srv.serverNowMs()) < endMs + 200; i += 1) await sleep(200);
    act = await srv.activity(a.id);
    assert.equal(act.state, 'ended');

    const after = await crowd(users, p.id, 3);
    const counts2 = tally(after);
    for (const o of after) {
        assert.ok(!o.err, JSON.stringify(counts2));
        assert.ok((o.res.status === 409 && o.res.body?.code === 60004) || (o.res.status === 429 && o.res.body?.code === 60006),
            `after end: ${o.res.status} ${o.res.text}`);
    }
    assert.ok(after.some((o) => o.res.body?.code === 60004), JSON.stringify(counts2));

    act = await srv.activity(a.id);
    assert.equal(act.sold, 0, 'nothing sold outside the window');
    await pool(users, 25, async (u) => {
        const r = await srv.seckillResult(u, p.id);
        expectOk(r);
        assert.equal(r.body.data.status, 'none', `${u.username}: ${r.text}`);
        assert.equal((await ordersOf(u, a.id, p.id)).length, 0, `${u.username} has an order`);
    });
});
