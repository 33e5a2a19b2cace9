// Hostile input, group 4: JSON bombs on every POST and PUT route of docs/openapi.yaml. The route
// list and each request body's fields come from the document, so a new route is covered (and the
// coverage check fails until it is reachable here). For each route: 100,000-deep arrays and objects,
// a 2 MiB body, 100,000 keys, duplicate keys, invalid UTF-8, lone surrogates, 1e999, -0,
// 99999999999999999999, NaN, a wrong type in every field, null and other non-objects, an empty
// body, non-JSON content types and trailing garbage.
// Expected: a 4xx envelope with the exact status (400 for bad JSON and bad fields, naming the field;
// 413 over the body limit; 415 for another content type); never 5xx; /health after every route.
// Routes without a request body ignore bodies: they must answer as they do without one (or refuse
// the body with 400/413/415).
import {
    test, useServer, assert, uniq, randomHex, RUN_TAG, isoSeconds, checkEnvelope, EXTERNAL,
} from '../harness.mjs';
import {
    openApiOperations, openApiRouteLines, fillPath, rawExchange, rawRequest, expectErrorAndClose, expectHealthy,
} from './lib.mjs';

const srv = useServer({ label: 'hostile-json' });

const OPS = openApiOperations();
const BODY_OPS = OPS.filter((o) => o.method === 'POST' || o.method === 'PUT');
const FAKE_ORDER_NO = 'ORD00000000000000000000000';
const FAKE_ID = 987654321;
const covered = new Set();
const ctx = {};

/// A valid body per route, from which one field at a time is broken. A route missing here (a new
/// one) is still bombed, from a body of its fields with placeholder values.
const VALID = {
    'POST /api/user/register': () => {
        const name = uniq('bomb');
        return { username: name, password: 'Pw-123456', email: `${name.toLowerCase()}@example.com` };
    },
    'POST /api/user/login': (c) => ({ username: c.user.username, password: c.user.password }),
    'POST /api/auth/refresh-token': (c) => ({ refresh_token: c.user.refresh_token }),
    'POST /api/auth/change-password': (c) => ({ old_password: c.user.password, new_password: 'New-pass-123456' }),
    'POST /api/category': () => ({ name: `bc${randomHex(4)}` }),
    'POST /api/product': () => ({ name: `bomb ${RUN_TAG}`, price: 10, stock: 5 }),
    'PUT /api/product/{id}': () => ({ name: `bomb upd ${RUN_TAG}`, price: 12, stock: 1000 }),
    'POST /api/cart': (c) => ({ product_id: c.p.id, quantity: 1 }),
    'PUT /api/cart': (c) => ({ product_id: c.p.id, quantity: 1 }),
    'POST /api/order': (c) => ({ product_id: c.p.id, quantity: 1 }),
    'POST /api/order/checkout': (c) => ({ product_ids: [c.p.id] }),
    'POST /api/seckill/init': (c) => ({ product_id: c.r.id, stock: 1, start_time: c.future, end_time: c.futureEnd }),
    'PUT /api/seckill/activities/{id}': () => ({ stock: 2 }),
    'POST /api/seckill': (c) => ({ product_id: c.q.id }),
    'POST /api/seckill/token': (c) => ({ product_id: c.q.id }),
};

/// What a route's valid body needs to be valid (the fresh shopper is ctx.user).
const PREPARE = {
    'PUT /api/cart': (c) => addToCart(c.user, c.p.id),
    'POST /api/order/checkout': (c) => addToCart(c.user, c.p.id),
};

async function addToCart(user, productId) {
    const res = await srv.api('POST', '/api/cart', { token: user.token, body: { product_id: productId, quantity: 1 } });
    assert.equal(res.status, 200, `adding to the cart: ${res.text}`);
}

function placeholder(info) {
    if (info.type === 'integer' || info.type === 'number') return 1;
    if (info.type === 'array') return [];
    if (info.type === 'boolean') return true;
    return 'x';
}

function validBody(op, c) {
    const key = `${op.method} ${op.path}`;
    if (VALID[key]) return VALID[key](c);
    return Object.fromEntries(Object.entries(op.body?.properties || {}).map(([k, info]) => [k, placeholder(info)]));
}

/// Values of the wrong type for a field of the document's `type`.
function wrongTypes(info) {
    switch (info.type) {
        case 'string': return [true, 123, 1.5, [], {}, ['x']];
        case 'integer': return [true, '1', 1.5, [], {}, [1]];
        case 'number': return [true, [], {}, 'abc'];
        case 'oneOf': return [true, [], {}, 'abc', [1]];   // MoneyInput: a number or a numeric string
        case 'array': return [true, 'x', 1, {}, ['x'], [[1]], [{}]];
        case 'boolean': return ['true', 1, [], {}];
        default: return [[], {}];
    }
}

function pathFor(op) {
    const seckill = op.path.startsWith('/api/seckill/activities');
    return fillPath(op.path, {
        id: op.body ? (seckill ? ctx.a.id : ctx.p.id) : FAKE_ID,
        order_no: FAKE_ORDER_NO,
        product_id: ctx.p.id,
    });
}

let sent = 0;

async function send(op, token, body, contentType = 'application/json') {
    sent += 1;
    const headers = {};
    if (contentType !== null) headers['content-type'] = contentType;
    return srv.api(op.method, pathFor(op), { token, rawBody: body, headers, timeoutMs: 20000, checkEnvelope: op.envelope ? undefined : false });
}

/// JSON text of `obj` with `key` set to the raw JSON text `rawValue` (bytes allowed).
function withRaw(obj, key, rawValue) {
    const parts = [Buffer.from('{')];
    let first = true;
    const entries = Object.entries(obj).filter(([k]) => k !== key);
    for (const [k, v] of entries) {
        parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(v)}`));
        first = false;
    }
    parts.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:`));
    parts.push(Buffer.isBuffer(rawValue) ? rawValue : Buffer.from(String(rawValue), 'utf8'));
    parts.push(Buffer.from('}'));
    return Buffer.concat(parts);
}

function describeRes(res) {
    return `${res.what} -> ${res.status} ${res.text.slice(0, 300)}`;
}

/// `field`: the field data.field must name; with `fieldIfAny` it may also be absent (the text
/// may already fail as JSON, before any field is looked at).
function expect4xx(res, status, code, label, field, fieldIfAny = false) {
    assert.ok(res.status < 500, `${label}: server error ${describeRes(res)}`);
    assert.equal(res.status, status, `${label}: expected ${status}: ${describeRes(res)}`);
    assert.equal(res.body?.code, code, `${label}: expected code ${code}: ${describeRes(res)}`);
    if (field === undefined || field === null) return;
    if (fieldIfAny && (res.body.data === null || res.body.data?.field === undefined)) return;
    assert.equal(res.body.data?.field, field, `${label}: expected data.field ${field}: ${describeRes(res)}`);
}

/// The bodies every route gets: [label, bytes, content-type].
function commonBombs(base) {
    const keys = 100000;
    let many = '{';
    for (let i = 0; i < keys; i += 1) many += `${i ? ',' : ''}"${i.toString(36)}":0`;
    many += '}';
    const baseText = JSON.stringify(base);
    return [
        ['100,000-deep arrays', `${'['.repeat(100000)}${']'.repeat(100000)}`],
        ['100,000-deep objects', `${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`],
        ['100,000-deep unclosed arrays', '['.repeat(100000)],
        ['100,000 keys', many],
        ['null', 'null'],
        ['an array', '[]'],
        ['an array of the body', `[${baseText}]`],
        ['a string', '"x"'],
        ['a number', '0'],
        ['true', 'true'],
        ['an empty body', ''],
        ['whitespace only', '   \r\n\t '],
        ['NaN', 'NaN'],
        ['trailing garbage', `${baseText} xyz`],
        ['two objects', `${baseText}${baseText}`],
        ['a NUL after the object', Buffer.concat([Buffer.from(baseText), Buffer.from([0])])],
        ['an unterminated object', baseText.slice(0, -1)],
        ['a comment', `/* c */${baseText}`],
        ['a trailing comma', baseText.replace(/}$/, ',}')],
        ['single quotes', baseText.replace(/"/g, "'")],
        ['invalid UTF-8 in a key', Buffer.concat([Buffer.from('{"'), Buffer.from([0xff, 0xfe]), Buffer.from('":1}')])],
        ['a lone surrogate in a key', '{"\\ud800":1}'],
        ['a raw control character in a key', '{"a\u0001b":1}'],
    ];
}

/// Field-level bombs on a valid body: [label, bytes, field (null: not checked), fieldIfAny].
function fieldBombs(base, props) {
    const out = [];
    const fields = Object.keys(props);
    for (const f of fields) {
        const info = props[f];
        for (const v of wrongTypes(info)) out.push([`${f} = ${JSON.stringify(v)}`, withRaw(base, f, JSON.stringify(v)), f]);
        for (const n of ['1e999', '-1e999', '99999999999999999999', '-99999999999999999999']) out.push([`${f} = ${n}`, withRaw(base, f, n), f, true]);
        // -0 and 1e-999999 are zero: a fine value for an integer field that allows 0
        if (!(info.type === 'integer' && !(info.minimum >= 1))) {
            out.push([`${f} = -0`, withRaw(base, f, '-0'), f, true]);
            out.push([`${f} = 1e-999999`, withRaw(base, f, '1e-999999'), f, true]);
        }
        for (const raw of ['NaN', 'Infinity', '-Infinity', '0x10', '01', '+1', '.5']) out.push([`${f} = ${raw} (not JSON)`, withRaw(base, f, raw), null]);
        out.push([`${f} = a 100,000-deep array`, withRaw(base, f, `${'['.repeat(100000)}${']'.repeat(100000)}`), null]);
        out.push([`${f} = invalid UTF-8`, withRaw(base, f, Buffer.from([0x22, 0xff, 0xfe, 0x22])), null]);
        out.push([`${f} = overlong UTF-8 "/"`, withRaw(base, f, Buffer.from([0x22, 0xc0, 0xaf, 0x22])), null]);
        out.push([`${f} = UTF-8 surrogate bytes`, withRaw(base, f, Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])), null]);
        out.push([`${f} = "\\ud800"`, withRaw(base, f, '"\\ud800"'), null]);
        out.push([`${f} = "\\udc00x"`, withRaw(base, f, '"\\udc00x"'), null]);
        out.push([`${f} = "a\\ud800\\u0041"`, withRaw(base, f, '"a\\ud800\\u0041"'), null]);
        if (info.type === 'string' || info.type === 'oneOf') {
            out.push([`${f} = a 900 KB string`, withRaw(base, f, JSON.stringify('s'.repeat(900000))), f]);
        }
        if (info.type === 'array') {
            out.push([`${f} = 100,000 items`, withRaw(base, f, `[${Array(100000).fill(1).join(',')}]`), f]);
        }
        // the same key twice: whichever copy a parser keeps, one order gives it the valid value
        const good = JSON.stringify(base[f] ?? placeholder(info));
        const bad = JSON.stringify(wrongTypes(info)[0]);
        const rest = Object.entries(base).filter(([k]) => k !== f).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
        out.push([`duplicate ${f}, valid copy first`, `{${JSON.stringify(f)}:${good},${JSON.stringify(f)}:${bad}${rest}}`, null]);
        out.push([`duplicate ${f}, valid copy last`, `{${JSON.stringify(f)}:${bad},${JSON.stringify(f)}:${good}${rest}}`, null]);
    }
    if (fields.length === 0) out.push(['an unknown field', '{"zz_unknown":1}', 'zz_unknown']);
    return out;
}

const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
    'application/jsonx', 'application/json-patch+json', 'text/json', 'application/xml', null];

/// Sends a 2 MiB body (a JSON object with one long string) over a raw socket and expects a readable 413.
async function twoMiB(op, token) {
    if (EXTERNAL) return;  // raw sockets go to a started server on loopback only
    sent += 1;
    const body = `{"x":"${'b'.repeat(2 * 1024 * 1024)}"}`;
    const headers = ['Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${body.length}`];
    if (token) headers.push(`Authorization: Bearer ${token}`);
    const ex = await rawExchange(srv.port, rawRequest(op.method, pathFor(op), headers, body), { waitMs: 5000 });
    expectErrorAndClose(ex, 413, 413, `${op.method} ${op.path} with a 2 MiB body`);
}

test('set-up: shopper, admin, products and a future flash sale', { timeout: 60000 }, async () => {
    ctx.admin = await srv.adminToken();
    ctx.p = await srv.createProduct({ stock: 1000, price: 10 });
    ctx.q = await srv.createProduct({ stock: 100, price: 20 });
    ctx.r = await srv.createProduct({ stock: 100, price: 30 });
    const now = await srv.serverNowMs();
    ctx.future = isoSeconds(now + 3600 * 1000);
    ctx.futureEnd = isoSeconds(now + 7200 * 1000);
    ctx.a = await srv.createActivity({ product_id: ctx.q.id, stock: 10, start_time: ctx.future, end_time: ctx.futureEnd });
    assert.ok(BODY_OPS.length >= 10, `only ${BODY_OPS.length} POST/PUT operations read from docs/openapi.yaml`);
});

for (const op of BODY_OPS) {
    const key = `${op.method} ${op.path}`;
    test(`JSON bombs: ${key}`, { timeout: 120000 }, async () => {
        covered.add(key);
        // A fresh shopper per route: an accepted duplicate-key body may log out, change the
        // password or rotate the refresh token without touching the other routes.
        ctx.user = await srv.register('bomb');
        let token = op.auth ? ctx.user.token : undefined;
        if (op.auth) {
            // admin routes answer 403 to a shopper before reading the body: bomb them as admin
            const probeBody = op.body ? '{}' : undefined;
            const probe = await srv.api(op.method, pathFor(op), { token, rawBody: probeBody, headers: { 'content-type': 'application/json' } });
            if (probe.status === 403 && probe.body?.code === 403) token = ctx.admin;
        }

        if (!op.envelope) {
            // WeChat Pay's notify route: every bomb is refused in the provider's format (400 FAIL,
            // or 413 in the envelope over 64 KiB), never a 5xx; tests/api/payment.test.mjs checks
            // its signed traffic.
            for (const [label, bytes] of commonBombs({})) {
                const res = await send(op, undefined, bytes);
                assert.ok(res.status === 400 || res.status === 413, `${label}: ${describeRes(res)}`);
                if (res.status === 400) assert.match(res.text, /"code":"FAIL"|<return_code><!\[CDATA\[FAIL/, label);
            }
            await expectHealthy(srv, key);
            return;
        }

        if (!op.body) {
            // The route takes no body: every body is ignored (the answer is the one without a body)
            // or refused (400/413/415). A fresh shopper each time, since logout revokes its token.
            const freshToken = async () => (token === ctx.admin || !op.auth ? token : (await srv.register('bombx')).token);
            const baseline = await srv.api(op.method, pathFor(op), { token: await freshToken() });
            assert.ok(baseline.status < 500, `baseline ${describeRes(baseline)}`);
            for (const [label, bytes] of commonBombs({})) {
                for (const ct of ['application/json', 'text/plain']) {
                    const res = await send(op, await freshToken(), bytes, ct);
                    assert.ok(res.status < 500, `${label} (${ct}): ${describeRes(res)}`);
                    const same = res.status === baseline.status && res.body?.code === baseline.body?.code;
                    const refused = [400, 413, 415].includes(res.status) && res.body?.code === res.status;
                    assert.ok(same || refused, `${label} (${ct}): expected ${baseline.status}/${baseline.body?.code} as without a body, or 400/413/415: ${describeRes(res)}`);
                }
            }
            if (op.multipart) {
                // The upload routes' body limit is upload.max_total_bytes (46 MiB): 2 MiB of JSON
                // fits, and is refused for not being multipart/form-data.
                const res = await send(op, await freshToken(), `{"x":"${'b'.repeat(2 * 1024 * 1024)}"}`);
                expect4xx(res, 415, 415, '2 MiB of JSON on a multipart route');
            } else {
                await twoMiB(op, await freshToken());
            }
            await expectHealthy(srv, key);
            return;
        }

        // Every case runs; the failures are reported together.
        const failures = [];
        const check = async (label, fn) => {
            try {
                await fn();
            } catch (err) {
                if (!(err instanceof assert.AssertionError)) throw err;
                failures.push(err.message.split('\n')[0]);
            }
        };
        const base = validBody(op, ctx);
        const blank = ([, bytes]) => String(bytes).trim() === '';
        // A route whose body is optional treats a blank body as none: the same answer as without
        // one (asked before PREPARE, while the state is the same for both).
        let withoutBody = null;
        if (!op.bodyRequired) withoutBody = await srv.api(op.method, pathFor(op), { token });
        for (const [label, bytes] of commonBombs(base).filter(blank)) {
            await check(label, async () => {
                const res = await send(op, token, bytes);
                if (withoutBody && res.status === withoutBody.status && res.body?.code === withoutBody.body?.code) return;
                expect4xx(res, 400, 400, label);
            });
        }
        await PREPARE[key]?.(ctx);
        for (const [label, bytes] of commonBombs(base).filter((b) => !blank(b))) {
            await check(label, async () => expect4xx(await send(op, token, bytes), 400, 400, label));
        }
        const bombs = fieldBombs(base, op.body.properties);
        const isDup = ([label]) => label.startsWith('duplicate ');
        for (const [label, bytes, field, fieldIfAny] of bombs.filter((b) => !isDup(b))) {
            await check(label, async () => expect4xx(await send(op, token, bytes), 400, 400, label, field, fieldIfAny));
        }
        for (const ct of CONTENT_TYPES) {
            await check(`Content-Type ${ct}`, async () => expect4xx(await send(op, token, JSON.stringify(base), ct), 415, 415, `Content-Type ${ct}`));
        }
        await check('2 MiB', () => twoMiB(op, token));
        await check('health', () => expectHealthy(srv, key));
        assert.equal(failures.length, 0, `${failures.length} hostile bodies on ${key} were not refused as expected:\n  ${failures.slice(0, 40).join('\n  ')}`);
    });
}

test('duplicate keys are refused with 400 on every JSON route', { timeout: 120000 }, async () => {
    // Parsers disagree on which copy of a duplicated key wins (first, last, error); a proxy or
    // validator in front may read the other copy than the server. Whichever copy this server keeps,
    // one of the two orders hands it the valid value, so only a refusal passes.
    const failures = [];
    // (The notify route is left out: what it reads is signed by the provider, so a body with a
    // duplicated key is refused for its signature before any key is looked at.)
    for (const op of BODY_OPS.filter((o) => o.body && o.envelope)) {
        const key = `${op.method} ${op.path}`;
        ctx.user = await srv.register('dup');
        let token = op.auth ? ctx.user.token : undefined;
        if (op.auth) {
            const probe = await srv.api(op.method, pathFor(op), { token, rawBody: '{}', headers: { 'content-type': 'application/json' } });
            if (probe.status === 403 && probe.body?.code === 403) token = ctx.admin;
        }
        const base = validBody(op, ctx);
        await PREPARE[key]?.(ctx);
        for (const [label, bytes] of fieldBombs(base, op.body.properties).filter(([l]) => l.startsWith('duplicate '))) {
            const res = await send(op, token, bytes);
            if (res.status !== 400 || res.body?.code !== 400) failures.push(`${key} ${label}: ${describeRes(res).slice(0, 160)}`);
        }
    }
    await expectHealthy(srv, 'duplicate keys');
    assert.equal(failures.length, 0, `${failures.length} bodies with a duplicated key were not refused:\n  ${failures.join('\n  ')}`);
});

test('every POST and PUT route of docs/openapi.yaml was bombed', (t) => {
    t.diagnostic(`${sent} hostile requests on ${covered.size} routes`);
    const fromLines = openApiRouteLines().filter((r) => /^(POST|PUT) /.test(r)).sort();
    const fromParser = BODY_OPS.map((o) => `${o.method} ${o.path}`).sort();
    assert.deepEqual(fromParser, fromLines, 'the document reader and the line scan disagree');
    assert.deepEqual([...covered].sort(), fromLines, 'routes of the document that were not bombed');
    assert.ok(Object.keys(VALID).every((k) => fromLines.includes(k)), `VALID names routes the document lacks: ${Object.keys(VALID).filter((k) => !fromLines.includes(k))}`);
});

test('every route of docs/openapi.yaml is routed (no 404 "no such route", no 405)', { timeout: 60000 }, async (t) => {
    if (EXTERNAL) return t.skip('needs a started server');
    const throwaway = await srv.register('route');
    for (const op of OPS) {
        const p = fillPath(op.path, { id: FAKE_ID, order_no: FAKE_ORDER_NO });
        const rawBody = op.body ? '{}' : undefined;
        const res = await srv.api(op.method, p, {
            token: throwaway.token, rawBody, headers: { 'content-type': 'application/json' }, checkEnvelope: false, timeoutMs: 20000,
        });
        const what = `${op.method} ${p} -> ${res.status} ${res.text.slice(0, 200)}`;
        assert.ok(res.status < 500, what);
        assert.notEqual(res.status, 405, `the router does not know this method: ${what}`);
        assert.ok(!(res.status === 404 && res.body?.code === 404), `the router does not know this route: ${what}`);
        if (p.startsWith('/api') && op.envelope) checkEnvelope(res);
    }
    await expectHealthy(srv, 'the route walk');
});
