// The optional read replica (database.mysql_replica_host) with the stack's MariaDB and its replica:
// the catalogue and the order list keep answering correctly while the replica is stopped and after
// it is back, a product another instance creates on the primary shows in this instance's list within
// the staleness bound plus the list cache's ttl, and /ready does not depend on the replica.
//
// Runs only when GOMALL_DATABASE_MYSQL_REPLICA_HOST is set: scripts/stack start mariadb-replica,
// load var/stack/stack.env, then scripts/test-api --mysql tests/api/replica-fullstack.test.mjs.
// Pauses and resumes the stack's mariadb-replica (scripts/stack).
import {
    test, startServer, startPeer, assert, sleep, expectOk, stack, RUN_TAG, randomHex, metricValue as metric, EXTERNAL,
} from './harness.mjs';

const MAX_LAG_MS = 2000;
const LIST_TTL_MS = 1000;
// Polling and request time on a small shared machine.
const SLACK_MS = 1500;

function skipReason() {
    if (EXTERNAL) return 'GOMALL_BASE_URL is set: this test must start its servers and pause the replica';
    if (!process.env.GOMALL_DATABASE_MYSQL_REPLICA_HOST) {
        return 'needs the read replica: scripts/stack start mariadb-replica and its env (GOMALL_DATABASE_MYSQL_REPLICA_*)';
    }
    if (process.env.GOMALL_DATABASE_DRIVER !== 'mysql') return 'needs GOMALL_DATABASE_DRIVER=mysql (scripts/test-api --mysql)';
    return '';
}

async function search(server, keyword) {
    const res = await server.api('GET', `/api/product?keyword=${encodeURIComponent(keyword)}`);
    expectOk(res);
    return res.body.data;
}

async function orderNumbers(server, shopper) {
    const res = await server.api('GET', '/api/order?page=1&page_size=50', { token: shopper.token });
    expectOk(res);
    return res.body.data.list.map((o) => o.order_no);
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

const replicaReads = (server) => metric(server, 'gomall_sql_replica_reads_total', 'target="replica"');
const usable = (server) => metric(server, 'gomall_sql_replica_usable');

/// Everything a shopper sees must be right whichever database answers.
async function checkAnswers(a, { product, name, shopper, orders }) {
    const page = await search(a, name);
    assert.ok(page.list.some((p) => p.id === product.id), `product ${product.id} missing from the list`);
    assert.equal((await a.product(product.id)).name, product.name);
    const listed = await orderNumbers(a, shopper);
    for (const no of orders) assert.ok(listed.includes(no), `order ${no} missing from the order list`);
    assert.equal((await a.api('GET', '/ready', { checkEnvelope: false })).status, 200);
}

test('catalogue and order list on the read replica, through its outage, with the primary behind them', { timeout: 180000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    const env = {
        GOMALL_LOG_LEVEL: 'info',  // the start-up line naming the replica and its bound
        GOMALL_DATABASE_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
        GOMALL_PRODUCT_LIST_CACHE_TTL_MS: String(LIST_TTL_MS),
    };
    const a = await startServer({ label: 'replica-a', env });
    let writer = null;
    let paused = false;
    try {
        assert.ok(
            await within(() => usable(a), (v) => v === 1, 30000) !== null,
            `the replica never came into use:\n${a.logTail()}`,
        );
        const log = a.logTail(400);
        assert.match(log, /read replica: mysql:.*max lag 2000 ms/);
        const password = process.env.GOMALL_DATABASE_MYSQL_REPLICA_PASSWORD || '';
        if (password) assert.ok(!log.includes(password), 'the replica\'s password is in the log');
        // Another instance writes on the primary without a replica: nothing fences A's reads.
        writer = await startPeer(a, { label: 'replica-writer', env: { GOMALL_DATABASE_MYSQL_REPLICA_HOST: '' } });
        const name = `rep${RUN_TAG}${randomHex(3)}`;

        // Visible on A's list within the bound plus the list ttl, read from the replica.
        const emptyBefore = await search(a, name);  // cached empty: the ttl counts too
        assert.equal(emptyBefore.total, 0);
        const replicaBefore = await replicaReads(a);
        const product = await writer.createProduct({ name: `${name} one`, stock: 50, price: 3 });
        const shownMs = await within(async () => (await search(a, name)).total, (n) => n === 1, 10000);
        assert.ok(shownMs !== null && shownMs <= MAX_LAG_MS + LIST_TTL_MS + SLACK_MS, `shown after ${shownMs} ms`);
        assert.ok(await replicaReads(a) > replicaBefore, 'no read was answered by the replica');

        // An order placed on A is in A's own list at once (its write keeps the list on the primary
        // until the replica holds it).
        const shopper = await a.register('rep');
        const placed = await a.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        expectOk(placed, 201);
        const orders = [placed.body.data.order_no];
        assert.ok((await orderNumbers(a, shopper)).includes(orders[0]));
        await checkAnswers(a, { product, name, shopper, orders });

        // The replica stopped: every answer stays right, no error reaches the client, /ready is 200.
        await stack('pause', 'mariadb-replica');
        paused = true;
        const primaryBefore = await metric(a, 'gomall_sql_replica_reads_total', 'target="primary"');
        for (let i = 0; i < 10; i += 1) {
            await checkAnswers(a, { product, name, shopper, orders });
            await sleep(100);
        }
        assert.equal(await usable(a), 0);
        assert.ok(await metric(a, 'gomall_sql_replica_reads_total', 'target="primary"') > primaryBefore);
        // New writes elsewhere show up from the primary meanwhile.
        const during = await writer.createProduct({ name: `${name} two`, stock: 5, price: 4 });
        const duringMs = await within(async () => (await search(a, name)).total, (n) => n === 2, 10000);
        assert.ok(duringMs !== null && duringMs <= LIST_TTL_MS + SLACK_MS, `shown after ${duringMs} ms with the replica down`);
        const again = await a.api('POST', '/api/order', { token: shopper.token, body: { product_id: during.id, quantity: 1 } });
        expectOk(again, 201);
        orders.push(again.body.data.order_no);
        await checkAnswers(a, { product, name, shopper, orders });

        // Back: used again, and it caught up with what was written while it was away.
        await stack('start', 'mariadb-replica');
        paused = false;
        assert.ok(await within(() => usable(a), (v) => v === 1, 30000) !== null, `the replica was not used again:\n${a.logTail()}`);
        const replicaAfter = await replicaReads(a);
        await writer.createProduct({ name: `${name} three`, stock: 5, price: 5 });
        const afterMs = await within(async () => (await search(a, name)).total, (n) => n === 3, 10000);
        assert.ok(afterMs !== null && afterMs <= MAX_LAG_MS + LIST_TTL_MS + SLACK_MS, `shown after ${afterMs} ms`);
        await checkAnswers(a, { product, name, shopper, orders });
        assert.ok(await replicaReads(a) > replicaAfter, 'the replica answered nothing after it came back');
        t.diagnostic(`new product on A's list after ${shownMs} ms, ${duringMs} ms with the replica down, `
            + `${afterMs} ms after it came back (bound ${MAX_LAG_MS} ms + list ttl ${LIST_TTL_MS} ms)`);
    } finally {
        if (paused) await stack('start', 'mariadb-replica');
        if (writer) await writer.dispose();
        await a.dispose();
    }
});
