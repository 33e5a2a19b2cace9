// The catalogue's read cache seen from outside: a crowd missing one page costs one query, stock in
// a list is at most the list ttl old while a product's detail is exact, admin edits show at once,
// unknown ids are remembered, and hostile query strings neither break nor confuse the cache.
import {
    test, useServer, startServer, assert, EXTERNAL, EXTERNAL_SKIP, expectOk, expectError, RUN_TAG, randomHex, sleep,
    metricValue as metric,
} from './harness.mjs';

const srv = useServer({ label: 'read-cache' });

const tag = () => `rc${RUN_TAG}${randomHex(3)}`;

async function search(server, keyword, extra = '') {
    const res = await server.api('GET', `/api/product?keyword=${encodeURIComponent(keyword)}${extra}`);
    expectOk(res);
    return res.body.data;
}

test('200 concurrent requests for a page nobody asked for yet cost one load', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    // A list ttl far longer than the burst, so a slow (sanitizer) build cannot see the page expire
    // in the middle and load it a second time.
    const server = await startServer({ label: 'read-cache-burst', env: { GOMALL_PRODUCT_LIST_CACHE_TTL_MS: '30000' } });
    try {
        const name = tag();
        await server.createProduct({ name });
        const loadsBefore = await metric(server, 'gomall_read_cache_loads_total', 'cache="lists"');
        const path = `/api/product?keyword=${name}&page_size=7`;
        const answers = await Promise.all(Array.from({ length: 200 }, () => server.api('GET', path)));
        for (const res of answers) {
            expectOk(res);
            assert.equal(res.body.data.total, 1);
            assert.equal(res.body.data.list[0].name, name);
        }
        assert.equal(await metric(server, 'gomall_read_cache_loads_total', 'cache="lists"') - loadsBefore, 1);
        // Every answer has its own trace id, though the page's bytes came from memory.
        assert.equal(new Set(answers.map((r) => r.body.trace_id)).size, 200);
        assert.ok(await metric(server, 'gomall_read_cache_requests_total', 'cache="lists",result="hit"') >= 1);
    } finally {
        await server.dispose();
    }
});

test('stock in a list is at most the list ttl (1 s) old; the detail is exact at once', async () => {
    const name = tag();
    const product = await srv.createProduct({ name, stock: 5 });
    assert.equal((await search(srv, name)).list[0].stock, 5);
    assert.equal((await srv.product(product.id)).stock, 5);

    const shopper = await srv.register('rc');
    const placed = await srv.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 2 } });
    expectOk(placed, 201);
    const changedAt = Date.now();
    assert.equal((await srv.product(product.id)).stock, 3, 'the detail is dropped when stock moves');
    let seenAt = null;
    while (Date.now() - changedAt < 3000) {
        if ((await search(srv, name)).list[0].stock === 3) {
            seenAt = Date.now();
            break;
        }
        await sleep(50);
    }
    assert.ok(seenAt !== null, 'the list never showed the new stock');
    // 1 s bound plus the time of one request and the poll interval on a slow machine.
    assert.ok(seenAt - changedAt <= 1500, `the list showed the new stock after ${seenAt - changedAt} ms`);
});

test('an admin edit shows at once in the detail, the lists and the categories', async () => {
    const name = tag();
    const product = await srv.createProduct({ name, price: 3 });
    assert.equal((await search(srv, name)).list[0].price, 3);
    assert.equal((await srv.product(product.id)).price, 3);
    await srv.updateProduct(product.id, { price: 4 });
    assert.equal((await search(srv, name)).list[0].price, 4);
    assert.equal((await srv.product(product.id)).price, 4);

    const categories = async () => (await srv.api('GET', '/api/category')).body.data.list.map((c) => c.name);
    const before = await categories();
    const category = `cat-${tag()}`;
    expectOk(await srv.api('POST', '/api/category', { token: await srv.adminToken(), body: { name: category } }), 201);
    const after = await categories();
    assert.equal(after.length, before.length + 1);
    assert.ok(after.includes(category));

    expectOk(await srv.api('DELETE', `/api/product/${product.id}`, { token: await srv.adminToken() }));
    assert.equal((await search(srv, name)).total, 0);
    expectError(await srv.api('GET', `/api/product/${product.id}`), 404, 20001);
});

test('unknown product ids are answered 404 and remembered, not looked up again and again', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const loadsBefore = await metric(srv, 'gomall_read_cache_loads_total', 'cache="product"');
    for (let i = 0; i < 5; i += 1) {
        expectError(await srv.api('GET', '/api/product/987654321'), 404, 20001);
    }
    assert.equal(await metric(srv, 'gomall_read_cache_loads_total', 'cache="product"') - loadsBefore, 1);
});

test('a keyword cannot pose as another filter, page or sort', async () => {
    const name = tag();
    await srv.createProduct({ name });
    assert.equal((await search(srv, name)).total, 1);
    // The keyword is the last part of the cache key: text that looks like the other fields is
    // only a keyword that matches nothing.
    for (const fake of [`${name}&c=1`, `${name}&p=2&n=1`, `${name}&s=1&k=`, `${name}|c=0`]) {
        assert.equal((await search(srv, fake)).total, 0, fake);
    }
    assert.equal((await search(srv, name)).total, 1);
    assert.equal((await search(srv, name, '&page=2&page_size=1')).list.length, 0);
    assert.equal((await search(srv, name, '&page=1&page_size=1')).list.length, 1);
});

test('bad list queries are refused with the envelope, cached or not', async () => {
    for (const [query, field] of [['page=abc', 'page'], ['page_size=100000', 'page_size'], ['sort=random', 'sort'],
        ['category=-1', 'category'], [`keyword=${'k'.repeat(101)}`, 'keyword'], ['keyword=%FF%FE', 'keyword']]) {
        for (let i = 0; i < 2; i += 1) {
            const res = await srv.api('GET', `/api/product?${query}`);
            assert.equal(res.status, 400, `${query}: ${res.text}`);
            assert.equal(res.body.data.field, field, query);
        }
    }
    expectError(await srv.api('GET', '/api/product/abc'), 400, 400);
    expectError(await srv.api('GET', '/api/product/0'), 400, 400);
});

test('a category asked by name and the same page without a category are two pages', async () => {
    const admin = await srv.adminToken();
    const name = tag();
    const made = await srv.api('POST', '/api/category', { token: admin, body: { name: `cat ${name}` } });
    expectOk(made, 201);
    await srv.createProduct({ name: `${name} a`, category_id: made.body.data.id });
    await srv.createProduct({ name: `${name} b` });
    const total = async (extra) => (await search(srv, name, extra)).total;
    assert.equal(await total(`&category=${encodeURIComponent(`cat ${name}`)}`), 1);
    assert.equal(await total('&category=0'), 2);
    assert.equal(await total(''), 2);
    assert.equal(await total(`&category=${made.body.data.id}`), 1);
});
