// Full-stack flash sale, database outage: MariaDB is stopped in the middle of a sale for about ten
// seconds (scripts/stack pause / start: same port, same data). Purchases go on being accepted,
// since a "queued" answer needs Redis and a RabbitMQ confirm, not the database; the consumers keep
// the messages and retry with backoff instead of giving them up. Once the database is back every
// queued answer becomes an order: none lost, none failed, nothing oversold, and the sale sells
// out to exactly its stock.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
import { test, startServer, stack, assert, sleep } from './harness.mjs';
import {
    Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity,
} from './fullstack.mjs';

const SHOPPERS = 600;
const STOCK = 300;
const QUEUED_BEFORE_OUTAGE = 50;
const DOWN_MS = 10000;

test('database stopped for ~10 s mid-sale: purchases still queue, and every queued answer becomes an order once it is back', { timeout: 240000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const s = await startServer({ label: 'fullstack-database' });
    let paused = false;
    try {
        const shoppers = await s.shoppers(SHOPPERS, 'dbo');
        const p = await s.createProduct({ stock: 1000, price: 60 });
        const activity = await s.createActivity({ product_id: p.id, stock: STOCK, price: 6 });
        const crowd = new Crowd({ servers: [s], productId: p.id, shoppers, timeoutMs: 20000 });

        await crowd.wavesUntil(() => crowd.queuedCount >= QUEUED_BEFORE_OUTAGE, { size: 20, pauseMs: 150, deadline: Date.now() + 30000 });
        assert.ok(crowd.queuedCount >= QUEUED_BEFORE_OUTAGE && crowd.queuedCount < STOCK, `queued before the outage: ${crowd.queuedCount}`);

        // the database goes away; the crowd keeps buying, slowly enough to leave stock for later
        const before = crowd.outcomes.length;
        const pr = await stack('pause', 'mariadb');
        paused = true;
        const downAt = Date.now();
        t.diagnostic(`mariadb paused in ${pr.ms} ms`);
        const reads = []; // a shopper reading a result needs the database: 503 "try again", never 500
        while (Date.now() - downAt < DOWN_MS && crowd.queuedCount < STOCK - 40) {
            await crowd.wave(5, 5);
            const res = await s.api('GET', `/api/seckill/result?product_id=${p.id}`, { token: shoppers[0].token });
            reads.push({ at: Date.now(), status: res.status, code: res.body?.code, retryAfter: res.headers['retry-after'] ?? null });
            await sleep(400);
        }
        const upAt = Date.now();
        const sr = await stack('start', 'mariadb');
        paused = false;
        t.diagnostic(`mariadb resumed in ${sr.ms} ms (down for ${Date.now() - downAt} ms)`);

        t.diagnostic(`result reads while the database was away: ${JSON.stringify(reads.map((r) => r.status))}`);
        assert.deepEqual(reads.filter((r) => r.status !== 200 && r.status !== 503), [], 'result reads answer 200 or 503');
        // after the first second every pooled connection has been found dead: 503 with Retry-After
        const late = reads.filter((r) => r.at - downAt > 2000);
        assert.ok(late.some((r) => r.status === 503), `a result read answered 503 while the database was down: ${JSON.stringify(late)}`);
        assert.ok(late.filter((r) => r.status === 503).every((r) => r.code === 503 && r.retryAfter === '1'), 'a 503 carries code 503 and Retry-After');
        const during = crowd.outcomes.slice(before);
        t.diagnostic(`during the outage: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers while the database was away');
        assert.deepEqual(during.filter((o) => o.err).map((o) => o.err.message).slice(0, 5), [], 'requests without an answer');
        const queuedWhileDown = during.filter((o) => o.sentAt > downAt && o.at < upAt && o.res?.status === 200);
        assert.ok(queuedWhileDown.length > 0, `purchases were queued while the database was down: ${JSON.stringify(tally(during))}`);

        // the sale goes on and sells out; every queued answer is an order, none failed
        const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 90000 });
        assert.ok(soldOut, `the sale did not sell out after the database came back: ${crowd.queuedCount} queued`);
        assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');
        assert.equal(crowd.queuedCount, STOCK, `queued answers in all: ${crowd.queuedCount}`);
        const { orders, failures } = await verifyAfterDrain(t, { crowd, activity, allowFailed: false, drainMs: 60000 });
        assert.equal(failures, 0);
        assert.equal(orders.length, STOCK, 'orders = stock: none lost, none extra');
        const act = await waitActivity(s, activity.id, (a) => a.sold === STOCK && a.remaining === 0);
        assert.equal(act.sold, STOCK);
        assert.equal(act.remaining, 0);
        assert.equal(act.state, 'sold_out');
    } finally {
        if (paused) await stack('start', 'mariadb').catch((err) => t.diagnostic(`restarting mariadb: ${err.message}`));
        await s.dispose();
    }
});
