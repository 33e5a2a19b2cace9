// The payment gateway's circuit breaker, against a WeChat Pay emulator running as a process of its
// own that the test freezes, kills and starts again:
//   - frozen (SIGSTOP): the first calls wait for the HTTP timeout and fail; then the breaker opens
//     and starting a payment answers 503 40001 with Retry-After at once, without using up one of
//     the order's payment attempts;
//   - /ready stays 200 (the outage is shared by every instance) and lists the breaker as open;
//     /metrics has its state and transitions;
//   - killed and started again on the same port: after breakers.open_seconds one trial call goes
//     through and the breaker closes by itself; the order pays with its first attempt.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
    test, startServer, assert, sleep, expectOk, expectError, freePort, EXTERNAL, EXTERNAL_SKIP, REPO_ROOT,
} from './harness.mjs';

const APP_ID = 'wx8888888888888888';
const MCH_ID = '1900000109';
const TIMEOUT_MS = 1500;    // wechatpay.timeout_ms: what each call waits for a frozen provider
const OPEN_SECONDS = 2;     // breakers.open_seconds
const THRESHOLD = 2;        // breakers.failure_threshold
const FAST_MS = 400;        // an open breaker's answer, with slack for a busy two-core machine

function binary() {
    return process.env.GOMALL_BIN ? path.resolve(REPO_ROOT, process.env.GOMALL_BIN) : path.join(REPO_ROOT, 'build', 'debug', 'bin', 'gomall');
}

function serialOf(pemPath) {
    const der = crypto.createPublicKey(fs.readFileSync(pemPath)).export({ type: 'spki', format: 'der' });
    return crypto.createHash('sha256').update(der).digest('hex').slice(0, 40).toUpperCase();
}

function portAnswers(port) {
    return new Promise((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
        socket.on('error', () => resolve(false));
    });
}

/// `gomall wechatpay-emulator PORT` with the dev keys of `keyDir`; resolves once it accepts connections.
async function startEmulator(port, keyDir, logPath) {
    const log = fs.openSync(logPath, 'a');
    const env = {
        ...process.env,
        GOMALL_WECHATPAY_DEV_KEY_DIR: keyDir,
        GOMALL_WECHATPAY_APP_ID: APP_ID,
        GOMALL_WECHATPAY_MCH_ID: MCH_ID,
    };
    const child = spawn(binary(), ['wechatpay-emulator', String(port), '--env', 'test'], { cwd: REPO_ROOT, env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) break;
        if (await portAnswers(port)) return { child, exited };
        await sleep(100);
    }
    child.kill('SIGKILL');
    throw new Error(`the emulator did not start on port ${port}: ${fs.readFileSync(logPath, 'utf8').slice(-2000)}`);
}

async function killEmulator(emu) {
    if (emu.child.exitCode === null && emu.child.signalCode === null) emu.child.kill('SIGKILL');
    await emu.exited;
}

/// The value of one sample of the scrape, or undefined.
async function sample(server, name, labels) {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`)) continue;
        const inside = line.slice(name.length + 1, line.indexOf('}'));
        const have = inside.split(',');
        if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return undefined;
}

async function ready(server) {
    const res = await server.api('GET', '/ready', { checkEnvelope: true });
    return res;
}

test('payment breaker: a frozen provider opens it, shoppers get a fast 503 with Retry-After, it closes by itself when the provider is back', { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 90000 }, async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gomall-api-breaker-pay-'));
    const keyDir = path.join(dir, 'wechatpay');
    const port = await freePort();
    let emu = await startEmulator(port, keyDir, path.join(dir, 'emulator.log'));
    let server;
    try {
        server = await startServer({
            label: 'breaker-payment',
            env: {
                GOMALL_WECHATPAY_EMULATOR: 'false',
                GOMALL_WECHATPAY_PROTOCOL: 'v3',
                GOMALL_WECHATPAY_BASE_URL: `http://127.0.0.1:${port}`,
                GOMALL_WECHATPAY_APP_ID: APP_ID,
                GOMALL_WECHATPAY_MCH_ID: MCH_ID,
                GOMALL_WECHATPAY_NOTIFY_URL: 'http://127.0.0.1:9/api/pay/wechat/notify',
                GOMALL_WECHATPAY_MERCHANT_SERIAL_NO: serialOf(path.join(keyDir, 'merchant_public.pem')),
                GOMALL_WECHATPAY_MERCHANT_PRIVATE_KEY_PATH: path.join(keyDir, 'merchant_key.pem'),
                GOMALL_WECHATPAY_PLATFORM_SERIAL_NO: serialOf(path.join(keyDir, 'platform_public.pem')),
                GOMALL_WECHATPAY_PLATFORM_PUBLIC_KEY_PATH: path.join(keyDir, 'platform_public.pem'),
                GOMALL_WECHATPAY_API_V3_KEY: fs.readFileSync(path.join(keyDir, 'apiv3.key'), 'utf8').trim(),
                GOMALL_WECHATPAY_TIMEOUT_MS: String(TIMEOUT_MS),
                GOMALL_WECHATPAY_CONNECT_TIMEOUT_MS: '500',
                GOMALL_BREAKERS_ENABLED: 'true',
                GOMALL_BREAKERS_FAILURE_THRESHOLD: String(THRESHOLD),
                GOMALL_BREAKERS_OPEN_SECONDS: String(OPEN_SECONDS),
                GOMALL_BREAKERS_HALF_OPEN_PROBES: '1',
            },
        });
        const u = await server.register('brk');
        const p = await server.createProduct({ stock: 50, price: 3 });
        const order = async () => {
            const placed = await server.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
            expectOk(placed, 201);
            return placed.body.data.order_no;
        };
        const pay = async (no) => {
            const t0 = Date.now();
            const res = await server.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no: no } });
            return { res, ms: Date.now() - t0 };
        };

        // healthy: a payment starts, the breaker is closed
        const first = await pay(await order());
        expectOk(first.res);
        let r = await ready(server);
        expectOk(r);
        assert.deepEqual(r.body.data.breakers, { payment: 'closed' });
        assert.equal(await sample(server, 'gomall_circuit_breaker_state', { breaker: 'payment' }), 0);

        // frozen: each call waits for the timeout, until the breaker opens
        emu.child.kill('SIGSTOP');
        for (let i = 0; i < THRESHOLD; i += 1) {
            const slow = await pay(await order());
            expectError(slow.res, 503, 40001);
            t.diagnostic(`call ${i + 1} to the frozen provider: ${slow.ms} ms`);
            assert.ok(slow.ms >= TIMEOUT_MS - 200, `a call to a frozen provider answered in ${slow.ms} ms: did it reach it?`);
        }

        // open: at once, with Retry-After, and no attempt used up
        const waiting = await order();
        const times = [];
        for (let i = 0; i < 5; i += 1) {
            const fast = await pay(waiting);
            expectError(fast.res, 503, 40001);
            const retry = Number(fast.res.headers['retry-after']);
            assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= OPEN_SECONDS, `Retry-After: ${fast.res.headers['retry-after']}`);
            times.push(fast.ms);
        }
        t.diagnostic(`open breaker answers: ${times.join(', ')} ms (provider timeout ${TIMEOUT_MS} ms)`);
        assert.ok(Math.max(...times) < FAST_MS, `an open breaker took ${Math.max(...times)} ms`);
        r = await ready(server);
        expectOk(r);  // not a reason to take the instance out of the load balancer
        assert.equal(r.body.data.breakers.payment, 'open');
        assert.equal(r.body.data.database, 'ok');
        assert.equal(await sample(server, 'gomall_circuit_breaker_state', { breaker: 'payment' }), 2);
        assert.equal(await sample(server, 'gomall_circuit_breaker_transitions_total', { breaker: 'payment', to: 'open' }), 1);
        assert.ok(await sample(server, 'gomall_circuit_breaker_rejected_total', { breaker: 'payment' }) >= 1);
        // the rest of the shop is untouched
        expectOk(await server.api('GET', `/api/product/${p.id}`));

        // the provider comes back (a new process on the same port); the breaker closes by itself
        await killEmulator(emu);
        emu = await startEmulator(port, keyDir, path.join(dir, 'emulator.log'));
        await sleep(OPEN_SECONDS * 1000 + 100);
        r = await ready(server);
        assert.equal(r.body.data.breakers.payment, 'half_open');
        assert.equal(await sample(server, 'gomall_circuit_breaker_state', { breaker: 'payment' }), 1);
        const back = await pay(waiting);
        expectOk(back.res);
        assert.equal(back.res.body.data.out_trade_no, `${waiting}-1`, 'refused calls used up payment attempts');
        r = await ready(server);
        expectOk(r);
        assert.equal(r.body.data.breakers.payment, 'closed');
        assert.equal(await sample(server, 'gomall_circuit_breaker_state', { breaker: 'payment' }), 0);
        assert.equal(await sample(server, 'gomall_circuit_breaker_transitions_total', { breaker: 'payment', to: 'closed' }), 1);
        expectOk((await pay(await order())).res);
    } finally {
        if (server) await server.dispose();
        await killEmulator(emu);
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('breakers off: no breakers in /ready and the provider is always asked', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const server = await startServer({ label: 'breaker-off', env: { GOMALL_BREAKERS_ENABLED: 'false' } });
    try {
        const r = await ready(server);
        expectOk(r);
        assert.equal(r.body.data.breakers, undefined);
        assert.equal(await sample(server, 'gomall_circuit_breaker_state', { breaker: 'payment' }), undefined);
    } finally {
        await server.dispose();
    }
});

test('a bad breakers setting stops the server with a message naming the key', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    for (const [key, value] of [
        ['GOMALL_BREAKERS_FAILURE_THRESHOLD', '0'], ['GOMALL_BREAKERS_OPEN_SECONDS', '-1'],
        ['GOMALL_BREAKERS_HALF_OPEN_PROBES', 'many'], ['GOMALL_BREAKERS_ENABLED', 'perhaps'],
        ['GOMALL_BREAKERS_OPEN_SECONDS', '9'.repeat(40)], ['GOMALL_RABBITMQ_CONNECT_TIMEOUT_MS', '5'],
    ]) {
        const out = await new Promise((resolve) => {
            // migrate loads the config first; were the value accepted, it would only migrate a scratch file
            const env = { ...process.env, GOMALL_DATABASE_SQLITE_PATH: path.join(os.tmpdir(), `gomall-breaker-cfg-${process.pid}.db`), [key]: value };
            const child = spawn(binary(), ['migrate', '--env', 'test'], { cwd: REPO_ROOT, env });
            let text = '';
            child.stderr.on('data', (d) => { text += d; });
            child.stdout.on('data', (d) => { text += d; });
            child.on('exit', (code) => resolve({ code, text }));
        });
        const section = key.replace('GOMALL_', '').toLowerCase().replace('_', '.');
        assert.notEqual(out.code, 0, `${key}=${value.slice(0, 20)} was accepted`);
        assert.match(out.text, new RegExp(section.replace('.', '\\.')), `${key}: ${out.text}`);
    }
});
