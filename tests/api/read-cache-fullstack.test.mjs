// The read cache's shared level on Redis, with two instances on one stack: a second instance finds
// the first one's answers warm (no database read), an admin edit or a stock change on one instance
// reaches the other's memory through pub/sub within a second, and with Redis stopped the catalogue
// is still answered from the database.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
import {
    test, startServer, startPeer, assert, sleep, expectOk, stack, RUN_TAG, randomHex, metricValue as metric,
} from './harness.mjs';
import { fullStackSkipReason } from './fullstack.mjs';

async function search(server, keyword) {
    const res = await server.api('GET', `/api/product?keyword=${encodeURIComponent(keyword)}`);
    expectOk(res);
    return res.body.data;
}

/// Polls until `read()` satisfies `ok`; the milliseconds it took, or null after `timeoutMs`.
async function within(read, ok, timeoutMs) {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
        if (ok(await read())) return Date.now() - t0;
        await sleep(20);
    }
    return null;
}

test('two instances share the read cache in Redis and hear each other\'s changes', { timeout: 120000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    // Long ttls: whatever changes below must come from the invalidation, not from ageing out.
    const env = { GOMALL_PRODUCT_LIST_CACHE_TTL_MS: '60000', GOMALL_PRODUCT_CACHE_TTL_MS: '60000' };
    const a = await startServer({ label: 'read-cache-a', env });
    let b = null;
    try {
        b = await startPeer(a, { label: 'read-cache-b', env });
        const name = `rcf${RUN_TAG}${randomHex(3)}`;
        const product = await a.createProduct({ name, stock: 9, price: 5 });

        // Warm: what A read from the database, B finds in Redis.
        assert.equal((await search(a, name)).total, 1);
        await a.product(product.id);
        const sharedHits = await metric(b, 'gomall_read_cache_shared_total', 'result="hit"');
        const bLoadsBefore = await metric(b, 'gomall_read_cache_shared_total', 'result="miss"');
        assert.equal((await search(b, name)).list[0].stock, 9);
        assert.equal((await b.product(product.id)).stock, 9);
        assert.equal(await metric(b, 'gomall_read_cache_shared_total', 'result="hit"') - sharedHits, 2);
        assert.equal(await metric(b, 'gomall_read_cache_shared_total', 'result="miss"') - bLoadsBefore, 0);

        // An admin edit on A: B's detail and lists drop it within a second.
        await a.updateProduct(product.id, { price: 6 });
        const detailMs = await within(async () => (await b.product(product.id)).price, (p) => p === 6, 3000);
        const listMs = await within(async () => (await search(b, name)).list[0].price, (p) => p === 6, 3000);
        assert.ok(detailMs !== null && detailMs <= 1000, `B's detail showed the edit after ${detailMs} ms`);
        assert.ok(listMs !== null && listMs <= 1000, `B's list showed the edit after ${listMs} ms`);

        // Stock moved by an order on A: B's detail shows it within a second.
        const shopper = await a.register('rcf');
        expectOk(await a.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 2 } }), 201);
        const stockMs = await within(async () => (await b.product(product.id)).stock, (s) => s === 7, 3000);
        assert.ok(stockMs !== null && stockMs <= 1000, `B's detail showed the new stock after ${stockMs} ms`);

        // Redis stopped: reads go on from the database (the breaker stops asking after a few failures).
        // On a Redis Cluster (scripts/test-api --cluster) there is no single server to stop: the
        // cluster's own failover drills are in seckill-cluster.test.mjs.
        if (process.env.GOMALL_REDIS_CLUSTER_NODES) {
            t.diagnostic('Redis Cluster: the stop-Redis part is left to the single-server run');
            return;
        }
        await stack('pause', 'redis');
        try {
            const other = `${name}x`;
            await a.createProduct({ name: other });
            for (let i = 0; i < 8; i += 1) {
                const res = await b.api('GET', `/api/product?keyword=${other}&page_size=${i + 1}`, { timeoutMs: 10000 });
                expectOk(res);
                assert.equal(res.body.data.total, 1);
            }
            assert.ok(await metric(b, 'gomall_read_cache_shared_errors_total', '') >= 1);
        } finally {
            await stack('start', 'redis');
        }
    } finally {
        if (b) await b.dispose();
        await a.dispose();
    }
});
