// POST /api/user/register, POST /api/user/login, GET /api/user/profile; failed-login throttling and the per-IP login limit.
import {
    test, useServer, startServer, assert, uniq, randomHex, rawHttp, sleep,
    expectOk, expectError, expectLoginResult, expectUser, EXTERNAL, EXTERNAL_SKIP,
} from './harness.mjs';

const srv = useServer({ label: 'users' });

function validBody(extra = {}) {
    const username = uniq('reg');
    return { username, password: `Pw-${randomHex(6)}`, email: `${username.toLowerCase()}@example.com`, ...extra };
}

const register = (body, opts = {}) => srv.api('POST', '/api/user/register', { body, ...opts });

test('register returns a login result for a new shopper', async () => {
    const body = validBody({ phone: '+8613800138000' });
    const res = await register(body);
    expectOk(res);
    const d = res.body.data;
    expectLoginResult(d);
    assert.equal(d.user.username, body.username);
    assert.equal(d.user.email, body.email);
    assert.equal(d.user.phone, '+8613800138000');
    assert.equal(d.user.role, 1);
    assert.ok(Number.isInteger(d.user.id) && d.user.id > 0);
    const profile = await srv.api('GET', '/api/user/profile', { token: d.token });
    expectOk(profile);
    expectUser(profile.body.data);
    assert.equal(profile.body.data.username, body.username);
    assert.equal(profile.body.data.id, d.user.id);
});

test('register accepts boundary lengths and omits the optional phone', async () => {
    const three = `a${randomHex(1)}`.slice(0, 3);
    // 3 characters: may collide across runs on a shared database, so accept 409 there.
    const r3 = await register({ username: three, password: '123456', email: `${uniq('e3')}@example.com` });
    assert.ok(r3.status === 200 || (r3.status === 409 && r3.body.code === 10001), `3-char username: ${r3.status} ${r3.text}`);
    const fifty = uniq('L').padEnd(50, 'x');
    assert.equal(fifty.length, 50);
    expectOk(await register({ username: fifty, password: 'p'.repeat(72), email: `${uniq('e50')}@example.com` }));
    // 72 bytes of UTF-8 (36 two-byte characters) is the bcrypt limit and still valid
    const r = await register(validBody({ password: 'é'.repeat(36) }));
    expectOk(r);
    assert.ok(r.body.data.user.phone === null || r.body.data.user.phone === '' || r.body.data.user.phone === undefined);
    expectOk(await register(validBody(), { headers: { 'content-type': 'application/json; charset=utf-8' } }));
});

const invalidCases = [
    ['short username', { username: 'ab' }, 'username'],
    ['long username', { username: 'a'.repeat(51) }, 'username'],
    ['username with a space', { username: 'bad name' }, 'username'],
    ['username with punctuation', { username: "bob'; --" }, 'username'],
    ['username with non-ASCII letters', { username: 'bobé_x' }, 'username'],
    ['short password', { password: '12345' }, 'password'],
    ['password over 72 bytes', { password: 'a'.repeat(73) }, 'password'],
    ['password over 72 bytes in 37 characters', { password: 'é'.repeat(37) }, 'password'],
    ['email without @', { email: 'not-an-email' }, 'email'],
    ['email without domain', { email: 'bob@' }, 'email'],
    ['phone with letters', { phone: '12ab5678' }, 'phone'],
    ['phone too short', { phone: '1234' }, 'phone'],
    ['username as number', { username: 12345 }, 'username'],
    ['password as number', { password: 12345678 }, 'password'],
    ['email as boolean', { email: true }, 'email'],
    ['username null', { username: null }, 'username'],
    ['username as array', { username: ['bob'] }, 'username'],
];
for (const [name, patch, field] of invalidCases) {
    test(`register rejects ${name} with 400 naming ${field}`, async () => {
        expectError(await register(validBody(patch)), 400, 400, field);
    });
}

for (const field of ['username', 'password', 'email']) {
    test(`register rejects a missing ${field} with 400 naming it`, async () => {
        const body = validBody();
        delete body[field];
        expectError(await register(body), 400, 400, field);
    });
}

test('register rejects unknown fields (no role escalation)', async () => {
    const body = validBody({ role: 2 });
    expectError(await register(body), 400, 400, 'role');
    expectError(await register(validBody({ is_admin: true })), 400, 400, 'is_admin');
    // the rejected user was not created
    const again = await register({ ...body, role: undefined });
    expectOk(again);
    assert.equal(again.body.data.user.role, 1);
});

test('register rejects malformed JSON, non-object bodies and an empty body with 400', async () => {
    for (const raw of ['{"username":', '{username: "x"}', '[]', '"text"', 'null', '', '{"a":1}garbage']) {
        const res = await srv.api('POST', '/api/user/register', {
            rawBody: raw, headers: { 'content-type': 'application/json' },
        });
        expectError(res, 400, 400);
    }
});

test('register rejects a non-JSON content type with 415', async () => {
    const json = JSON.stringify(validBody());
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        expectError(await srv.api('POST', '/api/user/register', { rawBody: json, headers: { 'content-type': ct } }), 415, 415);
    }
    // no content type at all
    const res = await rawHttp(srv.baseUrl, 'POST', '/api/user/register', {
        headers: { 'content-length': Buffer.byteLength(json) }, body: json,
    });
    assert.equal(res.status, 415, `no content type: ${res.status} ${res.text}`);
    assert.equal(res.body?.code, 415);
});

test('register rejects a body over 1 MiB with 413', async () => {
    const body = JSON.stringify({ ...validBody(), pad: 'a'.repeat(1024 * 1024 + 100) });
    const res = await rawHttp(srv.baseUrl, 'POST', '/api/user/register', {
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        body,
    });
    assert.equal(res.status, 413, `${res.status} ${res.text.slice(0, 300)}`);
    assert.equal(res.body?.code, 413);
    // the server is still fine afterwards
    expectOk(await register(validBody()));
});

test('register refuses a taken username with 409 10001', async () => {
    const body = validBody();
    expectOk(await register(body));
    expectError(await register({ ...body, email: `other_${body.email}` }), 409, 10001);
});

test('login returns a login result and the profile of that user', async () => {
    const u = await srv.register('login');
    const res = await srv.api('POST', '/api/user/login', { body: { username: u.username, password: u.password } });
    expectOk(res);
    expectLoginResult(res.body.data);
    assert.equal(res.body.data.user.username, u.username);
    assert.equal(res.body.data.user.role, 1);
    const profile = await srv.api('GET', '/api/user/profile', { token: res.body.data.token });
    expectOk(profile);
    assert.equal(profile.body.data.username, u.username);
    assert.equal(profile.body.data.email, u.email);
});

test('login with a wrong password or unknown user is 401 10002 with the same message', async () => {
    const u = await srv.register('wrongpw');
    const wrong = await srv.api('POST', '/api/user/login', { body: { username: u.username, password: 'not-the-password' } });
    expectError(wrong, 401, 10002);
    const unknown = await srv.api('POST', '/api/user/login', { body: { username: uniq('nobody'), password: 'whatever1' } });
    expectError(unknown, 401, 10002);
    assert.equal(wrong.body.message, unknown.body.message, 'messages must not reveal whether the user exists');
});

test('login validates its body', async () => {
    expectError(await srv.api('POST', '/api/user/login', { body: { username: 'someone' } }), 400, 400, 'password');
    expectError(await srv.api('POST', '/api/user/login', { body: { password: 'secret123' } }), 400, 400, 'username');
    expectError(await srv.api('POST', '/api/user/login', { body: { username: 'x', password: 'y', extra: 1 } }), 400, 400, 'extra');
    expectError(await srv.api('POST', '/api/user/login', { rawBody: '{', headers: { 'content-type': 'application/json' } }), 400, 400);
    expectError(await srv.api('POST', '/api/user/login', { rawBody: 'username=a&password=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 415);
});

test('failed logins slow down the failing address only: 429 10008 with Retry-After, the owner still signs in', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    // Behind a trusted proxy the client address comes from X-Forwarded-For, so one test can be a stranger
    // and the owner at two addresses. A 2 s first wait leaves room for a slow machine between requests.
    const own = await startServer({
        label: 'throttle',
        env: { GOMALL_SERVER_TRUSTED_PROXIES: '127.0.0.1', GOMALL_AUTH_LOGIN_DELAY_BASE_MS: '2000' },
    });
    try {
        const owner = await own.register('owner');
        const bystander = await own.register('bystander');
        const login = (username, password, from) => own.api('POST', '/api/user/login', {
            body: { username, password }, headers: { 'x-forwarded-for': from },
        });
        const stranger = '203.0.113.7';
        const retryAfter = (res) => {
            assert.match(res.headers['retry-after'] ?? '', /^\d+$/, `Retry-After missing: ${JSON.stringify(res.headers)}`);
            const seconds = Number(res.headers['retry-after']);
            assert.ok(seconds >= 1 && seconds <= 2, `Retry-After ${seconds}, expected 1..2`);
            assert.match(res.body.message, /try again in \d+ seconds?/);
            return seconds;
        };

        for (let i = 1; i <= 5; i += 1) {
            expectError(await login(owner.username, `wrong-${i}xx`, stranger), 401, 10002);
        }
        // Past the five free failures the stranger must wait, and is refused without the password being checked.
        const refused = await login(owner.username, 'wrong-6xx', stranger);
        expectError(refused, 429, 10008);
        retryAfter(refused);
        const rightButTooSoon = await login(owner.username, owner.password, stranger);
        expectError(rightButTooSoon, 429, 10008);
        const wait = retryAfter(rightButTooSoon);
        expectError(await login(owner.username.toUpperCase(), 'wrong-7xx', stranger), 429, 10008); // same account

        // The owner, from their own address, is never held up by a stranger; nor is another account.
        const signedIn = await login(owner.username, owner.password, '198.51.100.1');
        expectOk(signedIn);
        assert.equal(signedIn.body.data.user.username, owner.username);
        expectOk(await login(bystander.username, bystander.password, stranger));

        // Once the wait is over, the right password from the stranger's address works too.
        await sleep(wait * 1000 + 200);
        expectOk(await login(owner.username, owner.password, stranger));

        // Probing unknown names is throttled alike, with the same answers as for a real account.
        const prober = '203.0.113.8';
        const ghost = uniq('ghost');
        for (let i = 1; i <= 5; i += 1) expectError(await login(ghost, 'whatever1', prober), 401, 10002);
        const probeRefused = await login(ghost, 'whatever1', prober);
        expectError(probeRefused, 429, 10008);
        retryAfter(probeRefused);

        // Addresses a client puts in front do not help it: the server reads the last entry, the one the
        // trusted proxy added. An entry that is not an address counts as the connection's own address.
        const sprayer = '203.0.113.9';
        for (let i = 1; i <= 5; i += 1) {
            expectError(await login(owner.username, `wrong-${i}yy`, `10.0.0.${i}, ${sprayer}`), 401, 10002);
        }
        expectError(await login(owner.username, 'wrong-6yy', `10.0.0.77, ${sprayer}`), 429, 10008);
        for (let i = 1; i <= 5; i += 1) {
            expectError(await login(owner.username, `wrong-${i}zz`, `junk-${i}`), 401, 10002);
        }
        expectError(await login(owner.username, 'wrong-6zz', 'junk-6'), 429, 10008);
    } finally {
        await own.dispose();
    }
});

test('profile requires a token', async () => {
    expectError(await srv.api('GET', '/api/user/profile'), 401, 401);
});

test('login is limited per IP (10/s, burst 20): 429 10008', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const own = await startServer({
        label: 'ratelimit',
        env: { GOMALL_AUTH_LOGIN_RATE_PER_SECOND: '10', GOMALL_AUTH_LOGIN_BURST: '20' },
    });
    try {
        const u = await own.register('rl');
        await sleep(2100); // let the bucket refill fully after the register call (if that counted)
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => own.api('POST', '/api/user/login', {
            body: { username: `${uniq('rlnobody')}${i}`.slice(0, 50), password: 'wrong-password' },
        })));
        const limited = results.filter((r) => r.status === 429);
        const passed = results.filter((r) => r.status === 401);
        for (const r of limited) {
            expectError(r, 429, 10008);
            assert.equal(r.headers['retry-after'], '1', 'a token is back within a second');
        }
        for (const r of passed) expectError(r, 401, 10002);
        assert.equal(limited.length + passed.length, 40, `unexpected statuses: ${results.map((r) => r.status).join(',')}`);
        assert.ok(passed.length >= 18 && passed.length <= 30, `about 20 should pass the burst, ${passed.length} did`);
        assert.ok(limited.length >= 10, `expected at least 10 limited, got ${limited.length}`);
        await sleep(1500);
        expectOk(await own.api('POST', '/api/user/login', { body: { username: u.username, password: u.password } }));
    } finally {
        await own.dispose();
    }
});
