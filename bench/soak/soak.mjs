#!/usr/bin/env node
// The soak test (bench/run-soak): starts the release server on a free loopback port with a fresh
// SQLite database, runs a mixed shopping workload for a long time (browse, search, product detail,
// cart, checkout, payment through the in-process WeChat Pay emulator, a flash sale rolled to a new
// activity every minute), samples the server's resident memory, open fds and threads from /proc
// every 10 s, and fails when a request gets an answer it should not or a resource grows without
// bound (bench/soak/growth.mjs says what that means). Writes a Markdown report.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import { growthVerdict, percentile } from './growth.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const USAGE = `Usage: bench/run-soak [options]

  --seconds N        how long the workload runs (default: $SOAK_SECONDS or 600)
  --binary PATH      the gomall binary (default build/release/bin/gomall)
  --root DIR         the directory the server runs in, whose conf/ it reads (default: this checkout)
  --users N          concurrent shoppers, each with its own cart and orders (default 16)
  --crowd N          extra shoppers who only try the flash sale (default 400)
  --think-ms N       pause between one shopper's requests (default 5)
  --sample-seconds N how often /proc is sampled (default 10)
  --warmup-seconds N samples before this are left out of the growth verdict (default 60)
  --roll-seconds N   the flash sale gets a new activity this often (default 60)
  --no-pay           check out without paying (to tell the payment path's memory from the rest)
  --out FILE         report (default bench/results/soak-<UTC date>.md; "-" prints it only)
  -h, --help         this text

Exit status: 0 when every request got an expected answer and nothing grew without bound,
1 otherwise (the report is still written), 2 for bad arguments or a server that did not start.`;

// ------------------------------------------------------------------------------------ options

function parseArgs(argv) {
    const o = {
        seconds: Number(process.env.SOAK_SECONDS || 600),
        binary: 'build/release/bin/gomall',
        root: repo,
        users: 16,
        crowd: 400,
        thinkMs: 5,
        sampleSeconds: 10,
        warmupSeconds: 60,
        rollSeconds: 60,
        out: '',
    };
    const names = {
        '--seconds': 'seconds', '--binary': 'binary', '--users': 'users', '--crowd': 'crowd', '--think-ms': 'thinkMs',
        '--sample-seconds': 'sampleSeconds', '--warmup-seconds': 'warmupSeconds', '--roll-seconds': 'rollSeconds',
        '--out': 'out', '--root': 'root',
    };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--no-pay') {
            o.noPay = true;
            continue;
        }
        if (argv[i] === '-h' || argv[i] === '--help') {
            process.stdout.write(`${USAGE}\n`);
            process.exit(0);
        }
        const key = names[argv[i]];
        if (!key || argv[i + 1] === undefined) usageError(`unknown argument or missing value: ${argv[i]}`);
        o[key] = ['binary', 'out', 'root'].includes(key) ? argv[i + 1] : Number(argv[i + 1]);
        i++;
    }
    for (const k of ['seconds', 'users', 'crowd', 'sampleSeconds', 'rollSeconds']) {
        if (!Number.isInteger(o[k]) || o[k] < 1) usageError(`--${k} must be a positive integer`);
    }
    for (const k of ['thinkMs', 'warmupSeconds']) {
        if (!Number.isInteger(o[k]) || o[k] < 0) usageError(`--${k} must be a non-negative integer`);
    }
    if (!o.out) o.out = `bench/results/soak-${new Date().toISOString().slice(0, 10)}.md`;
    return o;
}

function usageError(message) {
    process.stderr.write(`soak: ${message}\n${USAGE}\n`);
    process.exit(2);
}

const log = (message) => process.stderr.write(`soak: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const randomHex = (n) => crypto.randomBytes(n).toString('hex');
const pick = (list) => list[Math.floor(Math.random() * list.length)];

// ------------------------------------------------------------------------------------ HTTP

// node:http with keep-alive (fetch costs the client too much CPU on a 2-core machine).
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/// One call: {status, body (parsed JSON or null), text}; throws on a socket error or a timeout.
function call(base, method, urlPath, { token, json } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload;
    if (json !== undefined) {
        payload = Buffer.from(JSON.stringify(json), 'utf8');
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(payload.length);
    }
    const target = new URL(urlPath.startsWith('http') ? urlPath : base + urlPath);
    return new Promise((resolve, reject) => {
        const req = http.request(target, { method, headers, agent, timeout: 30000 }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let body = null;
                try { body = JSON.parse(text); } catch { body = null; }
                resolve({ status: res.statusCode, body, text });
            });
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${target.pathname}: no answer in 30 s`)));
        req.on('error', reject);
        req.end(payload);
    });
}

// ------------------------------------------------------------------------------------ results

/// Per kind of request: latencies (ms) and counts by outcome ("200 0", "409 60002", "error ...").
class Tally {
    constructor() {
        this.kinds = new Map();
        this.unexpected = [];  // the first few, for the report
        this.unexpectedCount = 0;
        this.windowCount = 0;
    }

    kind(name) {
        if (!this.kinds.has(name)) this.kinds.set(name, { latencies: [], outcomes: new Map() });
        return this.kinds.get(name);
    }

    record(name, outcome, ms, expected, detail) {
        const k = this.kind(name);
        k.latencies.push(ms);
        k.outcomes.set(outcome, (k.outcomes.get(outcome) || 0) + 1);
        this.windowCount++;
        if (!expected) {
            this.unexpectedCount++;
            if (this.unexpected.length < 20) this.unexpected.push(`${name}: ${outcome} ${detail ?? ''}`.trim());
        }
    }
}

/// Runs one request of `kind`; `expect` lists the outcomes ("status code") that are normal for it.
/// Returns the response, or null after a socket error.
async function timed(tally, base, kind, method, urlPath, opts, expect = ['200 0']) {
    const t0 = performance.now();
    try {
        const r = await call(base, method, urlPath, opts);
        const ms = performance.now() - t0;
        const code = r.body && typeof r.body === 'object' && 'code' in r.body ? r.body.code : '-';
        const outcome = `${r.status} ${code}`;
        const ok = expect.includes(outcome);
        tally.record(kind, outcome, ms, ok, ok ? '' : `${method} ${urlPath}: ${r.text.slice(0, 200)}`);
        return r;
    } catch (e) {
        tally.record(kind, 'socket error', performance.now() - t0, false, `${method} ${urlPath}: ${e.message}`);
        return null;
    }
}

// ------------------------------------------------------------------------------------ server

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/// Raises every rate and burst key of this checkout's config out of the way: the soak measures
/// the shop over time, not its limiters. Keys are read from src/app/config.cpp so that limits
/// added later are covered too.
function rateLimitOverrides(root) {
    const file = fs.existsSync(path.join(root, 'src/app/config.cpp')) ? root : repo;
    const source = fs.readFileSync(path.join(file, 'src/app/config.cpp'), 'utf8');
    const env = {};
    for (const m of source.matchAll(/add\("([a-z_]+)", "([a-z_]*(?:rate|burst)[a-z_]*)"/g)) {
        env[`GOMALL_${m[1]}_${m[2]}`.toUpperCase()] = '1000000';
    }
    return env;
}

async function startServer(o, work) {
    const port = await freePort();
    const adminPassword = `Soak-${randomHex(9)}`;
    const common = {
        GOMALL_DATABASE_DRIVER: 'sqlite',
        GOMALL_DATABASE_SQLITE_PATH: path.join(work, 'gomall.db'),
        GOMALL_AUTH_JWT_SECRET: `soak-${randomHex(24)}`,
        GOMALL_AUTH_ACCESS_TTL_SECONDS: '86400',
        GOMALL_LOG_LEVEL: 'warn',
    };
    const overrides = {
        GOMALL_SERVER_HOST: '127.0.0.1',
        GOMALL_SERVER_PORT: String(port),
        GOMALL_ADMIN_USERNAME: 'admin',
        GOMALL_ADMIN_PASSWORD: adminPassword,
        GOMALL_DATABASE_SEED_DEMO: 'true',
        // Flash-sale orders left unpaid are cancelled after two minutes: the canceller and the
        // return of units to the sale run all along.
        GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS: '120',
        GOMALL_SECKILL_TOKEN_REQUIRED: 'false',
        GOMALL_WECHATPAY_DEV_KEY_DIR: path.join(work, 'wechatpay'),
        GOMALL_UPLOAD_DIR: path.join(work, 'uploads'),
        ...rateLimitOverrides(o.root),
    };
    const env = { ...process.env, ...common };
    // Shoppers first, into the empty database (seed-shoppers prints one access token a line).
    const count = o.users + o.crowd;
    log(`seeding ${count} shoppers`);
    const tokens = execFileSync(o.binary, ['seed-shoppers', String(count), `soak${randomHex(3)}`, '--env', 'dev'], {
        cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
    }).toString().split('\n').filter(Boolean);
    if (tokens.length !== count) throw new Error(`seed-shoppers printed ${tokens.length} tokens, not ${count}`);

    const logFile = path.join(work, 'server.log');
    const out = fs.openSync(logFile, 'w');
    const child = spawn(o.binary, ['serve', '--env', 'dev'], {
        cwd: o.root, env: { ...env, ...overrides }, stdio: ['ignore', out, out],
    });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) break;
        try {
            if ((await call(base, 'GET', '/ready')).status === 200) {
                return { child, exited, base, adminPassword, tokens, logFile, overrides };
            }
        } catch { /* not listening yet */ }
        await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`the server did not become ready in 30 s:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

// ------------------------------------------------------------------------------------ /proc

function sampleProcess(pid) {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm')) || [])[1]);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(after[11]) + Number(after[12]);  // utime + stime
    return {
        rssMiB: field('VmRSS') / 1024,
        threads: field('Threads'),
        fds: fs.readdirSync(`/proc/${pid}/fd`).length,
        cpuSeconds: ticks / 100,
    };
}

// ------------------------------------------------------------------------------------ workload

/// Admin-side setup: a product with stock enough for every checkout, a product for the flash
/// sale, and the demo catalogue's ids for browsing.
async function setup(base, adminPassword) {
    const login = await call(base, 'POST', '/api/user/login', { json: { username: 'admin', password: adminPassword } });
    if (login.status !== 200) throw new Error(`admin login: ${login.status} ${login.text}`);
    const admin = login.body.data.token;
    const create = async (name, stock, price) => {
        const r = await call(base, 'POST', '/api/product', { token: admin, json: { name, price, stock } });
        if (r.status !== 201) throw new Error(`create product: ${r.status} ${r.text}`);
        return r.body.data.id;
    };
    const shopProduct = await create(`Soak product ${randomHex(3)}`, 10_000_000, 9.99);
    const saleProduct = await create(`Soak flash sale ${randomHex(3)}`, 10, 199.0);
    const listing = await call(base, 'GET', '/api/product?page=1&page_size=50');
    const ids = (listing.body?.data?.list || []).map((p) => p.id);
    if (!ids.length) throw new Error(`the catalogue is empty: ${listing.text.slice(0, 200)}`);
    return { admin, shopProduct, saleProduct, browseIds: [...ids, shopProduct] };
}

const KEYWORDS = ['phone', 'book', 'a', 'Soak', 'no-such-thing-at-all', '手机'];
const SORTS = ['', 'price_asc', 'price_desc', 'newest'];

/// One shopper's loop: browse, sometimes cart and checkout and pay, sometimes the flash sale.
async function shopper(ctx, token, until) {
    const { base, tally, state, o } = ctx;
    const pause = () => (o.thinkMs ? sleep(o.thinkMs) : undefined);
    while (performance.now() < until) {
        const page = 1 + Math.floor(Math.random() * 3);
        const sort = pick(SORTS);
        await timed(tally, base, 'product list', 'GET', `/api/product?page=${page}&page_size=20${sort ? `&sort=${sort}` : ''}`);
        await pause();
        await timed(tally, base, 'product search', 'GET', `/api/product?keyword=${encodeURIComponent(pick(KEYWORDS))}`);
        await pause();
        await timed(tally, base, 'product detail', 'GET', `/api/product/${pick(state.browseIds)}`);
        await pause();
        if (Math.random() < 0.5) {
            await timed(tally, base, 'cart add', 'POST', '/api/cart', {
                token, json: { product_id: state.shopProduct, quantity: 1 + Math.floor(Math.random() * 3) },
            }, ['200 0', '201 0']);
            await pause();
            await timed(tally, base, 'cart list', 'GET', '/api/cart', { token });
            await pause();
            if (Math.random() < 0.5) await checkoutAndPay(ctx, token);
        }
        if (Math.random() < 0.3) await flashSale(ctx, pick(ctx.crowd));
        await pause();
    }
}

async function checkoutAndPay(ctx, token) {
    const { base, tally } = ctx;
    const order = await timed(tally, base, 'checkout', 'POST', '/api/order/checkout', { token, json: {} }, ['201 0']);
    const orderNo = order?.body?.data?.order_no;
    if (!orderNo || ctx.o.noPay) return;
    const pay = await timed(tally, base, 'pay: unified order', 'POST', '/api/pay/wechat/unified-order', {
        token, json: { order_no: orderNo },
    });
    const scan = pay?.body?.data?.scan_url;
    if (!scan) return;
    const emulator = new URL(scan).origin;
    const paid = await timed(tally, base, 'pay: emulator pays', 'POST', `${emulator}/emulator/pay`, {
        json: { out_trade_no: pay.body.data.out_trade_no },
    }, ['200 -']);
    if (paid?.status === 200) ctx.paidOrders.push({ token, orderNo });
}

// A flash-sale attempt: queued, or one of the refusals a crowd meets (sold out, limit reached;
// ended or none while the activity is being rolled).
const SECKILL_EXPECTED = ['200 0', '409 60002', '409 60005', '409 60004', '409 60003', '404 60001'];

async function flashSale(ctx, token) {
    await timed(ctx.tally, ctx.base, 'flash sale', 'POST', '/api/seckill', {
        token, json: { product_id: ctx.state.saleProduct },
    }, SECKILL_EXPECTED);
}

/// Every `rollSeconds` the running activity ends and a new one of 50 units starts: the sale keeps
/// going through queued, sold out and limit answers for the whole run.
async function roller(ctx, until) {
    const { base, tally, state, o } = ctx;
    let current = null;
    while (performance.now() < until) {
        if (current) {
            await timed(tally, base, 'admin: end sale', 'POST', `/api/seckill/activities/${current}/end`, { token: state.admin });
        }
        const r = await timed(tally, base, 'admin: new sale', 'POST', '/api/seckill/init', {
            token: state.admin, json: { product_id: state.saleProduct, stock: 50, per_user_limit: 1 },
        }, ['201 0']);
        current = r?.body?.data?.id ?? null;
        const next = performance.now() + o.rollSeconds * 1000;
        while (performance.now() < Math.min(next, until)) await sleep(200);
    }
}

/// Orders whose payment the emulator accepted must read paid (its notification reached the shop).
async function checkPaid(ctx) {
    const pending = new Map(ctx.paidOrders.map((p) => [p.orderNo, p]));
    const deadline = Date.now() + 30000;
    while (pending.size && Date.now() < deadline) {
        for (const [no, p] of [...pending]) {
            const r = await call(ctx.base, 'GET', `/api/order/${no}/payment`, { token: p.token }).catch(() => null);
            if (r?.body?.data?.order_status === 2) pending.delete(no);
        }
        if (pending.size) await sleep(500);
    }
    return [...pending.keys()];
}

// ------------------------------------------------------------------------------------ report

const RULES = {
    'resident memory (MiB)': { key: 'rssMiB', pct: 10, abs: 8, perMinute: 1 },
    'open fds': { key: 'fds', pct: 10, abs: 16, perMinute: 1 },
    threads: { key: 'threads', pct: 0, abs: 4, perMinute: 0.2 },
};

function machine() {
    const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) || [])[1] || 'unknown';
    const osName = (fs.readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)/m) || [])[1] || os.type();
    return `${osName}, ${os.cpus().length} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${os.release()}, Node ${process.version}`;
}

const f1 = (x) => (x === null || x === undefined ? '-' : x.toFixed(1));
const f2 = (x) => (x === null || x === undefined ? '-' : x.toFixed(2));

function report({ o, invocation, version, tally, samples, verdicts, unpaid, elapsed, stopped, passed, problems }) {
    const lines = [];
    lines.push(`# Soak: ${(elapsed / 60).toFixed(1)} minutes of mixed shopping (${new Date().toISOString().slice(0, 10)})`, '');
    lines.push(`Result: **${passed ? 'PASS' : 'FAIL'}**${problems.length ? ` (${problems.join('; ')})` : ''}`, '');
    lines.push(`- Command: \`${invocation}\``);
    lines.push(`- Machine: ${machine()}`);
    lines.push(`- Server: gomall ${version.version ?? '?'} (commit ${version.commit ?? '?'}, ${version.build_type ?? '?'} build), \`serve --env dev\`, fresh SQLite database, flash sale in embedded mode, WeChat Pay emulator in-process, log level warn, unpaid orders cancelled after 120 s, rate limits raised out of the way`);
    lines.push(`- Load: ${o.users} shoppers in closed loops (${o.thinkMs} ms between requests), each browsing, adding to its cart, checking out and paying about every fourth loop; ${o.crowd} more shoppers' tokens for flash-sale attempts (about every third loop); a new 50-unit activity every ${o.rollSeconds} s`);
    lines.push(`- Requests: ${[...tally.kinds.values()].reduce((n, k) => n + k.latencies.length, 0)} in ${elapsed.toFixed(0)} s; unexpected answers: ${tally.unexpectedCount}; orders paid through the emulator: ${tally.kinds.get('pay: emulator pays')?.outcomes.get('200 -') ?? 0}, of which not marked paid 30 s after the run: ${unpaid.length}`);
    lines.push(`- Clean stop: ${stopped}`, '');
    lines.push('## Requests by kind', '');
    lines.push('| kind | requests | outcomes (HTTP status, envelope code: count) | p50 ms | p99 ms | max ms |');
    lines.push('| --- | ---: | --- | ---: | ---: | ---: |');
    for (const [name, k] of tally.kinds) {
        const sorted = Float64Array.from(k.latencies).sort();
        const outcomes = [...k.outcomes].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n}: ${c}`).join(', ');
        lines.push(`| ${name} | ${sorted.length} | ${outcomes} | ${f2(percentile(sorted, 50))} | ${f2(percentile(sorted, 99))} | ${f1(sorted[sorted.length - 1])} |`);
    }
    lines.push('', '## Resources over time', '');
    lines.push(`Sampled from /proc/<pid> every ${o.sampleSeconds} s; samples before ${o.warmupSeconds} s are the warm-up and are not judged. A resource fails when the last third's maximum exceeds the first third's by more than the percentage **and** the absolute amount, **and** the least-squares slope over the judged samples is above the rate.`, '');
    lines.push('| resource | rule | first third max | last third max | slope / min | verdict |');
    lines.push('| --- | --- | ---: | ---: | ---: | --- |');
    for (const [name, v] of Object.entries(verdicts)) {
        const r = RULES[name];
        lines.push(`| ${name} | > ${r.pct}% and > ${r.abs} and > ${r.perMinute}/min | ${f1(v.firstMax)} | ${f1(v.lastMax)} | ${f2(v.perMinute)} | ${v.ok ? (v.judged ? 'bounded' : v.note) : 'GROWS'} |`);
    }
    lines.push('', '| t (s) | RSS MiB | fds | threads | server CPU % | requests/s |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const s of samples) lines.push(`| ${s.t.toFixed(0)} | ${f1(s.rssMiB)} | ${s.fds} | ${s.threads} | ${f1(s.cpuPct)} | ${f1(s.rps)} |`);
    if (tally.unexpected.length) {
        lines.push('', '## Unexpected answers (first 20)', '', '```', ...tally.unexpected, '```');
    }
    if (unpaid.length) lines.push('', `Orders paid at the emulator but not in the shop: ${unpaid.slice(0, 20).join(', ')}`);
    return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------------------------ main

async function main() {
    const o = parseArgs(process.argv.slice(2));
    const invocation = `${process.env.SOAK_SECONDS ? `SOAK_SECONDS=${process.env.SOAK_SECONDS} ` : ''}bench/run-soak${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
    o.binary = path.resolve(repo, o.binary);
    o.root = path.resolve(o.root);
    if (!fs.existsSync(o.binary)) usageError(`${o.binary} not found; build it first: cmake --preset release && cmake --build --preset release`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gomall-soak-'));
    let server;
    try {
        try {
            server = await startServer(o, work);
        } catch (e) {
            log(e.message);
            process.exitCode = 2;
            return;
        }
        const { base, child } = server;
        const version = (await call(base, 'GET', '/version')).body?.data ?? {};
        const state = await setup(base, server.adminPassword);
        const tally = new Tally();
        const ctx = { base, tally, state, o, crowd: server.tokens.slice(o.users), paidOrders: [] };
        log(`server pid ${child.pid} on ${base}; running ${o.seconds} s with ${o.users} shoppers (report: ${o.out})`);

        const t0 = performance.now();
        const until = t0 + o.seconds * 1000;
        const samples = [];
        let last = { t: 0, cpuSeconds: sampleProcess(child.pid).cpuSeconds };
        tally.windowCount = 0;
        const sampler = setInterval(() => {
            if (child.exitCode !== null) return;
            const t = (performance.now() - t0) / 1000;
            const s = sampleProcess(child.pid);
            const dt = t - last.t;
            samples.push({ t, ...s, cpuPct: ((s.cpuSeconds - last.cpuSeconds) / dt) * 100, rps: tally.windowCount / dt });
            tally.windowCount = 0;
            last = { t, cpuSeconds: s.cpuSeconds };
            log(`t=${t.toFixed(0)} s  rss ${s.rssMiB.toFixed(1)} MiB  fds ${s.fds}  threads ${s.threads}  ${samples.at(-1).rps.toFixed(0)} req/s  unexpected ${tally.unexpectedCount}`);
        }, o.sampleSeconds * 1000);

        // Resolves only if the server dies while the workload runs.
        let running = true;
        const died = server.exited.then((x) => (running ? `the server exited during the run: ${JSON.stringify(x)}` : new Promise(() => {})));
        const load = Promise.all([
            roller(ctx, until),
            ...server.tokens.slice(0, o.users).map((token) => shopper(ctx, token, until)),
        ]);
        const crashed = (await Promise.race([load.then(() => ''), died])) || '';
        running = false;
        clearInterval(sampler);
        const elapsed = (performance.now() - t0) / 1000;

        const unpaid = crashed ? [] : await checkPaid(ctx);
        const verdicts = {};
        const judged = samples.filter((s) => s.t >= o.warmupSeconds);
        for (const [name, rule] of Object.entries(RULES)) {
            verdicts[name] = growthVerdict(judged.map((s) => ({ t: s.t, v: s[rule.key] })), rule);
        }
        const problems = [];
        if (crashed) problems.push(crashed);
        if (tally.unexpectedCount) problems.push(`${tally.unexpectedCount} unexpected answers`);
        if (unpaid.length) problems.push(`${unpaid.length} paid orders never marked paid`);
        for (const [name, v] of Object.entries(verdicts)) if (!v.ok) problems.push(`${name} grows without bound`);

        // A clean stop: SIGTERM, drained within the shutdown timeout, exit status 0.
        let stopped = 'not reached';
        if (!crashed) {
            child.kill('SIGTERM');
            const result = await Promise.race([server.exited, sleep(20000).then(() => null)]);
            stopped = result === null ? 'no exit 20 s after SIGTERM' : (result.code === 0 ? 'exit 0 after SIGTERM' : `exit ${JSON.stringify(result)}`);
            if (result?.code !== 0) problems.push(`server stop: ${stopped}`);
        }
        const passed = problems.length === 0;
        const text = report({ o, invocation, version, tally, samples, verdicts, unpaid, elapsed, stopped, passed, problems });
        if (o.out !== '-') {
            fs.mkdirSync(path.dirname(path.resolve(repo, o.out)), { recursive: true });
            fs.writeFileSync(path.resolve(repo, o.out), text);
            log(`report written to ${o.out}`);
        }
        process.stdout.write(text);
        if (!passed) {
            log(`FAIL: ${problems.join('; ')} (server log: ${server.logFile} is deleted; its tail follows)`);
            process.stderr.write(fs.readFileSync(server.logFile, 'utf8').slice(-3000));
        }
        process.exitCode = passed ? 0 : 1;
    } finally {
        if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
        agent.destroy();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((e) => {
    log(e.stack || e.message);
    process.exit(2);
});
