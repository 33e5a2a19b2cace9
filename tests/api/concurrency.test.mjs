// Races: many buyers on little stock, one username registered many times at once, concurrent
// pay/cancel of one order, concurrent cart merges and checkouts.
import { test, useServer, assert, uniq, randomHex, expectOk, expectError, pool } from './harness.mjs';

const srv = useServer({ label: 'concurrency' });

function tally(results) {
    const counts = {};
    for (const r of results) {
        const key = `${r.status}/${r.body?.code}`;
        counts[key] = (counts[key] || 0) + 1;
    }
    return counts;
}

test('200 concurrent orders on stock 50: exactly 50 succeed, the rest 409 30003, stock 0', async () => {
    const users = await pool(Array.from({ length: 20 }, (_, i) => i), 5, () => srv.register('buyer'));
    const p = await srv.createProduct({ stock: 50, price: 9.99 });
    const requests = Array.from({ length: 200 }, (_, i) => users[i % users.length]);
    const results = await Promise.all(requests.map((u) => srv.api('POST', '/api/order', {
        token: u.token, body: { product_id: p.id, quantity: 1 },
    })));
    const counts = tally(results);
    const ok = results.filter((r) => r.status === 201);
    assert.equal(ok.length, 50, `outcomes: ${JSON.stringify(counts)}`);
    for (const r of results) if (r.status !== 201) expectError(r, 409, 30003);
    const nos = ok.map((r) => r.body.data.order_no);
    assert.equal(new Set(nos).size, 50, 'order numbers are unique');
    assert.equal((await srv.product(p.id)).stock, 0);

    // the database holds exactly those 50 orders, each owned by the user who was told 201
    const expected = new Map(users.map((u) => [u.user.id, new Set()]));
    ok.forEach((r) => expected.get(r.body.data.user_id).add(r.body.data.order_no));
    let total = 0;
    for (const u of users) {
        const orders = (await srv.listAll('/api/order', u.token)).filter((o) => o.product_id === p.id);
        total += orders.length;
        assert.deepEqual(new Set(orders.map((o) => o.order_no)), expected.get(u.user.id), `orders of ${u.username}`);
        for (const o of orders) assert.equal(o.status, 1);
    }
    assert.equal(total, 50);
});

test('50 concurrent registrations of one username: exactly one 200, the rest 409 10001', async () => {
    const username = uniq('race');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => srv.api('POST', '/api/user/register', {
        body: { username, password: `Pw-${randomHex(6)}`, email: `race${i}_${randomHex(3)}@example.com` },
    })));
    const counts = tally(results);
    assert.equal(results.filter((r) => r.status === 200).length, 1, `outcomes: ${JSON.stringify(counts)}`);
    for (const r of results) if (r.status !== 200) expectError(r, 409, 10001);
    // the one who won can sign in
    const winnerIndex = results.findIndex((r) => r.status === 200);
    assert.equal(results[winnerIndex].body.data.user.username, username);
});

test('concurrent pays of one order: exactly one succeeds', async () => {
    const u = await srv.register('paypay');
    const p = await srv.createProduct({ stock: 10 });
    const r = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
    expectOk(r, 201);
    const no = r.body.data.order_no;
    const results = await Promise.all(Array.from({ length: 20 }, () => srv.api('POST', `/api/order/${no}/pay`, { token: u.token })));
    assert.equal(results.filter((x) => x.status === 200).length, 1, JSON.stringify(tally(results)));
    for (const x of results) if (x.status !== 200) expectError(x, 409, 30002);
});

test('concurrent cancels of one order return its stock exactly once', async () => {
    const u = await srv.register('cc');
    const p = await srv.createProduct({ stock: 10 });
    const r = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 3 } });
    expectOk(r, 201);
    const no = r.body.data.order_no;
    const results = await Promise.all(Array.from({ length: 20 }, () => srv.api('POST', `/api/order/${no}/cancel`, { token: u.token })));
    assert.equal(results.filter((x) => x.status === 200).length, 1, JSON.stringify(tally(results)));
    for (const x of results) if (x.status !== 200) expectError(x, 409, 30002);
    assert.equal((await srv.product(p.id)).stock, 10);
});

test('pay racing cancel: one wins, and the stock matches the winner', async () => {
    const u = await srv.register('paycancel');
    const p = await srv.createProduct({ stock: 10 });
    for (let round = 0; round < 5; round += 1) {
        const before = (await srv.product(p.id)).stock;
        const r = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
        expectOk(r, 201);
        const no = r.body.data.order_no;
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => srv.api('POST',
            `/api/order/${no}/${i % 2 ? 'pay' : 'cancel'}`, { token: u.token })));
        const winners = results.filter((x) => x.status === 200);
        assert.equal(winners.length, 1, JSON.stringify(tally(results)));
        for (const x of results) if (x.status !== 200) expectError(x, 409, 30002);
        const final = (await srv.api('GET', `/api/order/${no}`, { token: u.token })).body.data.status;
        assert.equal(final, winners[0].body.data.status);
        assert.equal((await srv.product(p.id)).stock, final === 5 ? before : before - 1);
    }
});

test('concurrent cart adds merge without losing updates and never pass 99', async () => {
    const u = await srv.register('cartrace');
    const p = await srv.createProduct({ stock: 1000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => srv.api('POST', '/api/cart', {
        token: u.token, body: { product_id: p.id, quantity: 5 },
    })));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results) if (r.status !== 200) expectError(r, 400, 50003);
    assert.equal(ok, 19, JSON.stringify(tally(results)));
    const cart = await srv.api('GET', '/api/cart', { token: u.token });
    expectOk(cart);
    assert.equal(cart.body.data.list.length, 1, 'one line per product');
    assert.equal(cart.body.data.list[0].quantity, 95);
});

test('two concurrent checkouts of one cart produce one order', async () => {
    const u = await srv.register('chkrace');
    const p = await srv.createProduct({ stock: 100 });
    expectOk(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: p.id, quantity: 4 } }));
    const results = await Promise.all(Array.from({ length: 5 }, () => srv.api('POST', '/api/order/checkout', { token: u.token, body: {} })));
    assert.equal(results.filter((r) => r.status === 201).length, 1, JSON.stringify(tally(results)));
    for (const r of results) {
        if (r.status !== 201) assert.ok(r.status === 400 && r.body.code === 30006, `${r.status} ${r.text}`);
    }
    assert.equal((await srv.product(p.id)).stock, 96);
    assert.equal((await srv.listAll('/api/order', u.token)).length, 1);
});
