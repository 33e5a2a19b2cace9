// Hostile input, group 8: log-line integrity. Two servers of our own with the access log on
// (log.level info, log.access_log true): one with log.format text, one with log.format json.
// Requests carry %0a, %0d, %00 and %1b in the path, control characters and raw bytes in the
// User-Agent (as far as the HTTP parser lets them in), and a login whose username holds a newline
// and a forged access line. Then:
//   text: every line starts with a timestamp (YYYY-MM-DD HH:MM:SS.mmm); no line starts with the
//         forged text; no raw NUL, ESC, CR or other control bytes;
//   json: every stdout line is a JSON object, and the path with its control characters survives
//         inside one line, escaped;
//   both: no password or token value ever appears in the log.
import fs from 'node:fs';
import { describe, after } from 'node:test';
import { test, startServer, assert, randomHex, sleep, EXTERNAL, EXTERNAL_SKIP } from '../harness.mjs';
import { rawExchange, rawRequest } from './lib.mjs';

const MARK = randomHex(6);
const FORGED = 'access method=GET path=/forged status=200';
const FORGED_LINE = `1999-01-01 00:00:00.000 INFO  ${FORGED}`;
const TS_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} /;
// The start-up line the CLI prints (not through the logger); the only line allowed without a timestamp.
const BANNER_RE = /^GoMall \S+ \(\w+\) serving on http:\/\/\S+ {2}\(Ctrl-C to stop\)$/;
const FORBIDDEN_BYTES = /[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\x7f]/;

const enc = (s) => s.replace(/ /g, '%20');

/// Paths with encoded control characters; `marker` text identifies each in the log.
function hostilePaths() {
    return [
        { name: 'LF', target: `/api/product-${MARK}-lf%0a${enc(FORGED_LINE)}`, marker: `${MARK}-lf` },
        { name: 'CRLF', target: `/api/nope-${MARK}-crlf%0d%0a${enc(FORGED_LINE)}`, marker: `${MARK}-crlf` },
        { name: 'CR', target: `/api/nope-${MARK}-cr%0d${enc(FORGED_LINE)}`, marker: `${MARK}-cr` },
        { name: 'NUL', target: `/api/nope-${MARK}-nul%00after`, marker: `${MARK}-nul` },
        { name: 'ESC', target: `/api/nope-${MARK}-esc%1b%5b2J%1b%5b31mred%1b%5b0m`, marker: `${MARK}-esc` },
        { name: 'static LF', target: `/static-${MARK}-slf%0a${enc(FORGED)}`, marker: `${MARK}-slf` },
        { name: 'quote and key', target: `/api/nope-${MARK}-quote%22%20status=200%20user=1`, marker: `${MARK}-quote` },
        { name: 'DEL and C1', target: `/api/nope-${MARK}-c1%7f%c2%9b31m%9b`, marker: `${MARK}-c1` },
        { name: 'U+2028', target: `/api/nope-${MARK}-ls%e2%80%a8${enc(FORGED)}`, marker: `${MARK}-ls` },
    ];
}

/// Sends the hostile traffic to `srv`; returns the secrets that must never be logged.
async function hostileTraffic(srv) {
    const secrets = [];
    for (const p of hostilePaths()) {
        await rawExchange(srv.port, rawRequest('GET', p.target, ['Host: 127.0.0.1', 'Connection: close']), { waitMs: 2000, expect: 1 });
    }
    // User-Agent values with whatever control bytes the parser lets through (each may be refused)
    const agents = [
        Buffer.from(`Mozilla\t${MARK}-ua-tab\t${FORGED}`, 'latin1'),
        Buffer.concat([Buffer.from(`x-${MARK}-ua-c1 `), Buffer.from([0x9b, 0x33, 0x31, 0x6d, 0xc2, 0x9b, 0x32, 0x4a])]),
        Buffer.concat([Buffer.from(`x-${MARK}-ua-esc `), Buffer.from([0x1b, 0x5b, 0x32, 0x4a])]),
        Buffer.concat([Buffer.from(`x-${MARK}-ua-del `), Buffer.from([0x7f])]),
        Buffer.from(`x-${MARK}-ua-quote" status=200 user=1 agent="y`, 'latin1'),
    ];
    for (const ua of agents) {
        const head = Buffer.from('GET /api/product HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nUser-Agent: ', 'latin1');
        await rawExchange(srv.port, Buffer.concat([head, ua, Buffer.from('\r\n\r\n')]), { waitMs: 2000, expect: 1 });
    }
    // a login whose username forges a line; its password is a secret
    const badPass = `Badpass-${MARK}-${randomHex(4)}`;
    secrets.push(badPass);
    const forgedUser = `u${MARK}\n${FORGED_LINE}\r\n\u001b[2J`;
    await srv.api('POST', '/api/user/login', { body: { username: forgedUser, password: badPass } });
    await srv.api('POST', '/api/user/login', { body: { username: `nobody_${MARK}`, password: badPass } });
    // a real account: its password, access and refresh tokens are secrets
    const pass = `Goodpass-${MARK}-${randomHex(4)}`;
    secrets.push(pass);
    const u = await srv.register('logu', { password: pass });
    const login = await srv.api('POST', '/api/user/login', { body: { username: u.username, password: pass } });
    assert.equal(login.status, 200, login.text);
    secrets.push(u.token, u.refresh_token, login.body.data.token, login.body.data.refresh_token);
    await srv.api('GET', '/api/user/profile', { token: login.body.data.token });
    const refreshed = await srv.api('POST', '/api/auth/refresh-token', { body: { refresh_token: login.body.data.refresh_token } });
    if (refreshed.status === 200) secrets.push(refreshed.body.data.token, refreshed.body.data.refresh_token);
    const newPass = `Newpass-${MARK}-${randomHex(4)}`;
    secrets.push(newPass);
    await srv.api('POST', '/api/auth/change-password', { token: u.token, body: { old_password: pass, new_password: newPass } });
    // a made-up bearer token and secrets in the query string
    const fakeToken = `Faketoken-${MARK}-${randomHex(8)}`;
    secrets.push(fakeToken);
    await srv.api('GET', '/api/user/profile', { token: fakeToken });
    const qPass = `Qpass-${MARK}-${randomHex(4)}`;
    const qTok = `Qtok-${MARK}-${randomHex(4)}`;
    secrets.push(qPass, qTok);
    await srv.api('GET', `/api/product?password=${qPass}&token=${qTok}&access_token=${qTok}`);
    // the admin
    secrets.push(srv.adminPassword);
    await srv.adminToken();
    secrets.push(srv.adminTokenCache);
    return secrets.filter(Boolean);
}

/// Stops the server (the log is flushed at exit) and returns its stdout log as latin1 text.
async function finalLog(srv) {
    await sleep(1200);  // the logger flushes every second
    await srv.stop();
    return fs.readFileSync(srv.logPath).toString('latin1');
}

function expectNoSecrets(log, secrets, what) {
    for (const s of secrets) {
        assert.ok(!log.includes(s), `${what}: the log contains a secret (${s.slice(0, 12)}...)`);
    }
}

const LOG_ENV = { GOMALL_LOG_LEVEL: 'info', GOMALL_LOG_ACCESS_LOG: 'true' };

describe('log-line integrity', { concurrency: true, skip: EXTERNAL && EXTERNAL_SKIP }, () => {
    const servers = [];
    after(async () => {
        await Promise.all(servers.map((s) => s.dispose()));
    });

    test('text log: one timestamped line per entry, nothing forged, no control bytes, no secrets', { timeout: 60000 }, async () => {
        const srv = await startServer({ label: 'hostile-log-text', env: { ...LOG_ENV, GOMALL_LOG_FORMAT: 'text' } });
        servers.push(srv);
        const secrets = await hostileTraffic(srv);
        const log = await finalLog(srv);
        const lines = log.split('\n').filter((l) => l !== '');
        assert.ok(lines.length > 10, `only ${lines.length} log lines: is the access log on?\n${log}`);
        const problems = [];
        for (const [i, line] of lines.entries()) {
            const show = `line ${i + 1}: ${JSON.stringify(line.slice(0, 200))}`;
            if (!TS_RE.test(line) && !BANNER_RE.test(line)) problems.push(`no timestamp: ${show}`);
            if (line.startsWith('1999-') || line.startsWith(FORGED) || line.startsWith(FORGED_LINE)) problems.push(`forged: ${show}`);
            if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} +\w+ +access method=GET path=\/forged/.test(line)) problems.push(`forged access line: ${show}`);
            if (FORBIDDEN_BYTES.test(line)) problems.push(`control byte 0x${line.match(FORBIDDEN_BYTES)[0].charCodeAt(0).toString(16)}: ${show}`);
        }
        assert.equal(problems.length, 0, `${problems.length} bad log lines:\n  ${problems.slice(0, 30).join('\n  ')}`);
        // the hostile paths were logged (so the checks above saw them), each on one line
        for (const p of hostilePaths()) {
            const hits = lines.filter((l) => l.includes(p.marker));
            assert.ok(hits.length >= 1, `${p.name}: the access line for ${p.target} is missing`);
            for (const h of hits) assert.match(h, TS_RE, `${p.name}: ${JSON.stringify(h)}`);
        }
        expectNoSecrets(log, secrets, 'text log');
    });

    test('json log: every stdout line is a JSON object; control characters stay inside, escaped; no secrets', { timeout: 60000 }, async () => {
        const srv = await startServer({ label: 'hostile-log-json', separateStderr: true, env: { ...LOG_ENV, GOMALL_LOG_FORMAT: 'json' } });
        servers.push(srv);
        const secrets = await hostileTraffic(srv);
        const log = await finalLog(srv);
        const lines = log.split('\n').filter((l) => l !== '');
        assert.ok(lines.length > 10, `only ${lines.length} log lines: is the access log on?\n${log}`);
        const entries = [];
        const problems = [];
        const notJson = [];
        for (const [i, line] of lines.entries()) {
            const show = `line ${i + 1}: ${JSON.stringify(line.slice(0, 200))}`;
            if (FORBIDDEN_BYTES.test(line)) problems.push(`raw control byte: ${show}`);
            let obj = null;
            try { obj = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')); } catch { notJson.push(`not JSON: ${show}`); continue; }
            if (!obj || typeof obj !== 'object' || Array.isArray(obj)) { problems.push(`not a JSON object: ${show}`); continue; }
            if (typeof obj.msg !== 'string' || typeof obj.time !== 'string' || typeof obj.level !== 'string') problems.push(`without time/level/msg: ${show}`);
            if (typeof obj.msg === 'string' && (obj.msg.startsWith(FORGED) || obj.msg.startsWith('1999-'))) problems.push(`forged entry: ${show}`);
            entries.push(obj);
        }
        assert.equal(problems.length, 0, `${problems.length} bad stdout lines:\n  ${problems.slice(0, 30).join('\n  ')}`);
        const text = (e) => `${e.msg}${e.path !== undefined ? ` ${e.path}` : ''}`;
        for (const [p, evidence] of [
            [hostilePaths()[0], ['\n', '\\n', '\\x0a', '\\u000a', '%0a', '%0A']],
            [hostilePaths()[1], ['\r\n', '\\r\\n', '\\x0d\\x0a', '\\u000d\\u000a', '%0d%0a', '%0D%0A']],
            [hostilePaths()[3], ['\u0000', '\\x00', '\\u0000', '\\0', '%00']],
            [hostilePaths()[4], ['\u001b', '\\x1b', '\\u001b', '\\e', '%1b', '%1B']],
        ]) {
            const hits = entries.filter((e) => text(e).includes(p.marker));
            assert.equal(hits.length, 1, `${p.name}: ${hits.length} entries name ${p.marker} (want the one access entry)`);
            const t = text(hits[0]);
            assert.ok(evidence.some((x) => t.includes(x)), `${p.name}: the control character is lost from ${JSON.stringify(t)}`);
            assert.ok(t.includes(FORGED.split(' ')[0]) || p.name === 'NUL' || p.name === 'ESC', `${p.name}: the rest of the path is lost from ${JSON.stringify(t)}`);
            if (hits[0].path !== undefined) assert.ok(String(hits[0].path).includes(p.marker));
        }
        expectNoSecrets(log, secrets, 'json log');
        expectNoSecrets(fs.readFileSync(srv.errPath).toString('latin1'), secrets, 'json server stderr');
        // last, so that the checks above run even when this fails: a log shipper reading stdout as
        // JSON lines chokes on any other line (the start-up banner included)
        assert.equal(notJson.length, 0, `${notJson.length} stdout lines are not JSON:\n  ${notJson.slice(0, 30).join('\n  ')}`);
    });
});
