// Hostile input, group 2: slow and idle clients. Servers of our own:
//   A: server.header_timeout_seconds 2, idle_timeout_seconds 3, read_timeout_seconds 3
//   B: header_timeout_seconds 2 with idle and read timeouts of 30 s, to tell the header timeout
//      (from a request's first byte to the end of its header) apart from the idle timeout.
// Contract: a header that does not arrive within the header timeout ends the connection (closed
// without an answer, or at most a 408 envelope); an idle connection is closed after the idle timeout; a
// body trickling in is cut by the read timeout; meanwhile /health answers quickly.
import { describe, before, after } from 'node:test';
import { test, startServer, assert, sleep, EXTERNAL, EXTERNAL_SKIP } from '../harness.mjs';
import net from 'node:net';
import { parseResponses, expectEnvelope, rawRequest, rawExchange, describeExchange } from './lib.mjs';

/// A client that connects, sends `first` at once and then one byte of `rest` per `intervalMs`, and
/// records when the server closes. Stops writing (and gives up) after `maxMs`.
/// Resolves {closedAfterMs (from the first byte; null if still open at maxMs), raw, responses, error}.
function trickle(port, { first, rest, intervalMs = 1000, maxMs = 10000 }) {
    return new Promise((resolve) => {
        const chunks = [];
        let t0 = 0;
        let closedAt = null;
        let timer = null;
        let stopTimer = null;
        let error = null;
        let i = 0;
        const sock = net.connect({ host: '127.0.0.1', port });
        const done = () => {
            clearInterval(timer);
            clearTimeout(stopTimer);
            sock.destroy();
            const raw = Buffer.concat(chunks);
            resolve({ closedAfterMs: closedAt === null ? null : closedAt - t0, raw, responses: parseResponses(raw), error });
        };
        sock.on('data', (d) => chunks.push(d));
        sock.on('end', () => { if (closedAt === null) closedAt = Date.now(); done(); });
        sock.on('close', () => { if (closedAt === null) closedAt = Date.now(); done(); });
        sock.on('error', (err) => { error = err.code || err.message; });
        sock.once('connect', () => {
            t0 = Date.now();
            if (first) sock.write(Buffer.from(first, 'latin1'));
            timer = setInterval(() => {
                if (i < rest.length && sock.writable) sock.write(Buffer.from(rest[i], 'latin1'));
                i += 1;
            }, intervalMs);
            stopTimer = setTimeout(done, maxMs);
        });
    });
}

/// Polls GET /health every 250 ms until `stop()` returns true; resolves the latencies (ms), with
/// Infinity for a failed or slower-than-2-s answer.
async function pollHealth(srv, stop) {
    const lat = [];
    while (!stop()) {
        const t0 = Date.now();
        try {
            const res = await fetch(`${srv.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
            await res.arrayBuffer();
            lat.push(res.status === 200 ? Date.now() - t0 : Infinity);
        } catch {
            lat.push(Infinity);
        }
        await sleep(250);
    }
    return lat;
}

/// Whatever the server wrote before closing is nothing or one 408 envelope.
function expectNothingOr408(c, what) {
    if (c.raw.length === 0) return;
    const finals = c.responses.filter((r) => r.status >= 200 || r.status === 0);
    assert.equal(finals.length, 1, `${what}: ${JSON.stringify(c.raw.toString('latin1').slice(0, 300))}`);
    expectEnvelope(finals[0], 408, 408, what);
}

const SLOW_HEADER = 'ET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(60);

describe('slow and idle clients', { concurrency: true, skip: EXTERNAL && EXTERNAL_SKIP }, () => {
    let a = null;
    let b = null;
    before(async () => {
        [a, b] = await Promise.all([
            startServer({
                label: 'hostile-slow-a',
                env: {
                    GOMALL_SERVER_HEADER_TIMEOUT_SECONDS: '2',
                    GOMALL_SERVER_IDLE_TIMEOUT_SECONDS: '3',
                    GOMALL_SERVER_READ_TIMEOUT_SECONDS: '3',
                },
            }),
            startServer({
                label: 'hostile-slow-b',
                env: {
                    GOMALL_SERVER_HEADER_TIMEOUT_SECONDS: '2',
                    GOMALL_SERVER_IDLE_TIMEOUT_SECONDS: '30',
                    GOMALL_SERVER_READ_TIMEOUT_SECONDS: '30',
                },
            }),
        ]);
    });
    after(async () => {
        await Promise.all([a?.dispose(), b?.dispose()]);
    });

    test('200 clients sending one header byte a second are all closed within 5 s; /health stays fast', { timeout: 30000 }, async () => {
        let finished = false;
        const health = pollHealth(a, () => finished);
        const clients = await Promise.all(Array.from({ length: 200 }, () => trickle(a.port, { first: 'G', rest: SLOW_HEADER, maxMs: 9000 })));
        finished = true;
        const lat = await health;
        const open = clients.filter((c) => c.closedAfterMs === null).length;
        assert.equal(open, 0, `${open} of 200 slow-header connections still open after 9 s`);
        const worst = Math.max(...clients.map((c) => c.closedAfterMs));
        assert.ok(worst <= 5000, `the slowest slow-header connection was closed after ${worst} ms (want <= 5000)`);
        clients.forEach((c, i) => expectNothingOr408(c, `slow-header client ${i}`));
        assert.ok(lat.length >= 3, `only ${lat.length} health probes ran`);
        assert.ok(Math.max(...lat) < 1000, `/health latencies during the attack: ${lat.join(', ')} ms`);
    });

    test('the header timeout counts from the first byte, not the idle timeout (idle 30 s)', { timeout: 30000 }, async () => {
        const clients = await Promise.all(Array.from({ length: 20 }, () => trickle(b.port, { first: 'G', rest: SLOW_HEADER, maxMs: 9000 })));
        const open = clients.filter((c) => c.closedAfterMs === null).length;
        assert.equal(open, 0, `${open} of 20 slow-header connections still open after 9 s with idle_timeout 30`);
        const times = clients.map((c) => c.closedAfterMs);
        assert.ok(Math.max(...times) <= 5000, `closed after ${times.join(', ')} ms (header_timeout 2)`);
        assert.ok(Math.min(...times) >= 1500, `closed before the header timeout: ${times.join(', ')} ms`);
        clients.forEach((c, i) => expectNothingOr408(c, `slow-header client ${i}`));
        // the same server keeps an idle connection (no byte yet) for its idle timeout: not cut at 2 s
        const idle = await trickle(b.port, { first: '', rest: '', maxMs: 4000 });
        assert.equal(idle.closedAfterMs, null, `an idle connection was closed after ${idle.closedAfterMs} ms (idle_timeout 30)`);
    });

    test('a connection that never sends a byte is closed after the idle timeout (3 s)', { timeout: 20000 }, async () => {
        const c = await trickle(a.port, { first: '', rest: '', maxMs: 8000 });
        assert.notEqual(c.closedAfterMs, null, 'an idle connection was still open after 8 s');
        assert.ok(c.closedAfterMs >= 2500 && c.closedAfterMs <= 5000, `idle connection closed after ${c.closedAfterMs} ms (want ~3000)`);
        expectNothingOr408(c, 'idle connection');
    });

    test('a kept-alive connection idle after its request is closed after the idle timeout', { timeout: 20000 }, async () => {
        const ex = await rawExchange(a.port, rawRequest('GET', '/health', ['Host: 127.0.0.1']), { waitMs: 8000 });
        const ctx = describeExchange(ex);
        assert.equal(ex.responses.length, 1, ctx);
        assert.equal(ex.responses[0].status, 200, ctx);
        assert.ok(ex.ended && !ex.timedOut, `still open 8 s after its answer: ${ctx}`);
        assert.ok(ex.ms >= 2500 && ex.ms <= 5000, `closed ${ex.ms} ms after the request (want ~3000): ${ctx}`);
    });

    test('a body trickling at 1 byte/s is cut by the read timeout (3 s)', { timeout: 20000 }, async () => {
        const head = rawRequest('POST', '/api/user/login', ['Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 100']);
        const c = await trickle(a.port, { first: head, rest: 'x'.repeat(100), maxMs: 9000 });
        assert.notEqual(c.closedAfterMs, null, 'a body at 1 byte/s was still being read after 9 s');
        assert.ok(c.closedAfterMs >= 2500 && c.closedAfterMs <= 5500, `slow body cut after ${c.closedAfterMs} ms (want ~3000)`);
        expectNothingOr408(c, 'slow body');
    });

    test('a header sent in a few pieces within the header timeout is served', { timeout: 20000 }, async () => {
        const req = rawRequest('GET', '/health', ['Host: 127.0.0.1', 'Connection: close']);
        const parts = [req.slice(0, 5), req.slice(5, 20), req.slice(20)];
        const ex = await rawExchange(a.port, parts, { gapMs: 500, waitMs: 5000 });
        assert.equal(ex.responses.length, 1, describeExchange(ex));
        assert.equal(ex.responses[0].status, 200, describeExchange(ex));
    });
});
