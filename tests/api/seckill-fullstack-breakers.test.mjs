// The flash sale's circuit breakers on the full stack: Redis and RabbitMQ each stopped and started
// again (scripts/stack pause / start), and Redis also frozen (SIGSTOP), the case where every
// command would otherwise wait for its timeout. For each: after breakers.failure_threshold failures
// the purchase answers 503 60007 with Retry-After at once; /ready lists the breaker as open and
// /metrics has its state; when the server is back the breaker closes by itself and the sale goes on.
//
// Runs only with GOMALL_SECKILL_MODE=full (scripts/test-api --full), on the stack of scripts/stack.
import fs from 'node:fs';
import path from 'node:path';
import { test, startServer, stack, assert, sleep, expectOk, REPO_ROOT } from './harness.mjs';
import { fullStackSkipReason, waitActivity, CODE_BUSY } from './fullstack.mjs';

const THRESHOLD = 3;
const OPEN_SECONDS = 1;
const COMMAND_TIMEOUT_MS = 800;  // redis.command_timeout_ms: what a frozen Redis costs each command
const FAST_MS = 400;             // an open breaker's answer, with slack for a busy two-core machine
const STACK_DIR = path.resolve(REPO_ROOT, process.env.GOMALL_STACK_DIR || path.join('var', 'stack'));

async function sample(server, name, labels) {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`)) continue;
        const have = line.slice(name.length + 1, line.indexOf('}')).split(',');
        if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return undefined;
}

async function breakerState(server, name) {
    const res = await server.api('GET', '/ready', { checkEnvelope: false });
    return res.body?.data?.breakers?.[name];
}

/// A sale with plenty of stock (the outage, not the stock, decides every answer) and its shoppers.
async function sale(label) {
    const s = await startServer({
        label,
        env: {
            GOMALL_BREAKERS_ENABLED: 'true',
            GOMALL_BREAKERS_FAILURE_THRESHOLD: String(THRESHOLD),
            GOMALL_BREAKERS_OPEN_SECONDS: String(OPEN_SECONDS),
            GOMALL_BREAKERS_HALF_OPEN_PROBES: '1',
            GOMALL_REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
            GOMALL_RABBITMQ_CONFIRM_TIMEOUT_MS: '1000',
        },
    });
    const shoppers = await s.shoppers(120, 'brk');
    const p = await s.createProduct({ stock: 1000, price: 50 });
    const activity = await s.createActivity({ product_id: p.id, stock: 500, price: 5 });
    let next = 0;
    const buy = async () => {
        const u = shoppers[next % shoppers.length];
        next += 1;
        const t0 = Date.now();
        const res = await s.seckillBuy(u, p.id, { checkEnvelope: false, timeoutMs: 20000 });
        return { res, ms: Date.now() - t0 };
    };
    return { s, buy, activity };
}

function isBusy(o) {
    return o.res.status === 503 && o.res.body?.code === CODE_BUSY;
}

/// Buys until the breaker has opened (at most a few dozen tries), then checks the open answers.
/// `failedBefore`: failed purchases the test made itself before calling this.
async function opensAndAnswersFast(t, { s, buy }, name, failedBefore = 0) {
    const before = [];
    for (let i = 0; i < 40 && (await breakerState(s, name)) !== 'open'; i += 1) {
        before.push(await buy());
    }
    t.diagnostic(`${name}: answers until open: ${before.map((o) => `${o.res.status}/${o.res.body?.code} ${o.ms}ms`).join(', ')}`);
    assert.equal(await breakerState(s, name), 'open', `${name} breaker did not open`);
    assert.ok(before.filter(isBusy).length + failedBefore >= THRESHOLD, `${name}: fewer busy answers than the threshold before it opened`);

    const open = [];
    for (let i = 0; i < 5; i += 1) open.push(await buy());
    t.diagnostic(`${name}: open breaker answers: ${open.map((o) => `${o.ms}ms`).join(', ')}`);
    for (const o of open) {
        assert.ok(isBusy(o), `${name} open: ${o.res.status} ${o.res.text.slice(0, 200)}`);
        const retry = Number(o.res.headers['retry-after']);
        assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= OPEN_SECONDS, `Retry-After: ${o.res.headers['retry-after']}`);
        assert.ok(o.ms < FAST_MS, `${name}: an open breaker took ${o.ms} ms`);
    }
    assert.equal(await sample(s, 'gomall_circuit_breaker_state', { breaker: name }), 2);
    assert.ok(await sample(s, 'gomall_circuit_breaker_transitions_total', { breaker: name, to: 'open' }) >= 1);
    assert.ok(await sample(s, 'gomall_circuit_breaker_rejected_total', { breaker: name }) >= 5);
    // the rest of the shop answers
    expectOk(await s.api('GET', '/api/product?page=1&page_size=5'));
}

/// After the server is back: purchases queue again within a few seconds, the breaker closed by itself.
async function recovers(t, { s, buy }, name) {
    const deadline = Date.now() + 30000;
    let last;
    while (Date.now() < deadline) {
        last = await buy();
        if (last.res.status === 200) break;
        await sleep(200);
    }
    assert.equal(last.res.status, 200, `${name}: no purchase queued after the server came back: ${last.res.text.slice(0, 200)}`);
    assert.equal(await breakerState(s, name), 'closed');
    assert.equal(await sample(s, 'gomall_circuit_breaker_state', { breaker: name }), 0);
    assert.ok(await sample(s, 'gomall_circuit_breaker_transitions_total', { breaker: name, to: 'closed' }) >= 1);
    const again = await buy();
    assert.equal(again.res.status, 200, `${name}: ${again.res.text.slice(0, 200)}`);
}

test('Redis stopped and started: the redis breaker opens, answers busy with Retry-After at once, and closes by itself', { timeout: 120000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const sl = await sale('breaker-redis');
    let paused = false;
    try {
        assert.equal((await sl.buy()).res.status, 200);
        assert.equal(await breakerState(sl.s, 'redis'), 'closed');
        await stack('pause', 'redis');
        paused = true;
        await opensAndAnswersFast(t, sl, 'redis');
        await stack('start', 'redis');
        paused = false;
        await recovers(t, sl, 'redis');
    } finally {
        if (paused) await stack('start', 'redis').catch((err) => t.diagnostic(`restarting redis: ${err.message}`));
        await sl.s.dispose();
    }
});

test('Redis frozen: commands stop waiting for the timeout once the breaker is open', { timeout: 120000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const pidFile = path.join(STACK_DIR, 'redis', 'redis.pid');
    if (!fs.existsSync(pidFile)) return t.skip(`no Redis pid file at ${pidFile}`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    const sl = await sale('breaker-redis-frozen');
    let frozen = false;
    try {
        assert.equal((await sl.buy()).res.status, 200);
        process.kill(pid, 'SIGSTOP');
        frozen = true;
        const slow = await sl.buy();
        t.diagnostic(`a purchase against a frozen Redis, breaker closed: ${slow.ms} ms`);
        assert.ok(isBusy(slow) && slow.ms >= COMMAND_TIMEOUT_MS - 100, `${slow.res.status} after ${slow.ms} ms`);
        await opensAndAnswersFast(t, sl, 'redis', 1);
        process.kill(pid, 'SIGCONT');
        frozen = false;
        await recovers(t, sl, 'redis');
    } finally {
        if (frozen) process.kill(pid, 'SIGCONT');
        await sl.s.dispose();
    }
});

test('RabbitMQ stopped and started: the rabbitmq breaker opens, units go back at once, and it closes by itself', { timeout: 300000 }, async (t) => {
    const skip = fullStackSkipReason();
    if (skip) return t.skip(skip);
    const sl = await sale('breaker-rabbitmq');
    let paused = false;
    try {
        assert.equal((await sl.buy()).res.status, 200);
        await stack('pause', 'rabbitmq');
        paused = true;
        await opensAndAnswersFast(t, sl, 'rabbitmq');
        assert.equal(await breakerState(sl.s, 'redis'), 'closed', 'a broker outage opened the redis breaker');
        const started = await stack('start', 'rabbitmq');
        paused = false;
        t.diagnostic(`rabbitmq started again in ${started.ms} ms`);
        await recovers(t, sl, 'rabbitmq');
        // every unit handed back while the broker was away is on sale again
        const total = sl.activity.total_stock;
        const a = await waitActivity(sl.s, sl.activity.id, (x) => x.remaining + x.sold === total, 15000);
        t.diagnostic(`activity after the outage: sold ${a.sold}, remaining ${a.remaining}`);
        assert.equal(a.remaining + a.sold, total, 'units taken while the broker was away did not come back');
    } finally {
        if (paused) await stack('start', 'rabbitmq').catch((err) => t.diagnostic(`restarting rabbitmq: ${err.message}`));
        await sl.s.dispose();
    }
});
