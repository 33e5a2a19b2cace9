// Hostile input, group 6: insecure direct object references. Shopper B aims at shopper A's orders,
// cart and flash-sale purchase by id, by order number and by extra query parameters; A's things must
// be invisible to B (404 code 30001 for an order, never a 403 that confirms it exists) and stay
// unchanged. Admin-only routes answer 403 to a shopper; the admin order listing works for the admin.
import {
    test, useServer, assert, sleep, isoSeconds, expectOk, expectError, ORDER_NO_RE,
} from '../harness.mjs';
import { openApiOperations, fillPath, expectHealthy } from './lib.mjs';

const srv = useServer({ label: 'hostile-idor' });
const ctx = {};

/// Routes only the admin may call, as "METHOD /path" of docs/openapi.yaml.
const ADMIN_ROUTES = [
    'POST /api/category',
    'POST /api/product',
    'PUT /api/product/{id}',
    'DELETE /api/product/{id}',
    'GET /api/admin/product',
    'GET /api/admin/order',
    'POST /api/seckill/init',
    'PUT /api/seckill/activities/{id}',
    'POST /api/seckill/activities/{id}/end',
    'GET /api/admin/dashboard/shop',
    'GET /api/admin/dashboard/shop/events',
    'GET /api/admin/dashboard/seckill/{id}',
    'GET /api/admin/dashboard/seckill/{id}/events',
];

const order = (u, no) => srv.api('GET', `/api/order/${no}`, { token: u.token });
const cartOf = async (u, query = '') => {
    const res = await srv.api('GET', `/api/cart${query}`, { token: u.token });
    expectOk(res);
    return res.body.data.list;
};

test('set-up: shoppers A and B; A has a cart line, an unpaid and a paid order', async () => {
    ctx.a = await srv.register('idora');
    ctx.b = await srv.register('idorb');
    ctx.p = await srv.createProduct({ stock: 10, price: 5 });
    expectOk(await srv.api('POST', '/api/cart', { token: ctx.a.token, body: { product_id: ctx.p.id, quantity: 2 } }));
    const o1 = await srv.api('POST', '/api/order', { token: ctx.a.token, body: { product_id: ctx.p.id, quantity: 1 } });
    expectOk(o1, 201);
    ctx.unpaid = o1.body.data;
    const o2 = await srv.api('POST', '/api/order', { token: ctx.a.token, body: { product_id: ctx.p.id, quantity: 1 } });
    expectOk(o2, 201);
    expectOk(await srv.api('POST', `/api/order/${o2.body.data.order_no}/pay`, { token: ctx.a.token }));
    ctx.paid = (await order(ctx.a, o2.body.data.order_no)).body.data;
    assert.equal(ctx.paid.status, 2);
    assert.equal((await srv.product(ctx.p.id)).stock, 8);
});

test('B cannot read, pay or cancel A\'s orders: 404 30001, and the orders are unchanged', async () => {
    for (const o of [ctx.unpaid, ctx.paid]) {
        expectError(await order(ctx.b, o.order_no), 404, 30001);
        expectError(await srv.api('POST', `/api/order/${o.order_no}/pay`, { token: ctx.b.token }), 404, 30001);
        expectError(await srv.api('POST', `/api/order/${o.order_no}/cancel`, { token: ctx.b.token }), 404, 30001);
        // the same with a lower-case prefix, a query asking for A, and a trailing slash
        expectError(await order(ctx.b, `${o.order_no}?user_id=${ctx.a.user.id}`), 404, 30001);
        const lower = await order(ctx.b, o.order_no.toLowerCase());
        assert.ok([400, 404].includes(lower.status) && lower.status !== 200, `lower-case order number: ${lower.status} ${lower.text}`);
    }
    const unpaid = (await order(ctx.a, ctx.unpaid.order_no)).body.data;
    assert.equal(unpaid.status, 1, 'A\'s unpaid order is still unpaid');
    assert.equal(unpaid.pay_type, 0);
    assert.equal(unpaid.paid_at, null);
    const paid = (await order(ctx.a, ctx.paid.order_no)).body.data;
    assert.equal(paid.status, 2, 'A\'s paid order is still paid');
    assert.equal(paid.paid_at, ctx.paid.paid_at);
    assert.equal((await srv.product(ctx.p.id)).stock, 8, 'no stock came back from a cancel by B');
});

test('an unknown order number answers exactly like A\'s (no existence oracle)', async () => {
    const unknown = `ORD${'9'.repeat(23)}`;
    assert.match(unknown, ORDER_NO_RE);
    const mine = await order(ctx.b, ctx.unpaid.order_no);
    const none = await order(ctx.b, unknown);
    assert.equal(mine.status, none.status);
    assert.equal(mine.body.code, none.body.code);
    assert.equal(mine.body.message.replace(ctx.unpaid.order_no, 'X'), none.body.message.replace(unknown, 'X'), 'the messages differ');
});

test('B\'s order list never includes A\'s orders, whatever the query says', async () => {
    for (const q of ['', `?user_id=${ctx.a.user.id}`, `?uid=${ctx.a.user.id}&user=${ctx.a.username}`, '?status=1', '?status=2', `?user_id[]=${ctx.a.user.id}`]) {
        const res = await srv.api('GET', `/api/order${q}`, { token: ctx.b.token });
        if (res.status === 400) continue;   // an unknown parameter may be refused
        expectOk(res);
        const nos = res.body.data.list.map((o) => o.order_no);
        assert.ok(!nos.includes(ctx.unpaid.order_no) && !nos.includes(ctx.paid.order_no), `GET /api/order${q} as B lists A's orders`);
        assert.equal(res.body.data.total, 0, `GET /api/order${q} as B: total ${res.body.data.total}`);
        assert.ok(res.body.data.list.every((o) => o.user_id === ctx.b.user.id));
    }
});

test('B\'s cart never shows or changes A\'s line', async () => {
    assert.deepEqual(await cartOf(ctx.b), []);
    assert.deepEqual(await cartOf(ctx.b, `?user_id=${ctx.a.user.id}`), []);
    expectError(await srv.api('PUT', '/api/cart', { token: ctx.b.token, body: { product_id: ctx.p.id, quantity: 5 } }), 404, 50001);
    expectError(await srv.api('DELETE', `/api/cart?product_id=${ctx.p.id}`, { token: ctx.b.token }), 404, 50001);
    expectError(await srv.api('DELETE', `/api/cart?product_id=${ctx.p.id}&user_id=${ctx.a.user.id}`, { token: ctx.b.token }), 404, 50001);
    expectOk(await srv.api('DELETE', '/api/cart/clear', { token: ctx.b.token }));
    expectError(await srv.api('POST', '/api/order/checkout', { token: ctx.b.token, body: { product_ids: [ctx.p.id] } }), 400, 30006);
    const lines = await cartOf(ctx.a);
    assert.equal(lines.length, 1, 'A\'s cart line is gone');
    assert.equal(lines[0].product_id, ctx.p.id);
    assert.equal(lines[0].quantity, 2, 'A\'s cart line changed');
    assert.equal(lines[0].user_id ?? ctx.a.user.id, ctx.a.user.id);
});

test('B\'s profile is B\'s, whatever the query says', async () => {
    for (const q of ['', `?id=${ctx.a.user.id}`, `?user_id=${ctx.a.user.id}&username=${ctx.a.username}`]) {
        const res = await srv.api('GET', `/api/user/profile${q}`, { token: ctx.b.token });
        expectOk(res);
        assert.equal(res.body.data.id, ctx.b.user.id, `profile${q}`);
        assert.equal(res.body.data.username, ctx.b.username);
    }
});

test('B\'s flash-sale result and order list do not show A\'s purchase; B cannot pay it', async () => {
    const q = await srv.createProduct({ stock: 5, price: 50 });
    const now = await srv.serverNowMs();
    await srv.createActivity({ product_id: q.id, stock: 3, price: 9.9, start_time: isoSeconds(now), end_time: isoSeconds(now + 3600 * 1000) });
    await sleep(Math.max(0, Math.ceil(now / 1000) * 1000 - now) + 300);  // the start is rounded up to the next second
    const buy = await srv.seckillBuy(ctx.a, q.id);
    expectOk(buy);
    const final = await srv.waitSeckillFinal(ctx.a, q.id);
    assert.equal(final.status, 'success', JSON.stringify(final));
    assert.match(final.order_no, ORDER_NO_RE);

    const theirs = await srv.seckillResult(ctx.b, q.id);
    expectOk(theirs);
    assert.equal(theirs.body.data.status, 'none', `B sees: ${theirs.text}`);
    assert.equal(theirs.body.data.order_no, null);
    assert.deepEqual(theirs.body.data.reservations, []);
    assert.ok(!theirs.text.includes(final.order_no), 'A\'s flash-sale order number leaked to B');
    const withUser = await srv.api('GET', `/api/seckill/result?product_id=${q.id}&user_id=${ctx.a.user.id}`, { token: ctx.b.token });
    if (withUser.status !== 400) {
        expectOk(withUser);
        assert.equal(withUser.body.data.status, 'none', `B sees with user_id: ${withUser.text}`);
    }
    expectError(await order(ctx.b, final.order_no), 404, 30001);
    expectError(await srv.api('POST', `/api/order/${final.order_no}/pay`, { token: ctx.b.token }), 404, 30001);
    expectError(await srv.api('POST', `/api/order/${final.order_no}/cancel`, { token: ctx.b.token }), 404, 30001);
    const list = await srv.listAll('/api/order', ctx.b.token);
    assert.ok(!list.some((o) => o.order_no === final.order_no), 'A\'s flash-sale order in B\'s list');
    const mine = await order(ctx.a, final.order_no);
    expectOk(mine);
    assert.equal(mine.body.data.status, 1);
});

test('admin-only routes answer 403 to a shopper and 401 without a token; the document has no other admin route', async () => {
    const ops = openApiOperations().filter((o) => o.auth);
    const found = [];
    for (const op of ops) {
        const key = `${op.method} ${op.path}`;
        const p = fillPath(op.path, { id: 987654321, order_no: `ORD${'1'.repeat(23)}` });
        // a fresh shopper per call: logout and change-password would spoil a shared token
        const u = await srv.register('idoradm');
        const res = await srv.api(op.method, p, { token: u.token, rawBody: op.body ? '{}' : undefined, headers: { 'content-type': 'application/json' } });
        assert.ok(res.status < 500, `${key}: ${res.status} ${res.text}`);
        if (res.status === 403 && res.body.code === 403) found.push(key);
        if (ADMIN_ROUTES.includes(key)) {
            expectError(res, 403, 403);
            expectError(await srv.api(op.method, p, { rawBody: op.body ? '{}' : undefined, headers: { 'content-type': 'application/json' } }), 401, 401);
        }
    }
    assert.deepEqual(found.sort(), [...ADMIN_ROUTES].sort(), 'the routes that refuse a shopper with 403');
    await expectHealthy(srv, 'the admin route sweep');
});

test('the admin order listing shows every shopper\'s orders to the admin only', async () => {
    const all = await srv.listAll('/api/admin/order', await srv.adminToken());
    const nos = all.map((o) => o.order_no);
    assert.ok(nos.includes(ctx.unpaid.order_no) && nos.includes(ctx.paid.order_no), 'admin listing lacks A\'s orders');
    for (const u of [ctx.a, ctx.b]) {
        expectError(await srv.api('GET', '/api/admin/order', { token: u.token }), 403, 403);
        expectError(await srv.api('GET', `/api/admin/order?user_id=${u.user.id}`, { token: u.token }), 403, 403);
    }
    expectError(await srv.api('GET', '/api/admin/order'), 401, 401);
});
