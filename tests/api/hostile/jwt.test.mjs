// Hostile input, group 5: forged and malformed access tokens on a signed-in route
// (GET /api/user/profile) and an admin route (GET /api/admin/order). Every one is a 401 envelope:
// code 401 when there is no token, 10006 for a bad one; never 200, never 5xx. A shopper's valid
// token on the admin route is 403. The harness knows the server's JWT secret (srv.jwtSecret), so
// tokens that are well formed and correctly signed, apart from the one defect under test, are made
// here with node:crypto.
import crypto from 'node:crypto';
import {
    test, useServer, assert, EXTERNAL, expectOk, expectError, decodeJwt, signHs256, b64url, b64urlJson,
} from '../harness.mjs';
import { rawExchange, rawRequest, expectEnvelope, describeExchange } from './lib.mjs';

const srv = useServer({ label: 'hostile-jwt' });
const ROUTES = ['/api/user/profile', '/api/admin/order'];
const ctx = {};

const hmac = (alg, input, key) => crypto.createHmac(alg, key).update(input).digest('base64url');
const sign = (header, payload, key, alg = 'sha256') => {
    const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    return `${input}.${hmac(alg, input, key)}`;
};

async function call(route, authorization) {
    const headers = authorization === undefined ? {} : { authorization };
    return srv.api('GET', route, { headers });
}

/// Every route refuses `token` (sent as "Bearer <token>") with 401 and `code`.
async function refused(label, token, code = 10006) {
    for (const route of ROUTES) {
        const res = await call(route, `Bearer ${token}`);
        assert.ok(res.status !== 200, `${label} was accepted on ${route}: ${res.text.slice(0, 200)}`);
        expectError(res, 401, code);
    }
}

test('set-up: a shopper, a second shopper, and the control: a re-signed copy of a real token is accepted', async (t) => {
    if (EXTERNAL) return t.skip('needs the JWT secret of a started server');
    ctx.a = await srv.register('jwta');
    ctx.b = await srv.register('jwtb');
    ctx.admin = await srv.adminToken();
    const { header, payload } = decodeJwt(ctx.a.token);
    ctx.header = header;
    ctx.payload = payload;
    expectOk(await call('/api/user/profile', `Bearer ${ctx.a.token}`));
    // the forgeries below are only meaningful if a correct signature with this secret is accepted
    expectOk(await call('/api/user/profile', `Bearer ${signHs256(header, payload, srv.jwtSecret)}`));
    expectError(await call('/api/admin/order', `Bearer ${ctx.a.token}`), 403, 403);
    expectOk(await call('/api/admin/order', `Bearer ${ctx.admin}`));
});

test('alg "none" (any spelling, with or without a signature) is 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    const forged = { ...ctx.payload, role: 2 };
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        for (const payload of [ctx.payload, forged]) {
            const unsigned = `${b64urlJson({ alg, typ: 'JWT' })}.${b64urlJson(payload)}`;
            await refused(`alg ${alg}, empty signature`, `${unsigned}.`);
            await refused(`alg ${alg}, no signature segment`, unsigned);
            await refused(`alg ${alg}, the real signature`, `${unsigned}.${decodeJwt(ctx.a.token).signature}`);
        }
    }
    await refused('no alg at all', sign({ typ: 'JWT' }, ctx.payload, srv.jwtSecret));
    await refused('alg null', sign({ alg: null, typ: 'JWT' }, ctx.payload, srv.jwtSecret));
    await refused('alg as an array', sign({ alg: ['HS256'], typ: 'JWT' }, ctx.payload, srv.jwtSecret));
});

test('HS256 with a wrong key is 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    for (const key of ['', 'secret', crypto.randomBytes(32).toString('hex'), srv.jwtSecret.slice(0, -1), `${srv.jwtSecret} `, srv.jwtSecret.toUpperCase()]) {
        await refused(`key ${JSON.stringify(key.slice(0, 8))}...`, sign(ctx.header, ctx.payload, key));
    }
    // the secret hex-decoded is another key than the secret text
    await refused('hex-decoded secret', sign(ctx.header, ctx.payload, Buffer.from(srv.jwtSecret, 'hex')));
});

test('a valid token with its payload changed and the old signature is 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    const [h, , s] = ctx.a.token.split('.');
    const variants = {
        'role 2': { ...ctx.payload, role: 2 },
        'role "2"': { ...ctx.payload, role: '2' },
        'sub of user B': { ...ctx.payload, sub: String(ctx.b.user.id) },
        'sub of the admin': { ...ctx.payload, sub: '1' },
        'exp +1 year': { ...ctx.payload, exp: ctx.payload.exp + 365 * 86400 },
        'an extra claim': { ...ctx.payload, admin: true },
        'the same claims, re-serialised with spaces': null,
    };
    for (const [name, payload] of Object.entries(variants)) {
        const body = payload === null ? b64url(JSON.stringify(ctx.payload, null, 1)) : b64urlJson(payload);
        await refused(name, `${h}.${body}.${s}`);
    }
    // the header changed and the signature kept
    await refused('header with kid', `${b64urlJson({ ...ctx.header, kid: '../../dev/null' })}.${ctx.a.token.split('.')[1]}.${s}`);
    // signature bits flipped
    const sig = Buffer.from(s, 'base64url');
    sig[0] ^= 1;
    await refused('one signature bit flipped', `${h}.${ctx.a.token.split('.')[1]}.${sig.toString('base64url')}`);
    await refused('signature truncated', `${h}.${ctx.a.token.split('.')[1]}.${s.slice(0, 20)}`);
    await refused('signature of user B on the payload of A', `${h}.${ctx.a.token.split('.')[1]}.${ctx.b.token.split('.')[2]}`);
});

test('expired and not-yet-valid tokens, correctly signed, are 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    const now = Math.floor(Date.now() / 1000);
    const p = ctx.payload;
    await refused('expired 10 minutes ago', signHs256(ctx.header, { ...p, iat: now - 3600, exp: now - 600 }, srv.jwtSecret));
    await refused('expired 1970', signHs256(ctx.header, { ...p, iat: 0, exp: 1 }, srv.jwtSecret));
    await refused('exp 0', signHs256(ctx.header, { ...p, exp: 0 }, srv.jwtSecret));
    await refused('exp negative', signHs256(ctx.header, { ...p, exp: -1 }, srv.jwtSecret));
    await refused('exp missing', signHs256(ctx.header, Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'exp')), srv.jwtSecret));
    await refused('exp as a string', signHs256(ctx.header, { ...p, exp: String(now + 600) }, srv.jwtSecret));
    await refused('exp 1e999 (infinity)', `${b64urlJson(ctx.header)}.${b64url(JSON.stringify(p).replace(/"exp":\d+/, '"exp":1e999'))}`
        + `.${hmac('sha256', `${b64urlJson(ctx.header)}.${b64url(JSON.stringify(p).replace(/"exp":\d+/, '"exp":1e999'))}`, srv.jwtSecret)}`);
});

test('other algorithms are 401 10006: HS512, HS384, RS256, ES256 and PS256 headers', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    await refused('HS512 signed with the secret', sign({ alg: 'HS512', typ: 'JWT' }, ctx.payload, srv.jwtSecret, 'sha512'));
    await refused('HS384 signed with the secret', sign({ alg: 'HS384', typ: 'JWT' }, ctx.payload, srv.jwtSecret, 'sha384'));
    // key confusion: an RS256 header with an HMAC signature made from the secret
    for (const alg of ['RS256', 'ES256', 'PS256', 'hs256', 'HS256 ']) {
        await refused(`${alg} header, HMAC-SHA256 signature`, sign({ alg, typ: 'JWT' }, ctx.payload, srv.jwtSecret));
    }
    // a real RS256 token (from a key the server never saw)
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64urlJson({ alg: 'RS256', typ: 'JWT' })}.${b64urlJson(ctx.payload)}`;
    const rs = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    await refused('RS256 token', `${input}.${rs}`);
    await refused('crit header', sign({ ...ctx.header, crit: ['exp'] }, ctx.payload, srv.jwtSecret));
    await refused('JWE-shaped (5 segments)', `${ctx.a.token}.x.y`);
});

test('missing or extra segments and bad base64 are 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    const [h, p, s] = ctx.a.token.split('.');
    const cases = {
        'one segment': h,
        'two segments': `${h}.${p}`,
        'four segments': `${h}.${p}.${s}.${s}`,
        'a trailing dot': `${ctx.a.token}.`,
        'a leading dot': `.${ctx.a.token}`,
        'empty header': `.${p}.${s}`,
        'empty payload': `${h}..${s}`,
        'dots only': '..',
        '* in the payload': `${h}.${p.slice(0, 10)}*${p.slice(11)}.${s}`,
        // another spelling of the same bytes is another signing input: the signature no longer fits
        'padding on the header': `${h}=.${p}.${s}`,
        'padding on the payload': `${h}.${p}==.${s}`,
        'whitespace inside': `${h}. ${p}.${s}`,
        'payload not JSON': `${h}.${b64url('not json')}.${hmac('sha256', `${h}.${b64url('not json')}`, srv.jwtSecret)}`,
        'payload a JSON array': `${h}.${b64url('[]')}.${hmac('sha256', `${h}.${b64url('[]')}`, srv.jwtSecret)}`,
        'header not JSON': `${b64url('{')}.${p}.${hmac('sha256', `${b64url('{')}.${p}`, srv.jwtSecret)}`,
        'NUL in the token': `${h}.${p}\u0000.${s}`.replace('\u0000', '%00'),
        'unicode in the token': `${h}.${p}é.${s}`,
    };
    if (/[-_]/.test(p)) cases['standard-base64 alphabet in the payload'] = `${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}.${s}`;
    for (const [name, token] of Object.entries(cases)) await refused(name, token);
});

test('a huge token (~8 KiB) is 401 10006 and the server stays up', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    const bigPayload = { ...ctx.payload, pad: 'p'.repeat(6000) };
    await refused('8 KiB, wrong key', sign(ctx.header, bigPayload, 'wrong-key'));
    await refused('8 KiB of garbage', `${'a'.repeat(2730)}.${'b'.repeat(2730)}.${'c'.repeat(2730)}`);
    await refused('8 KiB, real header and signature', `${ctx.a.token.split('.')[0]}.${'A'.repeat(8192)}.${ctx.a.token.split('.')[2]}`);
    expectOk(await call('/api/user/profile', `Bearer ${ctx.a.token}`));
});

test('an Authorization header without a usable bearer token is 401', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    for (const route of ROUTES) {
        for (const value of ['Bearer', 'Bearer ', 'Bearer  ', 'Bearer\t', `Bearer${ctx.a.token}`, `Basic ${Buffer.from('admin:x').toString('base64')}`,
            `Token ${ctx.a.token}`, `${ctx.a.token}`, `Bearer ${ctx.a.token} extra`, `Bearer "${ctx.a.token}"`]) {
            const res = await call(route, value);
            assert.equal(res.status, 401, `${route} with Authorization ${JSON.stringify(value.slice(0, 30))}: ${res.status} ${res.text.slice(0, 200)}`);
            assert.ok([401, 10006].includes(res.body.code), `${route}: code ${res.body.code}`);
        }
        expectError(await call(route), 401, 401);
        expectError(await call(route, ''), 401, 401);
    }
});

test('lowercase "bearer" with a bad token is 401 10006', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    // The scheme name is case-insensitive (RFC 9110 11.1), so a good token may be accepted this way;
    // a bad one never is.
    for (const route of ROUTES) {
        const forged = `${ctx.a.token.split('.')[0]}.${b64urlJson({ ...ctx.payload, role: 2 })}.${ctx.a.token.split('.')[2]}`;
        for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
            expectError(await call(route, `${scheme} ${forged}`), 401, 10006);
            expectError(await call(route, `${scheme} ${sign(ctx.header, ctx.payload, 'wrong')}`), 401, 10006);
        }
    }
});

test('a token in the query string or a cookie is not accepted (401 code 401)', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    for (const route of ROUTES) {
        for (const q of ['token', 'access_token', 'jwt', 'authorization', 'bearer']) {
            const tok = route === '/api/admin/order' ? ctx.admin : ctx.a.token;
            expectError(await srv.api('GET', `${route}?${q}=${encodeURIComponent(tok)}`), 401, 401);
            expectError(await srv.api('GET', `${route}?${q}=${encodeURIComponent(`Bearer ${tok}`)}`), 401, 401);
        }
        const tok = route === '/api/admin/order' ? ctx.admin : ctx.a.token;
        expectError(await srv.api('GET', route, { headers: { cookie: `token=${tok}; access_token=${tok}` } }), 401, 401);
        expectError(await srv.api('GET', route, { headers: { 'x-access-token': tok, 'x-auth-token': tok } }), 401, 401);
    }
});

test('two Authorization headers, a good and a forged one, never reach the admin route', async (t) => {
    if (EXTERNAL || !ctx.a) return t.skip('raw sockets need a started server');
    const forged = sign({ alg: 'none', typ: 'JWT' }, { ...ctx.payload, role: 2 }, 'x');
    for (const order of [[ctx.a.token, forged], [forged, ctx.a.token]]) {
        const ex = await rawExchange(srv.port, rawRequest('GET', '/api/admin/order', [
            'Host: 127.0.0.1', `Authorization: Bearer ${order[0]}`, `Authorization: Bearer ${order[1]}`, 'Connection: close',
        ]), { waitMs: 3000 });
        const ctxText = describeExchange(ex);
        assert.equal(ex.responses.length, 1, ctxText);
        const r = ex.responses[0];
        assert.ok([400, 401, 403].includes(r.status), `two Authorization headers: ${ctxText}`);
        expectEnvelope(r, r.status, r.status === 401 ? r.body?.code : r.status, ctxText);
        if (r.status === 401) assert.ok([401, 10006].includes(r.body.code), ctxText);
    }
});

test('the tokens still work after all that: nothing was revoked or locked by the forgeries', async (t) => {
    if (!ctx.a) return t.skip('no set-up');
    expectOk(await call('/api/user/profile', `Bearer ${ctx.a.token}`));
    expectOk(await call('/api/admin/order', `Bearer ${ctx.admin}`));
    expectError(await call('/api/admin/order', `Bearer ${ctx.b.token}`), 403, 403);
});
