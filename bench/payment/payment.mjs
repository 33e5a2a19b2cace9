#!/usr/bin/env node
// The shop side of the payment benchmark (bench/run-payment-bench): prepares the orders, writes the
// wrk scripts, signs WeChat Pay APIv3 notifications with the emulator's dev keys, and runs the
// end-to-end payment rounds. Talks to the server's public API and to the in-process emulator's
// /emulator/* test API over HTTP, like tests/api/payment.test.mjs.
//
//   node bench/payment/payment.mjs setup  --state FILE --poll-lua FILE --stock N
//        Registers two shoppers (one for the page poll and the notification, one for the
//        end-to-end rounds), creates a product as admin with N units, and two orders of the first
//        shopper: one with a started payment (unified-order) that stays unpaid (the payment page's
//        poll), one paid through POST /emulator/pay (the target of the duplicate notifications).
//        Writes the state (tokens, order numbers, the paid transaction) to --state and the wrk
//        script of the poll to --poll-lua.
//   node bench/payment/payment.mjs notify --state FILE --lua FILE [--check]
//        Signs and encrypts a fresh TRANSACTION.SUCCESS notification of the paid order (timestamp
//        now) and writes a wrk script that POSTs it to /api/pay/wechat/notify. With --check it
//        first sends it once and exits 1 unless the answer is 200 {"code":"SUCCESS"} and the order
//        still reads paid (status 2, trade SUCCESS, no refund).
//   node bench/payment/payment.mjs verify --state FILE
//        After the notification rounds: the paid order is still paid, once, with no refund.
//   node bench/payment/payment.mjs e2e --state FILE --orders K [--concurrency C] [--poll-ms MS] [--round R]
//        Creates K orders of the second shopper with started payments, then pays them all through
//        POST /emulator/pay (C calls in flight) while polling GET /api/order?status=2&page_size=1
//        every MS ms (from a worker thread); prints one line of JSON: the time from the first pay
//        call to all K paid, orders/s, the pay calls' own duration and an estimate of the payment
//        latency distribution (see estimateLatency); then (untimed) checks that every order is
//        paid without a refund and counts the emulator's delivery attempts. Exits 1 on a problem.
//
// Environment: GOMALL_BENCH_URL (required), GOMALL_BENCH_ADMIN_PASSWORD (setup),
// GOMALL_BENCH_ADMIN_USER (default admin), GOMALL_BENCH_KEY_DIR (the server's
// wechatpay.dev_key_dir; notify).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const base = (process.env.GOMALL_BENCH_URL || '').replace(/\/+$/, '');
const adminUser = process.env.GOMALL_BENCH_ADMIN_USER || 'admin';
const adminPassword = process.env.GOMALL_BENCH_ADMIN_PASSWORD || '';
const keyDir = process.env.GOMALL_BENCH_KEY_DIR || '';

// src/app/payment_backend.cpp: the emulator's demo ids when wechatpay.app_id/mch_id are empty.
const APP_ID = 'wx8888888888888888';
const MCH_ID = '1900000109';

function fail(message) {
    process.stderr.write(`payment-bench: ${message}\n`);
    process.exit(1);
}

function options(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith('--')) fail(`unexpected argument ${a}`);
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) {
            out[a.slice(2)] = true;
        } else {
            out[a.slice(2)] = next;
            i++;
        }
    }
    return out;
}

function positive(opts, name, fallback) {
    const raw = opts[name] ?? fallback;
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
    return n;
}

function required(opts, name) {
    if (typeof opts[name] !== 'string' || !opts[name]) fail(`--${name} is required`);
    return opts[name];
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// node:http with a keep-alive agent rather than fetch(): on a busy 2-core machine fetch costs
// about a millisecond of client time per call, which would show up in the end-to-end figures.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/// One HTTP call; returns {status, body, text} (body null when not JSON).
function call(method, url, { token, json, headers = {}, raw } = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    let body;
    if (raw !== undefined) {
        body = Buffer.from(raw, 'utf8');
    } else if (json !== undefined) {
        h['Content-Type'] = 'application/json';
        body = Buffer.from(JSON.stringify(json), 'utf8');
    }
    if (body) h['Content-Length'] = String(body.length);
    const target = new URL(url.startsWith('http') ? url : base + url);
    return new Promise((resolve, reject) => {
        const req = http.request(target, { method, headers: h, agent, timeout: 30000 }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                let parsed = null;
                try { parsed = JSON.parse(text); } catch { parsed = null; }
                resolve({ status: res.statusCode, body: parsed, text });
            });
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${target.pathname}: no answer in 30 s`)));
        req.on('error', reject);
        req.end(body);
    });
}

/// The envelope's data of a shop API call, or exit with what the server said.
async function data(method, urlPath, opts, what, okStatus = [200, 201]) {
    const r = await call(method, urlPath, opts);
    if (!okStatus.includes(r.status) || !r.body || r.body.code !== 0) {
        fail(`${what}: ${method} ${urlPath} answered HTTP ${r.status}: ${r.text.slice(0, 400)}`);
    }
    return r.body.data;
}

/// Runs fn over items with at most `limit` calls in flight; results in item order.
async function pool(items, limit, fn) {
    const out = new Array(items.length);
    let next = 0;
    async function worker() {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    }
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return out;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n) {
    const bytes = crypto.randomBytes(n);
    let s = '';
    for (const b of bytes) s += ALNUM[b % ALNUM.length];
    return s;
}

async function register(prefix) {
    const username = `${prefix}${randomAlnum(8).toLowerCase()}`;
    const d = await data('POST', '/api/user/register', {
        json: { username, password: `Pw-${randomAlnum(12)}`, email: `${username}@example.com` },
    }, `register ${username}`);
    return { username, token: d.token, id: d.user.id };
}

async function placeOrder(token, productId) {
    const order = await data('POST', '/api/order', { token, json: { product_id: productId, quantity: 1 } }, 'create order');
    const pay = await data('POST', '/api/pay/wechat/unified-order', { token, json: { order_no: order.order_no } },
        `unified-order ${order.order_no}`);
    if (!pay.scan_url) fail(`unified-order answered no scan_url: the server does not run the emulator (${JSON.stringify(pay)})`);
    if (pay.provider !== 'wechat_v3') fail(`the server pays with ${pay.provider}, the benchmark needs wechat_v3`);
    return { order_no: order.order_no, out_trade_no: pay.out_trade_no, total_fee: pay.total_fee, scan_url: pay.scan_url };
}

const paymentView = (token, no) => data('GET', `/api/order/${no}/payment`, { token }, `payment view of ${no}`);

function luaString(s) {
    if (s.includes(']==]')) fail('cannot quote this text as a Lua long string');
    return `[==[${s}]==]`;
}

function writeLua(file, lines) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

// ------------------------------------------------------------------------------------- setup

async function setup(opts) {
    const stateFile = required(opts, 'state');
    const pollLua = required(opts, 'poll-lua');
    const stock = positive(opts, 'stock', 1000);
    if (!adminPassword) fail('GOMALL_BENCH_ADMIN_PASSWORD is not set');

    const admin = await data('POST', '/api/user/login', { json: { username: adminUser, password: adminPassword } }, 'admin login');
    const product = await data('POST', '/api/product', {
        token: admin.token,
        json: { name: `Payment bench ${randomAlnum(6)}`, price: 12.34, stock },
    }, 'create product');

    const shopper = await register('paybench');
    const e2eShopper = await register('paye2e');

    const poll = await placeOrder(shopper.token, product.id);
    const pollView = await paymentView(shopper.token, poll.order_no);
    if (pollView.order_status !== 1 || pollView.trade_state !== 'NOTPAY') {
        fail(`the poll order should await payment with trade NOTPAY: ${JSON.stringify(pollView)}`);
    }

    const paid = await placeOrder(shopper.token, product.id);
    const emulatorBase = new URL(paid.scan_url).origin;
    const payRes = await call('POST', `${emulatorBase}/emulator/pay`, { json: { out_trade_no: paid.out_trade_no } });
    if (payRes.status !== 200 || !payRes.body?.transaction) fail(`POST /emulator/pay answered ${payRes.status}: ${payRes.text}`);
    const deadline = Date.now() + 15000;
    let view;
    for (;;) {
        view = await paymentView(shopper.token, paid.order_no);
        if (view.order_status === 2) break;
        if (Date.now() > deadline) fail(`the emulator's notification did not mark ${paid.order_no} paid in 15 s: ${JSON.stringify(view)}`);
        await sleep(50);
    }

    const state = {
        url: base,
        emulator: emulatorBase,
        product_id: product.id,
        shopper,
        e2e_shopper: e2eShopper,
        poll_order: poll.order_no,
        paid_order: paid.order_no,
        paid_out_trade_no: paid.out_trade_no,
        transaction: payRes.body.transaction,
        e2e_rounds: 0,
    };
    fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
    writeLua(pollLua, [
        '-- wrk script (generated by bench/payment/payment.mjs): the payment page\'s 2-second poll,',
        '-- GET /api/order/<order_no>/payment of an order with a started, unpaid payment, as its shopper.',
        'wrk.method = "GET"',
        `wrk.path = ${luaString(`/api/order/${poll.order_no}/payment`)}`,
        'wrk.headers["Accept"] = "application/json"',
        `wrk.headers["Authorization"] = ${luaString(`Bearer ${shopper.token}`)}`,
    ]);
    process.stdout.write(`${JSON.stringify({ product: product.id, poll_order: poll.order_no, paid_order: paid.order_no, emulator: emulatorBase })}\n`);
}

// ------------------------------------------------------------------------------------ notify

function readKeys() {
    if (!keyDir) fail('GOMALL_BENCH_KEY_DIR is not set');
    const read = (f) => {
        try { return fs.readFileSync(path.join(keyDir, f), 'utf8'); } catch (e) { return fail(`cannot read ${path.join(keyDir, f)}: ${e.message}`); }
    };
    const platformPrivate = read('platform_key.pem');
    const platformPublic = read('platform_public.pem');
    const apiV3Key = read('apiv3.key').replace(/\n$/, '');
    if (!/^[A-Za-z0-9]{32}$/.test(apiV3Key)) fail('apiv3.key does not hold a 32-character key');
    // src/adapters/wechatpay/dev_keys.cpp: the serial is sha256 of the SubjectPublicKeyInfo DER,
    // first 40 hex digits, upper case.
    const der = crypto.createPublicKey(platformPublic).export({ type: 'spki', format: 'der' });
    const serial = crypto.createHash('sha256').update(der).digest('hex').slice(0, 40).toUpperCase();
    return { platformPrivate, apiV3Key, serial };
}

/// "2026-12-05T20:59:09+08:00": WeChat's RFC 3339 in China time.
function chinaTime(ms = Date.now()) {
    return `${new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`;
}

/// A TRANSACTION.SUCCESS notification as the emulator (src/emulator/notifications.cpp) sends it:
/// the transaction AES-256-GCM encrypted with the APIv3 key (associated data "transaction",
/// a 12-character nonce, ciphertext||tag in base64), the envelope signed with the platform key
/// over "timestamp\nnonce\nbody\n" (RSA PKCS#1 v1.5, SHA-256).
function signedNotification(keys, transaction) {
    const plaintext = JSON.stringify(transaction);
    const resourceNonce = randomAlnum(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(keys.apiV3Key, 'utf8'), Buffer.from(resourceNonce, 'utf8'));
    cipher.setAAD(Buffer.from('transaction', 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const body = JSON.stringify({
        id: crypto.randomUUID(),
        create_time: chinaTime(),
        resource_type: 'encrypt-resource',
        event_type: 'TRANSACTION.SUCCESS',
        summary: '支付成功',
        resource: {
            original_type: 'transaction',
            algorithm: 'AEAD_AES_256_GCM',
            ciphertext,
            associated_data: 'transaction',
            nonce: resourceNonce,
        },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomAlnum(32);
    const signature = crypto.createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(keys.platformPrivate, 'base64');
    return {
        body,
        headers: {
            'Content-Type': 'application/json',
            'Wechatpay-Serial': keys.serial,
            'Wechatpay-Timestamp': timestamp,
            'Wechatpay-Nonce': nonce,
            'Wechatpay-Signature': signature,
        },
    };
}

/// The paid order is paid exactly once: status 2, trade SUCCESS, no refund, one first SUCCESS record.
async function checkPaidOnce(state) {
    const view = await paymentView(state.shopper.token, state.paid_order);
    const problems = [];
    if (view.order_status !== 2) problems.push(`order_status ${view.order_status}`);
    if (view.trade_state !== 'SUCCESS') problems.push(`trade_state ${view.trade_state}`);
    if (view.refunds.length !== 0) problems.push(`${view.refunds.length} refund(s): ${JSON.stringify(view.refunds)}`);
    if (view.refunded_fee !== 0) problems.push(`refunded_fee ${view.refunded_fee}`);
    if (view.paid_fee !== state.transaction.amount.total) problems.push(`paid_fee ${view.paid_fee}`);
    return { view, problems };
}

async function notify(opts) {
    const state = JSON.parse(fs.readFileSync(required(opts, 'state'), 'utf8'));
    const luaFile = required(opts, 'lua');
    const keys = readKeys();
    const tx = state.transaction;
    if (tx.appid !== APP_ID || tx.mchid !== MCH_ID) {
        fail(`the emulator's transaction names app id ${tx.appid} / merchant ${tx.mchid}, not the defaults ${APP_ID} / ${MCH_ID}`);
    }
    if (opts.check) {
        const probe = signedNotification(keys, tx);
        const r = await call('POST', '/api/pay/wechat/notify', { headers: probe.headers, raw: probe.body });
        if (r.status !== 200 || r.body?.code !== 'SUCCESS') {
            fail(`a signed duplicate notification of ${state.paid_order} answered HTTP ${r.status}: ${r.text.slice(0, 300)}`);
        }
        const { view, problems } = await checkPaidOnce(state);
        if (problems.length) fail(`after a duplicate notification the order ${state.paid_order} is wrong: ${problems.join('; ')}`);
        // A repeat of a settled notification writes nothing: still exactly one notification record.
        if (view.records.filter((rec) => rec.kind === 'notification').length !== 1) {
            fail(`the duplicate notification changed the records: ${JSON.stringify(view.records.slice(0, 5))}`);
        }
    }
    const n = signedNotification(keys, tx);
    const lines = [
        '-- wrk script (generated by bench/payment/payment.mjs): a signed, encrypted WeChat Pay APIv3',
        `-- TRANSACTION.SUCCESS notification of the paid order ${state.paid_order}, timestamp ${n.headers['Wechatpay-Timestamp']}`,
        '-- (valid for 5 minutes): the duplicate delivery WeChat\'s retries make.',
        'wrk.method = "POST"',
        'wrk.path = "/api/pay/wechat/notify"',
        `wrk.body = ${luaString(n.body)}`,
    ];
    for (const [k, v] of Object.entries(n.headers)) lines.push(`wrk.headers["${k}"] = ${luaString(v)}`);
    writeLua(luaFile, lines);
}

async function verify(opts) {
    const state = JSON.parse(fs.readFileSync(required(opts, 'state'), 'utf8'));
    const { view, problems } = await checkPaidOnce(state);
    const firsts = view.records.filter((r) => r.kind === 'notification' && r.status === 'SUCCESS').length;
    // records_of shows the newest records only (settings records_shown); the first SUCCESS may be
    // beyond them after many duplicates, so only more than one counts as a problem.
    if (firsts > 1) problems.push(`${firsts} first-time SUCCESS records`);
    const pollView = await paymentView(state.shopper.token, state.poll_order);
    if (pollView.order_status !== 1 || pollView.trade_state !== 'NOTPAY') {
        problems.push(`the poll order changed: status ${pollView.order_status}, trade ${pollView.trade_state}`);
    }
    process.stdout.write(`${JSON.stringify({ ok: problems.length === 0, problems, records_shown: view.records.length })}\n`);
    if (problems.length) process.exit(1);
}

// --------------------------------------------------------------------------------------- e2e

function percentile(sorted, p) {
    if (!sorted.length) return null;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}

/// The payment latency of each order (pay call sent -> order reads paid), estimated without
/// per-order timestamps (the server keeps seconds only): the paid count is polled, and the i-th
/// order seen paid is matched with the i-th pay call sent (first in, first out, which the
/// emulator's single delivery thread nearly is: its queue is ordered by due time). So
/// latency_i = (time the poll first saw >= i orders paid) - (time the i-th /emulator/pay call was
/// sent). It includes the pay call itself, the notification's queueing and delivery, and the
/// shop's handling; its resolution is one poll interval (reported as poll_interval_ms).
function estimateLatency(sentTimes, samples, k) {
    const sent = [...sentTimes].sort((a, b) => a - b);
    const seen = new Array(k).fill(null);
    let filled = 0;
    for (const { t, count } of samples) {
        while (filled < Math.min(count, k)) seen[filled++] = t;
    }
    const lat = [];
    for (let i = 0; i < k; i++) if (seen[i] !== null) lat.push(Math.max(0, seen[i] - sent[i]));
    lat.sort((a, b) => a - b);
    return lat;
}

/// The shopper's orders in status 2 (paid), from the total of a one-item page of the order list.
const paidCount = async (token) => (await data('GET', '/api/order?status=2&page=1&page_size=1', { token }, 'paid order count')).total;

/// The worker thread of e2e: polls the paid count from t0 (sent by the main thread) until it
/// reaches k or timeoutMs passed; answers {done, samples: [{t, count}], polls, allPaidMs, error}.
async function pollerThread({ token, before, k, pollMs, timeoutMs }) {
    const now = () => performance.timeOrigin + performance.now();
    const t0 = await new Promise((resolve) => {
        parentPort.once('message', (m) => resolve(m.t0));
        parentPort.postMessage({ ready: true });
    });
    const samples = [];
    let polls = 0;
    try {
        for (;;) {
            const total = (await paidCount(token)) - before;
            polls++;
            const t = now() - t0;
            if (!samples.length || samples[samples.length - 1].count !== total) samples.push({ t, count: total });
            if (total >= k) return parentPort.postMessage({ done: true, samples, polls, allPaidMs: t });
            if (t > timeoutMs) return parentPort.postMessage({ done: true, samples, polls, allPaidMs: null });
            await sleep(pollMs);
        }
    } catch (e) {
        return parentPort.postMessage({ done: true, samples, polls, allPaidMs: null, error: e.message });
    }
}

async function e2e(opts) {
    const stateFile = required(opts, 'state');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    const k = positive(opts, 'orders', 300);
    const concurrency = positive(opts, 'concurrency', 16);
    const pollMs = positive(opts, 'poll-ms', 10);
    const token = state.e2e_shopper.token;

    // The shopper's paid orders before this round (earlier rounds').
    const before = await paidCount(token);
    if (typeof before !== 'number') fail('GET /api/order answered no total');

    const t0setup = performance.now();
    const orders = await pool(Array.from({ length: k }, (_, i) => i), concurrency, () => placeOrder(token, state.product_id));
    const setupMs = performance.now() - t0setup;

    const emulatorBase = new URL(orders[0].scan_url).origin;
    const timeoutMs = Math.max(60000, k * 200);
    // The poller runs on a worker thread of its own, so that the pay calls' responses do not
    // delay its polls in this thread's event loop. Both threads use epoch milliseconds
    // (performance.timeOrigin + performance.now()).
    const now = () => performance.timeOrigin + performance.now();
    const worker = new Worker(new URL(import.meta.url), {
        workerData: { role: 'poller', base, token, before, k, pollMs, timeoutMs },
    });
    const workerReady = new Promise((resolve) => worker.once('message', resolve));
    const pollerDone = new Promise((resolve, reject) => {
        worker.on('message', (m) => { if (m.done) resolve(m); });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the poller thread exited (${code})`)));
    });
    await workerReady;
    const t0 = now();
    worker.postMessage({ t0 });
    const payFailures = [];
    const calls = await pool(orders, concurrency, async (o) => {
        const sent = now() - t0;
        const r = await call('POST', `${emulatorBase}/emulator/pay`, { json: { out_trade_no: o.out_trade_no } });
        if (r.status !== 200) payFailures.push(`${o.out_trade_no}: ${r.status} ${r.text.slice(0, 200)}`);
        return { sent, answered: now() - t0 };
    });
    const payMs = Math.max(...calls.map((c) => c.answered));
    let polled;
    try {
        polled = await pollerDone;
    } catch (e) {
        fail(`the paid-count poller failed: ${e.message}`);
    }
    await worker.terminate();
    if (polled.error) fail(`polling the paid count failed: ${polled.error}`);
    const { samples, polls } = polled;
    const allPaidMs = polled.allPaidMs;
    if (payFailures.length) fail(`${payFailures.length} POST /emulator/pay call(s) failed, e.g. ${payFailures[0]}`);

    const lat = estimateLatency(calls.map((c) => c.sent), samples, k);
    const result = {
        round: opts.round ? Number(opts.round) : null,
        orders: k,
        concurrency,
        setup_ms: Math.round(setupMs),
        setup_orders_per_s: k / (setupMs / 1000),
        pay_calls_ms: Math.round(payMs),
        all_paid_ms: allPaidMs === null ? null : Math.round(allPaidMs),
        orders_per_s: allPaidMs === null ? null : k / (allPaidMs / 1000),
        paid_seen: samples.length ? samples[samples.length - 1].count : 0,
        polls,
        poll_interval_ms: polls > 1 && allPaidMs ? Math.round(allPaidMs / polls) : null,
        latency_ms: lat.length ? {
            p50: Math.round(percentile(lat, 50)), p90: Math.round(percentile(lat, 90)),
            p99: Math.round(percentile(lat, 99)), max: Math.round(lat[lat.length - 1]),
        } : null,
    };

    // Afterwards (untimed): every order paid once, and how many deliveries each trade took.
    const problems = [];
    if (allPaidMs === null) problems.push(`only ${result.paid_seen} of ${k} orders paid within ${timeoutMs} ms`);
    const checks = await pool(orders, 8, async (o) => {
        const view = await paymentView(token, o.order_no);
        const tx = await call('GET', `${emulatorBase}/emulator/transactions/${o.out_trade_no}`);
        const deliveries = tx.body?.deliveries || [];
        return { o, view, deliveries };
    });
    let retried = 0;
    let undelivered = 0;
    let extraAttempts = 0;
    const statuses = {};
    for (const { o, view, deliveries } of checks) {
        if (view.order_status !== 2 || view.trade_state !== 'SUCCESS' || view.refunds.length) {
            problems.push(`${o.order_no}: status ${view.order_status}, trade ${view.trade_state}, ${view.refunds.length} refund(s)`);
        }
        const pays = deliveries.filter((d) => d.event === 'TRANSACTION.SUCCESS');
        if (!pays.some((d) => d.delivered)) undelivered++;
        if (pays.length > 1) { retried++; extraAttempts += pays.length - 1; }
        for (const d of pays) statuses[d.status] = (statuses[d.status] || 0) + 1;
    }
    const health = await call('GET', `${emulatorBase}/emulator/health`);
    result.deliveries = {
        retried_trades: retried, extra_attempts: extraAttempts, undelivered, by_status: statuses,
        pending_after: health.body?.pending_notifications ?? null,
    };
    result.problems = problems.slice(0, 5);
    result.problem_count = problems.length;
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (problems.length) process.exit(1);
}

// -------------------------------------------------------------------------------------- main

if (!base) fail('GOMALL_BENCH_URL is not set');
if (!isMainThread) {
    await pollerThread(workerData);
    process.exit(0);
}
const [command, ...rest] = process.argv.slice(2);
const opts = options(rest);
const commands = { setup, notify, verify, e2e };
if (!commands[command]) fail(`unknown command '${command ?? ''}' (setup, notify, verify, e2e)`);
commands[command](opts).catch((e) => fail(`${command}: ${e.stack || e.message}`));
