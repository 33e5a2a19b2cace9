// OpenTelemetry traces: a local OTLP/HTTP receiver (a node http server on a free loopback port)
// takes what a shop pointed at it exports, and the test checks the payloads: resource attributes,
// span names by route template, the HTTP span as parent of its SQL spans, error status on a 503
// and none on a 404, a client's traceparent (sampled or not) honoured, background jobs as traces
// of their own. Then a dead collector (a closed port, and one that accepts and never answers)
// must cost requests nothing, with the lost spans counted in /metrics.
import net from 'node:net';
import { test, startServer, assert, sleep, freePort, randomHex, rawHttp, EXTERNAL, EXTERNAL_SKIP, RUN_TAG, expectOk } from './harness.mjs';
import { startReceiver, waitFor, traceparentOf, tracingEnv, attributeTexts } from './otlp-receiver.mjs';

async function metric(server, name, labels = '') {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const head = labels ? `${name}{${labels}} ` : `${name} `;
    const line = text.split('\n').find((l) => l.startsWith(head));
    return line === undefined ? null : Number(line.slice(head.length));
}

test('spans reach an OTLP receiver with resource, route names, SQL children, status and the caller\'s context', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 120000 }, async () => {
    const receiver = await startReceiver();
    const server = await startServer({ label: 'tracing', env: tracingEnv(receiver.url) });
    try {
        const product = await server.createProduct({ stock: 5 });

        // A request without traceparent: a new sampled trace (ratio 1), answered with flags 01.
        const res = await fetch(`${server.baseUrl}/api/product/${product.id}`);
        assert.equal(res.status, 200);
        const tp = traceparentOf(res);
        assert.equal(tp.flags, '01');
        const span = await waitFor(() => receiver.spans.find((s) => s.spanId === tp.spanId), 'the product request\'s span');
        assert.equal(span.traceId, tp.traceId);
        assert.equal(span.name, 'GET /api/product/:id');  // the route template, never the raw path
        assert.equal(span.kind, 2);                        // server
        assert.equal(span.parentSpanId ?? '', '');
        assert.equal(span.attrs['http.route'], '/api/product/:id');
        assert.equal(span.attrs['http.request.method'], 'GET');
        assert.equal(span.attrs['http.response.status_code'], 200);
        assert.equal(span.attrs['url.path'], `/api/product/${product.id}`);
        assert.notEqual(span.status?.code, 2);
        assert.match(span.startTimeUnixNano, /^\d{19}$/);
        assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
        assert.equal(span.resource['service.name'], `gomall-test-${RUN_TAG}`);
        assert.ok(span.resource['service.version']);
        assert.match(span.resource['service.instance.id'], /^[0-9a-f]{32}$/);
        const receiverBody = receiver.bodies[0];
        assert.equal(receiverBody.path, '/v1/traces');
        assert.match(receiverBody.type, /^application\/json/);

        // Its SQL statements are client spans under it, in the same trace.
        const sql = await waitFor(() => {
            const children = receiver.spans.filter((s) => s.parentSpanId === tp.spanId);
            return children.length > 0 ? children : null;
        }, 'SQL spans under the product request');
        for (const child of sql) {
            assert.equal(child.traceId, tp.traceId);
            assert.equal(child.kind, 3);
            // The database the suite runs against (scripts/test-api --mysql exports the driver).
            assert.equal(child.attrs['db.system.name'], process.env.GOMALL_DATABASE_DRIVER === 'mysql' ? 'mysql' : 'sqlite');
            assert.ok(child.attrs['db.query.text']);
        }
        assert.ok(sql.some((s) => /^SELECT products\b/.test(s.name)), sql.map((s) => s.name).join(', '));

        // A client's sampled traceparent: same trace, its span as parent, flags kept.
        const clientTrace = randomHex(16);
        const clientSpan = randomHex(8);
        const joined = await fetch(`${server.baseUrl}/api/product/${product.id}`, { headers: { traceparent: `00-${clientTrace}-${clientSpan}-01` } });
        const jtp = traceparentOf(joined);
        assert.equal(jtp.traceId, clientTrace);
        assert.equal(jtp.flags, '01');
        const jspan = await waitFor(() => receiver.spans.find((s) => s.spanId === jtp.spanId), 'the joined span');
        assert.equal(jspan.traceId, clientTrace);
        assert.equal(jspan.parentSpanId, clientSpan);

        // A client that did not sample: nothing of that trace is exported, the answer says 00.
        const quietTrace = randomHex(16);
        const quiet = await fetch(`${server.baseUrl}/api/product/${product.id}`, { headers: { traceparent: `00-${quietTrace}-${randomHex(8)}-00` } });
        assert.equal(traceparentOf(quiet).traceId, quietTrace);
        assert.equal(traceparentOf(quiet).flags, '00');

        // Malformed traceparents start a trace of their own.
        for (const bad of ['00-zz', `00-${'0'.repeat(32)}-${randomHex(8)}-01`, `ff-${randomHex(16)}-${randomHex(8)}-01`, 'x'.repeat(4000)]) {
            const r = await fetch(`${server.baseUrl}/api/product/${product.id}`, { headers: { traceparent: bad } });
            assert.equal(r.status, 200);
            const t = traceparentOf(r);
            assert.equal(t.flags, '01');
            assert.ok(!bad.includes(t.traceId));
        }

        // A 404 is the client's mistake, not a failed span; an unmatched path keeps the bare method.
        const missing = await fetch(`${server.baseUrl}/api/no-such-route-${randomHex(4)}`);
        assert.equal(missing.status, 404);
        const mspan = await waitFor(() => receiver.spans.find((s) => s.spanId === traceparentOf(missing).spanId), 'the 404 span');
        assert.equal(mspan.name, 'GET');
        assert.equal(mspan.attrs['http.response.status_code'], 404);
        assert.notEqual(mspan.status?.code, 2);

        // The unpaid-order sweeper (every second in tests) is a trace of its own, with SQL under it.
        const sweep = await waitFor(() => receiver.spans.find((s) => s.name === 'unpaid order sweep'), 'a sweep trace');
        assert.equal(sweep.parentSpanId ?? '', '');
        assert.equal(sweep.kind, 1);
        await waitFor(() => receiver.spans.find((s) => s.parentSpanId === sweep.spanId && s.kind === 3), 'SQL under the sweep');

        await sleep(500);  // the unsampled request's spans would have been exported by now
        assert.equal(receiver.spans.filter((s) => s.traceId === quietTrace).length, 0);
        assert.ok(await metric(server, 'gomall_tracing_spans_exported_total') > 0);
    } finally {
        await server.dispose();
        receiver.server.close();
    }
});

test('payment calls to the provider (the in-process WeChat Pay emulator) are client spans under the request', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 120000 }, async () => {
    const receiver = await startReceiver();
    const server = await startServer({ label: 'tracing-pay', env: tracingEnv(receiver.url) });
    try {
        const u = await server.register('trpay');
        const p = await server.createProduct({ stock: 5, price: 12.34 });
        const placed = await server.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
        expectOk(placed, 201);
        const no = placed.body.data.order_no;

        const unified = await server.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no: no } });
        expectOk(unified);
        const tp = traceparentOf(unified);
        const call = await waitFor(
            () => receiver.spans.find((s) => s.parentSpanId === tp.spanId && s.attrs['http.request.method'] !== undefined),
            'the provider call under the unified-order request',
        );
        assert.equal(call.traceId, tp.traceId);
        assert.equal(call.kind, 3);  // client
        assert.equal(call.name, 'POST');
        assert.equal(call.attrs['http.request.method'], 'POST');
        assert.match(call.attrs['url.full'], /^http:\/\/127\.0\.0\.1:\d+\/v3\/pay\/transactions\/native$/);
        assert.equal(call.attrs['http.response.status_code'], 200);
        assert.notEqual(call.status?.code, 2);

        // The query call's URL carries the merchant id as a query: never recorded.
        const queried = await server.api('GET', `/api/pay/wechat/query?order_no=${no}`, { token: u.token });
        expectOk(queried);
        const qtp = traceparentOf(queried);
        const qcall = await waitFor(
            () => receiver.spans.find((s) => s.parentSpanId === qtp.spanId && s.attrs['http.request.method'] === 'GET'),
            'the provider call under the query request',
        );
        assert.ok(qcall.attrs['url.full'].startsWith('http://127.0.0.1:'), qcall.attrs['url.full']);
        assert.ok(!qcall.attrs['url.full'].includes('?'), qcall.attrs['url.full']);
        assert.ok(qcall.attrs['url.full'].includes(unified.body.data.out_trade_no), qcall.attrs['url.full']);

        // No signature, key material or body in any attribute of the payment traces (SQL spans
        // aside: their statement text names columns such as code_url).
        const texts = attributeTexts(receiver.spans.filter(
            (s) => (s.traceId === tp.traceId || s.traceId === qtp.traceId) && s.attrs['db.query.text'] === undefined,
        ));
        for (const t of texts) {
            assert.ok(!/WECHATPAY2-SHA256|signature=|BEGIN (RSA )?PRIVATE|code_url|weixin:\/\//.test(t), t);
        }
    } finally {
        await server.dispose();
        receiver.server.close();
    }
});

test('a 503 answer marks its span failed', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 60000 }, async () => {
    const receiver = await startReceiver();
    // One connection allowed: a second one is answered 503 by the transport (and traced).
    const server = await startServer({ label: 'tracing-503', env: tracingEnv(receiver.url, { GOMALL_SERVER_MAX_CONNECTIONS: '1' }) });
    const holder = net.connect({ host: '127.0.0.1', port: server.port });
    try {
        await new Promise((resolve) => holder.once('connect', resolve));
        await sleep(200);
        // A new socket (the holder, or the connection the harness's health check keeps, has the slot).
        const res = await rawHttp(server.baseUrl, 'GET', '/health');
        assert.equal(res.status, 503);
        const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(res.headers.traceparent || '');
        assert.ok(m, `traceparent ${res.headers.traceparent}`);
        const tp = { traceId: m[1], spanId: m[2] };
        const span = await waitFor(() => receiver.spans.find((s) => s.spanId === tp.spanId), 'the 503 span');
        assert.equal(span.status?.code, 2);
        assert.equal(span.attrs['http.response.status_code'], 503);
    } finally {
        holder.destroy();
        await server.dispose();
        receiver.server.close();
    }
});

/// `count` sequential requests; returns the slowest, in ms.
async function slowest(server, urlPath, count) {
    let worst = 0;
    for (let i = 0; i < count; i++) {
        const started = performance.now();
        const res = await fetch(`${server.baseUrl}${urlPath}`);
        await res.arrayBuffer();
        assert.equal(res.status, 200);
        worst = Math.max(worst, performance.now() - started);
    }
    return worst;
}

test('a collector on a closed port costs requests nothing; the spans are dropped and counted', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 120000 }, async () => {
    const closed = await freePort();  // nothing listens there
    const server = await startServer({ label: 'tracing-closed', env: tracingEnv(`http://127.0.0.1:${closed}/v1/traces`) });
    try {
        const product = await server.createProduct({ stock: 5 });
        const worst = await slowest(server, `/api/product/${product.id}`, 200);
        assert.ok(worst < 500, `slowest request took ${worst} ms`);
        let failed = 0;
        for (let i = 0; i < 100 && !(failed > 0); i++) {
            failed = await metric(server, 'gomall_tracing_spans_dropped_total', 'reason="export_failed"');
            await sleep(100);
        }
        assert.ok(failed > 0, `dropped (export_failed) = ${failed}`);
    } finally {
        await server.dispose();
    }
});

test('a collector that accepts and never answers costs requests nothing; a full queue drops and counts', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 120000 }, async () => {
    const sockets = new Set();
    const silent = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });  // reads nothing, answers nothing
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${silent.address().port}/v1/traces`;
    const server = await startServer({
        label: 'tracing-silent',
        env: tracingEnv(endpoint, { GOMALL_TRACING_QUEUE_SIZE: '20', GOMALL_TRACING_BATCH_SIZE: '5', GOMALL_TRACING_TIMEOUT_MS: '3000' }),
    });
    try {
        const product = await server.createProduct({ stock: 5 });
        const worst = await slowest(server, `/api/product/${product.id}`, 200);
        assert.ok(worst < 500, `slowest request took ${worst} ms`);
        const full = await metric(server, 'gomall_tracing_spans_dropped_total', 'reason="queue_full"');
        assert.ok(full > 0, `dropped (queue_full) = ${full}`);
        assert.ok(sockets.size >= 1, 'the exporter did connect to the silent collector');
        // Shutdown waits for the collector only a bounded time.
        const stopping = Date.now();
        await server.stop();
        assert.ok(Date.now() - stopping < 15000, `stop took ${Date.now() - stopping} ms`);
    } finally {
        await server.dispose();
        for (const s of sockets) s.destroy();
        silent.close();
    }
});
