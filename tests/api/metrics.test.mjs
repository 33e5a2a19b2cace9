// GET /metrics: the Prometheus text format (checked by promtool when installed), process and build
// figures, order counters that follow what the API did, and the bearer token when one is set.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, useServer, startServer, assert, EXTERNAL, EXTERNAL_SKIP, expectOk, randomHex } from './harness.mjs';

const srv = useServer({ label: 'metrics' });

function promtool() {
    try {
        execFileSync('promtool', ['--version'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}

/// The value of the sample `name{labels}` (labels as written, e.g. 'event="created"'), or null.
function sample(text, name, labels = '') {
    const head = labels ? `${name}{${labels}} ` : `${name} `;
    const line = text.split('\n').find((l) => l.startsWith(head));
    return line === undefined ? null : Number(line.slice(head.length));
}

async function scrape(server, headers = {}) {
    const res = await fetch(`${server.baseUrl}/metrics`, { headers });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('the scrape is Prometheus text 0.0.4 with process, build and order figures', async () => {
    const first = await scrape(srv);
    assert.equal(first.status, 200);
    assert.match(first.type, /^text\/plain; version=0\.0\.4/);
    for (const name of ['process_resident_memory_bytes', 'process_open_fds', 'process_threads',
        'process_cpu_seconds_total', 'process_start_time_seconds']) {
        assert.ok(sample(first.text, name) > 0, `${name} in\n${first.text.slice(0, 2000)}`);
    }
    assert.match(first.text, /^gomall_build_info\{version="[^"]+",commit="[^"]+"\} 1$/m);
    assert.match(first.text, /^# TYPE gomall_orders_total counter$/m);

    const before = sample(first.text, 'gomall_orders_total', 'event="created"') ?? 0;
    const cancelledBefore = sample(first.text, 'gomall_orders_total', 'event="cancelled"') ?? 0;
    const u = await srv.register('met');
    const p = await srv.createProduct({ stock: 5, price: 2 });
    const placed = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
    expectOk(placed, 201);
    expectOk(await srv.api('POST', `/api/order/${placed.body.data.order_no}/cancel`, { token: u.token }));
    const after = await scrape(srv);
    assert.equal(sample(after.text, 'gomall_orders_total', 'event="created"'), before + 1);
    assert.equal(sample(after.text, 'gomall_orders_total', 'event="cancelled"'), cancelledBefore + 1);

    if (promtool()) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gomall-scrape-')), 'scrape.txt');
        fs.writeFileSync(file, after.text);
        // promtool reads the scrape on stdin; exit 0 and no output means no problem found
        const out = execFileSync('promtool', ['check', 'metrics'], { input: after.text, encoding: 'utf8' });
        assert.equal(out.trim(), '');
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
});

test('with metrics.token set, only a scraper sending it as a bearer token gets the figures', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const token = randomHex(16);
    const guarded = await startServer({ label: 'metrics-token', env: { GOMALL_METRICS_TOKEN: token } });
    try {
        const none = await scrape(guarded);
        assert.equal(none.status, 401);
        assert.doesNotMatch(none.text, /process_/);
        assert.equal((await scrape(guarded, { authorization: `Bearer ${token}x` })).status, 401);
        assert.equal((await scrape(guarded, { authorization: `Bearer ${token.slice(1)}` })).status, 401);
        assert.equal((await scrape(guarded, { authorization: token })).status, 401);
        const ok = await scrape(guarded, { authorization: `Bearer ${token}` });
        assert.equal(ok.status, 200);
        assert.match(ok.text, /process_resident_memory_bytes/);
    } finally {
        await guarded.dispose();
    }
});

test('HTTP requests are counted by route template, method and status, never by the raw path', async () => {
    const marker = randomHex(6);
    const p = await srv.createProduct({ stock: 5, price: 2 });
    const before = await scrape(srv);
    const ok = 'route="/api/product/:id",method="GET",status="200"';
    const notFound = 'route="/api/product/:id",method="GET",status="404"';
    const okBefore = sample(before.text, 'gomall_http_requests_total', ok) ?? 0;
    const nfBefore = sample(before.text, 'gomall_http_requests_total', notFound) ?? 0;
    const durBefore = sample(before.text, 'gomall_http_request_duration_seconds_count', 'route="/api/product/:id",method="GET"') ?? 0;
    const noneBefore = sample(before.text, 'gomall_http_requests_total', 'route="(none)",method="GET",status="404"') ?? 0;

    for (let i = 0; i < 3; i++) expectOk(await srv.api('GET', `/api/product/${p.id}?q=${marker}`));
    await srv.api('GET', `/api/product/99${marker.replace(/\D/g, '')}1`, { checkEnvelope: false });
    // Hostile paths: every one must land on a fixed label, whatever it carries.
    for (const raw of [`/api/${marker}`, `/api/${marker}/%22%7D%0A`, `/api/x${'a'.repeat(2000)}${marker}`]) {
        const res = await fetch(`${srv.baseUrl}${raw}`);
        assert.equal(res.status, 404);
        await res.arrayBuffer();
    }
    const after = await scrape(srv);
    assert.equal(sample(after.text, 'gomall_http_requests_total', ok), okBefore + 3);
    assert.equal(sample(after.text, 'gomall_http_requests_total', notFound), nfBefore + 1);
    assert.equal(sample(after.text, 'gomall_http_request_duration_seconds_count', 'route="/api/product/:id",method="GET"'), durBefore + 4);
    assert.equal(sample(after.text, 'gomall_http_requests_total', 'route="(none)",method="GET",status="404"'), noneBefore + 3);
    assert.ok(!after.text.includes(marker), 'no label carries a path, a query or an id a client sent');
    assert.ok(sample(after.text, 'gomall_http_response_body_bytes_total', 'route="/api/product/:id"') > 0);
    // The scrape itself is in flight while it is rendered; connections: at least this one.
    assert.ok(sample(after.text, 'gomall_http_requests_in_flight') >= 1);
    assert.ok(sample(after.text, 'gomall_http_connections_open') >= 1);
    assert.equal(sample(after.text, 'gomall_http_connections_refused_total'), 0);
    assert.match(after.text, /^gomall_http_request_duration_seconds_bucket\{route="\/api\/product\/:id",method="GET",le="\+Inf"\} \d+$/m);
});

test('a small flash sale shows in the attempts, units left, orders written and handoff figures', async () => {
    const STOCK = 3;
    const p = await srv.createProduct({ stock: 50, price: 20 });
    const a = await srv.createActivity({ product_id: p.id, stock: STOCK, price: 2 });
    const shoppers = await srv.shoppers(5, 'metsk');
    const first = await scrape(srv);
    const activity = `activity="${a.id}"`;
    assert.equal(sample(first.text, 'gomall_seckill_units_left', activity), STOCK);
    assert.equal(sample(first.text, 'gomall_seckill_attempts_total', `${activity},outcome="reserved"`), 0);
    const handoffBefore = sample(first.text, 'gomall_seckill_handoff_seconds_count') ?? 0;

    const answers = [];
    for (const u of shoppers) answers.push(await srv.seckillBuy(u, p.id));
    answers.push(await srv.seckillBuy(shoppers[0], p.id));  // a repeat: the per-user limit, or sold out
    assert.equal(answers.filter((r) => r.body.code === 0).length, STOCK);
    for (const u of shoppers.slice(0, STOCK)) await srv.waitSeckillFinal(u, p.id);

    const after = await scrape(srv);
    assert.equal(sample(after.text, 'gomall_seckill_attempts_total', `${activity},outcome="reserved"`), STOCK);
    assert.equal(sample(after.text, 'gomall_seckill_attempts_total', `${activity},outcome="sold_out"`), 3);
    assert.equal(sample(after.text, 'gomall_seckill_units_left', activity), 0);
    assert.equal(sample(after.text, 'gomall_seckill_orders_written_total', activity), STOCK);
    assert.equal(sample(after.text, 'gomall_seckill_reservations_failed_total', activity), 0);
    assert.equal(sample(after.text, 'gomall_seckill_handoff_seconds_count'), handoffBefore + STOCK);
    assert.ok(after.text.match(/^gomall_seckill_queue_depth\{mode="[a-z_]+"\} 0$/m), 'nothing left waiting');
    assert.ok(after.text.match(/^gomall_stock_gate_seconds_count\{store="[a-z]+",operation="reserve"\} [1-9]\d*$/m));
});

test('dependencies and the SQL pool are reported', async () => {
    const text = (await scrape(srv)).text;
    assert.equal(sample(text, 'gomall_dependency_up', 'dependency="database"'), 1);
    const inUse = sample(text, 'gomall_sql_pool_connections', 'state="in_use"');
    const idle = sample(text, 'gomall_sql_pool_connections', 'state="idle"');
    assert.ok(inUse >= 0 && idle >= 0 && inUse + idle >= 1, `pool: ${inUse} in use, ${idle} idle`);
    assert.ok(sample(text, 'gomall_sql_pool_wait_seconds_count') > 0);
    assert.equal(sample(text, 'gomall_sql_pool_errors_total', 'kind="timeout"'), 0);
});
