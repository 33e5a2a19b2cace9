// Flash sale on the clustered stack (scripts/test-api --cluster: Redis Cluster of three masters
// with a replica each, a three-node RabbitMQ cluster with quorum queues, two shop instances):
//   - a Redis master is killed (SIGKILL) mid-sale: its replica is promoted, the sale goes on,
//     nothing is oversold, every queued answer resolves and the reconciler repairs what the lost
//     writes missed; the sale sells out to exactly its stock;
//   - a RabbitMQ node is stopped mid-sale: every confirmed ("queued") reservation still becomes
//     an order, none twice, and the sale sells out.
// Each test starts the node it stopped again, so the cluster is whole for whatever runs next.
import fs from 'node:fs';
import { test, startServer, startPeer, stack, assert, sleep } from './harness.mjs';
import {
    Crowd, fullStackSkipReason, tally, verifyAfterDrain, waitActivity, waitIndexed, activityOrders,
} from './fullstack.mjs';

const SHOPPERS = 700;
const STOCK = 250;
const QUEUED_BEFORE_FAULT = 60;
const RECONCILE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_INTERVAL_MS || 2000);
const GRACE_MS = Number(process.env.GOMALL_SECKILL_RECONCILE_GRACE_MS || 10000);

function clusterSkipReason() {
    const base = fullStackSkipReason();
    if (base) return base;
    if (!process.env.GOMALL_REDIS_CLUSTER_NODES || !process.env.GOMALL_RABBITMQ_NODES) {
        return 'needs the clustered stack: GOMALL_REDIS_CLUSTER_NODES and GOMALL_RABBITMQ_NODES (scripts/test-api --cluster)';
    }
    return '';
}

/// Two instances, a crowd over both, and a sale under way with some units queued.
async function saleUnderWay(label, prefix) {
    // Info level: a failed drill's explanation needs the reconnects and the breakers' half-open probes.
    const a = await startServer({ label: `${label}-a`, env: { GOMALL_LOG_LEVEL: 'info' } });
    const b = await startPeer(a, { label: `${label}-b` });
    const shoppers = await a.shoppers(SHOPPERS, prefix);
    const p = await a.createProduct({ stock: 1000, price: 90 });
    const activity = await a.createActivity({ product_id: p.id, stock: STOCK, price: 9 });
    assert.ok(await waitIndexed(b, activity.id), 'the second instance never listed the activity created on the first');
    const crowd = new Crowd({ servers: [a, b], productId: p.id, shoppers, timeoutMs: 20000 });
    await crowd.wavesUntil(() => crowd.queuedCount >= QUEUED_BEFORE_FAULT, { size: 20, pauseMs: 100, deadline: Date.now() + 30000 });
    assert.ok(crowd.queuedCount >= QUEUED_BEFORE_FAULT && crowd.queuedCount < STOCK, `queued before the fault: ${crowd.queuedCount}`);
    return { a, b, crowd, activity, dispose: async () => { await b.dispose(); await a.dispose(); } };
}

/// The node list of a cluster from scripts/stack: [{index, port, role}].
async function clusterNodes(service) {
    const r = await stack('node', service, 'list');
    return r.stdout.trim().split('\n').filter(Boolean).map((line) => {
        const [index, port, role] = line.trim().split(/\s+/);
        return { index: Number(index), port: Number(port), role };
    });
}

/// What a failed drill needs to be understood, added to its error (the servers are gone by the time
/// the harness would add their logs): each node of both clusters, the queues' Raft members, and
/// both instances' lines about the broker, the stock store and their breakers.
async function explainFailure(err, sale) {
    const parts = [];
    for (const service of ['rabbitmq-cluster', 'redis-cluster']) {
        const r = await stack('node', service, 'list').catch((e) => ({ stdout: `(${e.message})` }));
        parts.push(`--- ${service} nodes ---\n${r.stdout.trim()}`);
    }
    const live = (await clusterNodes('rabbitmq-cluster').catch(() => [])).find((n) => n.role === 'running');
    if (live) {
        const q = await stack('node', 'rabbitmq-cluster', 'cli', String(live.index), 'list_queues',
            'name', 'type', 'leader', 'members', 'online', 'messages').catch((e) => ({ stdout: `(${e.message})` }));
        parts.push(`--- queues, as node ${live.index} sees them ---\n${q.stdout.trim()}`);
    }
    for (const s of [sale.a, sale.b]) {
        const lines = s.logPath && fs.existsSync(s.logPath)
            ? fs.readFileSync(s.logPath, 'utf8').split('\n')
                .filter((l) => /rabbitmq|redis|circuit breaker/i.test(l) && !/could not be queued/.test(l)).slice(-30)
            : ['(no log)'];
        const refused = s.logPath && fs.existsSync(s.logPath)
            ? fs.readFileSync(s.logPath, 'utf8').split('\n').filter((l) => /could not be queued/.test(l)) : [];
        parts.push(`--- ${s.label} (${s.logPath}) ---\n${lines.join('\n')}\n`
            + `${refused.length} reservations not queued; the last: ${refused.at(-1) ?? '-'}`);
    }
    try { err.message = `${err.message}\n${parts.join('\n')}`; } catch { /* read-only */ }
}

/// The index of the Redis master that holds `key`'s slot.
async function masterOfKey(key) {
    const slotOut = await stack('node', 'redis-cluster', 'cli', '1', 'CLUSTER', 'KEYSLOT', key);
    const slot = Number(slotOut.stdout.trim());
    const nodesOut = await stack('node', 'redis-cluster', 'cli', '1', 'CLUSTER', 'NODES');
    for (const line of nodesOut.stdout.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 9 || !f[2].includes('master') || f[2].includes('fail')) continue;
        for (const range of f.slice(8)) {
            if (range.startsWith('[')) continue;
            const [first, last = first] = range.split('-').map(Number);
            if (slot >= first && slot <= last) {
                const port = Number(f[1].split('@')[0].split(':').pop());
                const node = (await clusterNodes('redis-cluster')).find((n) => n.port === port);
                return node?.index;
            }
        }
    }
    return undefined;
}

/// Sells out after the fault and checks the guarantees: no oversell, every queued answer resolved,
/// the activity's counters agree with the orders, exactly the stock sold.
async function sellsOutToTheStock(t, { a, crowd, activity }, { allowFailed }) {
    const mid = await activityOrders(a, activity.id);
    assert.ok(mid.length <= STOCK, `oversold after the fault: ${mid.length}`);
    const soldOut = await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 120000 });
    assert.ok(soldOut, `no sell-out after the fault: ${crowd.queuedCount} queued, ${JSON.stringify(tally(crowd.outcomes))}`);
    assert.deepEqual(crowd.badAnswers().slice(0, 10), [], 'answers other than queued / sold out / limit / rate / busy');
    let v = await verifyAfterDrain(t, { crowd, activity, allowFailed, drainMs: 30000 + GRACE_MS });
    let orders = v.orders.length;
    if (orders < STOCK) {
        // units that failed back (lost Redis writes found by the reconciler) go on sale again
        await waitActivity(a, activity.id, (x) => x.remaining === STOCK - orders, 10 * RECONCILE_MS + GRACE_MS + 10000);
        assert.ok(await crowd.untilSoldOut({ size: 30, pauseMs: 150, timeoutMs: 120000 }), `could not sell the ${STOCK - orders} units left`);
        v = await verifyAfterDrain(t, { crowd, activity, allowFailed, drainMs: 30000 + GRACE_MS });
        orders = v.orders.length;
    }
    assert.equal(orders, STOCK, `orders in the end: ${orders} for stock ${STOCK}`);
    const act = await waitActivity(a, activity.id, (x) => x.sold === STOCK && x.remaining === 0, 10 * RECONCILE_MS + 10000);
    assert.equal(act.state, 'sold_out');
}

test('Redis Cluster master killed mid-sale: the replica takes over, no oversell, every queued answer resolves, sells out to the stock', { timeout: 300000 }, async (t) => {
    const skip = clusterSkipReason();
    if (skip) return t.skip(skip);
    const sale = await saleUnderWay('cluster-redis', 'crk');
    let killed;
    try {
        const prefix = process.env.GOMALL_REDIS_KEY_PREFIX || 'gomall';
        killed = await masterOfKey(`${prefix}:sk:{a${sale.activity.id}}:stock`);
        assert.ok(killed, 'found the master of the activity\'s slot');
        const before = sale.crowd.outcomes.length;
        const stop = sale.crowd.keepFiring();
        await sleep(300);
        const k = await stack('node', 'redis-cluster', 'kill', String(killed));
        const killedAt = Date.now();
        t.diagnostic(`killed redis-cluster node ${killed} (${k.ms} ms)`);
        // Failover takes the node timeout plus an election: keep buying through it.
        const promotedBy = Date.now() + 20000;
        while (Date.now() < promotedBy) {
            await sleep(500);
            const recent = sale.crowd.outcomes.slice(before).filter((o) => o.sentAt > Date.now() - 1000);
            if (Date.now() - killedAt > 3000 && recent.some((o) => o.res?.status === 200 || o.res?.body?.code === 60002)) break;
        }
        await stop();
        const during = sale.crowd.outcomes.slice(before);
        t.diagnostic(`around the kill: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(sale.crowd.badAnswers(during).slice(0, 10), [], 'answers around the kill');
        assert.ok(during.filter((o) => o.sentAt > killedAt + 3000).some((o) => o.res?.status === 200 || o.res?.status === 409),
            `the sale went on after the failover: ${JSON.stringify(tally(during.filter((o) => o.sentAt > killedAt + 3000)))}`);
        await sellsOutToTheStock(t, sale, { allowFailed: true });
    } catch (err) {
        await explainFailure(err, sale);
        throw err;
    } finally {
        if (killed) await stack('node', 'redis-cluster', 'start', String(killed)).catch((err) => t.diagnostic(`restarting redis node ${killed}: ${err.message}`));
        await sale.dispose();
    }
});

test('RabbitMQ node stopped mid-sale (quorum queues): every queued answer becomes an order, none twice, the sale sells out', { timeout: 300000 }, async (t) => {
    const skip = clusterSkipReason();
    if (skip) return t.skip(skip);
    const sale = await saleUnderWay('cluster-rabbit', 'crq');
    let stopped;
    try {
        const before = sale.crowd.outcomes.length;
        const stop = sale.crowd.keepFiring();
        await sleep(300);
        stopped = 1;  // the first node: the instances connect to it first, and the queues' leader is likely there
        const r = await stack('node', 'rabbitmq-cluster', 'stop', String(stopped));
        const stoppedAt = Date.now();
        t.diagnostic(`stopped rabbitmq-cluster node ${stopped} (${r.ms} ms)`);
        await sleep(4000);
        await stop();
        const during = sale.crowd.outcomes.slice(before);
        t.diagnostic(`around the stop: ${JSON.stringify(tally(during))}`);
        assert.deepEqual(sale.crowd.badAnswers(during).slice(0, 10), [], 'answers around the stop');
        // Reservations cut off with the node go to another one: the sale goes straight on (before,
        // the instances' breakers opened on them and refused every purchase for 10 s).
        const after = during.filter((o) => o.sentAt > stoppedAt + 500);
        assert.ok(after.some((o) => o.res?.status === 200 || o.res?.status === 409),
            `the sale went on right after the stop: ${JSON.stringify(tally(after))}`);
        await sellsOutToTheStock(t, sale, { allowFailed: false });
    } catch (err) {
        await explainFailure(err, sale);
        throw err;
    } finally {
        if (stopped) await stack('node', 'rabbitmq-cluster', 'start', String(stopped)).catch((err) => t.diagnostic(`restarting rabbitmq node ${stopped}: ${err.message}`));
        await sale.dispose();
    }
});
