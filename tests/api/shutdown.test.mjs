// Graceful shutdown: SIGTERM in the middle of a burst of orders. The process exits 0 in time,
// no request sees a 5xx other than 503, and every order answered with 201 is in the database
// after a restart on the same data. A taken port stops startup before any data is touched.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, startServer, Server, assert, sleep, EXTERNAL, EXTERNAL_SKIP, ORDER_NO_RE, REPO_ROOT } from './harness.mjs';

const EXIT_DEADLINE_MS = 30000;

test('SIGTERM on an idle server exits 0 promptly', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const s = await startServer({ label: 'idle' });
    try {
        const r = await s.stop({ signal: 'SIGTERM', timeoutMs: EXIT_DEADLINE_MS });
        assert.equal(r.timedOut, false, `did not exit within ${EXIT_DEADLINE_MS} ms`);
        assert.equal(r.code, 0, `exit ${JSON.stringify(r)}`);
        assert.ok(r.ms < 10000, `idle shutdown took ${r.ms} ms`);
    } finally {
        await s.dispose();
    }
});

test('SIGINT exits 0 as well', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const s = await startServer({ label: 'sigint' });
    try {
        const r = await s.stop({ signal: 'SIGINT', timeoutMs: EXIT_DEADLINE_MS });
        assert.equal(r.timedOut, false);
        assert.equal(r.code, 0, `exit ${JSON.stringify(r)}`);
    } finally {
        await s.dispose();
    }
});

test('SIGTERM during a burst of orders loses no promised order', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const s = await startServer({ label: 'shutdown' });
    let s2 = null;
    try {
        const users = [];
        for (let i = 0; i < 10; i += 1) users.push(await s.register('sd'));
        const STOCK = 1000;
        const p = await s.createProduct({ stock: STOCK, price: 1 });

        // ~100 requests spread over roughly half a second, SIGTERM after the first 40 are sent
        const TOTAL = 100;
        const pending = [];
        let stopPromise = null;
        for (let i = 0; i < TOTAL; i += 1) {
            const u = users[i % users.length];
            pending.push(s.api('POST', '/api/order', {
                token: u.token, body: { product_id: p.id, quantity: 1 }, checkEnvelope: false, timeoutMs: 40000,
            }).then((res) => ({ u, res }), (err) => ({ u, err })));
            if (i === 40) stopPromise = s.stop({ signal: 'SIGTERM', timeoutMs: EXIT_DEADLINE_MS });
            await sleep(i < 40 ? 2 : 5);
        }
        const outcomes = await Promise.all(pending);
        const exit = await stopPromise;
        assert.equal(exit.timedOut, false, `the server did not exit within ${EXIT_DEADLINE_MS} ms`);
        assert.equal(exit.code, 0, `exit status ${JSON.stringify(exit)}`);

        const promised = [];
        const bad = [];
        let refused = 0;
        let unavailable = 0;
        for (const { u, res, err } of outcomes) {
            if (err) { refused += 1; continue; }            // connection refused/closed: no promise made
            if (res.status === 201) {
                assert.match(res.body?.data?.order_no ?? '', ORDER_NO_RE, res.text);
                promised.push({ u, no: res.body.data.order_no });
            } else if (res.status === 503) {
                unavailable += 1;
            } else {
                bad.push(`${res.status} ${res.text.slice(0, 200)}`);
            }
        }
        t.diagnostic(`201: ${promised.length}, 503: ${unavailable}, no response: ${refused}, other: ${bad.length}`);
        assert.deepEqual(bad, [], 'only 201, 503 or a refused connection are acceptable during shutdown');
        assert.ok(promised.length >= 1, 'some orders were accepted before the signal');

        // restart on the same database and look for every promised order
        s2 = new Server({
            label: 'restart', dbPath: s.dbPath, tmpDir: s.tmpDir, adminPassword: s.adminPassword, jwtSecret: s.jwtSecret,
        });
        await s2.start();
        const tokens = new Map();
        for (const u of users) tokens.set(u.username, (await s2.login(u.username, u.password)).token);
        for (const { u, no } of promised) {
            const d = await s2.api('GET', `/api/order/${no}`, { token: tokens.get(u.username) });
            assert.equal(d.status, 200, `promised order ${no} is missing after restart: ${d.status} ${d.text}`);
            assert.equal(d.body.data.user_id, u.user.id);
            assert.equal(d.body.data.product_id, p.id);
        }
        // stock and orders agree: every unit taken belongs to an order in the database
        let stored = 0;
        for (const u of users) {
            stored += (await s2.listAll('/api/order', tokens.get(u.username))).filter((o) => o.product_id === p.id).length;
        }
        assert.ok(stored >= promised.length);
        assert.ok(stored <= TOTAL);
        assert.equal((await s2.product(p.id)).stock, STOCK - stored, 'stock taken equals orders stored');
    } finally {
        if (s2) await s2.dispose();
        await s.dispose();
    }
});

test('with its port taken the server exits at once, before it creates, migrates or seeds a database', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const holder = net.createServer();
    await new Promise((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gomall-api-taken-'));
    try {
        const dbPath = path.join(dir, 'gomall.db');
        const bin = path.resolve(REPO_ROOT, process.env.GOMALL_BIN || 'build/debug/bin/gomall');
        const env = { ...process.env,
            GOMALL_SERVER_HOST: '127.0.0.1',
            GOMALL_SERVER_PORT: String(holder.address().port),
            GOMALL_DATABASE_DRIVER: 'sqlite', GOMALL_DATABASE_MYSQL_REPLICA_HOST: '',
            GOMALL_DATABASE_SQLITE_PATH: dbPath,
            GOMALL_ADMIN_PASSWORD: 'Taken-port-123' };
        const r = spawnSync(bin, ['serve', '--env', 'test'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 20000 });
        assert.notEqual(r.status, 0, `exit status ${r.status}`);
        assert.match(r.stdout + r.stderr, /address already in use/i);
        assert.equal(fs.existsSync(dbPath), false, 'the database file was created before the bind failed');
        assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
        holder.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
