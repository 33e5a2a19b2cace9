// Operations and protocol: probes, version, 404/405 envelopes, trace context, security headers, Swagger.
import { test, useServer, assert, randomHex, TRACE_ID_RE, expectOk, expectError, checkEnvelope } from './harness.mjs';

const srv = useServer({ label: 'platform' });

/// Ops routes may answer with the envelope or with the bare object; return the payload either way.
function payload(res) {
    const b = res.body;
    if (b && typeof b === 'object' && 'code' in b && 'trace_id' in b && 'data' in b) {
        checkEnvelope(res);
        return b.data;
    }
    return b;
}

test('GET /health is 200 with status ok', async () => {
    const res = await srv.api('GET', '/health');
    assert.equal(res.status, 200, res.text);
    assert.equal(payload(res)?.status, 'ok', res.text);
});

test('GET /ready is 200 with the database ok', async () => {
    const res = await srv.api('GET', '/ready');
    assert.equal(res.status, 200, res.text);
    assert.equal(payload(res)?.database, 'ok', res.text);
});

test('GET /version names version, commit and build type', async () => {
    const res = await srv.api('GET', '/version');
    assert.equal(res.status, 200, res.text);
    const v = payload(res);
    for (const f of ['version', 'commit', 'build_type']) {
        assert.equal(typeof v?.[f], 'string', `version without ${f}: ${res.text}`);
        assert.ok(v[f].length > 0, `empty ${f}`);
    }
});

test('an unknown API route is a 404 envelope with a trace id', async () => {
    for (const path of ['/api/nope', '/api/product/1/extra', '/api/user', '/api/order/ORD1/refund-please']) {
        const res = await srv.api('GET', path);
        expectError(res, 404, 404);
        assert.equal(res.body.data, null);
        assert.match(res.body.trace_id, TRACE_ID_RE);
        assert.match(res.headers['content-type'] || '', /application\/json/);
    }
});

test('a wrong method is a 405 envelope with an Allow header', async () => {
    const res = await srv.api('DELETE', '/api/user/login');
    expectError(res, 405, 405);
    assert.match(res.headers.allow || '', /POST/, `Allow: ${res.headers.allow}`);
    const res2 = await srv.api('PATCH', '/api/product', { body: {} });
    expectError(res2, 405, 405);
    assert.match(res2.headers.allow || '', /GET/);
    assert.match(res2.headers.allow || '', /POST/);
    expectError(await srv.api('GET', '/api/user/register'), 405, 405);
});

test('a valid traceparent is continued: same trace id in the header and the envelope', async () => {
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    for (const path of ['/api/product', '/api/nope']) {
        const res = await srv.api('GET', path, { headers: { traceparent: `00-${traceId}-${spanId}-01` } });
        assert.equal(res.body.trace_id, traceId, `${path}: ${res.text}`);
        const tp = res.headers.traceparent;
        assert.ok(tp, `${path}: no traceparent response header`);
        const parts = tp.split('-');
        assert.equal(parts.length, 4, tp);
        assert.equal(parts[0], '00');
        assert.equal(parts[1], traceId);
        assert.match(parts[2], /^[0-9a-f]{16}$/);
    }
});

test('an invalid traceparent is replaced by a fresh trace id', async () => {
    const zeroTrace = '0'.repeat(32);
    const t2 = randomHex(16);
    const cases = [
        ['garbage', null],
        [`00-${zeroTrace}-${randomHex(8)}-01`, zeroTrace],        // all-zero trace id
        [`00-${t2}-${'0'.repeat(16)}-01`, t2],                   // all-zero parent id
        [`00-${randomHex(15)}-${randomHex(8)}-01`, null],         // short trace id
        [`ff-${randomHex(16)}-${randomHex(8)}-01`, null],         // version ff is invalid
    ];
    for (const [header, embedded] of cases) {
        const res = await srv.api('GET', '/api/product', { headers: { traceparent: header } });
        expectOk(res);
        assert.match(res.body.trace_id, TRACE_ID_RE);
        if (embedded) assert.notEqual(res.body.trace_id, embedded, `kept the trace id of invalid ${header}`);
    }
});

test('every response carries a fresh 32-hex trace id, also in the traceparent header', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i += 1) {
        const res = await srv.api('GET', '/api/product');
        expectOk(res);
        assert.ok(res.headers.traceparent, 'traceparent response header');
        ids.add(res.body.trace_id);
    }
    assert.equal(ids.size, 5, 'trace ids are not reused');
    const err = await srv.api('POST', '/api/user/login', { body: { username: 'x' } });
    assert.equal(err.status, 400);
    assert.match(err.body.trace_id, TRACE_ID_RE);
});

test('responses carry security headers', async () => {
    for (const path of ['/api/product', '/api/nope', '/health']) {
        const res = await srv.api('GET', path, { checkEnvelope: false });
        assert.equal(res.headers['x-content-type-options'], 'nosniff', `${path}: x-content-type-options`);
        assert.match(res.headers['x-frame-options'] || '', /^(DENY|SAMEORIGIN)$/i, `${path}: x-frame-options`);
        assert.ok(!/gomall|beast|boost/i.test(res.headers['x-powered-by'] || ''), 'no x-powered-by leak');
    }
    const json = await srv.api('GET', '/api/product');
    assert.match(json.headers['content-type'] || '', /^application\/json/);
});

test('a malformed query string is a 4xx envelope, not a crash', async () => {
    for (const path of ['/api/product?keyword=%ZZ', '/api/product?page=%', '/api/product?page=1&page=2', '/api/product?&&=&']) {
        const res = await srv.api('GET', path);
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${path}: ${res.status} ${res.text}`);
    }
    assert.equal((await srv.api('GET', '/health', { checkEnvelope: false })).status, 200, 'still healthy');
});

test('HEAD on a GET route answers without a body', async () => {
    const res = await fetch(`${srv.baseUrl}/health`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal((await res.text()), '');
});

test('Swagger UI and the OpenAPI document are served', async () => {
    const ui = await srv.api('GET', '/swagger/index.html', { checkEnvelope: false });
    assert.equal(ui.status, 200);
    assert.match(ui.headers['content-type'] || '', /text\/html/);
    assert.match(ui.text, /swagger/i);
    const doc = await srv.api('GET', '/swagger/openapi.yaml', { checkEnvelope: false });
    assert.equal(doc.status, 200);
    assert.match(doc.text, /^openapi:\s*['"]?3\./m);
    for (const route of ['/api/user/register', '/api/product', '/api/order/checkout', '/api/cart']) {
        assert.ok(doc.text.includes(route), `OpenAPI document lacks ${route}`);
    }
});
