// Orders: direct order, checkout from the cart, listing, detail, pay, cancel and the unpaid timeout.
import {
    test, useServer, startServer, assert, sleep, ISO_UTC_RE, ORDER_NO_RE, EXTERNAL,
    expectOk, expectError, expectMoneyText,
} from './harness.mjs';

const srv = useServer({ label: 'orders' });

const ORDER_FIELDS = ['id', 'order_no', 'user_id', 'product_id', 'product_name', 'product_image', 'quantity',
    'total_price', 'status', 'pay_type', 'items', 'expires_at', 'paid_at', 'created_at', 'updated_at'];

function expectOrder(o) {
    for (const f of ORDER_FIELDS) assert.ok(f in o, `order without ${f}: ${JSON.stringify(o)}`);
    assert.match(o.order_no, ORDER_NO_RE);
    const d = o.order_no.slice(3, 17);
    const stamp = Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +d.slice(8, 10), +d.slice(10, 12), +d.slice(12, 14));
    assert.ok(Math.abs(stamp - Date.parse(o.created_at)) <= 5000, `order_no ${o.order_no} time vs created_at ${o.created_at}`);
    assert.match(o.created_at, ISO_UTC_RE);
    assert.match(o.expires_at, ISO_UTC_RE);
    assert.ok(Array.isArray(o.items) && o.items.length >= 1, 'order has items');
    for (const it of o.items) {
        for (const f of ['product_id', 'product_name', 'product_image', 'quantity', 'price']) {
            assert.ok(f in it, `order item without ${f}: ${JSON.stringify(it)}`);
        }
    }
}

const order = (u, product_id, quantity = 1) => srv.api('POST', '/api/order', { token: u.token, body: { product_id, quantity } });
const detail = (u, no) => srv.api('GET', `/api/order/${no}`, { token: u.token });
const pay = (u, no) => srv.api('POST', `/api/order/${no}/pay`, { token: u.token });
const cancel = (u, no) => srv.api('POST', `/api/order/${no}/cancel`, { token: u.token });
const checkout = (u, body = {}) => srv.api('POST', '/api/order/checkout', { token: u.token, body });
const addToCart = async (u, product_id, quantity) => {
    expectOk(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id, quantity } }));
};
const cartLines = async (u) => {
    const res = await srv.api('GET', '/api/cart', { token: u.token });
    expectOk(res);
    return res.body.data.list;
};

test('order creates an awaiting-payment order and takes the stock', async () => {
    const u = await srv.register('ord');
    const p = await srv.createProduct({ stock: 10, price: 19.99, image_url: '/img/x.png' });
    const res = await order(u, p.id, 2);
    expectOk(res, 201);
    const o = res.body.data;
    expectOrder(o);
    assert.equal(o.status, 1);
    assert.equal(o.pay_type, 0);
    assert.equal(o.paid_at, null);
    assert.equal(o.user_id, u.user.id);
    assert.equal(o.product_id, p.id);
    assert.equal(o.product_name, p.name);
    assert.equal(o.product_image, '/img/x.png');
    assert.equal(o.quantity, 2);
    expectMoneyText(res, 'total_price', '39.98');
    assert.equal(o.items.length, 1);
    assert.equal(o.items[0].quantity, 2);
    assert.equal(o.items[0].price, 19.99);
    assert.ok(Date.parse(o.expires_at) > Date.parse(o.created_at), 'expires_at after created_at');
    assert.equal((await srv.product(p.id)).stock, 8);

    const d = await detail(u, o.order_no);
    expectOk(d);
    expectOrder(d.body.data);
    assert.equal(d.body.data.order_no, o.order_no);
    assert.equal(d.body.data.id, o.id);
    expectMoneyText(d, 'total_price', '39.98');
});

test('order numbers are unique', async () => {
    const u = await srv.register('ordno');
    const p = await srv.createProduct({ stock: 100 });
    const nos = await Promise.all(Array.from({ length: 20 }, async () => {
        const r = await order(u, p.id, 1);
        expectOk(r, 201);
        return r.body.data.order_no;
    }));
    assert.equal(new Set(nos).size, 20);
});

test('order validates its body', async () => {
    const u = await srv.register('ordval');
    const p = await srv.createProduct({ stock: 100 });
    for (const q of [0, 100, -1, 2.5, '1']) expectError(await order(u, p.id, q), 400, 400, 'quantity');
    expectError(await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id } }), 400, 400, 'quantity');
    expectError(await srv.api('POST', '/api/order', { token: u.token, body: { quantity: 1 } }), 400, 400, 'product_id');
    expectError(await order(u, 'abc', 1), 400, 400, 'product_id');
    expectError(await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1, price: 0.01 } }), 400, 400, 'price');
    expectError(await srv.api('POST', '/api/order', { token: u.token, rawBody: '{', headers: { 'content-type': 'application/json' } }), 400, 400);
    expectError(await srv.api('POST', '/api/order', { body: { product_id: p.id, quantity: 1 } }), 401, 401);
    assert.equal((await srv.product(p.id)).stock, 100);
});

test('insufficient stock is 409 30003 and takes nothing', async () => {
    const u = await srv.register('ordstock');
    const p = await srv.createProduct({ stock: 3 });
    expectError(await order(u, p.id, 4), 409, 30003);
    assert.equal((await srv.product(p.id)).stock, 3);
    expectOk(await order(u, p.id, 3), 201);
    assert.equal((await srv.product(p.id)).stock, 0);
    expectError(await order(u, p.id, 1), 409, 30003);
});

test('an off-shelf product is 409 30004; an unknown or deleted product is 404 20001, as GET /api/product/:id says', async () => {
    const u = await srv.register('ordoff');
    const off = await srv.createProduct({ stock: 10, status: 0 });
    expectError(await order(u, off.id, 1), 409, 30004);
    assert.equal((await srv.product(off.id)).stock, 10);
    const gone = await srv.createProduct({ stock: 10 });
    expectOk(await srv.api('DELETE', `/api/product/${gone.id}`, { token: await srv.adminToken() }));
    expectError(await srv.api('GET', `/api/product/${gone.id}`), 404, 20001);
    for (const id of [gone.id, 987654321]) {
        expectError(await order(u, id, 1), 404, 20001);
    }
    // Checked out from a cart line whose product was deleted after it was added: the same answer.
    const later = await srv.createProduct({ stock: 10 });
    expectOk(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: later.id, quantity: 1 } }));
    expectOk(await srv.api('DELETE', `/api/product/${later.id}`, { token: await srv.adminToken() }));
    expectError(await srv.api('POST', '/api/order/checkout', { token: u.token, body: {} }), 404, 20001);
});

test('checkout without product_ids orders every cart line and empties the cart', async () => {
    const u = await srv.register('chkall');
    const a = await srv.createProduct({ stock: 10, price: 12.34 });
    const b = await srv.createProduct({ stock: 10, price: 0.1 });
    await addToCart(u, a.id, 2);
    await addToCart(u, b.id, 3);
    const res = await checkout(u);
    expectOk(res, 201);
    const o = res.body.data;
    expectOrder(o);
    assert.equal(o.status, 1);
    assert.equal(o.items.length, 2);
    assert.equal(o.quantity, 5);
    expectMoneyText(res, 'total_price', '24.98');
    const byId = Object.fromEntries(o.items.map((i) => [i.product_id, i]));
    assert.equal(byId[a.id].quantity, 2);
    assert.equal(byId[b.id].quantity, 3);
    assert.equal(byId[a.id].price, 12.34);
    assert.deepEqual(await cartLines(u), []);
    assert.equal((await srv.product(a.id)).stock, 8);
    assert.equal((await srv.product(b.id)).stock, 7);
    const d = await detail(u, o.order_no);
    expectOk(d);
    assert.equal(d.body.data.items.length, 2);
});

test('checkout with product_ids orders only those lines; the rest stay in the cart', async () => {
    const u = await srv.register('chksel');
    const a = await srv.createProduct({ stock: 10, price: 1 });
    const b = await srv.createProduct({ stock: 10, price: 2 });
    const c = await srv.createProduct({ stock: 10, price: 3 });
    await addToCart(u, a.id, 1);
    await addToCart(u, b.id, 1);
    await addToCart(u, c.id, 2);
    const res = await checkout(u, { product_ids: [a.id, c.id] });
    expectOk(res, 201);
    assert.deepEqual(res.body.data.items.map((i) => i.product_id).sort((x, y) => x - y), [a.id, c.id].sort((x, y) => x - y));
    expectMoneyText(res, 'total_price', '7.00');
    assert.deepEqual((await cartLines(u)).map((l) => l.product_id), [b.id]);
    assert.equal((await srv.product(b.id)).stock, 10);
});

test('checkout of an empty cart is 400 30006', async () => {
    const u = await srv.register('chkempty');
    expectError(await checkout(u), 400, 30006);
    const p = await srv.createProduct({ stock: 10 });
    const other = await srv.createProduct({ stock: 10 });
    await addToCart(u, p.id, 1);
    const r = await checkout(u, { product_ids: [other.id] });
    assert.equal(r.status, 400, r.text);
    assert.ok([30006, 400].includes(r.body.code), r.text);
    expectError(await checkout(u, { product_ids: 'abc' }), 400, 400, 'product_ids');
    expectError(await checkout(u, { product_ids: ['x'] }), 400, 400, 'product_ids');
    assert.equal((await cartLines(u)).length, 1, 'refused checkouts leave the cart alone');
});

test('checkout refuses short stock (409 30003) and off-shelf lines (409 30004) atomically', async () => {
    const u = await srv.register('chkfail');
    const ok = await srv.createProduct({ stock: 10 });
    const low = await srv.createProduct({ stock: 5 });
    await addToCart(u, ok.id, 2);
    await addToCart(u, low.id, 3);
    await srv.updateProduct(low.id, { stock: 2 });
    expectError(await checkout(u), 409, 30003);
    assert.equal((await srv.product(ok.id)).stock, 10, 'no partial order');
    assert.equal((await cartLines(u)).length, 2);
    await srv.updateProduct(low.id, { stock: 5, status: 0 });
    expectError(await checkout(u), 409, 30004);
    assert.equal((await srv.product(ok.id)).stock, 10);
    assert.equal((await cartLines(u)).length, 2);
});

test('list pages the caller\'s own orders and filters by status', async () => {
    const u = await srv.register('ordlist');
    const other = await srv.register('ordlist2');
    const p = await srv.createProduct({ stock: 50, price: 1 });
    const nos = [];
    for (let i = 0; i < 3; i += 1) {
        const r = await order(u, p.id, 1);
        expectOk(r, 201);
        nos.push(r.body.data.order_no);
    }
    expectOk(await order(other, p.id, 1), 201);
    expectOk(await pay(u, nos[0]));
    expectOk(await cancel(u, nos[1]));

    const page1 = await srv.api('GET', '/api/order?page=1&page_size=2', { token: u.token });
    expectOk(page1);
    const d1 = page1.body.data;
    assert.equal(d1.total, 3);
    assert.equal(d1.page, 1);
    assert.equal(d1.page_size, 2);
    assert.equal(d1.total_page, 2);
    assert.equal(d1.list.length, 2);
    const page2 = await srv.api('GET', '/api/order?page=2&page_size=2', { token: u.token });
    expectOk(page2);
    assert.equal(page2.body.data.list.length, 1);
    const all = [...d1.list, ...page2.body.data.list];
    for (const o of all) {
        expectOrder(o);
        assert.equal(o.user_id, u.user.id);
    }
    assert.deepEqual(all.map((o) => o.order_no).sort(), [...nos].sort());

    for (const [status, no] of [[2, nos[0]], [5, nos[1]], [1, nos[2]]]) {
        const r = await srv.api('GET', `/api/order?status=${status}`, { token: u.token });
        expectOk(r);
        assert.deepEqual(r.body.data.list.map((o) => o.order_no), [no], `status ${status}`);
        assert.equal(r.body.data.total, 1);
    }
    expectError(await srv.api('GET', '/api/order?status=abc', { token: u.token }), 400, 400, 'status');
    expectError(await srv.api('GET', '/api/order?page_size=101', { token: u.token }), 400, 400, 'page_size');
    expectError(await srv.api('GET', '/api/order?page=0', { token: u.token }), 400, 400, 'page');
    expectError(await srv.api('GET', '/api/order'), 401, 401);

    // the admin listing sees both users' orders
    const admin = await srv.listAll('/api/admin/order', await srv.adminToken());
    const users = new Set(admin.filter((o) => o.product_id === p.id).map((o) => o.user_id));
    assert.ok(users.has(u.user.id) && users.has(other.user.id));
    const adminPaid = await srv.listAll('/api/admin/order?status=2', await srv.adminToken());
    for (const o of adminPaid) assert.equal(o.status, 2);
    assert.ok(adminPaid.some((o) => o.order_no === nos[0]));
});

test('another user\'s order is 404 30001 for detail, pay and cancel', async () => {
    const owner = await srv.register('owner');
    const thief = await srv.register('thief');
    const p = await srv.createProduct({ stock: 10 });
    const r = await order(owner, p.id, 1);
    expectOk(r, 201);
    const no = r.body.data.order_no;
    expectError(await detail(thief, no), 404, 30001);
    expectError(await pay(thief, no), 404, 30001);
    expectError(await cancel(thief, no), 404, 30001);
    const still = await detail(owner, no);
    expectOk(still);
    assert.equal(still.body.data.status, 1);
    for (const bad of ['ORD00000000000000000000', 'nope', '12345']) {
        expectError(await detail(owner, bad), 404, 30001);
    }
    expectError(await srv.api('GET', `/api/order/${no}`), 401, 401);
});

test('pay marks the order paid with the demo pay type; paying twice or cancelling it is 409 30002', async () => {
    const u = await srv.register('pay');
    const p = await srv.createProduct({ stock: 10 });
    const no = (await order(u, p.id, 2)).body.data.order_no;
    const res = await pay(u, no);
    expectOk(res);
    expectOrder(res.body.data);
    assert.equal(res.body.data.status, 2);
    assert.equal(res.body.data.pay_type, 9);
    assert.match(res.body.data.paid_at, ISO_UTC_RE);
    expectError(await pay(u, no), 409, 30002);
    expectError(await cancel(u, no), 409, 30002);
    const d = await detail(u, no);
    assert.equal(d.body.data.status, 2);
    assert.equal((await srv.product(p.id)).stock, 8, 'a paid order keeps its stock');
});

test('cancel returns the stock; cancelling twice or paying afterwards is 409 30002', async () => {
    const u = await srv.register('cancel');
    const p = await srv.createProduct({ stock: 10 });
    const no = (await order(u, p.id, 4)).body.data.order_no;
    assert.equal((await srv.product(p.id)).stock, 6);
    const res = await cancel(u, no);
    expectOk(res);
    expectOrder(res.body.data);
    assert.equal(res.body.data.status, 5);
    assert.equal((await srv.product(p.id)).stock, 10);
    expectError(await cancel(u, no), 409, 30002);
    expectError(await pay(u, no), 409, 30002);
    assert.equal((await srv.product(p.id)).stock, 10, 'stock is returned once');
    const d = await detail(u, no);
    assert.equal(d.body.data.status, 5);
});

test('checkout orders can be cancelled and return every line\'s stock', async () => {
    const u = await srv.register('chkcancel');
    const a = await srv.createProduct({ stock: 10 });
    const b = await srv.createProduct({ stock: 10 });
    await addToCart(u, a.id, 2);
    await addToCart(u, b.id, 5);
    const r = await checkout(u);
    expectOk(r, 201);
    expectOk(await cancel(u, r.body.data.order_no));
    assert.equal((await srv.product(a.id)).stock, 10);
    assert.equal((await srv.product(b.id)).stock, 10);
});

test('an unpaid order is cancelled after order.unpaid_timeout_seconds and its stock returned', async (t) => {
    const timeout = EXTERNAL ? Number(process.env.GOMALL_TEST_UNPAID_TIMEOUT_SECONDS || 0) : 4;
    if (!timeout) return t.skip('set GOMALL_TEST_UNPAID_TIMEOUT_SECONDS to the deployment\'s short timeout to run this');
    // a server of its own with a short timeout (so the other tests' orders are never swept)
    const s = EXTERNAL ? srv : await startServer({
        label: 'unpaid',
        // On MariaDB the file's other server shares the database, and its sweeper may be the one that
        // cancels the order: this server's product cache then learns of it only through the TTL.
        env: {
            GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS: String(timeout),
            GOMALL_ORDER_SWEEP_INTERVAL_SECONDS: '1',
            GOMALL_PRODUCT_CACHE_TTL_MS: '500',
        },
    });
    try {
        const u = await s.register('timeout');
        const p = await s.createProduct({ stock: 5 });
        const r = await s.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 2 } });
        expectOk(r, 201);
        const no = r.body.data.order_no;
        const r2 = await s.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
        expectOk(r2, 201);
        const paidNo = r2.body.data.order_no;
        expectOk(await s.api('POST', `/api/order/${paidNo}/pay`, { token: u.token }));
        assert.equal((await s.product(p.id)).stock, 2);
        const expires = Date.parse(r.body.data.expires_at);
        const created = Date.parse(r.body.data.created_at);
        assert.ok(Math.abs(expires - created - timeout * 1000) <= 1500,
            `expires_at ${r.body.data.expires_at} vs created_at ${r.body.data.created_at}`);

        const deadline = Date.now() + (timeout + 15) * 1000;
        let status = 1;
        while (Date.now() < deadline) {
            const d = await s.api('GET', `/api/order/${no}`, { token: u.token });
            expectOk(d);
            status = d.body.data.status;
            if (status !== 1) break;
            await sleep(250);
        }
        assert.equal(status, 5, 'the unpaid order was cancelled');
        // The product cache is refreshed right after the cancel commits (or, when another instance
        // cancelled it, after the cache TTL), so the order may read cancelled a moment before the
        // product shows the stock back.
        let stock = (await s.product(p.id)).stock;
        for (const until = Date.now() + 3000; stock !== 4 && Date.now() < until;) {
            await sleep(100);
            stock = (await s.product(p.id)).stock;
        }
        assert.equal(stock, 4, 'its stock went back on sale');
        expectError(await s.api('POST', `/api/order/${no}/pay`, { token: u.token }), 409, 30002);
        const paid = await s.api('GET', `/api/order/${paidNo}`, { token: u.token });
        assert.equal(paid.body.data.status, 2, 'paid orders are not touched by the sweep');
    } finally {
        if (s !== srv) await s.dispose();
    }
});
