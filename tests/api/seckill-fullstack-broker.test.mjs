// Full-stack flash sale, broker outage: RabbitMQ is stopped in the middle of a sale and started
// again about ten seconds later (scripts/stack pause / start: same port, same data). While it is
// away, purchases are refused quickly with "busy" (503 60007) and nothing is promised; every
// "queued" answer still becomes an order, nothing is oversold or sold twice to a shopper, and the
// sale resumes by itself and sells out to exactly its stock.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
import { test, startServer, stack, assert, sleep } from './harness.mjs';
import {
    Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity, CODE_BUSY,
} from './fullstack.mjs';

const SHOPPERS = 700;
const STOCK = 300;
const QUEUED_BEFORE_OUTAGE = 60;
const DOWN_BEFORE_RESTART_MS = 3000;
const CONFIRM_TIMEOUT_MS = 2000;
// The longest a purchase may take while the broker is away: a publish that waits for its confirm
// (rabbitmq.confirm_timeout_ms) plus slack for a busy two-core machine.
const MAX_ANSWER_MS = CONFIRM_TIMEOUT_MS + 4000;

test('broker stopped for ~10 s mid-sale: busy answers, no lost or extra order, the sale resumes and sells out', { timeout: 240000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const s = await startServer({ label: 'fullstack-broker', env: { GOMALL_RABBITMQ_CONFIRM_TIMEOUT_MS: String(CONFIRM_TIMEOUT_MS) } });
    let paused = false;
    try {
        const shoppers = await s.shoppers(SHOPPERS, 'brk');
        const p = await s.createProduct({ stock: 1000, price: 80 });
        const activity = await s.createActivity({ product_id: p.id, stock: STOCK, price: 8 });
        assert.equal(activity.per_user_limit, 1);
        const crowd = new Crowd({ servers: [s], productId: p.id, shoppers, timeoutMs: 20000 });

        // 1. the sale runs: waves until some units are queued
        await crowd.wavesUntil(() => crowd.queuedCount >= QUEUED_BEFORE_OUTAGE, { size: 20, pauseMs: 150, deadline: Date.now() + 30000 });
        assert.ok(crowd.queuedCount >= QUEUED_BEFORE_OUTAGE, `queued before the outage: ${crowd.queuedCount} (${JSON.stringify(tally(crowd.outcomes))})`);
        assert.ok(crowd.queuedCount < STOCK, 'the sale must still be running when the broker goes away');
        t.diagnostic(`before the outage: ${JSON.stringify(tally(crowd.outcomes))}`);

        // 2. the broker goes away; the crowd keeps buying
        const beforeOutage = crowd.outcomes.length;
        const firing = { on: true };
        const fire = (async () => {
            while (firing.on) {
                await crowd.wave(10, 10);
                await sleep(200);
            }
        })();
        const pr = await stack('pause', 'rabbitmq');
        paused = true;
        const downAt = Date.now();
        t.diagnostic(`rabbitmq paused in ${pr.ms} ms`);
        // the broker is fully down for a few seconds; its restart (~8 s) makes up the rest
        await sleep(DOWN_BEFORE_RESTART_MS);
        const startAt = Date.now();
        const sr = await stack('start', 'rabbitmq');
        paused = false;
        t.diagnostic(`rabbitmq resumed in ${sr.ms} ms (down for ${Date.now() - downAt} ms)`);
        firing.on = false;
        await fire;

        // while it was down: only acceptable answers, quickly, and nothing promised
        const during = crowd.outcomes.slice(beforeOutage);
        t.diagnostic(`during the outage: ${JSON.stringify(tally(during))}, slowest answer ${Math.max(0, ...during.map((o) => o.ms))} ms`);
        assert.deepEqual(crowd.badAnswers(during).slice(0, 10), [], 'answers while the broker was away');
        const lost = during.filter((o) => o.err);
        assert.deepEqual(lost.map((o) => `${o.err.message} after ${o.ms} ms`).slice(0, 5), [], 'requests without an answer');
        const slow = during.filter((o) => o.ms > MAX_ANSWER_MS);
        assert.deepEqual(slow.map((o) => `${o.res?.status}/${o.res?.body?.code} after ${o.ms} ms`).slice(0, 5), [],
            `answers slower than ${MAX_ANSWER_MS} ms while the broker was away`);
        const whileDown = during.filter((o) => o.sentAt > downAt + 500 && o.at < startAt);
        assert.ok(whileDown.length > 0, 'purchases were made while the broker was down');
        const promised = whileDown.filter((o) => o.res?.status === 200);
        assert.deepEqual(promised.map((o) => o.res.text.slice(0, 200)).slice(0, 5), [],
            'queued answers while the broker was down (a promise nothing could keep)');
        assert.ok(whileDown.some((o) => o.res?.body?.code === CODE_BUSY), `busy answers while down: ${JSON.stringify(tally(whileDown))}`);

        // 3. the sale resumes by itself: keep buying until it is sold out
        const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 90000 });
        t.diagnostic(`after the restart: ${JSON.stringify(tally(crowd.outcomes.slice(beforeOutage + during.length)))}`);
        assert.ok(soldOut, `the sale did not sell out after the broker came back: ${crowd.queuedCount} queued`);
        assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');
        assert.equal(crowd.queuedCount, STOCK, `queued answers in all: ${crowd.queuedCount}`);

        // 4. the drain: every queued answer is an order; the database agrees with the results
        const { orders } = await verifyAfterDrain(t, { crowd, activity, allowFailed: false });
        assert.equal(orders.length, STOCK, 'orders = stock: none lost, none extra');
        const act = await waitActivity(s, activity.id, (a) => a.sold === STOCK);
        assert.equal(act.sold, STOCK);
        assert.equal(act.remaining, 0);
        assert.equal(act.state, 'sold_out');
    } finally {
        if (paused) await stack('start', 'rabbitmq').catch((err) => t.diagnostic(`restarting rabbitmq: ${err.message}`));
        await s.dispose();
    }
});
