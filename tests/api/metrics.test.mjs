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
