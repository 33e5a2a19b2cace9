// Full-stack flash sale, Redis loses its data in the middle of a crowd, in two ways:
//   - FLUSHALL while it keeps serving;
//   - a restart without persistence: the server process stops (an outage of a few seconds, in
//     which purchases must be refused quickly with "busy", never hang), its data files are
//     deleted, and it comes back empty on the same port.
// The database is the last guard: orders never exceed the stock and nobody gets more than the
// limit; every "queued" answer resolves (an order, or failed with a reason, its unit returned);
// the reconciler rebuilds the activity in Redis from the database, after which the remaining stock
// it reports matches the orders, and the sale sells out to exactly its stock.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
// Both empty the stack's whole Redis (every key prefix).
import fs from 'node:fs';
import path from 'node:path';
import { test, startServer, stack, assert, sleep, REPO_ROOT } from './harness.mjs';
import {
    Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity, activityOrders, CODE_BUSY,
} from './fullstack.mjs';

const SHOPPERS = 700;
const STOCK = 200;
const QUEUED_BEFORE_LOSS = 60;
const RECONCILE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_INTERVAL_MS || 2000);
const GRACE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_GRACE_MS || 10000);
const DOWN_MS = 2500;
const COMMAND_TIMEOUT_MS = 1000;
// The longest a purchase may take while Redis is away: one command timeout plus slack for a busy
// two-core machine.
const MAX_ANSWER_MS = COMMAND_TIMEOUT_MS + 4000;

const STACK_DIR = path.resolve(REPO_ROOT, process.env.GOMALL_STACK_DIR || path.join('var', 'stack'));

/// Starts a server and a crowd, and lets the sale run until some units are queued.
async function saleUnderWay(t, label, prefix) {
    const s = await startServer({ label, env: { GOMALL_REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) } });
    const shoppers = await s.shoppers(SHOPPERS, prefix);
    const p = await s.createProduct({ stock: 1000, price: 70 });
    const activity = await s.createActivity({ product_id: p.id, stock: STOCK, price: 7 });
    const crowd = new Crowd({ servers: [s], productId: p.id, shoppers, timeoutMs: 20000 });
    await crowd.wavesUntil(() => crowd.queuedCount >= QUEUED_BEFORE_LOSS, { size: 25, pauseMs: 100, deadline: Date.now() + 30000 });
    assert.ok(crowd.queuedCount >= QUEUED_BEFORE_LOSS && crowd.queuedCount < STOCK, `queued before the loss: ${crowd.queuedCount}`);
    return { s, crowd, activity };
}

/// Keeps the crowd buying in waves of `size` until the returned stop() is awaited.
/// The answers around the loss: only envelopes the contract allows, none missing.
function checkAnswersAround(t, crowd, during, lostAt) {
    t.diagnostic(`around the loss: ${JSON.stringify(tally(during))}, slowest answer ${Math.max(0, ...during.map((o) => o.ms))} ms`);
    assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers around the loss');
    assert.deepEqual(during.filter((o) => o.err).map((o) => `${o.err.message} after ${o.ms} ms`).slice(0, 5), [], 'requests without an answer');
    const afterLoss = during.filter((o) => o.sentAt > lostAt);
    t.diagnostic(`sent after the loss: ${JSON.stringify(tally(afterLoss))}`);
    assert.ok(afterLoss.length > 0, 'purchases were made after the loss');
}

/// After the loss: no oversell, every queued answer resolves, Redis is rebuilt to agree with the
/// database, and what is left sells out to exactly the stock.
async function recoversAndSellsOut(t, { s, crowd, activity }) {
    const mid = await activityOrders(s, activity.id);
    assert.ok(mid.length <= STOCK, `oversold right after the loss: ${mid.length}`);

    // the sale goes on until sold out (units promised twice fail in the database and come back)
    const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 90000 });
    assert.ok(soldOut, `the sale did not sell out after the loss: ${crowd.queuedCount} queued, ${JSON.stringify(tally(crowd.outcomes))}`);
    assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');

    // every queued answer resolved: an order, or failed with a reason
    let v = await verifyAfterDrain(t, { crowd, activity, allowFailed: true, drainMs: 30000 + GRACE_MS });
    t.diagnostic(`first drain: ${v.orders.length} orders, ${v.failures} failed reservations`);

    // the reconciler makes Redis agree with the database: remaining = stock - orders
    let orders = v.orders.length;
    let act = await waitActivity(s, activity.id, (a) => a.remaining === STOCK - orders && a.sold === orders, 10 * RECONCILE_MS + GRACE_MS + 10000);
    assert.equal(act.sold, orders, `activity sold ${act.sold} vs ${orders} orders`);
    assert.equal(act.remaining, STOCK - orders, `activity remaining ${act.remaining} vs stock ${STOCK} - ${orders} orders`);

    // units that failed back are sold again, to exactly the stock
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
}

test('Redis FLUSHALL mid-sale: no oversell, every queued answer resolves, stock reconciled, sells out to the stock', { timeout: 240000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const sale = await saleUnderWay(t, 'fullstack-redis-flush', 'rfl');
    try {
        const { crowd } = sale;
        const before = crowd.outcomes.length;
        const stop = crowd.keepFiring({ size: 25, pauseMs: 50 });
        await sleep(300);
        const fl = await stack('redis-cli', 'FLUSHALL');
        assert.match(fl.stdout, /OK/, `FLUSHALL: ${fl.stdout} ${fl.stderr}`);
        const flushedAt = Date.now();
        // a few reconcile passes with the crowd still buying
        await sleep(Math.max(2000, 3 * RECONCILE_MS));
        await stop();
        checkAnswersAround(t, crowd, crowd.outcomes.slice(before), flushedAt);
        await recoversAndSellsOut(t, sale);
    } finally {
        await sale.s.dispose();
    }
});

test('Redis restarted without its data mid-sale: quick busy answers while it is down, then no oversell and a full recovery', { timeout: 240000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const dataDir = path.join(STACK_DIR, 'redis', 'data');
    if (!fs.existsSync(dataDir)) return t.skip(`no Redis data directory at ${dataDir} (is the stack's Redis in use?)`);
    const sale = await saleUnderWay(t, 'fullstack-redis-restart', 'rrs');
    let paused = false;
    try {
        const { crowd } = sale;
        const before = crowd.outcomes.length;
        // Gently: units must be left when Redis goes away, or every answer is a local "sold out"
        // and the outage is never seen (a fast machine sold the rest in 300 ms of full waves).
        const stop = crowd.keepFiring({ size: 5, pauseMs: 100 });
        await sleep(300);
        assert.ok(crowd.queuedCount < STOCK - 20, `units left when Redis goes away: ${STOCK - crowd.queuedCount}`);
        const pr = await stack('pause', 'redis');
        paused = true;
        const downAt = Date.now();
        // Without persistence a restarted Redis is empty: remove its files while it is down.
        for (const entry of fs.readdirSync(dataDir)) {
            fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
        }
        await sleep(DOWN_MS);
        const upAt = Date.now();
        const sr = await stack('start', 'redis');
        paused = false;
        t.diagnostic(`redis paused in ${pr.ms} ms, started empty in ${sr.ms} ms (down for ${Date.now() - downAt} ms)`);
        const keys = await stack('redis-cli', 'DBSIZE');
        t.diagnostic(`keys right after the restart: ${keys.stdout.trim()}`);
        await sleep(Math.max(2000, 3 * RECONCILE_MS));
        await stop();

        const during = crowd.outcomes.slice(before);
        checkAnswersAround(t, crowd, during, downAt);
        const slow = during.filter((o) => o.ms > MAX_ANSWER_MS);
        assert.deepEqual(slow.map((o) => `${o.res?.status}/${o.res?.body?.code} after ${o.ms} ms`).slice(0, 5), [],
            `answers slower than ${MAX_ANSWER_MS} ms around the outage`);
        const whileDown = during.filter((o) => o.sentAt > downAt + 300 && o.at < upAt);
        assert.ok(whileDown.length > 0, 'purchases were made while Redis was down');
        assert.deepEqual(whileDown.filter((o) => o.res?.status === 200).map((o) => o.res.text.slice(0, 200)).slice(0, 5), [],
            'queued answers while Redis was down');
        assert.ok(whileDown.some((o) => o.res?.body?.code === CODE_BUSY), `busy answers while down: ${JSON.stringify(tally(whileDown))}`);

        await recoversAndSellsOut(t, sale);
    } finally {
        if (paused) await stack('start', 'redis').catch((err) => t.diagnostic(`restarting redis: ${err.message}`));
        await sale.s.dispose();
    }
});
