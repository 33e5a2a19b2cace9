// Cart: add (merging), update, remove, clear, list totals and line availability.
import { test, useServer, assert, ISO_UTC_RE, expectOk, expectError, expectMoneyText } from './harness.mjs';

const srv = useServer({ label: 'cart' });

const CART_FIELDS = ['id', 'user_id', 'product_id', 'quantity', 'name', 'price', 'image_url', 'stock', 'status',
    'available', 'created_at', 'updated_at'];

function expectCartItem(item) {
    for (const f of CART_FIELDS) assert.ok(f in item, `cart item without ${f}: ${JSON.stringify(item)}`);
    assert.equal(typeof item.available, 'boolean');
    assert.match(item.created_at, ISO_UTC_RE);
}

const add = (u, product_id, quantity) => srv.api('POST', '/api/cart', { token: u.token, body: { product_id, quantity } });
const put = (u, product_id, quantity) => srv.api('PUT', '/api/cart', { token: u.token, body: { product_id, quantity } });
async function list(u) {
    const res = await srv.api('GET', '/api/cart', { token: u.token });
    expectOk(res);
    return res;
}

test('adding the same product merges quantities; more than 99 is 400 50003', async () => {
    const u = await srv.register('cartadd');
    const p = await srv.createProduct({ stock: 500, price: 12.34 });
    const r1 = await add(u, p.id, 2);
    expectOk(r1);
    expectCartItem(r1.body.data);
    assert.equal(r1.body.data.product_id, p.id);
    assert.equal(r1.body.data.quantity, 2);
    assert.equal(r1.body.data.user_id, u.user.id);
    assert.equal(r1.body.data.name, p.name);
    expectMoneyText(r1, 'price', '12.34');
    assert.equal(r1.body.data.available, true);
    const r2 = await add(u, p.id, 3);
    expectOk(r2);
    assert.equal(r2.body.data.quantity, 5);
    assert.equal(r2.body.data.id, r1.body.data.id, 'same line');
    expectError(await add(u, p.id, 95), 400, 50003);
    assert.equal((await list(u)).body.data.list[0].quantity, 5, 'a refused merge changes nothing');
    const r3 = await add(u, p.id, 94);
    expectOk(r3);
    assert.equal(r3.body.data.quantity, 99);
    expectError(await add(u, p.id, 1), 400, 50003);
    const l = await list(u);
    assert.equal(l.body.data.total, 1);
    assert.equal(l.body.data.list.length, 1);
});

test('add validates product_id and quantity', async () => {
    const u = await srv.register('cartval');
    const p = await srv.createProduct({ stock: 10 });
    for (const q of [0, 100, -1, 1.5, '2', null]) {
        expectError(await add(u, p.id, q), 400, 400, 'quantity');
    }
    expectError(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: p.id } }), 400, 400, 'quantity');
    expectError(await srv.api('POST', '/api/cart', { token: u.token, body: { quantity: 1 } }), 400, 400, 'product_id');
    expectError(await add(u, 'abc', 1), 400, 400, 'product_id');
    expectError(await add(u, 0, 1), 400, 400, 'product_id');
    expectError(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: p.id, quantity: 1, x: 1 } }), 400, 400, 'x');
    expectError(await srv.api('POST', '/api/cart', { token: u.token, rawBody: '{"product_id":', headers: { 'content-type': 'application/json' } }), 400, 400);
    expectError(await srv.api('POST', '/api/cart', { token: u.token, rawBody: `product_id=${p.id}`, headers: { 'content-type': 'text/plain' } }), 415, 415);
    assert.equal((await list(u)).body.data.total, 0);
});

test('add: unknown product 404 20001, off-shelf product 409 50002, deleted product 404 20001', async () => {
    const u = await srv.register('cartbad');
    expectError(await add(u, 987654321, 1), 404, 20001);
    const off = await srv.createProduct({ stock: 10, status: 0 });
    expectError(await add(u, off.id, 1), 409, 50002);
    const gone = await srv.createProduct({ stock: 10 });
    expectOk(await srv.api('DELETE', `/api/product/${gone.id}`, { token: await srv.adminToken() }));
    expectError(await add(u, gone.id, 1), 404, 20001);
});

test('update sets the quantity; a product not in the cart is 404 50001', async () => {
    const u = await srv.register('cartput');
    const p = await srv.createProduct({ stock: 100 });
    const other = await srv.createProduct({ stock: 100 });
    expectOk(await add(u, p.id, 2));
    const r = await put(u, p.id, 7);
    expectOk(r);
    expectCartItem(r.body.data);
    assert.equal(r.body.data.quantity, 7);
    const r99 = await put(u, p.id, 99);
    expectOk(r99);
    assert.equal(r99.body.data.quantity, 99);
    for (const q of [0, 100, -3, 'x']) expectError(await put(u, p.id, q), 400, 400, 'quantity');
    expectError(await put(u, other.id, 1), 404, 50001);
    expectError(await put(u, 987654321, 1), 404, 50001);
    assert.equal((await list(u)).body.data.list[0].quantity, 99);
});

test('remove deletes one line; removing a missing line is 404 50001; product_id is required', async () => {
    const u = await srv.register('cartdel');
    const a = await srv.createProduct({ stock: 10 });
    const b = await srv.createProduct({ stock: 10 });
    expectOk(await add(u, a.id, 1));
    expectOk(await add(u, b.id, 2));
    const res = await srv.api('DELETE', `/api/cart?product_id=${a.id}`, { token: u.token });
    expectOk(res);
    assert.equal(res.body.data, null);
    const l = await list(u);
    assert.deepEqual(l.body.data.list.map((i) => i.product_id), [b.id]);
    expectError(await srv.api('DELETE', `/api/cart?product_id=${a.id}`, { token: u.token }), 404, 50001);
    expectError(await srv.api('DELETE', '/api/cart', { token: u.token }), 400, 400, 'product_id');
    expectError(await srv.api('DELETE', '/api/cart?product_id=abc', { token: u.token }), 400, 400, 'product_id');
    expectError(await srv.api('DELETE', '/api/cart?product_id=-1', { token: u.token }), 400, 400, 'product_id');
});

test('clear empties the cart', async () => {
    const u = await srv.register('cartclr');
    for (let i = 0; i < 3; i += 1) expectOk(await add(u, (await srv.createProduct({ stock: 10 })).id, 1));
    assert.equal((await list(u)).body.data.total, 3);
    const res = await srv.api('DELETE', '/api/cart/clear', { token: u.token });
    expectOk(res);
    assert.equal(res.body.data, null);
    const l = (await list(u)).body.data;
    assert.equal(l.total, 0);
    assert.deepEqual(l.list, []);
    assert.equal(l.total_quantity, 0);
    assert.equal(l.total_price, 0);
    expectOk(await srv.api('DELETE', '/api/cart/clear', { token: u.token }), 200);
});

test('list totals count only available lines; available reflects shelf, stock and deletion', async () => {
    const u = await srv.register('carttot');
    const a = await srv.createProduct({ stock: 50, price: 12.34 });
    const b = await srv.createProduct({ stock: 50, price: 0.1 });
    const low = await srv.createProduct({ stock: 2, price: 5 });
    const off = await srv.createProduct({ stock: 50, price: 7 });
    expectOk(await add(u, a.id, 3));
    expectOk(await add(u, b.id, 3));
    expectOk(await add(u, low.id, 2));
    expectOk(await add(u, off.id, 1));

    let res = await list(u);
    let d = res.body.data;
    assert.equal(d.total, 4);
    assert.equal(d.total_quantity, 9);
    expectMoneyText(res, 'total_price', '54.32'); // 37.02 + 0.30 + 10.00 + 7.00
    for (const item of d.list) {
        expectCartItem(item);
        assert.equal(item.available, true);
        assert.equal(item.user_id, u.user.id);
    }

    await srv.updateProduct(low.id, { stock: 1 });   // stock < quantity
    await srv.updateProduct(off.id, { status: 0 });  // off shelf
    res = await list(u);
    d = res.body.data;
    assert.equal(d.total, 4, 'unavailable lines stay in the cart');
    const byId = Object.fromEntries(d.list.map((i) => [i.product_id, i]));
    assert.equal(byId[a.id].available, true);
    assert.equal(byId[b.id].available, true);
    assert.equal(byId[low.id].available, false);
    assert.equal(byId[low.id].stock, 1);
    assert.equal(byId[off.id].available, false);
    assert.equal(byId[off.id].status, 0);
    expectMoneyText(res, 'total_price', '37.32'); // exact: 3 x 12.34 + 3 x 0.10
    assert.equal(d.total_price, 37.32);
    assert.ok([6, 9].includes(d.total_quantity), `total_quantity ${d.total_quantity}`);

    expectOk(await srv.api('DELETE', `/api/product/${a.id}`, { token: await srv.adminToken() }));
    res = await list(u);
    const deleted = res.body.data.list.find((i) => i.product_id === a.id);
    if (deleted) assert.equal(deleted.available, false, 'a deleted product is not available');
    expectMoneyText(res, 'total_price', '0.30');
});

test('carts are per user and need a token', async () => {
    const u1 = await srv.register('cartu1');
    const u2 = await srv.register('cartu2');
    const p = await srv.createProduct({ stock: 10 });
    expectOk(await add(u1, p.id, 1));
    assert.equal((await list(u2)).body.data.total, 0);
    expectError(await srv.api('DELETE', `/api/cart?product_id=${p.id}`, { token: u2.token }), 404, 50001);
    expectError(await put(u2, p.id, 3), 404, 50001);
    assert.equal((await list(u1)).body.data.list[0].quantity, 1);
    expectError(await srv.api('GET', '/api/cart'), 401, 401);
    expectError(await srv.api('POST', '/api/cart', { body: { product_id: p.id, quantity: 1 } }), 401, 401);
    expectError(await srv.api('PUT', '/api/cart', { body: { product_id: p.id, quantity: 1 } }), 401, 401);
    expectError(await srv.api('DELETE', `/api/cart?product_id=${p.id}`), 401, 401);
    expectError(await srv.api('DELETE', '/api/cart/clear'), 401, 401);
});
