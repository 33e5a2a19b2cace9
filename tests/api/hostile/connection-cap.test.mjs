// Hostile input, group 3: the connection cap. A server of our own with server.max_connections 20:
// with 20 connections held open, the next one is answered with a 503 envelope and closed; once they
// are released, new connections are served again.
//
// The 20 are held in the middle of a request body (Content-Length 100, one byte sent), which the
// read timeout (15 s) allows; the idle timeout is 1 s so that the keep-alive connection fetch()
// left behind from the start-up health check is gone before the count starts.
import net from 'node:net';
import { test, startServer, assert, sleep, EXTERNAL, EXTERNAL_SKIP } from '../harness.mjs';
import { rawExchange, rawRequest, expectErrorAndClose, describeExchange } from './lib.mjs';

function connect(port) {
    return new Promise((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port });
        sock.once('connect', () => resolve(sock));
        sock.once('error', reject);
    });
}

test('the 21st connection gets a 503 envelope and is closed; released slots are reused', { timeout: 40000, skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const srv = await startServer({
        label: 'hostile-cap',
        env: { GOMALL_SERVER_MAX_CONNECTIONS: '20', GOMALL_SERVER_IDLE_TIMEOUT_SECONDS: '1', GOMALL_SERVER_READ_TIMEOUT_SECONDS: '15' },
    });
    const held = [];
    try {
        await sleep(1800);  // the start-up probe's kept-alive connection times out (idle 1 s)
        const head = rawRequest('POST', '/api/user/login', ['Host: 127.0.0.1', 'Content-Type: application/json', 'Content-Length: 100'], '{');
        for (let i = 0; i < 20; i += 1) {
            const sock = await connect(srv.port);
            sock.on('error', () => {});
            sock.closedByServer = false;
            sock.on('end', () => { sock.closedByServer = true; });
            sock.write(head);
            held.push(sock);
        }
        await sleep(300);
        assert.equal(held.filter((s) => s.closedByServer).length, 0, 'held connections were closed by the server');

        for (const n of [21, 22]) {
            const ex = await rawExchange(srv.port, [], { waitMs: 3000 });
            expectErrorAndClose(ex, 503, 503, `connection ${n} with 20 held`);
        }
        // a request on an over-cap connection is not served either
        const refused = await rawExchange(srv.port, rawRequest('GET', '/health', ['Host: 127.0.0.1']), { waitMs: 3000 });
        assert.ok(refused.responses.length <= 1, describeExchange(refused));
        if (refused.responses.length === 1) {
            assert.equal(refused.responses[0].status, 503, `GET /health over the cap: ${describeExchange(refused)}`);
        }
        assert.equal(held.filter((s) => s.closedByServer).length, 0, 'the refusals closed held connections');

        for (const s of held.splice(0)) s.destroy();
        // the server notices the closes; within 3 s the slots are free again
        const deadline = Date.now() + 3000;
        let ok = null;
        while (Date.now() < deadline) {
            ok = await rawExchange(srv.port, rawRequest('GET', '/health', ['Host: 127.0.0.1', 'Connection: close']), { waitMs: 2000 });
            if (ok.responses[0]?.status === 200) break;
            await sleep(100);
        }
        assert.equal(ok.responses[0]?.status, 200, `after releasing the 20: ${describeExchange(ok)}`);
        // and 20 at once fit again
        const again = await Promise.all(Array.from({ length: 20 }, () => rawExchange(srv.port, rawRequest('GET', '/health', ['Host: 127.0.0.1', 'Connection: close']), { waitMs: 3000 })));
        const statuses = again.map((e) => e.responses[0]?.status);
        assert.deepEqual(statuses, Array(20).fill(200), `20 connections after the release: ${statuses.join(',')}`);
    } finally {
        for (const s of held) s.destroy();
        await srv.dispose();
    }
});
