// Clients written for the original GoMall: every field (name and JSON type) the original's answers
// had, on every route both shops have, is in ours too; the category filter by name; the public
// image base. Differences that cannot be bridged (checkout's one order, the queued flash sale,
// HTTP statuses on errors) are asserted as they are, and explained in docs/compat.md.
import {
    test, useServer, startServer, Server, assert, sleep, uniq, EXTERNAL, EXTERNAL_SKIP, expectOk, expectError,
} from './harness.mjs';

const srv = useServer({ label: 'compat' });

// The original's response structs (Go json tags and types), as its clients read them.
const ORIGINAL = {
    user: { id: 'number', username: 'string', email: 'string', phone: 'string' },
    product: {
        id: 'number', name: 'string', description: 'string', price: 'number', stock: 'number',
        category: 'string', image_url: 'string', status: 'number', created_at: 'string',
    },
    page: { list: 'array', total: 'number', page: 'number', page_size: 'number' },
    cartItem: {
        id: 'number', product_id: 'number', product_name: 'string', product_image: 'string', price: 'number',
        quantity: 'number', sub_total: 'number',
    },
    cart: { items: 'array', total_count: 'number', total_price: 'number' },
    order: {
        id: 'number', order_no: 'string', user_id: 'number', product_id: 'number', product_name: 'string',
        product_image: 'string', quantity: 'number', total_price: 'number', status: 'number', pay_type: 'number',
        created_at: 'string',
    },
    unifiedOrder: { prepay_id: 'string', code_url: 'string', order_no: 'string', total_fee: 'number', trade_type: 'string' },
    payQuery: { order_no: 'string', trade_state: 'string', trade_type: 'string' },
    refund: { order_no: 'string', refund_no: 'string', refund_fee: 'number' },
    seckillInit: { product_id: 'number', stock: 'number' },
    upload: { url: 'string', filename: 'string', size: 'number' },
};

function typeOf(v) {
    if (Array.isArray(v)) return 'array';
    if (v === null) return 'null';
    return typeof v;
}

/// Every field of the original's `shape` is in `obj` with the same JSON type.
function expectOriginal(obj, shape, what) {
    assert.equal(typeOf(obj), 'object', `${what}: not an object: ${JSON.stringify(obj)}`);
    for (const [field, type] of Object.entries(shape)) {
        assert.ok(field in obj, `${what}: no "${field}" (the original had it): ${JSON.stringify(obj)}`);
        assert.equal(typeOf(obj[field]), type, `${what}: "${field}" is ${typeOf(obj[field])}, the original's was ${type}`);
    }
}

const q = encodeURIComponent;

test('user routes: register, login, profile, refresh, change password, logout', async () => {
    const u = await srv.register('compat');
    expectOriginal(u.data, { token: 'string', user: 'object' }, 'register');
    expectOriginal(u.data.user, ORIGINAL.user, 'register user');
    const login = await srv.api('POST', '/api/user/login', { body: { username: u.username, password: u.password } });
    expectOk(login);
    expectOriginal(login.body.data, { token: 'string', user: 'object' }, 'login');
    expectOriginal(login.body.data.user, ORIGINAL.user, 'login user');
    const profile = await srv.api('GET', '/api/user/profile', { token: login.body.data.token });
    expectOk(profile);
    expectOriginal(profile.body.data, ORIGINAL.user, 'profile');
    const refreshed = await srv.api('POST', '/api/auth/refresh-token', { body: { refresh_token: login.body.data.refresh_token } });
    expectOk(refreshed);
    expectOriginal(refreshed.body.data, { token: 'string' }, 'refresh-token');
    const token = refreshed.body.data.token;
    expectOk(await srv.api('POST', '/api/auth/change-password', {
        token, body: { old_password: u.password, new_password: `${u.password}x` },
    }));
    const again = await srv.login(u.username, `${u.password}x`);
    expectOk(await srv.api('POST', '/api/auth/logout', { token: again.token }));
});

test('products: list, detail, admin create/update/delete answer the original fields', async () => {
    const admin = await srv.adminToken();
    const made = await srv.createProduct({ stock: 7, price: 19.9, description: 'compat' });
    expectOriginal(made, ORIGINAL.product, 'POST /api/product');
    const detail = await srv.api('GET', `/api/product/${made.id}`);
    expectOk(detail);
    expectOriginal(detail.body.data, ORIGINAL.product, 'product detail');
    assert.equal(detail.body.data.price, 19.9);
    const list = await srv.api('GET', `/api/product?keyword=${q(made.name)}&page=1&page_size=10`);
    expectOk(list);
    expectOriginal(list.body.data, ORIGINAL.page, 'product list');
    assert.equal(list.body.data.list.length, 1);
    expectOriginal(list.body.data.list[0], ORIGINAL.product, 'product list item');
    expectOk(await srv.api('PUT', `/api/product/${made.id}`, { token: admin, body: { stock: 8 } }));
    expectOk(await srv.api('DELETE', `/api/product/${made.id}`, { token: admin }));
});

test('cart answers data.items[] with product_name/product_image beside our list[]', async () => {
    const u = await srv.register('compatcart');
    const a = await srv.createProduct({ stock: 50, price: 12.34, image_url: '/images/compat-a.png' });
    const b = await srv.createProduct({ stock: 50, price: 0.5 });
    const added = await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: a.id, quantity: 2 } });
    expectOk(added);
    expectOriginal(added.body.data, ORIGINAL.cartItem, 'POST /api/cart');
    assert.equal(added.body.data.product_name, a.name);
    assert.equal(added.body.data.product_image, '/images/compat-a.png');
    assert.equal(added.body.data.sub_total, 24.68);
    expectOk(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: b.id, quantity: 3 } }));

    const res = await srv.api('GET', '/api/cart', { token: u.token });
    expectOk(res);
    const d = res.body.data;
    expectOriginal(d, ORIGINAL.cart, 'GET /api/cart');
    assert.equal(d.items.length, 2);
    for (const item of d.items) expectOriginal(item, ORIGINAL.cartItem, 'cart item');
    assert.deepEqual(d.items, d.list, 'items[] and list[] carry the same lines');
    for (const item of d.list) {
        assert.equal(item.product_name, item.name);
        assert.equal(item.product_image, item.image_url);
    }
    assert.equal(d.total_count, 5);
    assert.equal(d.total_count, d.total_quantity);
    assert.equal(d.total_price, 26.18);
    assert.match(res.text, /"sub_total":1\.50/, 'money with two decimals, like price');

    // The original's PUT named the product in the query and sent {quantity}; ours takes both forms.
    expectOk(await srv.api('PUT', `/api/cart?product_id=${b.id}`, { token: u.token, body: { quantity: 4 } }));
    expectOk(await srv.api('PUT', '/api/cart', { token: u.token, body: { product_id: b.id, quantity: 5 } }));
    const lines = (await srv.api('GET', '/api/cart', { token: u.token })).body.data.items;
    assert.equal(lines.find((l) => l.product_id === b.id).quantity, 5);
    expectError(await srv.api('PUT', '/api/cart?product_id=', { token: u.token, body: { quantity: 1 } }), 400, 400, 'product_id');
    expectError(await srv.api('PUT', '/api/cart?product_id=abc', { token: u.token, body: { quantity: 1 } }), 400, 400, 'product_id');
    expectError(await srv.api('PUT', '/api/cart?product_id=0', { token: u.token, body: { quantity: 1 } }), 400, 400, 'product_id');
    expectError(await srv.api('PUT', `/api/cart?product_id=${b.id}`, { token: u.token, body: {} }), 400, 400, 'quantity');

    expectOk(await srv.api('DELETE', `/api/cart?product_id=${a.id}`, { token: u.token }));
    expectOk(await srv.api('DELETE', '/api/cart/clear', { token: u.token }));
    const empty = (await srv.api('GET', '/api/cart', { token: u.token })).body.data;
    assert.deepEqual(empty.items, []);
    assert.equal(empty.total_count, 0);
});

test('?category= takes a category name (the original filtered by name) or an id', async () => {
    const admin = await srv.adminToken();
    const tag = uniq('c');
    const names = [`手机数码 ${tag}`, `家用电器 ${tag}`];
    const cats = [];
    for (const name of names) {
        const made = await srv.api('POST', '/api/category', { token: admin, body: { name } });
        expectOk(made, 201);
        cats.push(made.body.data);
    }
    const phone = await srv.createProduct({ name: `Phone ${tag}`, category_id: cats[0].id });
    await srv.createProduct({ name: `Fridge ${tag}`, category_id: cats[1].id });
    const search = async (category) => {
        const res = await srv.api('GET', `/api/product?keyword=${q(tag)}&category=${category}`);
        expectOk(res);
        return res.body.data;
    };
    const byName = await search(q(names[0]));
    assert.deepEqual(byName.list.map((p) => p.id), [phone.id]);
    assert.equal(byName.list[0].category, names[0]);
    assert.deepEqual((await search(cats[0].id)).list.map((p) => p.id), [phone.id]);
    assert.equal((await search('0')).total, 2, '0 is every category, as before');
    assert.equal((await search('')).total, 2);

    // Unknown names: an empty page, as the original's WHERE category = ? gave, never an error.
    for (const unknown of [`没有这个 ${tag}`, 'abc', "' OR '1'='1", '1; DROP TABLE products; --', '%_%', names[0].toUpperCase() + 'x']) {
        const d = await search(q(unknown));
        assert.equal(d.total, 0, `category=${unknown}`);
        assert.deepEqual(d.list, []);
        expectOriginal(d, ORIGINAL.page, 'empty page');
    }
    // Hostile values: a clear 400 naming the parameter.
    const bad = ['x'.repeat(51), '%FF%FE', '%C3%28', 'a%00b', 'a%0Ab', '-1', '99999999999999999999', q('类'.repeat(51))];
    for (const value of bad) {
        expectError(await srv.api('GET', `/api/product?category=${value}`), 400, 400, 'category');
    }
    assert.equal((await search(q('类'.repeat(50)))).total, 0, '50 characters is a name, not an error');
    // Repeated: the first one counts, as for every query parameter.
    const repeated = await srv.api('GET', `/api/product?keyword=${q(tag)}&category=${q(names[0])}&category=${cats[1].id}`);
    expectOk(repeated);
    assert.deepEqual(repeated.body.data.list.map((p) => p.id), [phone.id]);
});

test('orders: create, list, detail, pay (with the original client\'s {pay_type}), cancel', async () => {
    const u = await srv.register('compatorder');
    const p = await srv.createProduct({ stock: 20, price: 3.21, image_url: '/images/compat-o.png' });
    const placed = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 2 } });
    expectOk(placed, 201);
    const order = placed.body.data;
    expectOriginal(order, ORIGINAL.order, 'POST /api/order');
    assert.equal(order.product_image, '/images/compat-o.png');
    assert.equal(order.total_price, 6.42);
    const list = await srv.api('GET', '/api/order?page=1&page_size=10', { token: u.token });
    expectOk(list);
    expectOriginal(list.body.data, ORIGINAL.page, 'order list');
    expectOriginal(list.body.data.list[0], ORIGINAL.order, 'order list item');
    const detail = await srv.api('GET', `/api/order/${order.order_no}`, { token: u.token });
    expectOk(detail);
    expectOriginal(detail.body.data, ORIGINAL.order, 'order detail');
    expectOk(await srv.api('POST', `/api/order/${order.order_no}/pay`, { token: u.token, body: { pay_type: 1 } }));
    const second = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
    expectOk(second, 201);
    expectOk(await srv.api('POST', `/api/order/${second.body.data.order_no}/cancel`, { token: u.token }));
});

test('checkout answers one order with items (the original answered an array of orders)', async () => {
    const u = await srv.register('compatco');
    const a = await srv.createProduct({ stock: 10, price: 1 });
    const b = await srv.createProduct({ stock: 10, price: 2 });
    for (const p of [a, b]) {
        expectOk(await srv.api('POST', '/api/cart', { token: u.token, body: { product_id: p.id, quantity: 1 } }));
    }
    const res = await srv.api('POST', '/api/order/checkout', { token: u.token });
    expectOk(res, 201);
    assert.ok(!Array.isArray(res.body.data), 'one order, not an array: see docs/compat.md');
    expectOriginal(res.body.data, ORIGINAL.order, 'checkout order');
    assert.equal(res.body.data.items.length, 2);
    for (const item of res.body.data.items) {
        expectOriginal(item, { product_id: 'number', product_name: 'string', product_image: 'string', quantity: 'number', price: 'number' }, 'checkout line');
    }
    assert.equal(res.body.data.total_price, 3);
});

test('WeChat Pay: unified order, query, close, refund answer the original fields', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const u = await srv.register('compatpay');
    const p = await srv.createProduct({ stock: 10, price: 5 });
    const place = async () => {
        const r = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
        expectOk(r, 201);
        return r.body.data.order_no;
    };
    const no = await place();
    const started = await srv.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no: no } });
    expectOk(started);
    expectOriginal(started.body.data, ORIGINAL.unifiedOrder, 'unified-order');
    assert.equal(started.body.data.total_fee, 500, 'fen, an integer, as the original');
    const queried = await srv.api('GET', `/api/pay/wechat/query?order_no=${no}`, { token: u.token });
    expectOk(queried);
    expectOriginal(queried.body.data, ORIGINAL.payQuery, 'pay query');
    expectOk(await srv.api('POST', `/api/pay/wechat/close?order_no=${no}`, { token: u.token }));

    // Refund needs a paid order: pay it on the emulator's scan page.
    const paidNo = await place();
    const pay = (await srv.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no: paidNo } })).body.data;
    assert.ok(pay.scan_url, 'the test server runs the WeChat Pay emulator');
    const pr = new URL(pay.scan_url).searchParams.get('pr');
    const scan = await fetch(`${new URL(pay.scan_url).origin}/pay/scan`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `pr=${q(pr)}`,
    });
    assert.equal(scan.status, 200);
    for (let i = 0; i < 100; i += 1) {
        const d = await srv.api('GET', `/api/order/${paidNo}`, { token: u.token });
        if (d.body.data.status === 2) break;
        await sleep(100);
    }
    const refund = await srv.api('POST', `/api/pay/wechat/refund?order_no=${paidNo}&refund_fee=200`, { token: u.token });
    expectOk(refund);
    expectOriginal(refund.body.data, ORIGINAL.refund, 'refund');
    assert.equal(refund.body.data.refund_fee, 200);
    assert.equal(refund.body.data.refund_no, refund.body.data.out_refund_no);
});

test('flash-sale init answers product_id and stock; a purchase is queued (the original answered an order)', async () => {
    const p = await srv.createProduct({ stock: 10, price: 9 });
    const activity = await srv.createActivity({ product_id: p.id, stock: 3 });
    expectOriginal(activity, ORIGINAL.seckillInit, 'seckill init');
    assert.equal(activity.stock, 3);
    assert.equal(activity.total_stock, 3);
    const u = await srv.register('compatsk');
    const bought = await srv.seckillBuy(u, p.id);
    expectOk(bought);
    assert.equal(bought.body.data.status, 'queued', 'the order number comes from GET /api/seckill/result');
    assert.equal(bought.body.data.product_id, p.id);
});

test('upload answers url, filename and size', async () => {
    const u = await srv.register('compatup');
    // The smallest valid PNG: 1x1, one gray pixel.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==', 'base64');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'pixel.png');
    const res = await fetch(`${srv.baseUrl}/api/upload`, { method: 'POST', headers: { authorization: `Bearer ${u.token}` }, body: form });
    const body = await res.json();
    assert.equal(res.status, 201, JSON.stringify(body));
    expectOriginal(body.data, ORIGINAL.upload, 'upload');
});

test('product.image_base_url goes in front of root-relative images in every answer', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const base = 'https://cdn.example.com/shop';
    const own = await startServer({ label: 'compat-images', env: { GOMALL_PRODUCT_IMAGE_BASE_URL: `${base}/` } });
    try {
        const admin = await own.adminToken();
        const rel = await own.createProduct({ stock: 10, price: 2, image_url: '/images/rel.png' });
        assert.equal(rel.image_url, `${base}/images/rel.png`, 'one slash between base and path');
        const abs = await own.createProduct({ stock: 10, price: 2, image_url: 'https://img.example.org/a.png' });
        assert.equal(abs.image_url, 'https://img.example.org/a.png', 'absolute URLs as stored');
        const none = await own.createProduct({ stock: 10, price: 2 });
        assert.equal(none.image_url, '', 'no image stays empty');
        const proto = await own.createProduct({ stock: 10, price: 2, image_url: '//img.example.org/b.png' });
        assert.equal(proto.image_url, '//img.example.org/b.png', 'protocol-relative as stored');
        const odd = await own.createProduct({ stock: 10, price: 2, image_url: 'images/c.png' });
        assert.equal(odd.image_url, 'images/c.png', 'a path that is not root-relative as stored');

        assert.equal((await own.product(rel.id)).image_url, `${base}/images/rel.png`);
        assert.equal((await own.product(rel.id)).image_url, `${base}/images/rel.png`, 'from the cache too');
        const listed = await own.api('GET', `/api/product?keyword=${q(rel.name)}`);
        assert.equal(listed.body.data.list[0].image_url, `${base}/images/rel.png`);
        const adminListed = await own.api('GET', `/api/admin/product?keyword=${q(rel.name)}`, { token: admin });
        assert.equal(adminListed.body.data.list[0].image_url, `${base}/images/rel.png`);

        const u = await own.register('img');
        const line = await own.api('POST', '/api/cart', { token: u.token, body: { product_id: rel.id, quantity: 1 } });
        assert.equal(line.body.data.image_url, `${base}/images/rel.png`);
        assert.equal(line.body.data.product_image, `${base}/images/rel.png`);
        const cart = (await own.api('GET', '/api/cart', { token: u.token })).body.data;
        assert.equal(cart.items[0].product_image, `${base}/images/rel.png`);
        assert.equal(cart.list[0].image_url, `${base}/images/rel.png`);
        const order = (await own.api('POST', '/api/order/checkout', { token: u.token })).body.data;
        assert.equal(order.product_image, `${base}/images/rel.png`);
        assert.equal(order.items[0].product_image, `${base}/images/rel.png`);
        const stored = (await own.api('GET', `/api/order/${order.order_no}`, { token: u.token })).body.data;
        assert.equal(stored.product_image, `${base}/images/rel.png`, 'the order keeps the path; the base is added when answering');
        const orders = (await own.api('GET', '/api/order', { token: u.token })).body.data.list;
        assert.equal(orders[0].product_image, `${base}/images/rel.png`);

        const activity = await own.createActivity({ product_id: rel.id, stock: 2 });
        assert.equal(activity.product_image, `${base}/images/rel.png`);
        assert.equal((await own.activity(activity.id)).product_image, `${base}/images/rel.png`);
        const listing = (await own.api('GET', '/api/seckill/activities')).body.data.list;
        assert.equal(listing.find((a) => a.id === activity.id).product_image, `${base}/images/rel.png`);

        // An admin's edit is answered with the base too.
        const edited = await own.updateProduct(rel.id, { image_url: '/images/new.png' });
        assert.equal(edited.image_url, `${base}/images/new.png`);
    } finally {
        await own.dispose();
    }
});

test('a bad product.image_base_url stops the server at start with a clear message', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    // Every rule has a unit test (image_urls_test.cpp); here that the server refuses to start.
    for (const value of ['ftp://cdn.example.com', 'https://cdn.example.com/?v=1', 'https://user:pw@cdn.example.com']) {
        const s = new Server({ label: 'compat-bad', env: { GOMALL_PRODUCT_IMAGE_BASE_URL: value } });
        await assert.rejects(s.start(), (err) => {
            assert.match(`${err.message}\n${s.logTail(20)}`, /product\.image_base_url/, value);
            return true;
        }, value);
        await s.dispose().catch(() => {});
    }
});
