// Services mode under faults (scripts/test-api --services: the gateway, the user service and two
// seckill gRPC services found through etcd, from scripts/services). Each test puts things back as they were:
//   - a seckill instance killed (SIGKILL) mid-crowd: the gateway answers "busy" for a moment and
//     then sells through the other instance; the dead one leaves the registry with its lease;
//     every queued answer becomes an order, nothing oversold, the sale sells out to its stock;
//   - etcd stopped for 10 s: purchases keep flowing to the instances the gateway knows; an
//     instance started meanwhile is found once etcd is back; one stopped cleanly leaves at once;
//   - the user service stopped for 10 s: signing in, registering and the profile answer 503 with
//     Retry-After; signed-in shoppers keep shopping (the gateway verifies tokens itself) and the
//     gateway stays ready; once the service is back, sign-in works without a gateway restart.
//   - the catalogue service stopped for 10 s: the catalogue, the cart and new orders answer 503 with
//     Retry-After, a product page already cached still answers; orders are read and cancelled
//     meanwhile, and the cancelled order's stock comes back once the service is back (the gateway's
//     sweeper sends the queued release), without a restart.
//   - the order service stopped for 10 s in the middle of a flash sale: the order and payment routes
//     answer 503 with Retry-After, the catalogue, carts and the sale go on (purchases keep answering
//     "queued"); once it is back, orders placed before are all there and every queued answer is an
//     order (the sale sells out to exactly its stock), without a restart.
import path from 'node:path';
import {
    test, useServer, assert, sleep, run, metricValue, REPO_ROOT, EXTERNAL,
} from './harness.mjs';
import { Crowd, tally, verifyAfterDrain, waitActivity, activityOrders } from './fullstack.mjs';

const SERVICES_DIR = process.env.GOMALL_SERVICES_DIR || '';
const SHOPPERS = 500;
const STOCK = 200;

const srv = useServer({ label: 'services-faults' });

function skipReason() {
    if (!EXTERNAL || !SERVICES_DIR) return 'needs services mode: scripts/test-api --services (GOMALL_SERVICES_DIR)';
    return '';
}

/// scripts/services against the suite's deployment, e.g. services('kill', 'seckill', '1').
async function services(...args) {
    const env = { ...process.env, GOMALL_STACK_DIR: SERVICES_DIR };
    const t0 = Date.now();
    const r = await run(path.join(REPO_ROOT, 'scripts', 'services'), args, { env, timeoutMs: 180000 });
    return { ...r, ms: Date.now() - t0 };
}

/// scripts/stack on the deployment's backing services, e.g. stack('pause', 'etcd').
async function stack(...args) {
    const env = { ...process.env, GOMALL_STACK_DIR: SERVICES_DIR };
    return run(path.join(REPO_ROOT, 'scripts', 'stack'), args, { env, timeoutMs: 180000 });
}

const seckillInstances = () => metricValue(srv, 'gomall_service_instances', 'role="seckill"');
const userInstances = () => metricValue(srv, 'gomall_service_instances', 'role="user"');
const catalogInstances = () => metricValue(srv, 'gomall_service_instances', 'role="catalog"');
const orderInstances = () => metricValue(srv, 'gomall_service_instances', 'role="order"');

/// A request that a service's outage must answer 503 with the envelope's code and a Retry-After.
async function unavailable(method, url, opts) {
    const r = await srv.api(method, url, opts);
    assert.equal(r.status, 503, `${method} ${url}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.code, 503);
    assert.ok(Number(r.headers['retry-after']) >= 1, `Retry-After on ${method} ${url}`);
}

async function waitInstances(n, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let seen = await seckillInstances();
    while (seen !== n && Date.now() < deadline) {
        await sleep(200);
        seen = await seckillInstances();
    }
    return seen;
}

async function saleUnderWay(prefix, queuedBefore) {
    const shoppers = await srv.shoppers(SHOPPERS, prefix);
    const p = await srv.createProduct({ stock: 1000, price: 90 });
    const activity = await srv.createActivity({ product_id: p.id, stock: STOCK, price: 9 });
    const crowd = new Crowd({ servers: [srv], productId: p.id, shoppers, timeoutMs: 20000 });
    await crowd.wavesUntil(() => crowd.queuedCount >= queuedBefore, { size: 20, pauseMs: 100, deadline: Date.now() + 30000 });
    assert.ok(crowd.queuedCount >= queuedBefore && crowd.queuedCount < STOCK, `queued before the fault: ${crowd.queuedCount}`);
    return { crowd, activity };
}

test('a seckill instance killed mid-crowd: the other takes over, every queued answer is an order, sells out to the stock', { timeout: 300000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    assert.equal(await waitInstances(2, 15000), 2, 'two seckill instances before the kill');
    const { crowd, activity } = await saleUnderWay('svk', 40);
    let killed = false;
    try {
        const before = crowd.outcomes.length;
        const stop = crowd.keepFiring({ size: 5, pauseMs: 150 });  // slow enough to be on sale after the kill
        await sleep(300);
        await services('kill', 'seckill', '1');
        killed = true;
        const killedAt = Date.now();
        await sleep(3000);
        await stop();
        const during = crowd.outcomes.slice(before);
        t.diagnostic(`around the kill: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers around the kill: queued, sold out, limit, rate or busy');
        assert.ok(during.every((o) => o.res), 'every purchase was answered by the gateway');
        const after = during.filter((o) => o.sentAt > killedAt + 1500);
        assert.ok(after.some((o) => o.res.status === 200),
            `units were sold through the other instance after the kill: ${JSON.stringify(tally(after))}`);
        // Its lease runs out (registry.lease_ttl_seconds, 5 s): it leaves the gateway's set.
        assert.equal(await waitInstances(1, 15000), 1, 'the killed instance left the registry');

        const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 120000 });
        assert.ok(soldOut, `no sell-out after the kill: ${crowd.queuedCount} queued, ${JSON.stringify(tally(crowd.outcomes))}`);
        const v = await verifyAfterDrain(t, { crowd, activity, allowFailed: false, drainMs: 60000 });
        assert.equal(v.orders.length, STOCK, `orders in the end: ${v.orders.length} for stock ${STOCK}`);
        const act = await waitActivity(srv, activity.id, (x) => x.sold === STOCK && x.remaining === 0, 20000);
        assert.equal(act.state, 'sold_out');
    } finally {
        if (killed) {
            await services('start', 'seckill', '1').catch((err) => t.diagnostic(`restarting seckill 1: ${err.message}`));
            await waitInstances(2, 20000);
        }
    }
});

test('etcd stopped for 10 s: purchases keep flowing to the known instances; instances started or stopped meanwhile are seen once it is back', { timeout: 300000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    assert.equal(await waitInstances(2, 20000), 2, 'two seckill instances before the outage');
    const { crowd, activity } = await saleUnderWay('sve', 20);
    let paused = false;
    let third = false;
    try {
        await stack('pause', 'etcd');
        paused = true;
        const pausedAt = Date.now();
        const before = crowd.outcomes.length;
        const stop = crowd.keepFiring({ size: 5, pauseMs: 200 });
        // A third instance starts while etcd is away: it serves (its /ready does not need etcd)
        // but cannot be published yet.
        await services('start', 'seckill', '3');
        third = true;
        assert.equal(await seckillInstances(), 2, 'no instance appears while etcd is away');
        await sleep(Math.max(0, 10000 - (Date.now() - pausedAt)));
        await stop();
        const during = crowd.outcomes.slice(before);
        t.diagnostic(`while etcd was away: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers while etcd was away');
        assert.ok(during.filter((o) => o.res?.status === 200).length > 0, `purchases went through: ${JSON.stringify(tally(during))}`);
        assert.ok(during.filter((o) => o.res?.status === 503).length <= during.length / 10,
            `few "busy" answers while etcd was away: ${JSON.stringify(tally(during))}`);
        assert.equal(await seckillInstances(), 2, 'the known instances stayed in use');

        await stack('start', 'etcd');
        paused = false;
        assert.equal(await waitInstances(3, 20000), 3, 'the instance started during the outage is found once etcd is back');

        await services('stop', 'seckill', '3');
        third = false;
        assert.equal(await waitInstances(2, 5000), 2, 'a cleanly stopped instance leaves at once');

        assert.ok(await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 120000 }), 'the sale sells out');
        const v = await verifyAfterDrain(t, { crowd, activity, allowFailed: false, drainMs: 60000 });
        assert.equal(v.orders.length, STOCK);
        assert.ok((await activityOrders(srv, activity.id)).length <= STOCK);
    } finally {
        if (paused) await stack('start', 'etcd').catch((err) => t.diagnostic(`restarting etcd: ${err.message}`));
        if (third) await services('stop', 'seckill', '3').catch(() => {});
        await waitInstances(2, 20000);
    }
});

test('the user service stopped for 10 s: sign-in answers 503 with Retry-After, signed-in shoppers keep shopping, back without a restart', { timeout: 300000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    assert.equal(await userInstances(), 1, 'one user instance before the outage');
    const shopper = await srv.register('svu');
    const product = await srv.createProduct({ stock: 50, price: 12 });
    let stopped = false;
    try {
        await services('stop', 'user', '1');
        stopped = true;
        const stoppedAt = Date.now();
        assert.equal(await userInstances(), 0, 'a cleanly stopped instance leaves at once');

        const login = await srv.api('POST', '/api/user/login', { body: { username: shopper.username, password: shopper.password } });
        assert.equal(login.status, 503, JSON.stringify(login.body));
        assert.equal(login.body.code, 503);
        assert.ok(Number(login.headers['retry-after']) >= 1, 'Retry-After on the 503');
        const register = await srv.api('POST', '/api/user/register', {
            body: { username: `svu_new_${Date.now()}`, password: 'Pw-secret-1', email: 'svu@example.com' },
        });
        assert.equal(register.status, 503);
        assert.equal((await srv.api('GET', '/api/user/profile', { token: shopper.token })).status, 503);

        // The token was verified by the gateway: the shopper fills the cart and orders.
        const added = await srv.api('POST', '/api/cart', { token: shopper.token, body: { product_id: product.id, quantity: 2 } });
        assert.equal(added.status, 200, JSON.stringify(added.body));
        const order = await srv.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        assert.ok([200, 201].includes(order.status), JSON.stringify(order.body));
        // An unsigned caller is still refused, and the gateway stays in its load balancer's set.
        assert.equal((await srv.api('GET', '/api/cart', {})).status, 401);
        assert.equal((await srv.api('GET', '/ready', { checkEnvelope: false })).status, 200);

        await sleep(Math.max(0, 10000 - (Date.now() - stoppedAt)));
        await services('start', 'user', '1');
        stopped = false;
        const deadline = Date.now() + 20000;
        let again = await srv.api('POST', '/api/user/login', { body: { username: shopper.username, password: shopper.password } });
        while (again.status !== 200 && Date.now() < deadline) {
            await sleep(200);
            again = await srv.api('POST', '/api/user/login', { body: { username: shopper.username, password: shopper.password } });
        }
        assert.equal(again.status, 200, `sign-in after the service came back: ${JSON.stringify(again.body)}`);
        const profile = await srv.api('GET', '/api/user/profile', { token: again.body.data.token });
        assert.equal(profile.status, 200);
        assert.equal(profile.body.data.username, shopper.username);
        // A logout through the restarted service is refused at the gateway at once.
        assert.equal((await srv.api('POST', '/api/auth/logout', { token: again.body.data.token })).status, 200);
        assert.equal((await srv.api('GET', '/api/cart', { token: again.body.data.token })).status, 401);
    } finally {
        if (stopped) await services('start', 'user', '1').catch((err) => t.diagnostic(`restarting the user service: ${err.message}`));
    }
});

test('the catalogue service stopped for 10 s: catalogue, cart and new orders answer 503 with Retry-After, orders are still read and cancelled, their stock comes back once it is back', { timeout: 300000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    assert.equal(await catalogInstances(), 1, 'one catalogue instance before the outage');
    const shopper = await srv.register('svc');
    const product = await srv.createProduct({ stock: 20, price: 15 });
    const placed = await srv.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 3 } });
    assert.ok([200, 201].includes(placed.status), JSON.stringify(placed.body));
    const orderNo = placed.body.data.order_no;
    const page = await srv.api('GET', `/api/product/${product.id}`);  // now in the gateway's cache
    assert.equal(page.status, 200);
    assert.equal(page.body.data.stock, 17);
    let stopped = false;
    try {
        await services('stop', 'catalog', '1');
        stopped = true;
        const stoppedAt = Date.now();
        assert.equal(await catalogInstances(), 0, 'a cleanly stopped instance leaves at once');

        await unavailable('GET', '/api/cart', { token: shopper.token });
        await unavailable('POST', '/api/cart', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        await unavailable('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        await unavailable('GET', `/api/product?keyword=outage${Date.now()}`);
        // A page read before the outage answers from the gateway's cache.
        const cached = await srv.api('GET', `/api/product/${product.id}`);
        assert.equal(cached.status, 200, JSON.stringify(cached.body));

        // The orders live with the gateway's order side: read, listed and cancelled as usual.
        const detail = await srv.api('GET', `/api/order/${orderNo}`, { token: shopper.token });
        assert.equal(detail.status, 200, JSON.stringify(detail.body));
        assert.equal((await srv.api('GET', '/api/order', { token: shopper.token })).status, 200);
        const cancelled = await srv.api('POST', `/api/order/${orderNo}/cancel`, { token: shopper.token });
        assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
        assert.equal(cancelled.body.data.status, 5);
        assert.equal((await srv.api('GET', '/ready', { checkEnvelope: false })).status, 200);

        await sleep(Math.max(0, 10000 - (Date.now() - stoppedAt)));
        await services('start', 'catalog', '1');
        stopped = false;
        // The queued release goes out with the next sweep; the product page shows it.
        const deadline = Date.now() + 30000;
        let stock = -1;
        while (Date.now() < deadline) {
            const r = await srv.api('GET', `/api/product/${product.id}`);
            if (r.status === 200) stock = r.body.data.stock;
            if (stock === 20) break;
            await sleep(250);
        }
        assert.equal(stock, 20, 'the cancelled order\'s 3 units are back in stock');
        const cart = await srv.api('POST', '/api/cart', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        assert.equal(cart.status, 200, JSON.stringify(cart.body));
        const again = await srv.api('POST', '/api/order/checkout', { token: shopper.token, body: {} });
        assert.ok([200, 201].includes(again.status), JSON.stringify(again.body));
        assert.equal(again.body.data.quantity, 1);
    } finally {
        if (stopped) await services('start', 'catalog', '1').catch((err) => t.diagnostic(`restarting the catalogue service: ${err.message}`));
    }
});

test('the order service stopped for 10 s mid-sale: order routes answer 503 with Retry-After, the sale keeps queueing, no order is lost, back without a restart', { timeout: 300000 }, async (t) => {
    const skip = skipReason();
    if (skip) return t.skip(skip);
    assert.equal(await orderInstances(), 1, 'one order instance before the outage');
    const shopper = await srv.register('svo');
    const product = await srv.createProduct({ stock: 20, price: 15 });
    const placed = await srv.api('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 2 } });
    assert.ok([200, 201].includes(placed.status), JSON.stringify(placed.body));
    const orderNo = placed.body.data.order_no;
    const { crowd, activity } = await saleUnderWay('svo', 30);
    let stopped = false;
    try {
        await services('stop', 'order', '1');
        stopped = true;
        const stoppedAt = Date.now();
        assert.equal(await orderInstances(), 0, 'a cleanly stopped instance leaves at once');

        const before = crowd.outcomes.length;
        const firing = crowd.keepFiring({ size: 5, pauseMs: 150 });
        await unavailable('GET', '/api/order', { token: shopper.token });
        await unavailable('GET', `/api/order/${orderNo}`, { token: shopper.token });
        await unavailable('POST', '/api/order', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        await unavailable('GET', `/api/order/${orderNo}/payment`, { token: shopper.token });
        // The rest of the shop goes on, and the gateway stays in its load balancer's set.
        assert.equal((await srv.api('GET', `/api/product/${product.id}`)).status, 200);
        const cart = await srv.api('POST', '/api/cart', { token: shopper.token, body: { product_id: product.id, quantity: 1 } });
        assert.equal(cart.status, 200, JSON.stringify(cart.body));
        assert.equal((await srv.api('GET', '/ready', { checkEnvelope: false })).status, 200);

        await sleep(Math.max(0, 3000 - (Date.now() - stoppedAt)));
        await firing();
        const during = crowd.outcomes.slice(before);
        t.diagnostic(`purchases while the order service was down: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers during the outage: queued, sold out, limit, rate or busy');
        assert.ok(during.some((o) => o.res && o.res.status === 200), 'units were still sold during the outage');

        await sleep(Math.max(0, 10000 - (Date.now() - stoppedAt)));
        await services('start', 'order', '1');
        stopped = false;
        const deadline = Date.now() + 20000;
        let again = await srv.api('GET', `/api/order/${orderNo}`, { token: shopper.token });
        while (again.status !== 200 && Date.now() < deadline) {
            await sleep(200);
            again = await srv.api('GET', `/api/order/${orderNo}`, { token: shopper.token });
        }
        assert.equal(again.status, 200, `the order placed before the outage: ${JSON.stringify(again.body)}`);
        assert.equal(again.body.data.quantity, 2);
        const checkout = await srv.api('POST', '/api/order/checkout', { token: shopper.token, body: {} });
        assert.ok([200, 201].includes(checkout.status), JSON.stringify(checkout.body));

        const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 120000 });
        assert.ok(soldOut, `no sell-out after the outage: ${crowd.queuedCount} queued, ${JSON.stringify(tally(crowd.outcomes))}`);
        const v = await verifyAfterDrain(t, { crowd, activity, allowFailed: false, drainMs: 60000 });
        assert.equal(v.orders.length, STOCK, `orders in the end: ${v.orders.length} for stock ${STOCK}`);
    } finally {
        if (stopped) await services('start', 'order', '1').catch((err) => t.diagnostic(`restarting the order service: ${err.message}`));
    }
});
