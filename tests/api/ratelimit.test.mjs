// The four request-rate limits at small configured values: global (instance), API (per client
// address), flash sale (per shopper) and login (per client address). Each answers 429 with
// Retry-After in the envelope, counts in gomall_rate_limited_total{scope}, and recovers; one client
// over its limit does not limit another; X-Forwarded-For names the client only from a trusted proxy.
import { test, startServer, assert, EXTERNAL, EXTERNAL_SKIP, expectOk, expectError, sleep } from './harness.mjs';

/// The value of the sample `name{labels}` in a scrape, or 0 when it is not there yet.
async function metric(server, name, labels = '') {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const head = labels ? `${name}{${labels}} ` : `${name} `;
    const line = text.split('\n').find((l) => l.startsWith(head));
    return line === undefined ? 0 : Number(line.slice(head.length));
}

const limited = (server, scope) => metric(server, 'gomall_rate_limited_total', `scope="${scope}"`);

/// A 429 in the envelope with the given code and a Retry-After of whole seconds within [1, max].
function expectTooMany(res, code, max = 1) {
    expectError(res, 429, code);
    assert.match(res.headers['retry-after'] ?? '', /^\d+$/, `Retry-After missing: ${JSON.stringify(res.headers)}`);
    const seconds = Number(res.headers['retry-after']);
    assert.ok(seconds >= 1 && seconds <= max, `Retry-After ${seconds}, expected 1..${max}`);
}

/// `n` requests one after another; returns the statuses.
async function statuses(n, send) {
    const out = [];
    for (let i = 0; i < n; i += 1) out.push((await send(i)).status);
    return out;
}

const count = (list, status) => list.filter((s) => s === status).length;

test('API limit per client address: 429 with Retry-After, counted, per address, recovering, API only', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const srv = await startServer({
        label: 'ratelimit-api',
        env: {
            GOMALL_RATE_LIMIT_API_RATE_PER_SECOND: '1',
            GOMALL_RATE_LIMIT_API_BURST: '5',
            GOMALL_RATE_LIMIT_API_MAX_KEYS: '200',
            GOMALL_SERVER_TRUSTED_PROXIES: '127.0.0.1',
        },
    });
    try {
        const from = (address) => ({ headers: { 'x-forwarded-for': address } });
        const list = (address) => srv.api('GET', '/api/product?page=1', from(address));
        const before = await limited(srv, 'api');

        // The burst, then refusals; a second or so of requests refills about one token.
        const a = await statuses(8, () => list('203.0.113.10'));
        assert.ok(count(a, 200) >= 5 && count(a, 200) <= 6, `statuses ${a}`);
        assert.equal(count(a, 200) + count(a, 429), 8, `statuses ${a}`);
        const refused = await list('203.0.113.10');
        expectTooMany(refused, 429);
        assert.match(refused.body.message, /too many requests/);
        assert.equal(await limited(srv, 'api'), before + count(a, 429) + 1);

        // Another address, and the same address behind a forged entry, are their own clients.
        expectOk(await list('203.0.113.11'));
        expectOk(await list('203.0.113.10, 203.0.113.12'));
        expectTooMany(await list('203.0.113.12, 203.0.113.10'), 429);

        // Probes, scrapes and the web UI's files are not API requests.
        for (let i = 0; i < 10; i += 1) {
            assert.equal((await srv.api('GET', '/health', from('203.0.113.10'))).status, 200);
            assert.equal((await srv.api('GET', '/ready', from('203.0.113.10'))).status, 200);
            assert.equal((await fetch(`${srv.baseUrl}/metrics`, from('203.0.113.10'))).status, 200);
            assert.notEqual((await fetch(`${srv.baseUrl}/some/page`, from('203.0.113.10'))).status, 429);
        }
        // Doubled slashes reach the same API routes, and the same bucket.
        assert.equal((await srv.api('GET', '//api//product?page=1', { ...from('203.0.113.10'), checkEnvelope: false })).status, 429);

        // A token is back after the Retry-After.
        await sleep(1100);
        expectOk(await list('203.0.113.10'));

        // A flood of distinct addresses (an address rotation) keeps at most api_max_keys of them.
        const flood = Array.from({ length: 1000 }, (_, i) => `198.18.${Math.floor(i / 250)}.${i % 250}`);
        for (let i = 0; i < flood.length; i += 50) {
            await Promise.all(flood.slice(i, i + 50).map((address) => list(address)));
        }
        const clients = await metric(srv, 'gomall_rate_limit_api_clients');
        assert.ok(clients > 0 && clients <= 200, `api clients tracked: ${clients}`);
    } finally {
        await srv.dispose();
    }
});

test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    for (const trusted of ['', '10.0.0.1, 192.168.0.0/16']) {
        const srv = await startServer({
            label: 'ratelimit-xff',
            env: {
                GOMALL_RATE_LIMIT_API_RATE_PER_SECOND: '1',
                GOMALL_RATE_LIMIT_API_BURST: '3',
                GOMALL_SERVER_TRUSTED_PROXIES: trusted,
            },
        });
        try {
            // Every request names a different client; all of them are 127.0.0.1 all the same.
            const got = await statuses(6, (i) => srv.api('GET', '/api/product?page=1', {
                headers: { 'x-forwarded-for': `203.0.113.${i + 1}` },
            }));
            assert.ok(count(got, 200) >= 3 && count(got, 200) <= 4 && count(got, 429) >= 2, `trusted [${trusted}]: ${got}`);
        } finally {
            await srv.dispose();
        }
    }
});

test('global limit: every request but probes and scrapes, 429 with Retry-After, counted, recovering', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const srv = await startServer({
        label: 'ratelimit-global',
        env: { GOMALL_RATE_LIMIT_GLOBAL_RATE_PER_SECOND: '1', GOMALL_RATE_LIMIT_GLOBAL_BURST: '6' },
    });
    try {
        const before = await limited(srv, 'global');
        const mixed = await statuses(12, (i) => (i % 2 === 0
            ? srv.api('GET', '/api/product?page=1')
            : srv.api('GET', '/some/page', { checkEnvelope: false })));
        assert.ok(count(mixed, 429) >= 4, `statuses ${mixed}`);
        const refused = await srv.api('GET', '/api/product?page=1');
        expectTooMany(refused, 429);
        assert.match(refused.body.message, /more requests than it can take/);
        // Static files too (the refusal is the same envelope).
        const file = await srv.api('GET', '/index.html', { checkEnvelope: true });
        expectTooMany(file, 429);
        for (let i = 0; i < 20; i += 1) {
            assert.equal((await srv.api('GET', '/health')).status, 200);
            assert.equal((await srv.api('GET', '/ready')).status, 200);
        }
        assert.equal(await limited(srv, 'global'), before + count(mixed, 429) + 2);
        await sleep(1100);
        expectOk(await srv.api('GET', '/api/product?page=1'));
    } finally {
        await srv.dispose();
    }
});

test('flash-sale limit per shopper and login limit per address: 429 with Retry-After, counted', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const srv = await startServer({
        label: 'ratelimit-shopper',
        env: {
            GOMALL_SECKILL_RATE_PER_SECOND: '1',
            GOMALL_SECKILL_BURST: '2',
            GOMALL_AUTH_LOGIN_RATE_PER_SECOND: '1',
            GOMALL_AUTH_LOGIN_BURST: '2',
            GOMALL_SERVER_TRUSTED_PROXIES: '127.0.0.1',
        },
    });
    try {
        const p = await srv.createProduct({ stock: 10, price: 5 });
        await srv.createActivity({ product_id: p.id, stock: 10, per_user_limit: 1 });
        const [eager, other] = [await srv.register('eager'), await srv.register('other')];

        const seckillBefore = await limited(srv, 'seckill');
        const tries = [];
        for (let i = 0; i < 5; i += 1) tries.push(await srv.seckillBuy(eager, p.id));
        const paced = tries.filter((r) => r.status === 429);
        assert.ok(paced.length >= 2, `statuses ${tries.map((r) => r.status)}`);
        for (const r of paced) expectTooMany(r, 60006);
        assert.equal(await limited(srv, 'seckill'), seckillBefore + paced.length);
        assert.notEqual((await srv.seckillBuy(other, p.id)).status, 429, 'another shopper is not paced');
        await sleep(1100);
        assert.notEqual((await srv.seckillBuy(eager, p.id)).status, 429, 'the shopper is paced, not barred');

        // Logins: per address, through the trusted proxy's X-Forwarded-For (the same address the
        // access log and the failed-login throttle see).
        const loginBefore = await limited(srv, 'login');
        const login = (from) => srv.api('POST', '/api/user/login', {
            body: { username: eager.username, password: eager.password }, headers: { 'x-forwarded-for': from },
        });
        const attempts = await statuses(5, () => login('198.51.100.20'));
        assert.ok(count(attempts, 200) >= 2 && count(attempts, 200) <= 3 && count(attempts, 429) >= 2, `statuses ${attempts}`);
        expectTooMany(await login('198.51.100.20'), 10008);
        assert.equal(await limited(srv, 'login'), loginBefore + count(attempts, 429) + 1);
        expectOk(await login('198.51.100.21'));

        // An IPv6 client is limited by its /64: one holder has 2^64 addresses to rotate through.
        const v6 = await statuses(5, (i) => login(`2001:db8:7:9::${(i + 1).toString(16)}`));
        assert.ok(count(v6, 429) >= 2, `statuses ${v6}`);
        expectTooMany(await login('2001:db8:7:9:ffff:1:2:3'), 10008);
        expectOk(await login('2001:db8:7:a::1'));  // the next /64 is someone else
    } finally {
        await srv.dispose();
    }
});
