// The live sale dashboard's admin routes: who may read them, the JSON shape, figures that follow
// what the API did (HTTP requests now; a small flash sale's units, attempts and orders), the event
// streams (one frame a second, the Authorization header only, a cap on streams open at once that
// frees its places when viewers leave) and hostile parameters.
import {
    test, useServer, startServer, assert, sleep, expectOk, expectError, readEventStream, pool, EXTERNAL, EXTERNAL_SKIP,
} from './harness.mjs';

const srv = useServer({ label: 'dashboard' });
const ctx = {};

const isFigure = (v) => v === null || (typeof v === 'number' && Number.isFinite(v));

/// Polls a dashboard route as admin until `done(data)` or timeoutMs; returns the last data.
async function waitFor(server, urlPath, done, timeoutMs = 15000) {
    const token = await server.adminToken();
    const deadline = Date.now() + timeoutMs;
    let data = null;
    for (;;) {
        const res = await server.api('GET', urlPath, { token });
        expectOk(res);
        data = res.body.data;
        if (done(data) || Date.now() > deadline) return data;
        await sleep(250);
    }
}

function checkSeries(series, names) {
    assert.ok(Array.isArray(series.at_ms), 'series.at_ms');
    for (const name of names) {
        assert.ok(Array.isArray(series[name]), `series.${name}`);
        assert.equal(series[name].length, series.at_ms.length, `series.${name} is aligned with at_ms`);
        assert.ok(series[name].every(isFigure), `series.${name} holds numbers or nulls`);
    }
    for (let i = 1; i < series.at_ms.length; i += 1) assert.ok(series.at_ms[i] > series.at_ms[i - 1], 'at_ms increases');
}

test('set-up: a shopper, a running flash sale of 10 units and 20 shoppers', async () => {
    ctx.admin = await srv.adminToken();
    ctx.shopper = await srv.register('dash');
    ctx.product = await srv.createProduct({ stock: 100, price: 50 });
    ctx.activity = await srv.createActivity({ product_id: ctx.product.id, stock: 10, price: 5 });
    ctx.crowd = await srv.shoppers(20, 'dashcrowd');
});

test('anonymous callers get 401, shoppers 403, on every dashboard route; a token in the query is not a sign-in', async () => {
    const routes = ['/api/admin/dashboard/shop', '/api/admin/dashboard/shop/events',
        `/api/admin/dashboard/seckill/${ctx.activity.id}`, `/api/admin/dashboard/seckill/${ctx.activity.id}/events`];
    for (const route of routes) {
        expectError(await srv.api('GET', route), 401, 401);
        expectError(await srv.api('GET', route, { token: ctx.shopper.token }), 403, 403);
        expectError(await srv.api('GET', `${route}?token=${ctx.admin}`), 401, 401);
        expectError(await srv.api('GET', `${route}?access_token=${ctx.admin}`), 401, 401);
        // a shopper's stream is refused before anything is streamed
        const stream = await readEventStream(`${srv.baseUrl}${route}`, { token: ctx.shopper.token, timeoutMs: 5000 });
        assert.equal(stream.status, 403);
        assert.equal(stream.events.length, 0);
    }
});

test('an unknown activity is 404 60001; a malformed id or window is 400', async () => {
    for (const suffix of ['', '/events']) {
        expectError(await srv.api('GET', `/api/admin/dashboard/seckill/987654321${suffix}`, { token: ctx.admin }), 404, 60001);
        for (const bad of ['0', '-1', 'abc', '1.5', '99999999999999999999999', '%00', '1e3']) {
            const res = await srv.api('GET', `/api/admin/dashboard/seckill/${bad}${suffix}`, { token: ctx.admin });
            assert.ok(res.status === 400 || res.status === 404, `id ${bad}: ${res.status} ${res.text}`);
            assert.notEqual(res.status, 200);
        }
    }
    for (const route of ['/api/admin/dashboard/shop', `/api/admin/dashboard/seckill/${ctx.activity.id}`,
        '/api/admin/dashboard/shop/events', `/api/admin/dashboard/seckill/${ctx.activity.id}/events`]) {
        for (const bad of ['0', '-5', 'abc', '301', '1e2', '', '9'.repeat(40)]) {
            if (bad === '') {
                // an empty window means the default (a stream is read for its first frame only)
                const first = await readEventStream(`${srv.baseUrl}${route}?window=`, { token: ctx.admin, timeoutMs: 5000, until: () => true });
                assert.equal(first.status, 200, first.text.slice(0, 200));
                if (route.endsWith('/events')) assert.equal(first.events[0]?.data?.window_seconds, 10);
                else assert.equal(JSON.parse(first.text).data.window_seconds, 10);
                continue;
            }
            const res = await srv.api('GET', `${route}?window=${encodeURIComponent(bad)}`, { token: ctx.admin });
            expectError(res, 400, 400, 'window');
        }
    }
});

test('the shop dashboard: JSON shape, and the requests just made show in the route table', async () => {
    for (let i = 0; i < 30; i += 1) expectOk(await srv.api('GET', `/api/product/${ctx.product.id}`));
    const data = await waitFor(srv, '/api/admin/dashboard/shop?window=60', (d) => {
        const route = d.routes.find((r) => r.route === '/api/product/:id' && r.method === 'GET');
        return route && route.requests >= 30 && d.request_rate !== null;
    });
    assert.equal(data.interval_ms, 1000);
    assert.equal(data.window_seconds, 60);
    assert.equal(typeof data.sampled_at_ms, 'number');
    for (const key of ['request_rate', 'error_rate', 'error_ratio', 'p50_seconds', 'p99_seconds', 'in_flight', 'connections_open']) {
        assert.ok(isFigure(data[key]), `${key}: ${data[key]}`);
    }
    assert.ok(data.request_rate > 0, `request_rate ${data.request_rate}`);
    assert.equal(data.error_rate, 0, 'no 5xx answers were given');
    assert.ok(data.p99_seconds > 0 && data.p99_seconds <= 10, `p99 ${data.p99_seconds}`);
    const route = data.routes.find((r) => r.route === '/api/product/:id' && r.method === 'GET');
    assert.ok(route, `route table: ${JSON.stringify(data.routes.map((r) => `${r.method} ${r.route}`))}`);
    assert.ok(route.requests >= 30, `requests ${route.requests}`);
    assert.ok(route.request_rate > 0);
    assert.equal(route.error_rate, 0);
    assert.ok(route.p99_seconds > 0);
    // raw paths never show up as routes
    assert.ok(!data.routes.some((r) => r.route.includes(String(ctx.product.id))), 'a raw path became a route label');
    checkSeries(data.series, ['request_rate', 'error_rate', 'p99_seconds']);
    assert.ok(data.series.at_ms.length >= 1);
});

test('a small crowd buys 10 units: the activity dashboard reaches units left 0, 10 orders written, 10 reserved', async () => {
    const before = await srv.api('GET', `/api/admin/dashboard/seckill/${ctx.activity.id}`, { token: ctx.admin });
    expectOk(before);
    assert.equal(before.body.data.activity_id, ctx.activity.id);

    const answers = await pool(ctx.crowd, 20, (u) => srv.seckillBuy(u, ctx.product.id, { checkEnvelope: false }));
    assert.equal(answers.filter((r) => r.status === 200).length, 10, answers.map((r) => r.status).join(','));
    const data = await waitFor(srv, `/api/admin/dashboard/seckill/${ctx.activity.id}?window=60`, (d) => d.units_left === 0
        && d.orders_written === 10 && d.attempts.find((a) => a.outcome === 'reserved')?.total === 10);
    assert.equal(data.units_left, 0, JSON.stringify(data).slice(0, 1500));
    assert.equal(data.orders_written, 10);
    const reserved = data.attempts.find((a) => a.outcome === 'reserved');
    assert.equal(reserved?.total, 10, JSON.stringify(data.attempts));
    const soldOut = data.attempts.find((a) => a.outcome === 'sold_out');
    assert.equal(soldOut?.total, 10, JSON.stringify(data.attempts));
    for (const a of data.attempts) {
        assert.equal(typeof a.outcome, 'string');
        assert.ok(isFigure(a.total) && isFigure(a.rate));
    }
    assert.ok(data.orders_written_rate > 0);
    for (const key of ['queue_depth', 'sse_clients']) assert.ok(isFigure(data[key]), key);
    assert.ok(isFigure(data.handoff.p50_seconds) && isFigure(data.handoff.p99_seconds) && isFigure(data.handoff.count));
    checkSeries(data.series, ['units_left', 'queue_depth', 'orders_written_rate', 'handoff_p50_seconds', 'handoff_p99_seconds']);
    assert.deepEqual(Object.keys(data.series.attempt_rate).sort(), data.attempts.map((a) => a.outcome).sort());

    // another activity's figures are its own
    const other = await srv.createActivity({ product_id: (await srv.createProduct({ stock: 5 })).id, stock: 5, price: 1 });
    const quiet = await waitFor(srv, `/api/admin/dashboard/seckill/${other.id}`, (d) => d.units_left !== null, 5000);
    assert.equal(quiet.units_left, 5);
    assert.ok(quiet.orders_written === null || quiet.orders_written === 0, `orders written ${quiet.orders_written}`);
    assert.ok(quiet.attempts.every((a) => a.total === 0), JSON.stringify(quiet.attempts));
});

test('the event streams send a frame at once and then one a second, enveloped nowhere', async () => {
    for (const route of ['/api/admin/dashboard/shop/events', `/api/admin/dashboard/seckill/${ctx.activity.id}/events`]) {
        const started = Date.now();
        const stream = await readEventStream(`${srv.baseUrl}${route}?window=30`, {
            token: ctx.admin, timeoutMs: 10000, until: (_, all) => all.length >= 3,
        });
        assert.equal(stream.status, 200, stream.text);
        assert.match(stream.headers['content-type'], /^text\/event-stream/);
        assert.equal(stream.events.length, 3);
        for (const ev of stream.events) {
            assert.equal(ev.event, 'dashboard');
            assert.equal(ev.data.window_seconds, 30);
            assert.equal(ev.data.code, undefined, 'frames carry the dashboard itself, not an envelope');
        }
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 1000 && elapsed < 8000, `three frames took ${elapsed} ms`);
        assert.ok(stream.events[2].data.sampled_at_ms > stream.events[0].data.sampled_at_ms, 'later frames are newer samples');
    }
});

test('streams beyond dashboard_max_streams are refused with 503 and Retry-After; places come back when viewers leave', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const capped = await startServer({ label: 'dashboard-cap', env: { GOMALL_METRICS_DASHBOARD_MAX_STREAMS: '2' } });
    try {
        const token = await capped.adminToken();
        const open = () => {
            const ctrl = new AbortController();
            const ready = fetch(`${capped.baseUrl}/api/admin/dashboard/shop/events`, {
                headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal,
            });
            return { ctrl, ready };
        };
        const a = open();
        const b = open();
        assert.equal((await a.ready).status, 200);
        assert.equal((await b.ready).status, 200);
        const third = await capped.api('GET', '/api/admin/dashboard/shop/events', { token });
        expectError(third, 503, 503);
        assert.equal(third.headers['retry-after'], '5');
        // the JSON route is not capped
        expectOk(await capped.api('GET', '/api/admin/dashboard/shop', { token }));
        a.ctrl.abort();
        b.ctrl.abort();
        // the server notices at its next frame (a second at most) and gives the places back
        const deadline = Date.now() + 10000;
        let status = 0;
        while (Date.now() < deadline) {
            const again = await readEventStream(`${capped.baseUrl}/api/admin/dashboard/shop/events`, {
                token, timeoutMs: 3000, until: () => true,
            });
            status = again.status;
            if (status === 200) break;
            await sleep(300);
        }
        assert.equal(status, 200, 'a place was given back after the viewers left');
    } finally {
        await capped.dispose();
    }
});

test('with metrics.dashboard off the routes do not exist', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const off = await startServer({ label: 'dashboard-off', env: { GOMALL_METRICS_DASHBOARD: 'false' } });
    try {
        const token = await off.adminToken();
        const res = await off.api('GET', '/api/admin/dashboard/shop', { token });
        assert.equal(res.status, 404, res.text);
    } finally {
        await off.dispose();
    }
});
