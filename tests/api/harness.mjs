// Test harness for the black-box HTTP API suite (node:test, global fetch, no dependencies).
//
// Each test file calls useServer() once: it starts the real binary (GOMALL_BIN, default
// build/debug/bin/gomall) with `serve --env test` on a free loopback port and a fresh SQLite
// file in a temp dir, or targets GOMALL_BASE_URL when that is set. Tests that must own the
// process (shutdown, short token TTL, rate limit defaults) call startServer() themselves and
// skip under GOMALL_BASE_URL. startPeer() starts a second instance on the same data; stack() runs
// scripts/stack (the full-stack fault tests pause, resume and flush the stack's servers with it).
//
// Environment:
//   GOMALL_BASE_URL            target an already running deployment instead of starting one
//   GOMALL_BIN                 server binary (default <repo>/build/debug/bin/gomall)
//   GOMALL_ADMIN_USERNAME      admin user name (default admin)
//   GOMALL_ADMIN_PASSWORD      admin password (default: random per started server; required
//                              with GOMALL_BASE_URL and for a shared MariaDB database)
//   GOMALL_DATABASE_*          passed through to started servers (MariaDB mode)
//   GOMALL_SECKILL_MODE, GOMALL_SECKILL_RECONCILE_INTERVAL_MS, GOMALL_SECKILL_RECONCILE_GRACE_MS,
//   GOMALL_REDIS_*, GOMALL_RABBITMQ_*
//                              passed through too: GOMALL_SECKILL_MODE=full runs the flash sale on
//                              Redis + RabbitMQ (scripts/test-api --full sets all of them)
//   GOMALL_STACK_DIR           passed to scripts/stack by the full-stack fault tests (stack())
//   GOMALL_TEST_START_TIMEOUT_MS   how long to wait for /health (default 60000)
//   GOMALL_TEST_KEEP=1         keep temp dirs (database, server log) after the run
import nodeTest, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export { assert };

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_URL = (process.env.GOMALL_BASE_URL || '').replace(/\/+$/, '');
export const EXTERNAL = BASE_URL !== '';
export const EXTERNAL_SKIP = 'GOMALL_BASE_URL is set: this test must start and own its server process';
export const ADMIN_USERNAME = process.env.GOMALL_ADMIN_USERNAME || 'admin';
const START_TIMEOUT_MS = Number(process.env.GOMALL_TEST_START_TIMEOUT_MS || 60000);
const KEEP = process.env.GOMALL_TEST_KEEP === '1';
const REQUEST_TIMEOUT_MS = 60000;

/// The flash sale runs on the full stack (Redis stock gate, RabbitMQ handoff, MariaDB): servers
/// started here get GOMALL_SECKILL_MODE=full and the stack's settings from the environment.
export const FULL_STACK = process.env.GOMALL_SECKILL_MODE === 'full';
export const FULL_STACK_SKIP = 'needs the full-stack flash sale: GOMALL_SECKILL_MODE=full with Redis, RabbitMQ and '
    + 'MariaDB from scripts/stack (run scripts/test-api --full)';

/// Short random tag, unique per test file run; put it into names so runs against a shared
/// database (MariaDB mode, GOMALL_BASE_URL) never collide.
export const RUN_TAG = crypto.randomBytes(4).toString('hex');

const liveServers = new Set();
let anyFailure = false;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');
export const TRACE_ID_RE = /^[0-9a-f]{32}$/;
export const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/// "ORD" + yyyyMMddHHmmss (UTC) + 3 millis + 2 node + 4 sequence digits (contract.md).
export const ORDER_NO_RE = /^ORD\d{23}$/;

let uniqCounter = 0;
/// A unique user name: [A-Za-z0-9_], at most 50 characters.
export function uniq(prefix = 'u') {
    uniqCounter += 1;
    const name = `${prefix}_${RUN_TAG}_${Date.now().toString(36)}${uniqCounter.toString(36)}${randomHex(2)}`;
    return name.slice(0, 50);
}

// ---------------------------------------------------------------------------------------------
// process management

/// A free loopback port: bind port 0, read the port, close.
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function killAllSync() {
    for (const s of liveServers) {
        if (s.child && s.child.exitCode === null && s.child.signalCode === null) {
            try { s.child.kill('SIGKILL'); } catch { /* already gone */ }
        }
    }
}
// Nothing started here may outlive the test process.
process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => { killAllSync(); process.exit(128 + (os.constants.signals[sig] || 1)); });
}

/// GOMALL_* settings of the caller's environment that started servers inherit: the log level (to
/// look closer at a failing file), the database (MariaDB mode) and the flash sale's mode with its
/// servers (full-stack mode).
const PASSED_THROUGH = [/^GOMALL_LOG_LEVEL$/, /^GOMALL_DATABASE_/, /^GOMALL_REDIS_/, /^GOMALL_RABBITMQ_/,
    /^GOMALL_SECKILL_(MODE|RECONCILE_INTERVAL_MS|RECONCILE_GRACE_MS)$/];

/// Environment for a started server: the caller's environment minus GOMALL_* settings that would
/// change the test setup (PASSED_THROUGH ones stay), plus the test values.
function serverEnv(overrides) {
    const env = {};
    for (const [k, v] of Object.entries(process.env)) {
        if (!k.startsWith('GOMALL_') || PASSED_THROUGH.some((re) => re.test(k))) env[k] = v;
    }
    return { ...env, ...overrides };
}

function serverBinary() {
    return process.env.GOMALL_BIN
        ? path.resolve(REPO_ROOT, process.env.GOMALL_BIN)
        : path.join(REPO_ROOT, 'build', 'debug', 'bin', 'gomall');
}

export class Server {
    /// opts: env (extra GOMALL_* for this server), label (names the temp dir), and to restart on the
    /// data of an earlier instance: dbPath, tmpDir (not removed by this instance), adminPassword, jwtSecret;
    /// separateStderr: stderr to its own file (errPath), so that logPath holds stdout only.
    constructor({ baseUrl = '', env = {}, dbPath = '', label = 'gomall', adminPassword = '', tmpDir = '', jwtSecret = '', separateStderr = false } = {}) {
        this.baseUrl = baseUrl;
        // Raw-socket tests (tests/api/hostile) connect to 127.0.0.1:port, also for a deployment.
        this.port = baseUrl ? Number(new URL(baseUrl).port || 80) : 0;
        this.extraEnv = env;
        this.label = label;
        this.child = null;
        this.exit = null;          // {code, signal} once exited
        this.exitPromise = null;
        this.tmpDir = tmpDir;
        this.ownsTmpDir = !tmpDir;
        this.logPath = '';
        this.dbPath = dbPath;
        this.adminPassword = adminPassword || process.env.GOMALL_ADMIN_PASSWORD || '';
        this.adminTokenCache = null;
        this.jwtSecret = jwtSecret;
        this.separateStderr = separateStderr;  // stderr to errPath instead of the log (stdout) file
        this.errPath = '';
    }

    /// Starts the binary and waits for GET /health. Retries on a port race.
    async start() {
        const bin = serverBinary();
        if (!fs.existsSync(bin)) {
            throw new Error(`server binary not found: ${bin} (build it, set GOMALL_BIN, or set GOMALL_BASE_URL)`);
        }
        if (!this.tmpDir) this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), `gomall-api-${this.label}-`));
        if (!this.dbPath) this.dbPath = path.join(this.tmpDir, 'gomall.db');
        if (!this.adminPassword) this.adminPassword = `Adm1n-${randomHex(12)}`;
        if (!this.jwtSecret) this.jwtSecret = randomHex(32);
        for (let attempt = 1; ; attempt += 1) {
            const port = await freePort();
            this.port = port;
            this.baseUrl = `http://127.0.0.1:${port}`;
            this.logPath = path.join(this.tmpDir, `server-${port}.log`);
            const env = serverEnv({
                GOMALL_SERVER_HOST: '127.0.0.1',
                GOMALL_SERVER_PORT: String(port),
                GOMALL_DATABASE_SQLITE_PATH: this.dbPath,
                GOMALL_ADMIN_USERNAME: ADMIN_USERNAME,
                GOMALL_ADMIN_PASSWORD: this.adminPassword,
                GOMALL_AUTH_JWT_SECRET: this.jwtSecret,
                GOMALL_AUTH_BCRYPT_COST: '4',
                GOMALL_AUTH_LOGIN_RATE_PER_SECOND: '100000',
                GOMALL_AUTH_LOGIN_BURST: '100000',
                // every test request comes from 127.0.0.1, fast: the request-rate limits stay on
                // but out of reach (ratelimit.test.mjs starts servers with small ones)
                GOMALL_RATE_LIMIT_GLOBAL_RATE_PER_SECOND: '10000000',
                GOMALL_RATE_LIMIT_GLOBAL_BURST: '10000000',
                GOMALL_RATE_LIMIT_API_RATE_PER_SECOND: '10000000',
                GOMALL_RATE_LIMIT_API_BURST: '10000000',
                // failed-login throttling at its defaults, pinned so that a change to conf/config.yaml
                // does not change what the tests expect
                GOMALL_AUTH_LOGIN_FREE_FAILURES: '5',
                GOMALL_AUTH_LOGIN_IP_FREE_FAILURES: '30',
                GOMALL_AUTH_LOGIN_DELAY_BASE_MS: '1000',
                GOMALL_AUTH_LOGIN_DELAY_MAX_SECONDS: '900',
                // long enough that no order of a normal test is swept while the test looks at it;
                // the timeout test starts a server of its own with a short one
                GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS: '600',
                GOMALL_ORDER_SWEEP_INTERVAL_SECONDS: '1',
                GOMALL_ORDER_DIRECT_PAY_ENABLED: 'true',
                // uploads stay inside this server's temp dir (a peer on the same tmpDir shares them)
                GOMALL_UPLOAD_DIR: path.join(this.tmpDir, 'uploads'),
                // WeChat Pay against the in-process emulator, dev keys of this server's own, and
                // notifications redelivered quickly so retry tests take seconds
                GOMALL_WECHATPAY_ENABLED: 'true',
                GOMALL_WECHATPAY_EMULATOR: 'true',
                GOMALL_WECHATPAY_DEV_KEY_DIR: path.join(this.tmpDir, 'wechatpay'),
                GOMALL_WECHATPAY_NOTIFY_RETRY_BASE_MS: '200',
                GOMALL_WECHATPAY_NOTIFY_RETRY_MAX_MS: '1000',
                ...this.extraEnv,
            });
            for (const [k, v] of Object.entries(env)) if (v === undefined || v === null) delete env[k];
            this.env = env;
            const logFd = fs.openSync(this.logPath, 'a');
            if (this.separateStderr) this.errPath = path.join(this.tmpDir, `server-${port}.stderr.log`);
            const errFd = this.separateStderr ? fs.openSync(this.errPath, 'a') : logFd;
            const child = spawn(bin, ['serve', '--env', 'test'], {
                cwd: REPO_ROOT,
                env,
                stdio: ['ignore', logFd, errFd],
            });
            fs.closeSync(logFd);
            if (errFd !== logFd) fs.closeSync(errFd);
            this.child = child;
            this.exit = null;
            this.exitPromise = new Promise((resolve) => {
                child.once('exit', (code, signal) => { this.exit = { code, signal }; resolve(this.exit); });
                child.once('error', (err) => { this.exit = { code: null, signal: null, error: err }; resolve(this.exit); });
            });
            liveServers.add(this);
            try {
                await this.waitHealthy();
                return this;
            } catch (err) {
                const log = this.logTail(200);
                if (this.exit && attempt < 3 && /address (already )?in use|EADDRINUSE/i.test(log)) continue;
                await this.kill();
                throw new Error(`${err.message}\n--- ${this.logPath} (tail) ---\n${this.logTail(40)}`);
            }
        }
    }

    async waitHealthy() {
        const deadline = Date.now() + START_TIMEOUT_MS;
        let last = '';
        while (Date.now() < deadline) {
            if (this.exit) throw new Error(`server exited during start-up (${JSON.stringify(this.exit)})`);
            try {
                const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
                await res.arrayBuffer();
                if (res.status === 200) return;
                last = `status ${res.status}`;
            } catch (err) {
                last = err.cause?.code || err.message;
            }
            await sleep(100);
        }
        throw new Error(`server did not answer GET /health with 200 within ${START_TIMEOUT_MS} ms (last: ${last})`);
    }

    /// Sends `signal` and waits up to timeoutMs for the exit; SIGKILLs after that.
    /// Returns {code, signal, timedOut, ms}.
    async stop({ signal = 'SIGTERM', timeoutMs = 20000 } = {}) {
        if (!this.child) return { code: 0, signal: null, timedOut: false, ms: 0 };
        const t0 = Date.now();
        let timedOut = false;
        if (!this.exit) {
            try { this.child.kill(signal); } catch { /* gone */ }
            let handle;
            const timer = new Promise((resolve) => { handle = setTimeout(() => resolve('timeout'), timeoutMs); });
            const winner = await Promise.race([this.exitPromise, timer]);
            clearTimeout(handle);
            if (winner === 'timeout') {
                timedOut = true;
                try { this.child.kill('SIGKILL'); } catch { /* gone */ }
                await this.exitPromise;
            }
        }
        liveServers.delete(this);
        return { ...this.exit, timedOut, ms: Date.now() - t0 };
    }

    async kill() {
        if (this.child && !this.exit) {
            try { this.child.kill('SIGKILL'); } catch { /* gone */ }
            await this.exitPromise;
        }
        liveServers.delete(this);
    }

    /// Stops (SIGTERM, then SIGKILL) and removes the temp dir unless a test failed or GOMALL_TEST_KEEP=1.
    /// expectSignal: a signal the test itself sent (e.g. 'SIGKILL'), not reported as a bad exit.
    async dispose({ expectSignal = '' } = {}) {
        if (!this.child) return;
        const r = await this.stop();
        if (r.timedOut || (r.code !== 0 && r.code !== null) || (r.signal && r.signal !== 'SIGTERM' && r.signal !== expectSignal)) {
            process.stderr.write(`# ${this.label}: server exit ${JSON.stringify(r)}; log ${this.logPath}\n${this.logTail(30)}\n`);
            anyFailure = true;
        }
        if (!this.ownsTmpDir) return;
        if (!anyFailure && !KEEP && this.tmpDir) {
            fs.rmSync(this.tmpDir, { recursive: true, force: true });
        } else if (this.tmpDir) {
            process.stderr.write(`# ${this.label}: kept ${this.tmpDir}\n`);
        }
    }

    logTail(lines = 40) {
        if (!this.logPath || !fs.existsSync(this.logPath)) return '(no log)';
        const text = fs.readFileSync(this.logPath, 'utf8');
        return text.split('\n').slice(-lines - 1).join('\n');
    }

    // ------------------------------------------------------------------ requests

    /// One HTTP request. opts: token, body (JSON-encoded), rawBody (sent as is), headers,
    /// checkEnvelope (default true for /api paths). Returns {status, body, text, headers}.
    async api(method, urlPath, opts = {}) {
        const headers = { accept: 'application/json', ...(opts.headers || {}) };
        if (opts.token) headers.authorization = `Bearer ${opts.token}`;
        let body;
        if (opts.rawBody !== undefined) {
            body = opts.rawBody;
        } else if (opts.body !== undefined) {
            body = JSON.stringify(opts.body);
            if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
                headers['content-type'] = 'application/json';
            }
        }
        const res = await fetch(this.baseUrl + urlPath, {
            method,
            headers,
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(opts.timeoutMs || REQUEST_TIMEOUT_MS),
        });
        const text = await res.text();
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        const out = {
            status: res.status,
            body: json,
            text,
            headers: Object.fromEntries(res.headers),
            what: `${method} ${urlPath}`,
        };
        const check = opts.checkEnvelope ?? urlPath.startsWith('/api');
        if (check) checkEnvelope(out);
        return out;
    }

    async adminToken() {
        if (this.adminTokenCache) return this.adminTokenCache;
        if (!this.adminPassword) throw new Error('admin password unknown: set GOMALL_ADMIN_PASSWORD');
        const res = await this.api('POST', '/api/user/login', {
            body: { username: ADMIN_USERNAME, password: this.adminPassword },
        });
        expectOk(res);
        assert.equal(res.body.data.user.role, 2, 'admin user must have role 2');
        this.adminTokenCache = res.body.data.token;
        return this.adminTokenCache;
    }

    /// Registers a new shopper; returns {username, password, email, token, refresh_token, user, data}.
    async register(prefix = 'u', extra = {}) {
        const username = uniq(prefix);
        const password = `Pw-${randomHex(8)}`;
        const email = `${username.toLowerCase()}@example.com`;
        const res = await this.api('POST', '/api/user/register', { body: { username, password, email, ...extra } });
        expectOk(res);
        const d = res.body.data;
        return { username, password, email, token: d.token, refresh_token: d.refresh_token, user: d.user, data: d };
    }

    /// n shoppers ready to buy, as register() returns them ({username, password, token, user}).
    /// A server started here gets them from `gomall seed-shoppers` (one bcrypt hash for all, so
    /// thousands take seconds; usernames <prefix>_000001...); a deployment by registering, with
    /// `concurrency` requests in flight. The prefix gets the run tag and a random part.
    async shoppers(n, prefix = 's', { concurrency = 50 } = {}) {
        if (!this.child || !this.env) {
            return pool(Array.from({ length: n }, (_, i) => i), concurrency, () => this.register(prefix));
        }
        const tag = `${prefix}_${RUN_TAG}${randomHex(2)}`.slice(0, 40);
        const password = `Pw-${randomHex(8)}`;
        const env = { ...this.env, GOMALL_BENCH_PASSWORD: password, GOMALL_LOG_LEVEL: 'warn' };
        const { stdout } = await run(serverBinary(), ['seed-shoppers', String(n), tag, '--env', 'test'], { env, timeoutMs: 300000 });
        const tokens = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
        assert.equal(tokens.length, n, `seed-shoppers printed ${tokens.length} tokens for ${n} shoppers`);
        return tokens.map((token) => {
            const { payload } = decodeJwt(token);
            const user = { id: Number(payload.sub), username: payload.username };
            return { username: user.username, password, token, user };
        });
    }

    async login(username, password) {
        const res = await this.api('POST', '/api/user/login', { body: { username, password } });
        expectOk(res);
        return res.body.data;
    }

    /// Creates a product as admin (201) and returns it. Name gets the run tag unless given.
    async createProduct({ stock = 100, price = 10, name, ...rest } = {}) {
        const token = await this.adminToken();
        const res = await this.api('POST', '/api/product', {
            token,
            body: { name: name ?? `P ${RUN_TAG} ${randomHex(3)}`, price, stock, ...rest },
        });
        expectOk(res, 201);
        return res.body.data;
    }

    async updateProduct(id, patch) {
        const res = await this.api('PUT', `/api/product/${id}`, { token: await this.adminToken(), body: patch });
        expectOk(res);
        return res.body.data;
    }

    async product(id) {
        const res = await this.api('GET', `/api/product/${id}`);
        expectOk(res);
        return res.body.data;
    }

    /// Fetches every page of a list route and returns all items.
    async listAll(urlPath, token, pageSize = 100) {
        const items = [];
        for (let page = 1; ; page += 1) {
            const sep = urlPath.includes('?') ? '&' : '?';
            const res = await this.api('GET', `${urlPath}${sep}page=${page}&page_size=${pageSize}`, { token });
            expectOk(res);
            items.push(...res.body.data.list);
            if (page >= res.body.data.total_page || res.body.data.list.length === 0) break;
        }
        return items;
    }

    // ------------------------------------------------------------------ flash sale (seckill)

    /// POST /api/seckill/init as admin; returns the raw response (201 activity on success).
    async seckillInit(body) {
        return this.api('POST', '/api/seckill/init', { token: await this.adminToken(), body });
    }

    /// Creates a flash-sale activity (expects 201) and returns it.
    async createActivity(body) {
        const res = await this.seckillInit(body);
        expectOk(res, 201);
        if (EXTERNAL) {
            // A deployment may run several instances: each hears of a new sale over Redis within
            // milliseconds. Tests buy at once, so wait until every instance lists it.
            const id = res.body.data.id;
            await this.everywhere(async () => {
                const list = await this.api('GET', '/api/seckill/activities');
                return list.status === 200 && list.body.data.list.some((a) => a.id === id);
            });
        }
        return res.body.data;
    }

    /// Resolves once check() is true on `reads` requests in a row (behind a round-robin balancer,
    /// that is every instance), or throws after timeoutMs.
    async everywhere(check, { reads = 6, timeoutMs = 5000 } = {}) {
        const deadline = Date.now() + timeoutMs;
        let streak = 0;
        while (streak < reads) {
            if (Date.now() > deadline) throw new Error(`not true on every instance within ${timeoutMs} ms`);
            if (await check()) {
                streak += 1;
            } else {
                streak = 0;
                await sleep(50);
            }
        }
    }

    /// GET /api/seckill/activities/:id (expects 200) and returns the activity.
    async activity(id) {
        const res = await this.api('GET', `/api/seckill/activities/${id}`);
        expectOk(res);
        return res.body.data;
    }

    /// GET /api/seckill/activities/:id until pred(activity) or timeoutMs; returns the last one read.
    /// Activity views count units from each instance's own copy: behind a load balancer a sale made
    /// through another instance reaches them within seckill.available_refresh_ms (250 ms), and an
    /// admin change within milliseconds, so checks after a purchase poll for a moment.
    async waitActivity(id, pred, timeoutMs = 3000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const a = await this.activity(id);
            if (pred(a) || Date.now() > deadline) return a;
            await sleep(100);
        }
    }

    /// POST /api/seckill {product_id} as `user` ({token}); returns the raw response.
    /// opts: checkEnvelope, timeoutMs (as for api()).
    seckillBuy(user, productId, opts = {}) {
        return this.api('POST', '/api/seckill', { token: user.token, body: { product_id: productId }, ...opts });
    }

    /// GET /api/seckill/result?product_id=N as `user`; returns the raw response.
    seckillResult(user, productId) {
        return this.api('GET', `/api/seckill/result?product_id=${productId}`, { token: user.token });
    }

    /// Polls the result until its status is no longer "queued" (or timeoutMs passes); returns the
    /// last result data.
    async waitSeckillFinal(user, productId, timeoutMs = 20000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const res = await this.seckillResult(user, productId);
            expectOk(res);
            if (res.body.data.status !== 'queued' || Date.now() > deadline) return res.body.data;
            await sleep(100);
        }
    }

    /// The server's clock in epoch ms (server_time_ms of GET /api/seckill/activities).
    async serverNowMs() {
        const res = await this.api('GET', '/api/seckill/activities');
        expectOk(res);
        return res.body.data.server_time_ms;
    }
}

/// ISO 8601 UTC with whole seconds ("2026-11-25T01:02:03Z") for epoch ms, rounded up to the next second.
export function isoSeconds(ms) {
    return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/// Reads a text/event-stream response with fetch streaming (Authorization header, as the web UI
/// does). Collects events {event, data (parsed JSON or null), raw} until `until(event, events)`
/// returns true, the server ends the stream, or timeoutMs passes. `onEvent(event)` runs for each.
/// Returns {status, headers, events, ended (server closed the stream), timedOut, text (non-SSE body)}.
export async function readEventStream(url, { token, timeoutMs = 20000, until = () => false, onEvent = () => {} } = {}) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new Error('timeout')), timeoutMs);
    const out = { status: 0, headers: {}, events: [], ended: false, timedOut: false, text: '' };
    try {
        const headers = { accept: 'text/event-stream' };
        if (token) headers.authorization = `Bearer ${token}`;
        const res = await fetch(url, { headers, signal: ctrl.signal });
        out.status = res.status;
        out.headers = Object.fromEntries(res.headers);
        if (!String(out.headers['content-type'] || '').startsWith('text/event-stream')) {
            out.text = await res.text();
            out.ended = true;
            return out;
        }
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
            const { value, done } = await reader.read();
            if (done) { out.ended = true; break; }
            buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
            let cut;
            let stop = false;
            while ((cut = buf.indexOf('\n\n')) >= 0) {
                const block = buf.slice(0, cut);
                buf = buf.slice(cut + 2);
                let event = 'message';
                const data = [];
                for (const line of block.split('\n')) {
                    if (line.startsWith(':')) continue;  // comment / keep-alive
                    const i = line.indexOf(':');
                    const key = i < 0 ? line : line.slice(0, i);
                    const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
                    if (key === 'event') event = val;
                    else if (key === 'data') data.push(val);
                }
                if (data.length === 0 && event === 'message') continue;
                const raw = data.join('\n');
                let parsed = null;
                try { parsed = JSON.parse(raw); } catch { parsed = null; }
                const ev = { event, data: parsed, raw };
                out.events.push(ev);
                onEvent(ev);
                if (until(ev, out.events)) { stop = true; break; }
            }
            if (stop) { ctrl.abort(); break; }
        }
    } catch (err) {
        if (ctrl.signal.aborted && ctrl.signal.reason?.message === 'timeout') out.timedOut = true;
        else if (!ctrl.signal.aborted) throw err;
    } finally {
        clearTimeout(timer);
    }
    return out;
}

/// Raw request with node:http: resolves with the response even when the server closes the
/// connection while the request body is still being written (413 on a large body).
/// The value of the sample `name{labels}` (labels as written, e.g. 'cache="lists"') in a scrape of
/// `server`'s GET /metrics; 0 when the family has no such sample yet.
export async function metricValue(server, name, labels = '') {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const head = labels ? `${name}{${labels}} ` : `${name} `;
    const line = text.split('\n').find((l) => l.startsWith(head));
    return line === undefined ? 0 : Number(line.slice(head.length));
}

export function rawHttp(baseUrl, method, urlPath, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const url = new URL(baseUrl + urlPath);
        let settled = false;
        const req = http.request({
            host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            const finish = () => {
                if (settled) return;
                settled = true;
                const text = Buffer.concat(chunks).toString('utf8');
                let json = null;
                try { json = text ? JSON.parse(text) : null; } catch { json = null; }
                resolve({ status: res.statusCode, headers: res.headers, text, body: json, what: `${method} ${urlPath}` });
            };
            res.on('end', finish);
            res.on('error', finish);
            res.on('close', finish);
        });
        req.setTimeout(30000, () => req.destroy(new Error('timeout')));
        req.on('error', (err) => {
            if (!settled) {
                settled = true;
                reject(new Error(`${method} ${urlPath}: ${err.code || err.message} before a response was received`));
            }
        });
        if (body !== undefined) req.write(body, () => {});
        req.end();
    });
}

// ---------------------------------------------------------------------------------------------
// assertions

function describeRes(res) {
    return `${res.what} -> HTTP ${res.status} ${res.text.length > 600 ? `${res.text.slice(0, 600)}...` : res.text}`;
}

/// Every /api response is the envelope {code, message, data, trace_id}; trace_id is 32 hex and
/// equals the trace id in the traceparent response header when there is one.
export function checkEnvelope(res) {
    const b = res.body;
    assert.ok(b !== null && typeof b === 'object' && !Array.isArray(b), `not a JSON envelope: ${describeRes(res)}`);
    assert.equal(typeof b.code, 'number', `envelope code not a number: ${describeRes(res)}`);
    assert.equal(typeof b.message, 'string', `envelope message not a string: ${describeRes(res)}`);
    assert.ok('data' in b, `envelope without data: ${describeRes(res)}`);
    assert.match(String(b.trace_id), TRACE_ID_RE, `envelope trace_id not 32 hex: ${describeRes(res)}`);
    const tp = res.headers.traceparent;
    if (tp) {
        const parts = tp.split('-');
        assert.equal(parts[1], b.trace_id, `traceparent header ${tp} does not carry trace_id ${b.trace_id}`);
    }
    if (res.status < 300) assert.equal(b.code, 0, `2xx with non-zero code: ${describeRes(res)}`);
    else assert.notEqual(b.code, 0, `error status with code 0: ${describeRes(res)}`);
}

export function expectOk(res, status = 200) {
    assert.equal(res.status, status, `expected HTTP ${status}: ${describeRes(res)}`);
    assert.equal(res.body?.code, 0, `expected code 0: ${describeRes(res)}`);
}

/// Asserts an error envelope; `field` (optional) is the offending request field in data.field.
export function expectError(res, status, code, field) {
    assert.equal(res.status, status, `expected HTTP ${status} code ${code}: ${describeRes(res)}`);
    assert.equal(res.body?.code, code, `expected code ${code}: ${describeRes(res)}`);
    assert.ok(res.body.message.length > 0, `empty error message: ${describeRes(res)}`);
    if (field !== undefined) {
        assert.equal(res.body.data?.field, field, `expected data.field ${field}: ${describeRes(res)}`);
    }
}

/// Money in the raw JSON text: `"field":<value>` with two decimals written out.
export function expectMoneyText(res, field, text) {
    const re = new RegExp(`"${field}"\\s*:\\s*${text.replace('.', '\\.')}(?![0-9])`);
    assert.match(res.text, re, `expected "${field}":${text} written out in ${describeRes(res)}`);
}

export function expectUser(u) {
    for (const f of ['id', 'username', 'email', 'phone', 'role', 'created_at', 'updated_at']) {
        assert.ok(f in u, `user without ${f}: ${JSON.stringify(u)}`);
    }
    for (const k of Object.keys(u)) {
        assert.ok(!/password|hash/i.test(k), `user exposes ${k}`);
    }
    assert.match(u.created_at, ISO_UTC_RE);
    assert.match(u.updated_at, ISO_UTC_RE);
}

export function expectLoginResult(d) {
    assert.equal(typeof d.token, 'string');
    assert.equal(d.token.split('.').length, 3, `token is not a JWT: ${d.token}`);
    assert.equal(typeof d.refresh_token, 'string');
    assert.ok(d.refresh_token.length >= 16, 'refresh_token too short');
    assert.equal(typeof d.expires_in, 'number');
    assert.ok(d.expires_in > 0);
    expectUser(d.user);
}

// ---------------------------------------------------------------------------------------------
// JWT helpers for forged tokens

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const b64urlJson = (obj) => b64url(JSON.stringify(obj));
export function decodeJwt(token) {
    const [h, p, s] = token.split('.');
    return {
        header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
        payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
        signature: s,
    };
}
export function signHs256(header, payload, secret) {
    const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
    const sig = crypto.createHmac('sha256', secret).update(input).digest('base64url');
    return `${input}.${sig}`;
}

// ---------------------------------------------------------------------------------------------
// test wiring

/// node:test's test() with a default timeout, and the tail of every live server's log added to
/// the error message of a failing test.
export function test(name, options, fn) {
    if (typeof options === 'function') { fn = options; options = {}; }
    return nodeTest(name, { timeout: 180000, ...options }, async (t) => {
        try {
            return await fn(t);
        } catch (err) {
            anyFailure = true;
            const tails = [...liveServers].filter((s) => s.logPath)
                .map((s) => `--- ${s.label} log ${s.logPath} (tail) ---\n${s.logTail(25)}`);
            if (tails.length && err && typeof err === 'object') {
                try { err.message = `${err.message}\n${tails.join('\n')}`; } catch { /* read-only */ }
            }
            throw err;
        }
    });
}

/// Starts a server for tests that need to own the process (never under GOMALL_BASE_URL).
export async function startServer(opts = {}) {
    const s = new Server(opts);
    await s.start();
    return s;
}

let peerNodeId = 1;

/// A second instance beside `server` (started here, not under GOMALL_BASE_URL): the same database
/// (the SQLite file, or the run's MariaDB database), the same JWT secret and admin password, so
/// tokens and results work on both; in full-stack mode also the same Redis keys and RabbitMQ queue.
/// Each instance gets its own order.node_id (order numbers embed it). opts: label, env.
export async function startPeer(server, { label = 'peer', env = {} } = {}) {
    peerNodeId += 1;
    const peer = new Server({
        label,
        dbPath: server.dbPath,
        tmpDir: server.tmpDir,
        adminPassword: server.adminPassword,
        jwtSecret: server.jwtSecret,
        env: { ...server.extraEnv, GOMALL_ORDER_NODE_ID: String(peerNodeId), ...env },
    });
    await peer.start();
    return peer;
}

/// Runs a command; resolves {code, stdout, stderr}; rejects on a non-zero exit unless check is false.
export function run(cmd, args, { env = process.env, timeoutMs = 300000, check = true, cwd = REPO_ROOT } = {}) {
    return new Promise((resolve, reject) => {
        execFile(cmd, args, { env, cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            if (err && check) {
                reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: ${err.killed ? 'timed out' : `exit ${err.code}`}\n${stderr}`));
                return;
            }
            resolve({ code, stdout, stderr });
        });
    });
}

/// scripts/stack with the caller's environment (GOMALL_STACK_DIR): e.g. stack('pause', 'rabbitmq'),
/// stack('start', 'rabbitmq'), stack('redis-cli', 'FLUSHALL'). Resolves {code, stdout, stderr, ms}.
export async function stack(...args) {
    const t0 = Date.now();
    const r = await run(path.join(REPO_ROOT, 'scripts', 'stack'), args, { timeoutMs: 300000 });
    return { ...r, ms: Date.now() - t0 };
}

/// One server per test file: started in before(), stopped in after(). Returns a proxy object
/// whose methods work once before() has run.
export function useServer(opts = {}) {
    const holder = { server: null };
    before(async () => {
        if (EXTERNAL) {
            holder.server = new Server({ baseUrl: BASE_URL, label: 'external' });
        } else {
            holder.server = await startServer({ label: opts.label || 'shared', ...opts });
        }
    });
    after(async () => {
        if (holder.server) await holder.server.dispose();
    });
    return new Proxy({}, {
        get(_, prop) {
            if (!holder.server) throw new Error('server not started (useServer before() failed?)');
            const v = holder.server[prop];
            return typeof v === 'function' ? v.bind(holder.server) : v;
        },
    });
}

/// Runs `fn` over `items` with at most `limit` in flight; returns results in order.
export async function pool(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    });
    await Promise.all(workers);
    return results;
}
