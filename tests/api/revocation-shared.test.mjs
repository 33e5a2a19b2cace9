// Token revocations across instances: two shops on one database and one Redis. A logout, a password
// change or a replayed refresh token on one instance is refused by the other within a second
// (pub/sub), not only after the other's next reload from the database.
//
// Runs only when both instances share Redis: GOMALL_SECKILL_MODE=full (scripts/test-api --full
// tests/api/revocation-shared.test.mjs), on the stack of scripts/stack.
import { before, after } from 'node:test';
import {
    test, startServer, startPeer, assert, sleep, expectOk, expectError, randomHex, metricValue as metric,
    EXTERNAL, EXTERNAL_SKIP, FULL_STACK,
} from './harness.mjs';

const SKIP = EXTERNAL ? EXTERNAL_SKIP : !FULL_STACK
    ? 'needs two instances sharing Redis: GOMALL_SECKILL_MODE=full with Redis and MariaDB from scripts/stack '
      + '(run scripts/test-api --full tests/api/revocation-shared.test.mjs)'
    : '';

const CODE_TOKEN_INVALID = 10006;
const CODE_REFRESH_INVALID = 10007;
const WITHIN_MS = 1000;

let a = null;
let b = null;

before(async () => {
    if (SKIP) return;
    a = await startServer({ label: 'revoke-a' });
    b = await startPeer(a, { label: 'revoke-b' });
});

after(async () => {
    if (b) await b.dispose();
    if (a) await a.dispose();
});

const profile = (server, token) => server.api('GET', '/api/user/profile', { token });
const refresh = (server, refreshToken) => server.api('POST', '/api/auth/refresh-token', {
    body: { refresh_token: refreshToken },
});

/// Milliseconds until `server` answers `token` with 401 10006 (polling its profile), or null if it
/// still accepts it after `limitMs`.
async function refusedAfter(server, token, limitMs = 5000) {
    const t0 = Date.now();
    for (;;) {
        const res = await profile(server, token);
        if (res.status === 401) {
            expectError(res, 401, CODE_TOKEN_INVALID);
            return Date.now() - t0;
        }
        expectOk(res);
        if (Date.now() - t0 > limitMs) return null;
        await sleep(10);
    }
}

function assertWithin(t, ms, what) {
    assert.ok(ms !== null, `${what}: still accepted after 5 s`);
    assert.ok(ms <= WITHIN_MS, `${what}: refused only after ${ms} ms`);
    t.diagnostic(`${what}: refused after ${ms} ms`);
}

test('a logout on one instance is refused by the other within a second', async (t) => {
    if (SKIP) return t.skip(SKIP);
    const u = await a.register('rvk');
    expectOk(await profile(b, u.token));
    const appliedBefore = await metric(b, 'gomall_revocation_feed_events_total', 'result="applied"');

    expectOk(await a.api('POST', '/api/auth/logout', { token: u.token }));
    assertWithin(t, await refusedAfter(b, u.token), 'the logged-out token on B');
    expectError(await profile(a, u.token), 401, CODE_TOKEN_INVALID);
    // The refresh token's row is the shared record: dead on both at once.
    expectError(await refresh(b, u.refresh_token), 401, CODE_REFRESH_INVALID);
    expectError(await refresh(a, u.refresh_token), 401, CODE_REFRESH_INVALID);
    // B heard it (the token and the session), rather than finding it at a reload.
    assert.ok(await metric(b, 'gomall_revocation_feed_events_total', 'result="applied"') >= appliedBefore + 2);
    assert.ok(await metric(a, 'gomall_revocation_feed_messages_total', 'result="published"') >= 2);
});

test('a password change on one instance ends every older session on the other within a second', async (t) => {
    if (SKIP) return t.skip(SKIP);
    const u = await a.register('rvkpw');
    const onB = await b.login(u.username, u.password);  // a second session, opened on B
    expectOk(await profile(b, u.token));
    expectOk(await profile(a, onB.token));

    const newPassword = `New-${randomHex(6)}`;
    expectOk(await a.api('POST', '/api/auth/change-password', {
        token: u.token, body: { old_password: u.password, new_password: newPassword },
    }));
    assertWithin(t, await refusedAfter(b, u.token), 'the changing session\'s token on B');
    assertWithin(t, await refusedAfter(b, onB.token), 'B\'s own older session on B');
    expectError(await profile(a, onB.token), 401, CODE_TOKEN_INVALID);
    expectError(await refresh(b, onB.refresh_token), 401, CODE_REFRESH_INVALID);

    // The new password works on B, and the session it opens is good on both.
    const fresh = await b.login(u.username, newPassword);
    expectOk(await profile(b, fresh.token));
    expectOk(await profile(a, fresh.token));
});

test('a refresh token rotated on one instance and replayed on the other revokes the family on both', async (t) => {
    if (SKIP) return t.skip(SKIP);
    const u = await a.register('rvkrt');
    const rotated = await refresh(a, u.refresh_token);
    expectOk(rotated);
    const { token: newToken, refresh_token: newRefresh } = rotated.body.data;
    expectOk(await profile(a, newToken));
    expectOk(await profile(b, newToken));

    // The old refresh token again, on B: the database says it was used, so B revokes the family.
    expectError(await refresh(b, u.refresh_token), 401, CODE_REFRESH_INVALID);
    // A learns of it from B within a second: the access token A issued at the rotation is refused.
    assertWithin(t, await refusedAfter(a, newToken), 'the rotated session\'s token on A');
    expectError(await profile(b, newToken), 401, CODE_TOKEN_INVALID);
    // And the newest refresh token of the family is dead on both.
    expectError(await refresh(a, newRefresh), 401, CODE_REFRESH_INVALID);
    expectError(await refresh(b, newRefresh), 401, CODE_REFRESH_INVALID);
});
