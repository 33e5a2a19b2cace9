// A real Prometheus (Debian's prometheus package) scrapes a running shop during a small flash
// sale and answers PromQL with the units sold; the shipped deploy/prometheus.yml and alert rules
// pass promtool and load into that Prometheus without errors. Skipped when prometheus is missing.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
    test, useServer, assert, sleep, freePort, pool, REPO_ROOT, EXTERNAL, EXTERNAL_SKIP, expectOk,
} from './harness.mjs';

const srv = useServer({ label: 'prometheus' });
const CONFIG = path.join(REPO_ROOT, 'deploy', 'prometheus.yml');
const RULES = path.join(REPO_ROOT, 'deploy', 'prometheus-alerts.yml');

function has(binary) {
    try {
        execFileSync(binary, ['--version'], { stdio: 'ignore' });
        return true;
    } catch {
        return false;
    }
}
const MISSING = !has('prometheus') || !has('promtool');
const SKIP = (EXTERNAL && EXTERNAL_SKIP) || (MISSING && 'prometheus/promtool not installed (scripts/bootstrap installs them)');

/// Starts Prometheus on a free loopback port scraping `target` (host:port) every second with the
/// shipped alert rules; returns { url, stop }.
async function startPrometheus(target) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gomall-prometheus-'));
    const port = await freePort();
    // The shipped file's shape, with the test's target and a one-second rhythm.
    const config = fs.readFileSync(CONFIG, 'utf8')
        .replace(/scrape_interval: \S+/, 'scrape_interval: 1s')
        .replace(/evaluation_interval: \S+/, 'evaluation_interval: 1s')
        .replace(/scrape_timeout: \S+/, 'scrape_timeout: 1s')
        .replace(/- prometheus-alerts\.yml/, `- ${JSON.stringify(RULES)}`)
        .replace(/targets: \[[^\]]*\]/, `targets: [${JSON.stringify(target)}]`);
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const log = fs.openSync(path.join(dir, 'prometheus.log'), 'w');
    const child = spawn('prometheus', [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.console.templates=/nonexistent', '--web.console.libraries=/nonexistent',
    ], { stdio: ['ignore', log, log] });
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
        if (child.exitCode === null) {
            child.kill('SIGTERM');
            await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
            if (child.exitCode === null) child.kill('SIGKILL');
        }
        fs.closeSync(log);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 30000;
    for (;;) {
        try {
            if ((await fetch(`${url}/-/ready`)).ok) return { url, stop };
        } catch { /* not listening yet */ }
        if (child.exitCode !== null || Date.now() > deadline) {
            const tail = fs.readFileSync(path.join(dir, 'prometheus.log'), 'utf8').slice(-2000);
            await stop();
            throw new Error(`prometheus did not become ready:\n${tail}`);
        }
        await sleep(200);
    }
}

/// The single value of an instant PromQL query, or null when it has no result.
async function query(prom, expr) {
    const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await res.json();
    assert.equal(body.status, 'success', JSON.stringify(body));
    return body.data.result.length === 0 ? null : Number(body.data.result[0].value[1]);
}

/// Polls `expr` until it equals `want` (or timeoutMs passes); returns the last value.
async function eventually(prom, expr, want, timeoutMs = 30000) {
    const deadline = Date.now() + timeoutMs;
    let value = null;
    while (Date.now() < deadline) {
        value = await query(prom, expr);
        if (value === want) return value;
        await sleep(500);
    }
    return value;
}

test('the shipped Prometheus config and alert rules pass promtool', { skip: MISSING && 'promtool not installed' }, () => {
    const config = execFileSync('promtool', ['check', 'config', CONFIG], { encoding: 'utf8' });
    assert.match(config, /SUCCESS/);
    const rules = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    assert.match(rules, /SUCCESS: \d+ rules found/);
});

test('a real Prometheus scraping the shop during a sale answers PromQL with the units sold', { skip: SKIP, timeout: 120000 }, async () => {
    const target = new URL(srv.baseUrl).host;
    const prom = await startPrometheus(target);
    try {
        assert.equal(await eventually(prom, 'up{job="gomall"}', 1), 1, 'the shop is scraped');

        const STOCK = 7;
        const p = await srv.createProduct({ stock: 100, price: 30 });
        const a = await srv.createActivity({ product_id: p.id, stock: STOCK, price: 3 });
        const shoppers = await srv.shoppers(15, 'prom');
        // Each shopper presses twice: 30 attempts for 7 units.
        const answers = (await pool(shoppers, 15, (u) => Promise.all([srv.seckillBuy(u, p.id), srv.seckillBuy(u, p.id)]))).flat();
        const queued = answers.filter((r) => r.status === 200 && r.body.code === 0).length;
        assert.equal(queued, STOCK, 'exactly the stock was reserved');

        const activity = `activity="${a.id}"`;
        assert.equal(await eventually(prom, `sum(gomall_seckill_orders_written_total{${activity}})`, STOCK), STOCK);
        assert.equal(await eventually(prom, `sum(gomall_seckill_attempts_total{${activity},outcome="reserved"})`, STOCK), STOCK);
        assert.equal(await eventually(prom, `sum(gomall_seckill_attempts_total{${activity}})`, answers.length), answers.length);
        assert.equal(await eventually(prom, `sum(gomall_seckill_units_left{${activity}})`, 0), 0);
        // The purchase route by its template, never by a raw path.
        const purchases = await eventually(prom, 'sum(gomall_http_requests_total{route="/api/seckill",method="POST"})', answers.length);
        assert.ok(purchases >= answers.length, `purchases counted: ${purchases}`);
        assert.equal(await query(prom, 'count(gomall_http_requests_total{route=~".*[0-9]+.*"})'), null,
            'no route label carries an id');

        // The rules load and evaluate without errors against the shop's real series.
        await sleep(2500);
        const rules = await (await fetch(`${prom.url}/api/v1/rules`)).json();
        const loaded = rules.data.groups.flatMap((g) => g.rules);
        assert.ok(loaded.length >= 5, `rules loaded: ${loaded.length}`);
        for (const rule of loaded) {
            assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`);
        }
        const firing = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()).data.alerts
            .filter((x) => x.state === 'firing').map((x) => x.labels.alertname);
        assert.deepEqual(firing, [], 'a healthy shop fires no alert');
    } finally {
        await prom.stop();
    }
});
