// Full-stack flash sale on two server instances sharing MariaDB, Redis and RabbitMQ: a crowd of
// shoppers, each sending several requests spread over both instances, on little stock. Exactly the
// stock is sold, nobody gets more than the limit (whichever instance they asked), every "queued"
// answer becomes an order (results asked of either instance), and both instances report the same
// sold-out activity. With the anti-bot gate on, a token fetched from one instance is spent on the
// other, once.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
// Environment: GOMALL_TEST_SECKILL_SHOPPERS (default 2000) shoppers.
import { test, startServer, startPeer, assert, pool, sleep, expectOk, expectError } from './harness.mjs';
import { Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity, waitIndexed } from './fullstack.mjs';

const SHOPPERS = Number(process.env.GOMALL_TEST_SECKILL_SHOPPERS || 2000);
const PER_SHOPPER = 3;
const STOCK = 100;
const IN_FLIGHT_SHOPPERS = 150;  // shoppers in flight at once, each with all their requests
const CODE_TOKEN_REQUIRED = 60008;
const TOKEN_RE = /^[0-9a-f]{32}$/;

/// Polls the public listing of `server` (answered from its in-memory index) until it shows the
/// activity: an instance learns about another one's admin changes from its reconciler.
test('two instances, one stack: a crowd over both sells exactly the stock, limit kept, every queued answer an order', { timeout: 300000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const s1 = await startServer({ label: 'fullstack-a' });
    let s2 = null;
    try {
        s2 = await startPeer(s1, { label: 'fullstack-b' });
        const servers = [s1, s2];
        const shoppers = await s1.shoppers(SHOPPERS, 'two');
        const p = await s1.createProduct({ stock: 1000, price: 90 });
        const activity = await s1.createActivity({ product_id: p.id, stock: STOCK, price: 9 });
        assert.ok(await waitIndexed(s2, activity.id), 'the second instance never listed the activity created on the first');

        // the crowd: each shopper's requests alternate between the instances, all at once
        const crowd = new Crowd({ servers, productId: p.id, shoppers, timeoutMs: 30000 });
        const t0 = Date.now();
        await pool(shoppers, IN_FLIGHT_SHOPPERS, (u, i) => Promise.all(
            Array.from({ length: PER_SHOPPER }, (_, k) => crowd.buy(u, servers[(i + k) % 2])),
        ));
        t.diagnostic(`${crowd.outcomes.length} requests in ${Date.now() - t0} ms: ${JSON.stringify(tally(crowd.outcomes))}`);
        for (const server of servers) {
            const mine = crowd.outcomes.filter((o) => o.server === server);
            t.diagnostic(`${server.label}: ${JSON.stringify(tally(mine))}`);
        }
        assert.deepEqual(crowd.outcomes.filter((o) => o.err).map((o) => o.err.message).slice(0, 5), [], 'requests without an answer');
        assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');
        const twice = [...crowd.queued.entries()].filter(([, list]) => list.length > 1);
        assert.deepEqual(twice.map(([id, list]) => `user ${id}: ${list.length} queued`).slice(0, 5), [], 'shoppers queued twice with limit 1');
        assert.ok(crowd.queuedCount <= STOCK, `more queued answers than stock: ${crowd.queuedCount}`);
        assert.ok(crowd.outcomes.some((o) => o.server === s1 && o.res?.status === 200)
            && crowd.outcomes.some((o) => o.server === s2 && o.res?.status === 200), 'both instances sold');

        // "busy" answers (none expected, but allowed) leave units: sell them to other shoppers
        if (crowd.queuedCount < STOCK) {
            t.diagnostic(`${STOCK - crowd.queuedCount} units left after the crowd (busy answers): selling them`);
            assert.ok(await crowd.untilSoldOut({ size: 30, pauseMs: 100, timeoutMs: 60000 }), 'the units left did not sell');
        }
        assert.equal(crowd.queuedCount, STOCK, `queued answers: ${crowd.queuedCount}`);

        const { orders } = await verifyAfterDrain(t, { crowd, activity });
        assert.equal(orders.length, STOCK, `exactly ${STOCK} orders`);
        const nodes = {};
        for (const o of orders) nodes[o.order_no.slice(20, 22)] = (nodes[o.order_no.slice(20, 22)] || 0) + 1;
        t.diagnostic(`orders by writing instance (node id): ${JSON.stringify(nodes)}`);

        // both instances report the same sold-out activity, and turn late shoppers away
        for (const server of servers) {
            const act = await waitActivity(server, activity.id, (a) => a.sold === STOCK && a.state === 'sold_out');
            assert.equal(act.sold, STOCK, `${server.label}: sold`);
            assert.equal(act.remaining, 0, `${server.label}: remaining`);
            assert.equal(act.state, 'sold_out', `${server.label}: state`);
            const late = shoppers.find((u) => !crowd.queued.has(u.user.id));
            const r = await server.seckillBuy(late, p.id, { checkEnvelope: false });
            assert.equal(r.status, 409, `${server.label}: late shopper ${r.text}`);
            assert.equal(r.body.code, 60002);
        }
    } finally {
        if (s2) await s2.dispose();
        await s1.dispose();
    }
});

/// POST /api/seckill/token on `server` as `user`; returns the token (expects 200).
async function fetchToken(server, user, productId) {
    const res = await server.api('POST', '/api/seckill/token', { token: user.token, body: { product_id: productId } });
    expectOk(res);
    assert.match(res.body.data.token, TOKEN_RE);
    return res.body.data.token;
}

/// POST /api/seckill with an anti-bot token; returns the raw response.
function buyWithToken(server, user, productId, token) {
    return server.api('POST', '/api/seckill', { token: user.token, body: { product_id: productId, token } });
}

test('two instances, anti-bot gate on: a token fetched from one is accepted once by the other', { timeout: 120000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const env = { GOMALL_SECKILL_TOKEN_REQUIRED: 'true' };
    const s1 = await startServer({ label: 'fullstack-token-a', env });
    let s2 = null;
    try {
        s2 = await startPeer(s1, { label: 'fullstack-token-b', env });
        const [alice, bob] = await s1.shoppers(2, 'tok');
        const p = await s1.createProduct({ stock: 100, price: 90 });
        const activity = await s1.createActivity({ product_id: p.id, stock: 10, price: 9, per_user_limit: 2 });
        assert.ok(await waitIndexed(s2, activity.id), 'the second instance never listed the activity created on the first');

        expectError(await s2.seckillBuy(alice, p.id), 403, CODE_TOKEN_REQUIRED);

        // Fetched from A, spent on B; then refused on both, as a token is good for one purchase.
        const token = await fetchToken(s1, alice, p.id);
        expectError(await buyWithToken(s2, bob, p.id, token), 403, CODE_TOKEN_REQUIRED);  // not Bob's
        const bought = await buyWithToken(s2, alice, p.id, token);
        expectOk(bought);
        assert.equal(bought.body.data.status, 'queued', bought.text);
        expectError(await buyWithToken(s2, alice, p.id, token), 403, CODE_TOKEN_REQUIRED);
        expectError(await buyWithToken(s1, alice, p.id, token), 403, CODE_TOKEN_REQUIRED);
        const final = await s1.waitSeckillFinal(alice, p.id, 30000);
        assert.equal(final.status, 'success', `result on the issuing instance: ${JSON.stringify(final)}`);

        // The other way round: a newer token replaces the shopper's earlier one on every instance.
        const replaced = await fetchToken(s2, bob, p.id);
        const current = await fetchToken(s2, bob, p.id);
        expectError(await buyWithToken(s1, bob, p.id, replaced), 403, CODE_TOKEN_REQUIRED);
        expectOk(await buyWithToken(s1, bob, p.id, current));
        expectError(await buyWithToken(s2, bob, p.id, current), 403, CODE_TOKEN_REQUIRED);
    } finally {
        if (s2) await s2.dispose();
        await s1.dispose();
    }
});
