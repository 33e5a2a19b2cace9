// Hostile input, group 1: HTTP/1.1 framing over raw sockets (node:net; fetch would normalise it).
// Contract: every framing error is the JSON envelope {code, message, data, trace_id} with the
// matching status, then the server closes the connection; bad chunked encoding is 400; a header
// block over server.header_limit_bytes (16384) or more than server.max_header_count (100) fields is
// 431; a request target over server.max_target_bytes (8192) is 414; a body over the route's limit is
// 413 and the client can read it even after sending the whole body. Never a 5xx, never a hang, and
// /health answers after every case.
import { test, useServer, assert, EXTERNAL } from '../harness.mjs';
import {
    rawExchange, rawRequest, expectErrorAndClose, expectEnvelope, expectHealthy, describeExchange,
} from './lib.mjs';

const srv = useServer({ label: 'hostile-framing' });
const T = { timeout: 20000 };
const HOST = ['Host: 127.0.0.1'];
const JSON_CT = 'Content-Type: application/json';

/// Sends `bytes`, expects exactly one error envelope `status`/`code` and the close, then /health.
async function expectRejected(name, bytes, status, code, opts = {}) {
    const ex = await rawExchange(srv.port, bytes, { waitMs: 3000, ...opts });
    expectErrorAndClose(ex, status, code, name);
    await expectHealthy(srv, name);
    return ex;
}

/// Sends `bytes` and returns the answers (waiting for `expect` of them).
async function exchange(bytes, opts = {}) {
    return rawExchange(srv.port, bytes, { waitMs: 3000, expect: 1, ...opts });
}

function skipExternal(t) {
    if (!EXTERNAL) return false;
    t.skip('raw sockets need a started server (GOMALL_BASE_URL is set)');
    return true;
}

// ------------------------------------------------------------------------------- request line

test('request-line garbage is 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    const cases = {
        'plain garbage': 'GARBAGE\r\n\r\n',
        'TLS ClientHello': Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
        'method only': 'GET\r\n\r\n',
        'no version': 'GET /health\r\nHost: x\r\n\r\n',
        'double space': 'GET  /health HTTP/1.1\r\nHost: x\r\n\r\n',
        'trailing word': 'GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n',
        'no method': '/health HTTP/1.1\r\nHost: x\r\n\r\n',
        'bad version text': 'GET /health HTTP/x.y\r\nHost: x\r\n\r\n',
        'binary junk': Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]),
    };
    for (const [name, bytes] of Object.entries(cases)) await expectRejected(name, bytes, 400, 400);
});

test('a method with characters outside the token set is 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    for (const m of ['G@T', 'GE(T', 'G"ET', 'GET\x01']) {
        await expectRejected(`method ${JSON.stringify(m)}`, rawRequest(m, '/health', HOST), 400, 400);
    }
});

test('an unknown but well-formed method on an API route is a 405 envelope with Allow', T, async (t) => {
    if (skipExternal(t)) return;
    for (const m of ['FOO', 'TRACE', 'CONNECTX', 'get']) {
        const ex = await exchange(rawRequest(m, '/api/product', [...HOST, 'Connection: close']));
        const ctx = `${m} /api/product: ${describeExchange(ex)}`;
        assert.equal(ex.responses.length, 1, ctx);
        expectEnvelope(ex.responses[0], 405, 405, ctx);
        assert.match(ex.responses[0].headers.allow || '', /GET/, ctx);
    }
    await expectHealthy(srv, 'unknown methods');
});

test('HTTP/0.9 and the HTTP/2 preface are 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    await expectRejected('HTTP/0.9 GET /', 'GET /\r\n', 400, 400, { halfClose: false });
    await expectRejected('HTTP/0.9 GET /health', 'GET /health\r\n\r\n', 400, 400);
    // PRI * HTTP/2.0 + SETTINGS frame as h2c prior knowledge would send it
    const preface = Buffer.concat([
        Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
        Buffer.from([0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]),
    ]);
    await expectRejected('HTTP/2 preface', preface, 400, 400);
    await expectRejected('HTTP/3.0', 'GET /health HTTP/3.0\r\nHost: x\r\n\r\n', 400, 400);
});

test('absolute-form is served as its origin-form or refused with 400; authority- and asterisk-form are 400', T, async (t) => {
    if (skipExternal(t)) return;
    // RFC 9112 3.2.2: a server MUST accept absolute-form; refusing it (400) is the other safe answer.
    for (const target of [`http://127.0.0.1:${srv.port}/health`, 'http://evil.example/health']) {
        const ex = await exchange(rawRequest('GET', target, [...HOST, 'Connection: close']));
        const ctx = `absolute-form ${target}: ${describeExchange(ex)}`;
        assert.equal(ex.responses.length, 1, ctx);
        const r = ex.responses[0];
        if (r.status === 200) {
            assert.equal(r.body?.data?.status ?? r.body?.status, 'ok', ctx);
        } else {
            expectEnvelope(r, 400, 400, ctx);
        }
    }
    await expectRejected('CONNECT authority-form', rawRequest('CONNECT', `127.0.0.1:${srv.port}`, HOST), 400, 400);
    await expectRejected('GET authority-form', rawRequest('GET', `127.0.0.1:${srv.port}`, HOST), 400, 400);
    await expectRejected('GET asterisk-form', rawRequest('GET', '*', HOST), 400, 400);
    await expectRejected('target without leading slash', rawRequest('GET', 'health', HOST), 400, 400);
});

test('an HTTP/1.1 request without exactly one Host is 400 and close (RFC 9112 3.2); HTTP/1.0 needs none', T, async (t) => {
    if (skipExternal(t)) return;
    await expectRejected('no Host', 'GET /health HTTP/1.1\r\n\r\n', 400, 400);
    await expectRejected('two Hosts', 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 400);
    const ex = await exchange('GET /health HTTP/1.0\r\n\r\n');
    assert.equal(ex.responses[0]?.status, 200, describeExchange(ex));
});

// ------------------------------------------------------------------------------- header syntax

test('a bare CR as line end is 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    await expectRejected('CR after request line', 'GET /health HTTP/1.1\rHost: x\r\n\r\n', 400, 400);
    await expectRejected('CR inside a header', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400, 400);
    await expectRejected('CR ending the header block', 'GET /health HTTP/1.1\r\nHost: x\r\n\r\r\n', 400, 400);
});

test('obs-fold: served with the fold as a space, or 400 and close (RFC 9112 5.2)', T, async (t) => {
    if (skipExternal(t)) return;
    const ex = await exchange('GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n');
    const ctx = describeExchange(ex);
    assert.equal(ex.responses.length, 1, ctx);
    if (ex.responses[0].status !== 200) expectErrorAndClose(ex, 400, 400, 'obs-fold');
    // A folded Transfer-Encoding must never make a body out of the next bytes.
    const smuggle = 'POST /api/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nTransfer-Encoding:\r\n chunked\r\n\r\n';
    await expectRejected('folded Transfer-Encoding with Content-Length', smuggle, 400, 400);
    await expectHealthy(srv, 'obs-fold');
});

test('NUL bytes in the request line or a header are 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    await expectRejected('NUL in a header value', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400, 400);
    await expectRejected('NUL in a header name', 'GET /health HTTP/1.1\r\nHost: x\r\nX-\0A: b\r\n\r\n', 400, 400);
    await expectRejected('NUL in the target', 'GET /hea\0lth HTTP/1.1\r\nHost: x\r\n\r\n', 400, 400);
    await expectRejected('NUL in the method', 'GE\0T /health HTTP/1.1\r\nHost: x\r\n\r\n', 400, 400);
    await expectRejected('space before the colon', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n', 400, 400);
    await expectRejected('header without colon', 'GET /health HTTP/1.1\r\nHost: x\r\nX-A b\r\n\r\n', 400, 400);
});

// ------------------------------------------------------------------------------- message length

test('conflicting or malformed Content-Length is 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    const post = (cl, body = '{}') => rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, ...cl], body);
    await expectRejected('Content-Length 2 and 3', post(['Content-Length: 2', 'Content-Length: 3'], '{}x'), 400, 400);
    await expectRejected('Content-Length "2, 3"', post(['Content-Length: 2, 3'], '{}x'), 400, 400);
    await expectRejected('Content-Length -1', post(['Content-Length: -1']), 400, 400);
    await expectRejected('Content-Length +2', post(['Content-Length: +2']), 400, 400);
    await expectRejected('Content-Length 0x2', post(['Content-Length: 0x2']), 400, 400);
    await expectRejected('Content-Length 2.0', post(['Content-Length: 2.0']), 400, 400);
    await expectRejected('Content-Length over 2^64', post(['Content-Length: 99999999999999999999999']), 400, 400);
    await expectRejected('Content-Length empty', post(['Content-Length: ']), 400, 400);
});

test('a repeated identical Content-Length is served once or refused with 400 (RFC 9112 6.3)', T, async (t) => {
    if (skipExternal(t)) return;
    const ex = await exchange(rawRequest('POST', '/api/nope', [...HOST, JSON_CT, 'Content-Length: 2', 'Content-Length: 2', 'Connection: close'], '{}'));
    const ctx = describeExchange(ex);
    assert.equal(ex.responses.length, 1, ctx);
    if (ex.responses[0].status === 404) expectEnvelope(ex.responses[0], 404, 404, ctx);
    else expectErrorAndClose(ex, 400, 400, 'Content-Length 2 twice');
    await expectHealthy(srv, 'identical Content-Length twice');
});

test('Content-Length together with Transfer-Encoding is 400 and close (request smuggling)', T, async (t) => {
    if (skipExternal(t)) return;
    const smuggled = 'GET /api/nope-smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const cases = {
        'CL then TE': ['Content-Length: 5', 'Transfer-Encoding: chunked'],
        'TE then CL': ['Transfer-Encoding: chunked', 'Content-Length: 5'],
        'TE chunked twice + CL': ['Transfer-Encoding: chunked', 'Transfer-Encoding: chunked', 'Content-Length: 5'],
        'TE with odd case + CL': ['Transfer-Encoding: ChUnKeD', 'Content-Length: 5'],
    };
    for (const [name, headers] of Object.entries(cases)) {
        const ex = await expectRejected(name, rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, ...headers], `0\r\n\r\n${smuggled}`), 400, 400);
        assert.ok(!ex.raw.toString('latin1').includes('nope-smuggled'), `${name}: the smuggled request was answered`);
    }
});

test('a Transfer-Encoding whose last coding is not chunked is 400 and close (RFC 9112 6.3)', T, async (t) => {
    if (skipExternal(t)) return;
    // The body length cannot be known: reading the body as empty would answer the bytes after the
    // header as a second request (request smuggling behind a proxy that reads them as the body).
    const smuggled = 'GET /api/nope-smuggled-te HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const value of ['chunked, identity', 'identity', 'gzip', 'xchunked', 'chunked, gzip']) {
        const ex = await expectRejected(`Transfer-Encoding: ${value}`,
            rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, `Transfer-Encoding: ${value}`], smuggled), 400, 400);
        assert.ok(!ex.raw.toString('latin1').includes('nope-smuggled-te'), `Transfer-Encoding: ${value}: the smuggled request was answered`);
    }
});

test('Transfer-Encoding in an HTTP/1.0 request is faulty framing: 400 and close (RFC 9112 6.1)', T, async (t) => {
    if (skipExternal(t)) return;
    // a well-formed login in the chunked body: read as framed, it would be answered 401 10002
    const login = '{"username":"nobody_te10","password":"whatever-1"}';
    const body = `${login.length.toString(16)}\r\n${login}\r\n0\r\n\r\n`;
    await expectRejected('Transfer-Encoding: chunked on HTTP/1.0',
        `POST /api/user/login HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, 400, 400);
});

test('bad chunk sizes are 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    const chunked = (body) => rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Transfer-Encoding: chunked'], body);
    for (const size of ['zz', '-5', '1ffffffffffffffff', 'ffffffffffffffffffffffff', ' 2', '2 ', '0x2', '']) {
        await expectRejected(`chunk size ${JSON.stringify(size)}`, chunked(`${size}\r\n{}\r\n0\r\n\r\n`), 400, 400);
    }
});

test('broken chunk framing is 400 and close', T, async (t) => {
    if (skipExternal(t)) return;
    const chunked = (body) => rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Transfer-Encoding: chunked'], body);
    await expectRejected('chunk longer than its size', chunked('3\r\nabcdef\r\n0\r\n\r\n'), 400, 400);
    await expectRejected('chunk without CRLF after the data', chunked('2\r\n{}XX0\r\n\r\n'), 400, 400);
    await expectRejected('chunk size line with LF only', chunked('2\n{}\r\n0\r\n\r\n'), 400, 400);
});

test('a truncated body followed by the client\'s FIN: a 400 or nothing, and a prompt close', T, async (t) => {
    if (skipExternal(t)) return;
    // After a FIN the server cannot tell a half-closed client from one that left: answering 400 or
    // closing silently are both fine; hanging on to the connection or any other answer is not.
    const chunked = (body) => rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Transfer-Encoding: chunked'], body);
    const cases = {
        '5-byte chunk cut after 2 bytes': chunked('5\r\nab'),
        'no last chunk': chunked('2\r\n{}\r\n'),
        'last chunk without the final CRLF': chunked('2\r\n{}\r\n0\r\n'),
        'Content-Length body cut short': rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Content-Length: 50'], '{"username":'),
        'header cut short': 'POST /api/user/login HTTP/1.1\r\nHost: x\r\nContent-Le',
    };
    for (const [name, bytes] of Object.entries(cases)) {
        const ex = await rawExchange(srv.port, bytes, { waitMs: 3000, halfClose: true });
        if (ex.raw.length > 0) expectErrorAndClose(ex, 400, 400, name);
        else assert.ok(ex.ended && !ex.timedOut, `${name}: the connection was not closed: ${describeExchange(ex)}`);
        await expectHealthy(srv, name);
    }
});

// ------------------------------------------------------------------------------- sizes

test('a request target over 8192 bytes is 414; exactly 8192 is routed', T, async (t) => {
    if (skipExternal(t)) return;
    const target = (n) => `/api/${'a'.repeat(n - 5)}`;
    assert.equal(target(8192).length, 8192);
    const ok = await exchange(rawRequest('GET', target(8192), [...HOST, 'Connection: close']));
    assert.equal(ok.responses.length, 1, describeExchange(ok));
    expectEnvelope(ok.responses[0], 404, 404, `8192-byte target: ${describeExchange(ok)}`);
    await expectRejected('8193-byte target', rawRequest('GET', target(8193), HOST), 414, 414);
    await expectRejected('12000-byte query string', rawRequest('GET', `/api/product?keyword=${'k'.repeat(12000)}`, HOST), 414, 414);
    await expectRejected('8193-byte static target', rawRequest('GET', `/${'b'.repeat(8192)}`, HOST), 414, 414);
});

test('more than 100 header fields is 431; exactly 100 is served', T, async (t) => {
    if (skipExternal(t)) return;
    const fields = (n) => [...HOST, ...Array.from({ length: n - 1 }, (_, i) => `X-H${i}: v`)];
    const ok = await exchange(rawRequest('GET', '/health', [...fields(99), 'Connection: close']));
    assert.equal(ok.responses.length, 1, describeExchange(ok));
    assert.equal(ok.responses[0].status, 200, `100 header fields: ${describeExchange(ok)}`);
    await expectRejected('101 header fields', rawRequest('GET', '/health', fields(101)), 431, 431);
    await expectRejected('1000 header fields', rawRequest('GET', '/health', fields(1000)), 431, 431);
    await expectRejected('101 empty header fields', rawRequest('GET', '/health', [...HOST, ...Array.from({ length: 100 }, (_, i) => `X-E${i}:`)]), 431, 431);
});

test('a header block over 16384 bytes is 431; one under it is served', T, async (t) => {
    if (skipExternal(t)) return;
    const ok = await exchange(rawRequest('GET', '/health', [...HOST, `X-Big: ${'a'.repeat(15000)}`, 'Connection: close']));
    assert.equal(ok.responses.length, 1, describeExchange(ok));
    assert.equal(ok.responses[0].status, 200, `a 15 KB header block: ${describeExchange(ok)}`);
    await expectRejected('one 17000-byte header', rawRequest('GET', '/health', [...HOST, `X-Big: ${'a'.repeat(17000)}`]), 431, 431);
    // blocks of 1000-byte fields (fewer than 100), each sent in one write: the limit must hold
    // however the block arrives, not only when its end is still missing from a read
    for (const kib of [17, 20, 24, 32, 48, 64]) {
        const fields = Array.from({ length: kib }, (_, i) => `X-M${i}: ${'m'.repeat(1000)}`);
        await expectRejected(`${kib} header fields of 1000 bytes`, rawRequest('GET', '/health', [...HOST, ...fields]), 431, 431, { chunkBytes: 1 << 20 });
    }
    await expectRejected('a 1 MB header, sent in pieces', rawRequest('GET', '/health', [...HOST, `X-Huge: ${'h'.repeat(1 << 20)}`]), 431, 431, { chunkBytes: 16384 });
    await expectRejected('an endless header line (no CRLF at all)', `GET /health HTTP/1.1\r\nX-Endless: ${'e'.repeat(64 * 1024)}`, 431, 431);
});

// ------------------------------------------------------------------------------- bodies over the limit

/// POST /api/user/login with `size` body bytes sent in full (no Expect: 100-continue).
async function sendOversized(framing, size) {
    const body = Buffer.alloc(size, 0x20);
    body[0] = 0x7b;  // '{', the rest spaces: still not a complete JSON text
    if (framing === 'content-length') {
        const head = rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, `Content-Length: ${size}`]);
        return rawExchange(srv.port, [head, body], { waitMs: 5000 });
    }
    const head = rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Transfer-Encoding: chunked']);
    const parts = [head];
    for (let off = 0; off < size; off += 65536) {
        const piece = body.subarray(off, off + 65536);
        parts.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    }
    parts.push('0\r\n\r\n');
    return rawExchange(srv.port, parts, { waitMs: 5000 });
}

for (const framing of ['content-length', 'chunked']) {
    test(`a 3 MiB ${framing} body on POST /api/user/login is a readable 413, then close`, T, async (t) => {
        if (skipExternal(t)) return;
        const ex = await sendOversized(framing, 3 * 1024 * 1024);
        expectErrorAndClose(ex, 413, 413, `3 MiB ${framing} body`);
        await expectHealthy(srv, `3 MiB ${framing} body`);
    });
}

test('a body just over 1 MiB is 413; one just under is parsed (400 for its JSON)', T, async (t) => {
    if (skipExternal(t)) return;
    const over = await sendOversized('content-length', 1024 * 1024 + 1);
    expectErrorAndClose(over, 413, 413, '1 MiB + 1 byte');
    const under = await sendOversized('content-length', 1024 * 1024);
    assert.equal(under.responses.length, 1, describeExchange(under));
    expectEnvelope(under.responses[0], 400, 400, `1 MiB body of "{" + spaces: ${describeExchange(under)}`);
    await expectHealthy(srv, '1 MiB bodies');
});

// ------------------------------------------------------------------------------- pipelining

test('pipelined requests are answered in order on one connection', T, async (t) => {
    if (skipExternal(t)) return;
    const bytes = rawRequest('GET', '/health', HOST)
        + rawRequest('GET', '/api/nope', HOST)
        + rawRequest('POST', '/api/user/login', [...HOST, JSON_CT, 'Content-Length: 2'], '{}')
        + rawRequest('GET', '/version', [...HOST, 'Connection: close']);
    const ex = await rawExchange(srv.port, bytes, { waitMs: 3000 });
    const ctx = describeExchange(ex);
    assert.deepEqual(ex.responses.map((r) => r.status), [200, 404, 400, 200], ctx);
    expectEnvelope(ex.responses[1], 404, 404, ctx);
    expectEnvelope(ex.responses[2], 400, 400, ctx);
    assert.equal(ex.responses[2].body.data?.field, 'username', ctx);
    assert.ok(ex.ended, `closed after Connection: close: ${ctx}`);
    assert.equal(new Set(ex.responses.map((r) => r.headers.traceparent)).size, 4, 'one trace id per request');
});

test('a malformed request amid pipelined ones ends the connection after its 400', T, async (t) => {
    if (skipExternal(t)) return;
    const bytes = rawRequest('GET', '/health', HOST)
        + 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'
        + rawRequest('GET', '/api/nope-after', HOST);
    const ex = await rawExchange(srv.port, bytes, { waitMs: 3000 });
    const ctx = describeExchange(ex);
    assert.deepEqual(ex.responses.map((r) => r.status), [200, 400], ctx);
    expectEnvelope(ex.responses[1], 400, 400, ctx);
    assert.ok(ex.ended && !ex.timedOut, `closed after the 400: ${ctx}`);
    assert.ok(!ex.raw.toString('latin1').includes('nope-after'), `answered a request after the malformed one: ${ctx}`);
});

test('100 pipelined requests in one write are all answered', T, async (t) => {
    if (skipExternal(t)) return;
    let bytes = '';
    for (let i = 0; i < 99; i += 1) bytes += rawRequest('GET', '/health', HOST);
    bytes += rawRequest('GET', '/health', [...HOST, 'Connection: close']);
    const ex = await rawExchange(srv.port, bytes, { waitMs: 5000 });
    assert.equal(ex.responses.filter((r) => r.status === 200 && r.complete).length, 100, describeExchange(ex));
    assert.ok(ex.ended, 'closed after the last');
});

test('the server is healthy after the framing cases', T, async (t) => {
    if (skipExternal(t)) return;
    await expectHealthy(srv, 'all framing cases');
    const res = await srv.api('GET', '/api/product');
    assert.equal(res.status, 200);
});

test('answers are framed once by the server: one Content-Length, a Date, Connection: close only on the last', T, async (t) => {
    if (EXTERNAL) t.diagnostic('checking the server under test');
    // Two requests pipelined on one connection; the second asks to close.
    const ex = await rawExchange(srv.port, [
        rawRequest('GET', '/health', HOST) + rawRequest('GET', '/api/nope', [...HOST, 'Connection: close']),
    ], { expect: 2, waitMs: 3000 });
    const [first, second] = ex.responses;
    assert.ok(first && second, describeExchange(ex));
    assert.equal(first.status, 200, describeExchange(ex));
    assert.equal(second.status, 404, describeExchange(ex));
    for (const r of [first, second]) {
        assert.match(r.headers['content-length'] || '', /^[0-9]+$/, `one Content-Length: ${describeExchange(ex)}`);
        assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text), 'Content-Length is the body size');
        assert.ok(r.body && typeof r.body.code === 'number', 'a JSON envelope');
        assert.match(r.headers.date || '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, 'an IMF-fixdate Date');
        assert.ok(Math.abs(Date.parse(r.headers.date) - Date.now()) < 60000, 'Date is now');
        assert.equal(r.headers['transfer-encoding'], undefined);
    }
    assert.equal(first.headers.connection, undefined, 'a kept-alive answer says nothing about the connection');
    assert.equal(second.headers.connection, 'close');
    assert.ok(ex.ended || ex.closed, 'the server closes after the answer it said it would close after');
});
