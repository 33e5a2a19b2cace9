// Full-stack flash sale, Redis loses its data: FLUSHALL in the middle of a crowd (as a Redis
// restart without persistence would). The database is the last guard: orders never exceed the
// stock and nobody gets more than the limit; every "queued" answer resolves (an order, or failed
// with a reason, its unit returned); the reconciler rebuilds the activity in Redis from the
// database, after which the remaining stock it reports matches the orders, and the sale sells out
// to exactly its stock.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
// FLUSHALL empties the stack's whole Redis (every key prefix).
import { test, startServer, stack, assert, sleep } from './harness.mjs';
import {
    Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity, activityOrders,
} from './fullstack.mjs';

const SHOPPERS = 700;
const STOCK = 200;
const QUEUED_BEFORE_FLUSH = 60;
const RECONCILE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_INTERVAL_MS || 2000);
const GRACE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_GRACE_MS || 10000);

test('Redis FLUSHALL mid-sale: no oversell, every queued answer resolves, stock reconciled, sells out to the stock', { timeout: 240000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const s = await startServer({ label: 'fullstack-redis' });
    try {
        const shoppers = await s.shoppers(SHOPPERS, 'rfl');
        const p = await s.createProduct({ stock: 1000, price: 70 });
        const activity = await s.createActivity({ product_id: p.id, stock: STOCK, price: 7 });
        const crowd = new Crowd({ servers: [s], productId: p.id, shoppers, timeoutMs: 20000 });

        // 1. the sale runs
        await crowd.wavesUntil(() => crowd.queuedCount >= QUEUED_BEFORE_FLUSH, { size: 25, pauseMs: 100, deadline: Date.now() + 30000 });
        assert.ok(crowd.queuedCount >= QUEUED_BEFORE_FLUSH && crowd.queuedCount < STOCK, `queued before the flush: ${crowd.queuedCount}`);

        // 2. Redis forgets everything while the crowd keeps buying (requests in flight at the flush)
        const before = crowd.outcomes.length;
        const firing = { on: true };
        const fire = (async () => {
            while (firing.on) {
                await crowd.wave(25, 25);
                await sleep(50);
            }
        })();
        await sleep(300);
        const fl = await stack('redis-cli', 'FLUSHALL');
        assert.match(fl.stdout, /OK/, `FLUSHALL: ${fl.stdout} ${fl.stderr}`);
        const flushedAt = Date.now();
        // a few reconcile passes with the crowd still buying
        await sleep(Math.max(2000, 3 * RECONCILE_MS));
        firing.on = false;
        await fire;
        const during = crowd.outcomes.slice(before);
        t.diagnostic(`around the flush: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers around the flush');
        assert.deepEqual(during.filter((o) => o.err).map((o) => o.err.message).slice(0, 5), [], 'requests without an answer');
        const afterFlush = during.filter((o) => o.sentAt > flushedAt);
        t.diagnostic(`sent after the flush: ${JSON.stringify(tally(afterFlush))}`);
        assert.ok(afterFlush.length > 0, 'purchases were made after the flush');

        // the database guard: never more orders than stock, even now
        const mid = await activityOrders(s, activity.id);
        assert.ok(mid.length <= STOCK, `oversold right after the flush: ${mid.length}`);

        // 3. the sale goes on until sold out (units promised twice fail in the database and come back)
        const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 90000 });
        assert.ok(soldOut, `the sale did not sell out after the flush: ${crowd.queuedCount} queued, ${JSON.stringify(tally(crowd.outcomes))}`);
        assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');

        // 4. every queued answer resolved: an order, or failed with a reason
        let v = await verifyAfterDrain(t, { crowd, activity, allowFailed: true, drainMs: 30000 + GRACE_MS });
        t.diagnostic(`first drain: ${v.orders.length} orders, ${v.failures} failed reservations`);

        // 5. the reconciler makes Redis agree with the database: remaining = stock - orders
        let orders = v.orders.length;
        let act = await waitActivity(s, activity.id, (a) => a.remaining === STOCK - orders && a.sold === orders, 10 * RECONCILE_MS + GRACE_MS + 10000);
        assert.equal(act.sold, orders, `activity sold ${act.sold} vs ${orders} orders`);
        assert.equal(act.remaining, STOCK - orders, `activity remaining ${act.remaining} vs stock ${STOCK} - ${orders} orders`);

        // 6. units that failed back are sold again, to exactly the stock
        if (orders < STOCK) {
            const again = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 90000 });
            assert.ok(again, `could not sell the ${STOCK - orders} units left`);
            v = await verifyAfterDrain(t, { crowd, activity, allowFailed: true, drainMs: 30000 + GRACE_MS });
            orders = v.orders.length;
        }
        assert.equal(orders, STOCK, `orders in the end: ${orders} for stock ${STOCK}`);
        act = await waitActivity(s, activity.id, (a) => a.sold === STOCK && a.remaining === 0, 10 * RECONCILE_MS + 10000);
        assert.equal(act.sold, STOCK);
        assert.equal(act.remaining, 0);
        assert.equal(act.state, 'sold_out');
    } finally {
        await s.dispose();
    }
});
