// Hostile input, group 7: path traversal on every static mount. Targets are sent exactly as written
// (raw sockets; fetch and URL would normalise them). Every one answers 404 with the JSON envelope
// and never shows /etc/passwd, the environment, the configuration, the JWT secret or the SQLite
// file; symlinks planted in frontend/dist are not followed out of it; directories never list.
// The UI, its assets, its client-side routes and Swagger keep working.
import fs from 'node:fs';
import path from 'node:path';
import { test, useServer, assert, randomHex, REPO_ROOT, EXTERNAL } from '../harness.mjs';
import { rawExchange, rawRequest, expectEnvelope, describeExchange, expectHealthy } from './lib.mjs';

const srv = useServer({ label: 'hostile-static' });
const DIST = path.join(REPO_ROOT, 'frontend', 'dist');
const HAVE_DIST = fs.existsSync(path.join(DIST, 'index.html'));

/// Static mounts whose targets are attacked.
const MOUNTS = [
    '/',
    '/assets/',
    '/swagger/',
    '/uploads/',
];

/// What no answer may ever contain (the secrets are added once the server is known).
function forbidden() {
    return ['root:x:0:0', 'GOMALL_', 'jwt_secret', 'SQLite format 3', 'BEGIN PRIVATE KEY', srv.jwtSecret, srv.adminPassword]
        .filter(Boolean);
}

async function get(target, headers = []) {
    const ex = await rawExchange(srv.port, rawRequest('GET', target, ['Host: 127.0.0.1', 'Connection: close', ...headers]), { waitMs: 3000, expect: 1 });
    const r = ex.responses[0];
    return { ex, r, what: `GET ${target}${headers.length ? ` [${headers.join('; ')}]` : ''}: ${describeExchange(ex)}` };
}

const REDIRECTS = [301, 302, 307, 308];

function expectNoLeak(ex, what) {
    const raw = ex.raw.toString('latin1');
    for (const bad of forbidden()) assert.ok(!raw.includes(bad), `LEAK of ${JSON.stringify(bad.slice(0, 20))}: ${what}`);
}

/// A 404 envelope that leaks nothing, with and without Accept-Encoding: gzip. A redirect (say from
/// "/x/" to "/x") is allowed if it stays on this origin (a path with one leading slash: "//host"
/// would be an open redirect) and its target is itself such a 404.
async function expectNotServed(target, { allow400 = false } = {}) {
    for (const headers of [[], ['Accept-Encoding: gzip']]) {
        let { ex, r, what } = await get(target, headers);
        expectNoLeak(ex, what);
        assert.ok(r, `no answer: ${what}`);
        if (REDIRECTS.includes(r.status)) {
            const loc = r.headers.location || '';
            assert.match(loc, /^\/(?![/\\])/, `a redirect off this origin (open redirect): ${what}`);
            assert.ok(!/[\r\n]/.test(loc), `a control character in Location: ${what}`);
            ({ ex, r, what } = await get(loc, headers));
            what = `(redirected from ${target}) ${what}`;
            expectNoLeak(ex, what);
            assert.ok(r, `no answer: ${what}`);
        }
        if (allow400 && r.status === 400) expectEnvelope(r, 400, 400, what);
        else expectEnvelope(r, 404, 404, what);
    }
}

const skipExternal = (t) => {
    if (!EXTERNAL) return false;
    t.skip('raw targets and planted files need a started server on this checkout');
    return true;
};

test('the listed traversal targets are 404 envelopes that leak nothing', { timeout: 60000 }, async (t) => {
    if (skipExternal(t)) return;
    const db = srv.dbPath;
    const targets = [
        '//etc/passwd',
        '/%2fetc%2fpasswd',
        '/%2Fetc%2Fpasswd',
        '/..%2f..%2f..%2fetc%2fpasswd',
        '/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
        '/assets/..%2f..%2findex.html',
        '/assets/..%2findex.html',
        '/assets/%2e%2e/%2e%2e/etc/passwd',
        '/assets/%2e%2e/%2e%2e/conf/config.yaml',
        '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/assets/../../conf/config.yaml',
        '/../../../../etc/passwd',
        '/..%252f..%252f..%252fetc%252fpasswd',
        '/%252fetc%252fpasswd',
        '/..%5c..%5c..%5cetc%5cpasswd',
        '/assets/..%5c..%5cindex.html',
        '/..%c0%af..%c0%af..%c0%afetc%c0%afpasswd',
        '/%c0%afetc%c0%afpasswd',
        '/..%e0%80%af..%e0%80%af..%e0%80%afetc%e0%80%afpasswd',
        '/%c0%ae%c0%ae/%c0%ae%c0%ae/conf/config.yaml',
        '/./index.html',
        '/assets/./../index.html',
        '/assets//x',
        '/assets//etc/passwd',
        '/index.html.',
        '/index.html..',
        '/index.html%20',
        '/index.html%00.png',
        '/index.html%00',
        '/%00/etc/passwd',
        '/proc/self/environ',
        '//proc/self/environ',
        '/proc/self/cwd/conf/config.yaml',
        '//proc/self/cwd/conf/config.yaml',
        '/proc/self/root/etc/passwd',
        '//proc/self/root/etc/passwd',
        '/etc/passwd',
        '/conf/config.yaml',
        '/../conf/config.yaml',
        '/.env',
        '/.git/config',
        '/%2e%2e%2fconf%2fconfig.yaml',
        '/frontend/dist/index.html',
        `/${encodeURIComponent(db)}`,
        db,
        `/${db}`,
        `/${db.split('/').map(encodeURIComponent).join('%2f')}`,
        // open redirects, should a trailing slash be redirected away
        '//evil.example/',
        '///evil.example/',
        '/%2fevil.example/',
        '/%5cevil.example/',
        '/%09/evil.example/',
        '//evil.example/%2e%2e/',
    ];
    for (const target of targets) await expectNotServed(target);
    // a raw backslash is no valid request-target character: 400 is as good as 404
    for (const target of ['/..\\..\\..\\etc\\passwd', '/assets\\..\\..\\conf\\config.yaml', '/\\etc\\passwd', '/\\evil.example/', '/\\\\evil.example/']) {
        await expectNotServed(target, { allow400: true });
    }
    await expectHealthy(srv, 'the traversal list');
});

test('traversal below every static mount is a 404 envelope', { timeout: 60000 }, async (t) => {
    if (skipExternal(t)) return;
    const suffixes = [
        '..%2f..%2fconf%2fconfig.yaml',
        '..%2f..%2f..%2fetc%2fpasswd',
        '%2e%2e/%2e%2e/conf/config.yaml',
        '%2e%2e%2f%2e%2e%2fconf%2fconfig.yaml',
        '../../conf/config.yaml',
        '/etc/passwd',
        '%2fetc%2fpasswd',
        '..%5c..%5cconf%5cconfig.yaml',
        '%c0%ae%c0%ae/%c0%ae%c0%ae/conf/config.yaml',
        '..%c0%af..%c0%afconf%c0%afconfig.yaml',
        '..%252f..%252fconf%252fconfig.yaml',
        `${srv.dbPath}`,
        'proc/self/environ',
        '.%2e/.%2e/conf/config.yaml',
    ];
    for (const mount of MOUNTS) {
        for (const s of suffixes) await expectNotServed(`${mount}${s}`);
    }
    for (const target of [
        '/swagger/openapi.yaml/..%2f..%2fconf%2fconfig.yaml',
        '/swagger/openapi.yaml/../../conf/config.yaml',
        '/swagger/openapi.yaml%00',
        '/swagger/openapi.yaml%00.html',
        '/swagger/openapi.yaml/x',
        '/swagger/..%2fopenapi.yaml',
        '/swagger/%2e%2e/%2e%2e/docs/openapi.yaml',
        '/swagger/../../conf/config.yaml',
    ]) {
        await expectNotServed(target);
    }
    await expectHealthy(srv, 'the mount traversal');
});

test('symlinks planted in frontend/dist are not followed out of it (404)', { timeout: 30000 }, async (t) => {
    if (skipExternal(t)) return;
    if (!HAVE_DIST) return t.skip('frontend/dist is missing (scripts/build-frontend)');
    const tag = `hostile-${randomHex(4)}`;
    const links = [
        [path.join(DIST, `${tag}-passwd`), '/etc/passwd', `/${tag}-passwd`],
        [path.join(DIST, `${tag}-page`), '/etc/passwd', `/${tag}-page`],
        [path.join(DIST, `${tag}-etc`), '/etc', `/${tag}-etc/passwd`],
        [path.join(DIST, 'assets', `${tag}.js`), '/etc/passwd', `/assets/${tag}.js`],
        [path.join(DIST, 'assets', `${tag}-conf.yaml`), path.join(REPO_ROOT, 'conf', 'config.yaml'), `/assets/${tag}-conf.yaml`],
        [path.join(DIST, `${tag}-repo`), REPO_ROOT, `/${tag}-repo/conf/config.yaml`],
        [path.join(DIST, `${tag}-db`), srv.dbPath, `/${tag}-db`],
        // a link to a directory outside, asked for its index (/<link>/ is <link>/index.html)
        [path.join(DIST, `${tag}-dir`), '/etc', `/${tag}-dir/`],
    ];
    try {
        for (const [link, target] of links) fs.symlinkSync(target, link);
        for (const [, , url] of links) await expectNotServed(url);
        // the real files next to them still work
        const { r, what } = await get('/index.html');
        assert.equal(r?.status, 200, what);
    } finally {
        for (const [link] of links) fs.rmSync(link, { force: true });
    }
    await expectHealthy(srv, 'symlinks');
});

test('directories never list: /assets, /assets/, /images, /images/', { timeout: 30000 }, async (t) => {
    if (skipExternal(t)) return;
    if (!HAVE_DIST) return t.skip('frontend/dist is missing (scripts/build-frontend)');
    const names = [...fs.readdirSync(path.join(DIST, 'assets')), ...fs.readdirSync(path.join(DIST, 'images'))];
    for (const dir of ['/assets', '/assets/', '/images', '/images/', '/assets/.', '/assets/%2e', '/swagger/.', '/assets//', '/images/?C=M;O=D']) {
        for (const headers of [[], ['Accept-Encoding: gzip']]) {
            const { r, what } = await get(dir, headers);
            assert.ok(r, what);
            for (const name of names) assert.ok(!r.text.includes(name), `${dir} lists ${name}: ${what}`);
        }
        await expectNotServed(dir);
    }
});

test('the UI, a real asset, Swagger and the OpenAPI document are still served', async (t) => {
    if (skipExternal(t)) return;
    if (!HAVE_DIST) return t.skip('frontend/dist is missing (scripts/build-frontend)');
    const index = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    for (const target of ['/', '/index.html']) {
        const { r, what } = await get(target);
        assert.equal(r?.status, 200, what);
        assert.match(r.headers['content-type'] || '', /^text\/html/, what);
        assert.equal(r.text, index, what);
    }
    const asset = fs.readdirSync(path.join(DIST, 'assets')).find((n) => /\.(js|css)$/.test(n));
    assert.ok(asset, 'no .js or .css in frontend/dist/assets');
    const a = await get(`/assets/${asset}`);
    assert.equal(a.r?.status, 200, a.what);
    assert.equal(a.r.text, fs.readFileSync(path.join(DIST, 'assets', asset), 'utf8'), a.what);
    const gz = await get(`/assets/${asset}`, ['Accept-Encoding: gzip']);
    assert.equal(gz.r?.status, 200, gz.what);
    const ui = await get('/swagger/index.html');
    assert.equal(ui.r?.status, 200, ui.what);
    assert.match(ui.r.text, /swagger/i);
    const doc = await get('/swagger/openapi.yaml');
    assert.equal(doc.r?.status, 200, doc.what);
    assert.match(doc.r.text, /^openapi:/m);
});

test('client-side routes get index.html; an unknown extensionless path is 404', async (t) => {
    if (skipExternal(t)) return;
    if (!HAVE_DIST) return t.skip('frontend/dist is missing (scripts/build-frontend)');
    const index = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    for (const route of ['/products/3', '/cart', '/admin/orders', '/products', '/orders', '/login']) {
        for (const headers of [[], ['Accept: text/html']]) {
            const { r, what } = await get(route, headers);
            assert.equal(r?.status, 200, what);
            assert.match(r.headers['content-type'] || '', /^text\/html/, what);
            assert.equal(r.text, index, what);
        }
    }
    for (const route of ['/no-such-page', '/etc', '/proc', '/admin/../etc', '/no/such/deep/page']) {
        const plain = await get(route);
        expectEnvelope(plain.r, 404, 404, plain.what);
        const html = await get(route, ['Accept: text/html']);
        assert.equal(html.r?.status, 404, html.what);
        if (/^text\/html/.test(html.r.headers['content-type'] || '')) assert.equal(html.r.text, index, html.what);
        else expectEnvelope(html.r, 404, 404, html.what);
    }
});
