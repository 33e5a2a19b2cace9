// Flash sale and the unpaid-order timeout: an unpaid flash-sale order is cancelled by the sweep,
// its unit goes back on sale ("never undersell") and its shopper may buy again.
import {
    test, startServer, Server, assert, sleep, EXTERNAL, BASE_URL, ORDER_NO_RE, expectOk, expectError,
} from './harness.mjs';

const TIMEOUT_S = 3;

/// Buys one unit on server `s` and waits for success; returns the order number.
async function buyOk(s, u, productId) {
    const r = await s.seckillBuy(u, productId);
    expectOk(r);
    assert.equal(r.body.data.status, 'queued');
    const f = await s.waitSeckillFinal(u, productId);
    assert.equal(f.status, 'success', JSON.stringify(f));
    assert.match(f.order_no, ORDER_NO_RE);
    return f.order_no;
}

/// Polls the order until its status is not 1 (awaiting payment) or the deadline; returns the status.
async function waitOrderLeaves1(s, u, no, timeoutS) {
    const deadline = Date.now() + (timeoutS + 15) * 1000;
    for (;;) {
        const d = await s.api('GET', `/api/order/${no}`, { token: u.token });
        expectOk(d);
        if (d.body.data.status !== 1 || Date.now() > deadline) return d.body.data.status;
        await sleep(250);
    }
}

async function waitRemaining(s, id, want, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const a = await s.activity(id);
        if (a.remaining === want || Date.now() > deadline) return a;
        await sleep(200);
    }
}

test('an unpaid flash-sale order times out: the unit goes back on sale, and its shopper may buy again', { timeout: 240000 }, async (t) => {
    const timeout = EXTERNAL ? Number(process.env.GOMALL_TEST_UNPAID_TIMEOUT_SECONDS || 0) : TIMEOUT_S;
    if (!timeout) return t.skip('set GOMALL_TEST_UNPAID_TIMEOUT_SECONDS to the deployment\'s short timeout to run this');
    const s = EXTERNAL ? null : await startServer({
        label: 'seckill-timeout',
        env: { GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS: String(timeout), GOMALL_ORDER_SWEEP_INTERVAL_SECONDS: '1' },
    });
    const server = s ?? new Server({ baseUrl: BASE_URL, label: 'external' });
    try {
        const A = await server.register('tA');
        const B = await server.register('tB');
        const p = await server.createProduct({ stock: 100, price: 60 });
        const a = await server.createActivity({ product_id: p.id, stock: 1, price: 6 });

        // A buys the only unit and does not pay; B is told sold out
        const a1 = await buyOk(server, A, p.id);
        const o1 = await server.api('GET', `/api/order/${a1}`, { token: A.token });
        expectOk(o1);
        const expires = Date.parse(o1.body.data.expires_at);
        const created = Date.parse(o1.body.data.created_at);
        assert.ok(Math.abs(expires - created - timeout * 1000) <= 1500, `expires_at ${o1.body.data.expires_at} vs created_at ${o1.body.data.created_at}`);
        expectError(await server.seckillBuy(B, p.id), 409, 60002);
        assert.equal((await server.activity(a.id)).remaining, 0);

        // the sweep cancels it and the unit is on sale again
        assert.equal(await waitOrderLeaves1(server, A, a1, timeout), 5, 'the unpaid flash-sale order was cancelled');
        let act = await waitRemaining(server, a.id, 1);
        assert.equal(act.remaining, 1, 'the unit went back on sale');
        assert.equal(act.sold, 0);
        assert.equal(act.state, 'active');
        expectError(await server.api('POST', `/api/order/${a1}/pay`, { token: A.token }), 409, 30002);
        const ra = await server.seckillResult(A, p.id);
        expectOk(ra);
        assert.notEqual(ra.body.data.status, 'queued');

        // B buys it now; A (limit freed) is refused only because it is sold out
        const b1 = await buyOk(server, B, p.id);
        act = await server.activity(a.id);
        assert.equal(act.remaining, 0);
        assert.equal(act.sold, 1);
        expectError(await server.seckillBuy(A, p.id), 409, 60002);

        // B does not pay either: after the timeout A buys again, and pays
        assert.equal(await waitOrderLeaves1(server, B, b1, timeout), 5, 'B\'s unpaid order was cancelled');
        act = await waitRemaining(server, a.id, 1);
        assert.equal(act.remaining, 1);
        const a2 = await buyOk(server, A, p.id);
        assert.notEqual(a2, a1);
        const paid = await server.api('POST', `/api/order/${a2}/pay`, { token: A.token });
        expectOk(paid);
        assert.equal(paid.body.data.status, 2);

        // a paid order is never swept: after another timeout it is still paid and the unit still sold
        await sleep((timeout + 2) * 1000);
        const still = await server.api('GET', `/api/order/${a2}`, { token: A.token });
        expectOk(still);
        assert.equal(still.body.data.status, 2);
        act = await server.activity(a.id);
        assert.equal(act.sold, 1);
        assert.equal(act.remaining, 0);
        assert.equal(act.state, 'sold_out');
        const fa = await server.seckillResult(A, p.id);
        expectOk(fa);
        assert.equal(fa.body.data.status, 'success');
        assert.equal(fa.body.data.order_no, a2);

        // A's orders for the sale: the cancelled one and the paid one; B's: one cancelled
        const aOrders = (await server.listAll('/api/order', A.token)).filter((o) => o.product_id === p.id);
        assert.deepEqual(aOrders.map((o) => `${o.order_no}:${o.status}`).sort(), [`${a1}:5`, `${a2}:2`].sort());
        const bOrders = (await server.listAll('/api/order', B.token)).filter((o) => o.product_id === p.id);
        assert.deepEqual(bOrders.map((o) => `${o.order_no}:${o.status}`), [`${b1}:5`]);
    } finally {
        if (s) await s.dispose();
    }
});
