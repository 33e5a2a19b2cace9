#!/usr/bin/env node
// The admin side of the flash-sale benchmark (bench/run-seckill-bench): create the activity, watch
// it sell out, check the invariants afterwards. Talks to the public HTTP API only, so it works
// against any mode (embedded SQLite, full stack, services behind the gateway).
//
//   node bench/seckill/admin.mjs init  --product P --stock S [--per-user-limit 1] [--start-delay SEC]
//        Ends every activity of product P that has not ended (an earlier round's, or a running one),
//        creates a new one and prints its id. With --start-delay the activity starts SEC seconds
//        after the server's clock says now, and the command returns when it has started.
//   node bench/seckill/admin.mjs end   --activity A
//   node bench/seckill/admin.mjs watch --activity A --out FILE [--ready FILE] [--timeout SEC] [--interval MS]
//        Polls the activity until sold == total_stock; writes "<epoch ms when seen> <polls>" to FILE
//        (or "-1 <polls>" on timeout). Run it in the background while the crowd buys; it creates the
//        --ready file after its first poll, so the crowd can wait until the watcher is watching.
//   node bench/seckill/admin.mjs check --activity A --tokens FILE [--sample N] [--accepted K]
//        Prints "check <name> pass|fail <detail>" lines; exits 1 when any check failed.
//
// Environment: GOMALL_BENCH_URL (required), GOMALL_BENCH_ADMIN_PASSWORD (required for init, end,
// check), GOMALL_BENCH_ADMIN_USER (default admin).

const base = (process.env.GOMALL_BENCH_URL || '').replace(/\/+$/, '');
const adminUser = process.env.GOMALL_BENCH_ADMIN_USER || 'admin';
const adminPassword = process.env.GOMALL_BENCH_ADMIN_PASSWORD || '';

function fail(message) {
    process.stderr.write(`seckill-admin: ${message}\n`);
    process.exit(2);
}

function options(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith('--')) fail(`unexpected argument ${a}`);
        const value = argv[i + 1];
        if (value === undefined) fail(`${a} needs a value`);
        out[a.slice(2)] = value;
        i++;
    }
    return out;
}

function positive(opts, name, fallback) {
    const raw = opts[name] ?? fallback;
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
    return n;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// One API call; returns {status, body} with the parsed envelope (body null when not JSON).
async function call(method, path, { token, json } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (json !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + path, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: AbortSignal.timeout(30000),
    });
    const text = await res.text();
    let body = null;
    try {
        body = JSON.parse(text);
    } catch {
        body = null;
    }
    return { status: res.status, body, text };
}

/// The call's data, or exit with what the server said.
async function expectData(method, path, opts, what) {
    const r = await call(method, path, opts);
    if (r.status < 200 || r.status >= 300 || !r.body || r.body.code !== 0) {
        fail(`${what}: ${method} ${path} answered HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    }
    return r.body.data;
}

async function login() {
    if (!adminPassword) fail('set GOMALL_BENCH_ADMIN_PASSWORD');
    const data = await expectData('POST', '/api/user/login',
        { json: { username: adminUser, password: adminPassword } }, `admin login as ${adminUser}`);
    if (data.user && data.user.role !== 2) fail(`${adminUser} is not an admin (role ${data.user.role})`);
    return data.token;
}

async function activity(id) {
    return expectData('GET', `/api/seckill/activities/${id}`, {}, `activity ${id}`);
}

async function init(opts) {
    const product = positive(opts, 'product');
    const stock = positive(opts, 'stock');
    const limit = positive(opts, 'per-user-limit', 1);
    const delay = positive(opts, 'start-delay', 0);
    const token = await login();
    const listing = await expectData('GET', '/api/seckill/activities?include_ended=false', {}, 'activity list');
    for (const a of listing.list || []) {
        if (a.product_id === product && a.state !== 'ended') {
            await expectData('POST', `/api/seckill/activities/${a.id}/end`, { token }, `ending activity ${a.id}`);
            process.stderr.write(`seckill-admin: ended activity ${a.id} (${a.state}) of product ${product}\n`);
        }
    }
    const body = { product_id: product, stock, per_user_limit: limit };
    let startServerMs = null;
    let localAtStart = null;
    if (delay > 0) {
        // Times come from the server's clock; the local wait is corrected by the measured offset.
        const t0 = Date.now();
        const now = await expectData('GET', '/api/seckill/activities', {}, 'server time');
        const t1 = Date.now();
        const serverMs = Number(now.server_time_ms);
        if (!Number.isFinite(serverMs)) fail('the activity list has no server_time_ms');
        startServerMs = Math.ceil((serverMs + delay * 1000) / 1000) * 1000; // whole seconds: ISO without fraction
        localAtStart = startServerMs - serverMs + (t0 + t1) / 2;
        body.start_time = new Date(startServerMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    const created = await expectData('POST', '/api/seckill/init', { token, json: body }, 'creating the activity');
    if (!(created.id > 0)) fail(`POST /api/seckill/init returned no id: ${JSON.stringify(created)}`);
    if (created.total_stock !== stock) fail(`activity ${created.id} has total_stock ${created.total_stock}, asked for ${stock}`);
    if (localAtStart !== null) {
        const wait = localAtStart - Date.now();
        if (wait > 0) await sleep(wait + 50);
        for (let i = 0; i < 100; i++) {
            const a = await activity(created.id);
            if (a.state === 'active') break;
            await sleep(20);
        }
    }
    process.stdout.write(`${created.id}\n`);
}

async function end(opts) {
    const id = positive(opts, 'activity');
    const token = await login();
    const r = await call('POST', `/api/seckill/activities/${id}/end`, { token });
    if (r.status === 409 && r.body?.code === 60004) return; // already ended
    if (r.status !== 200) fail(`ending activity ${id}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
}

async function watch(opts) {
    const id = positive(opts, 'activity');
    const out = opts.out || fail('--out FILE is required');
    const timeoutMs = positive(opts, 'timeout', 120) * 1000;
    const interval = positive(opts, 'interval', 20);
    const { writeFileSync } = await import('node:fs');
    const deadline = Date.now() + timeoutMs;
    let polls = 0;
    while (Date.now() < deadline) {
        if (polls === 1 && opts.ready) writeFileSync(opts.ready, `${Date.now()}\n`);
        polls++;
        try {
            const r = await call('GET', `/api/seckill/activities/${id}`);
            const a = r.body?.data;
            if (r.status === 200 && a && a.total_stock > 0 && a.sold >= a.total_stock) {
                writeFileSync(out, `${Date.now()} ${polls}\n`);
                return;
            }
        } catch {
            // the crowd may starve a poll; try again
        }
        await sleep(interval);
    }
    writeFileSync(out, `-1 ${polls}\n`);
}

/// Every order of the shop (admin listing), page by page.
async function allOrders(token) {
    const orders = [];
    for (let page = 1; ; page++) {
        const data = await expectData('GET', `/api/admin/order?page=${page}&page_size=100`, { token }, 'admin order list');
        orders.push(...(data.list || []));
        if (page >= (data.total_page || 0) || !(data.list || []).length) break;
    }
    return orders;
}

function tokenSubject(token) {
    try {
        const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
        return Number(payload.sub);
    } catch {
        return NaN;
    }
}

async function check(opts) {
    const id = positive(opts, 'activity');
    const tokensFile = opts.tokens || fail('--tokens FILE is required');
    const sampleSize = positive(opts, 'sample', 25);
    const accepted = opts.accepted === undefined ? null : positive(opts, 'accepted');
    const { readFileSync } = await import('node:fs');
    const token = await login();
    const results = [];
    const report = (name, ok, detail) => {
        results.push(ok);
        process.stdout.write(`check ${name} ${ok ? 'pass' : 'fail'} ${detail}\n`);
    };

    const a = await activity(id);
    const stock = a.total_stock;
    const limit = a.per_user_limit ?? 1;
    report('activity-sold', a.sold === stock, `sold ${a.sold} of total_stock ${stock} (remaining ${a.remaining}, state ${a.state})`);

    const every = await allOrders(token);
    if (!every.some((o) => 'seckill_activity_id' in o)) {
        report('orders-listed', false, `none of the ${every.length} orders in GET /api/admin/order carries seckill_activity_id`);
    }
    const orders = every.filter((o) => o.seckill_activity_id === id);
    report('order-count', orders.length === stock, `${orders.length} orders with seckill_activity_id ${id}, stock ${stock}`);

    const byNo = new Map();
    const byId = new Map();
    for (const o of orders) {
        byNo.set(o.order_no, (byNo.get(o.order_no) || 0) + 1);
        byId.set(o.id, (byId.get(o.id) || 0) + 1);
    }
    const dupNo = [...byNo].filter(([, n]) => n > 1).length;
    const dupId = [...byId].filter(([, n]) => n > 1).length;
    report('no-duplicates', dupNo === 0 && dupId === 0, `${byNo.size} distinct order numbers, ${byId.size} distinct ids, ${orders.length} rows`);

    const perUser = new Map();
    for (const o of orders) perUser.set(o.user_id, (perUser.get(o.user_id) || []).concat(o));
    const over = [...perUser].filter(([, list]) => list.length > limit);
    report('per-user-limit', over.length === 0,
        `${perUser.size} shoppers hold the orders; ${over.length} hold more than ${limit}` +
        (over.length ? ` (e.g. user ${over[0][0]}: ${over[0][1].map((o) => o.order_no).join(', ')})` : ''));

    const odd = orders.filter((o) => o.product_id !== a.product_id || o.quantity !== 1 || o.status === 5 || o.status === 6);
    report('order-shape', odd.length === 0,
        `${odd.length} orders with another product, quantity other than 1, or cancelled/refunded` +
        (odd.length ? ` (e.g. ${JSON.stringify(odd[0]).slice(0, 200)})` : ''));

    if (accepted !== null) {
        report('accepted-answers', accepted === stock, `${accepted} code-0 ("queued") answers during the run, stock ${stock}`);
    }

    // GET /api/seckill/result for a sample of the shoppers: winners must see "success" with their
    // order number, the others "none" (nothing may be left "queued" once everything is committed).
    const tokens = readFileSync(tokensFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
    const tokenOf = new Map();
    for (const t of tokens) {
        const sub = tokenSubject(t);
        if (Number.isFinite(sub)) tokenOf.set(sub, t);
    }
    const winners = [...perUser.keys()].filter((u) => tokenOf.has(u));
    const losers = [...tokenOf.keys()].filter((u) => !perUser.has(u));
    const pick = (list, n) => {
        if (list.length <= n) return list;
        const step = list.length / n;
        return Array.from({ length: n }, (_, i) => list[Math.floor(i * step)]);
    };
    const wrong = [];
    let asked = 0;
    for (const [user, expectWin] of [...pick(winners, sampleSize).map((u) => [u, true]), ...pick(losers, sampleSize).map((u) => [u, false])]) {
        asked++;
        const r = await call('GET', `/api/seckill/result?product_id=${a.product_id}`, { token: tokenOf.get(user) });
        const d = r.body?.data;
        if (r.status !== 200 || !d) {
            wrong.push(`user ${user}: HTTP ${r.status} ${r.text.slice(0, 120)}`);
        } else if (expectWin) {
            const mine = perUser.get(user).map((o) => o.order_no);
            if (d.status !== 'success' || !mine.includes(d.order_no)) wrong.push(`user ${user}: ${d.status} ${d.order_no ?? ''}, has ${mine.join(',')}`);
        } else if (d.status !== 'none') {
            wrong.push(`user ${user}: ${d.status} without an order`);
        }
    }
    report('result-sample', wrong.length === 0 && asked > 0,
        `${asked} shoppers asked GET /api/seckill/result (${Math.min(winners.length, sampleSize)} with an order, the rest without)` +
        (wrong.length ? `; ${wrong.length} wrong, e.g. ${wrong.slice(0, 3).join('; ')}` : ''));

    process.exit(results.every(Boolean) ? 0 : 1);
}

const commands = { init, end, watch, check };
const [command, ...rest] = process.argv.slice(2);
if (!commands[command]) fail('usage: admin.mjs init|end|watch|check [--option value ...] (see the comment at the top)');
if (!base) fail('set GOMALL_BENCH_URL');
commands[command](options(rest)).catch((e) => fail(`${command}: ${e.message}`));
