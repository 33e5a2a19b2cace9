// Tokens: bad and forged access tokens, expiry, refresh rotation and reuse detection, logout,
// change password, the admin role check, and the purge of expired revocations.
import {
    test, useServer, startServer, assert, uniq, randomHex, sleep,
    expectOk, expectError, expectLoginResult, decodeJwt, signHs256, b64urlJson, EXTERNAL, EXTERNAL_SKIP, metricValue,
} from './harness.mjs';

const srv = useServer({ label: 'auth' });

const profile = (token, headers) => srv.api('GET', '/api/user/profile', { token, headers });
const refresh = (refreshToken) => srv.api('POST', '/api/auth/refresh-token', { body: { refresh_token: refreshToken } });

test('a valid access token reaches the profile; the token is an HS256 JWT', async () => {
    const u = await srv.register('tok');
    expectOk(await profile(u.token));
    assert.equal(decodeJwt(u.token).header.alg, 'HS256');
});

test('missing Authorization is 401 code 401', async () => {
    expectError(await profile(), 401, 401);
});

test('malformed bearer tokens are 401 10006', async () => {
    for (const bad of ['garbage', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9..', '.', `${'x'.repeat(5000)}`]) {
        expectError(await profile(bad), 401, 10006);
    }
});

test('a non-Bearer Authorization scheme is rejected with 401', async () => {
    const u = await srv.register('scheme');
    for (const value of [`Basic ${Buffer.from('a:b').toString('base64')}`, `Token ${u.token}`]) {
        const res = await profile(undefined, { authorization: value });
        assert.equal(res.status, 401, `${value.slice(0, 20)}: ${res.status} ${res.text}`);
        assert.ok([401, 10006].includes(res.body.code), res.text);
    }
});

test('an alg "none" token is 401 10006', async () => {
    const u = await srv.register('none');
    const { payload, signature } = decodeJwt(u.token);
    for (const alg of ['none', 'None', 'NONE']) {
        const unsigned = `${b64urlJson({ alg, typ: 'JWT' })}.${b64urlJson(payload)}`;
        expectError(await profile(`${unsigned}.`), 401, 10006);
        expectError(await profile(`${unsigned}.${signature}`), 401, 10006);
    }
});

test('a tampered token (payload changed, signature kept) is 401 10006', async () => {
    const u = await srv.register('tamper');
    const [h, , s] = u.token.split('.');
    const { payload } = decodeJwt(u.token);
    const forged = { ...payload, role: 2 };
    for (const k of Object.keys(payload)) {
        if (typeof payload[k] === 'number' && ['sub', 'uid', 'user_id', 'id'].includes(k)) forged[k] = payload[k] + 1;
        if (typeof payload[k] === 'string' && /^\d+$/.test(payload[k]) && ['sub', 'uid', 'user_id'].includes(k)) forged[k] = String(Number(payload[k]) + 1);
    }
    const tampered = `${h}.${b64urlJson(forged)}.${s}`;
    expectError(await profile(tampered), 401, 10006);
    expectError(await srv.api('GET', '/api/admin/product', { token: tampered }), 401, 10006);
    // one flipped signature character
    const flipped = u.token.slice(0, -2) + (u.token.at(-2) === 'A' ? 'B' : 'A') + u.token.at(-1);
    expectError(await profile(flipped), 401, 10006);
});

test('a token signed with another secret is 401 10006', async () => {
    const u = await srv.register('secret');
    const { header, payload } = decodeJwt(u.token);
    expectError(await profile(signHs256(header, payload, randomHex(32))), 401, 10006);
    expectError(await profile(signHs256(header, payload, '')), 401, 10006);
});

test('an expired token signed with the right secret is 401 10006', async (t) => {
    if (EXTERNAL) return t.skip('the JWT secret of a GOMALL_BASE_URL deployment is unknown');
    const u = await srv.register('exp');
    const { header, payload } = decodeJwt(u.token);
    // control: the same claims re-signed with the configured secret are accepted
    const resigned = signHs256(header, payload, srv.jwtSecret);
    if ((await profile(resigned)).status !== 200) {
        return t.skip('re-signing with GOMALL_AUTH_JWT_SECRET was not accepted (secret not used as a raw HMAC key?)');
    }
    assert.equal(typeof payload.exp, 'number', 'access token must carry exp');
    const now = Math.floor(Date.now() / 1000);
    const expired = signHs256(header, { ...payload, iat: now - 3600, exp: now - 600 }, srv.jwtSecret);
    expectError(await profile(expired), 401, 10006);
});

test('an access token expires after auth.access_ttl_seconds (server with TTL 1s)', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const own = await startServer({ label: 'ttl', env: { GOMALL_AUTH_ACCESS_TTL_SECONDS: '1' } });
    try {
        const u = await own.register('ttl');
        assert.equal(u.data.expires_in, 1);
        await sleep(2500);
        expectError(await own.api('GET', '/api/user/profile', { token: u.token }), 401, 10006);
        // the refresh token still works and gives a fresh access token
        const r = await own.api('POST', '/api/auth/refresh-token', { body: { refresh_token: u.refresh_token } });
        expectOk(r);
        expectOk(await own.api('GET', '/api/user/profile', { token: r.body.data.token }));
    } finally {
        await own.dispose();
    }
});

test('expired revocations are purged from the database on auth.token_purge_interval_seconds (server with TTL 1s, purge every 1s)', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const own = await startServer({
        label: 'purge',
        env: { GOMALL_AUTH_ACCESS_TTL_SECONDS: '1', GOMALL_AUTH_TOKEN_PURGE_INTERVAL_SECONDS: '1' },
    });
    try {
        assert.equal(await metricValue(own, 'gomall_auth_tokens_purged_total'), 0);
        const u = await own.register('purge');
        expectOk(await own.api('POST', '/api/auth/logout', { token: u.token }));  // a revocation until the token's expiry
        let purged = 0;
        for (const end = Date.now() + 10000; purged < 1 && Date.now() < end;) {
            await sleep(250);
            purged = await metricValue(own, 'gomall_auth_tokens_purged_total');
        }
        assert.ok(purged >= 1, 'the expired revocation was never purged');
        // Purged or not, the token stays refused (its own expiry) and the account signs in as before.
        expectError(await own.api('GET', '/api/user/profile', { token: u.token }), 401, 10006);
        const again = await own.login(u.username, u.password);
        expectOk(await own.api('GET', '/api/user/profile', { token: again.token }));
    } finally {
        await own.dispose();
    }
});

test('refresh rotates the pair; reusing an old refresh token revokes the whole family', async () => {
    const u = await srv.register('rot');
    const r1 = await refresh(u.refresh_token);
    expectOk(r1);
    expectLoginResult(r1.body.data);
    const p2 = r1.body.data;
    assert.notEqual(p2.refresh_token, u.refresh_token);
    assert.equal(p2.user.username, u.username);
    const prof = await profile(p2.token);
    expectOk(prof);
    assert.equal(prof.body.data.username, u.username);

    // reuse of the first refresh token
    expectError(await refresh(u.refresh_token), 401, 10007);
    // ... revoked the newer one as well
    expectError(await refresh(p2.refresh_token), 401, 10007);
});

test('a chain of refreshes works while each token is used once', async () => {
    const u = await srv.register('chain');
    let rt = u.refresh_token;
    const seen = new Set([rt]);
    for (let i = 0; i < 3; i += 1) {
        const r = await refresh(rt);
        expectOk(r);
        rt = r.body.data.refresh_token;
        assert.ok(!seen.has(rt), 'refresh token repeated');
        seen.add(rt);
        expectOk(await profile(r.body.data.token));
    }
});

test('refresh rejects unknown tokens with 401 10007 and bad bodies with 400', async () => {
    const u = await srv.register('badref');
    expectError(await refresh('garbage'), 401, 10007);
    expectError(await refresh(randomHex(32)), 401, 10007);
    // an access token in its place: refused as invalid (401 10007) or by the field's length limit (400)
    const swapped = await refresh(u.token);
    if (swapped.status === 400) expectError(swapped, 400, 400, 'refresh_token');
    else expectError(swapped, 401, 10007);
    expectError(await srv.api('POST', '/api/auth/refresh-token', { body: {} }), 400, 400, 'refresh_token');
    expectError(await srv.api('POST', '/api/auth/refresh-token', { body: { refresh_token: 42 } }), 400, 400, 'refresh_token');
    expectError(await srv.api('POST', '/api/auth/refresh-token', { rawBody: '{', headers: { 'content-type': 'application/json' } }), 400, 400);
    expectOk(await refresh(u.refresh_token)); // the real one was not disturbed
});

test('logout revokes the current access token and its refresh token, not other sessions', async () => {
    const u = await srv.register('logout');
    const other = await srv.login(u.username, u.password);
    const res = await srv.api('POST', '/api/auth/logout', { token: u.token });
    expectOk(res);
    assert.equal(res.body.data, null);
    expectError(await profile(u.token), 401, 10006);
    expectError(await refresh(u.refresh_token), 401, 10007);
    // a second logout with the revoked token
    expectError(await srv.api('POST', '/api/auth/logout', { token: u.token }), 401, 10006);
    // the other session is still signed in
    expectOk(await profile(other.token));
    expectOk(await refresh(other.refresh_token));
});

test('logout accepts an empty JSON body and requires a token', async () => {
    const u = await srv.register('logout2');
    expectOk(await srv.api('POST', '/api/auth/logout', { token: u.token, body: {} }));
    expectError(await srv.api('POST', '/api/auth/logout'), 401, 401);
});

test('change password: wrong old password is 400 10005; bad new password is 400', async () => {
    const u = await srv.register('chpw');
    const change = (body) => srv.api('POST', '/api/auth/change-password', { token: u.token, body });
    expectError(await change({ old_password: 'wrong-old-pw', new_password: 'NewPass-123' }), 400, 10005);
    expectError(await change({ old_password: u.password, new_password: '123' }), 400, 400, 'new_password');
    expectError(await change({ old_password: u.password, new_password: 'x'.repeat(73) }), 400, 400, 'new_password');
    expectError(await change({ new_password: 'NewPass-123' }), 400, 400, 'old_password');
    expectError(await change({ old_password: u.password }), 400, 400, 'new_password');
    expectError(await srv.api('POST', '/api/auth/change-password', { body: { old_password: u.password, new_password: 'NewPass-123' } }), 401, 401);
    // nothing changed
    expectOk(await profile(u.token));
    await srv.login(u.username, u.password);
});

test('change password revokes every session; the new password works', async () => {
    const u = await srv.register('chpw2');
    const second = await srv.login(u.username, u.password);
    const newPassword = `New-${randomHex(6)}`;
    const res = await srv.api('POST', '/api/auth/change-password', {
        token: u.token, body: { old_password: u.password, new_password: newPassword },
    });
    expectOk(res);
    assert.equal(res.body.data, null);
    expectError(await profile(u.token), 401, 10006);
    expectError(await profile(second.token), 401, 10006);
    expectError(await refresh(u.refresh_token), 401, 10007);
    expectError(await refresh(second.refresh_token), 401, 10007);
    expectError(await srv.api('POST', '/api/user/login', { body: { username: u.username, password: u.password } }), 401, 10002);
    const fresh = await srv.login(u.username, newPassword);
    expectOk(await profile(fresh.token));
    expectOk(await refresh(fresh.refresh_token));
});

test('admin routes refuse a shopper with 403 and an anonymous caller with 401', async () => {
    const u = await srv.register('shopper');
    const routes = [
        ['POST', '/api/product', { name: `x ${uniq('p')}`, price: 1, stock: 1 }],
        ['PUT', '/api/product/1', { price: 2 }],
        ['DELETE', '/api/product/1'],
        ['GET', '/api/admin/product'],
        ['GET', '/api/admin/order'],
    ];
    for (const [method, path, body] of routes) {
        expectError(await srv.api(method, path, { token: u.token, body }), 403, 403);
        expectError(await srv.api(method, path, { body }), 401, 401);
    }
});

test('the admin signs in with role 2 and reaches the admin routes', async () => {
    const token = await srv.adminToken();
    const p = await profile(token);
    expectOk(p);
    assert.equal(p.body.data.role, 2);
    expectOk(await srv.api('GET', '/api/admin/product', { token }));
    expectOk(await srv.api('GET', '/api/admin/order', { token }));
});
