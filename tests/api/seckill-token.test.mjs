// The anti-bot gate (seckill.token_required): a purchase needs a single-use token from
// POST /api/seckill/token, which is issued only while the sale runs, only to a signed-in shopper,
// and is good for that shopper and that activity once. Starts its own server with the gate on, so
// it runs in either flash-sale mode (tokens in memory, or in Redis with --full).
import { test, startServer, assert, sleep, expectOk, expectError, isoSeconds, EXTERNAL, EXTERNAL_SKIP } from './harness.mjs';

const tokenOf = async (s, user, productId) => {
    const res = await s.api('POST', '/api/seckill/token', { token: user.token, body: { product_id: productId } });
    expectOk(res);
    assert.equal(typeof res.body.data.token, 'string');
    assert.ok(res.body.data.token.length >= 16, `token looks random: ${res.body.data.token}`);
    return res.body.data.token;
};

const buy = (s, user, productId, token) =>
    s.api('POST', '/api/seckill', { token: user.token, body: token === undefined ? { product_id: productId } : { product_id: productId, token } });

test('anti-bot gate: a token only once the sale runs, only for its shopper, once; hostile input refused', { timeout: 120000 }, async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const s = await startServer({ label: 'seckill-token', env: { GOMALL_SECKILL_TOKEN_REQUIRED: 'true' } });
    try {
        const [alice, bob] = [await s.register('tka'), await s.register('tkb')];
        const p = await s.createProduct({ stock: 100, price: 50 });
        const startMs = (await s.serverNowMs()) + 3000;
        const activity = await s.createActivity({ product_id: p.id, stock: 5, price: 5, start_time: isoSeconds(startMs), per_user_limit: 1 });
        const startAt = Date.parse(activity.start_time);
        assert.equal(activity.token_required, true, 'the activity tells clients to fetch a token first');
        const listed = (await s.api('GET', '/api/seckill/activities')).body.data.list.find((a) => a.id === activity.id);
        assert.equal(listed?.token_required, true);

        // before the start: no token, so a script cannot hold one ready for the first millisecond
        expectError(await s.api('POST', '/api/seckill/token', { token: alice.token, body: { product_id: p.id } }), 409, 60003);

        // input of the token route
        const tokenRoute = (opts) => s.api('POST', '/api/seckill/token', { token: alice.token, ...opts });
        expectError(await s.api('POST', '/api/seckill/token', { body: { product_id: p.id } }), 401, 401);
        expectError(await s.api('POST', '/api/seckill/token', { token: 'not.a.token', body: { product_id: p.id } }), 401, 10006);
        expectError(await tokenRoute({ body: {} }), 400, 400, 'product_id');
        expectError(await tokenRoute({ body: { product_id: -1 } }), 400, 400, 'product_id');
        expectError(await tokenRoute({ body: { product_id: 'x' } }), 400, 400, 'product_id');
        expectError(await tokenRoute({ rawBody: '{"product_id":99999999999999999999999}', headers: { 'content-type': 'application/json' } }), 400, 400, 'product_id');
        expectError(await tokenRoute({ body: { product_id: p.id + 100000 } }), 404, 60001);

        while (Date.now() < startAt + 200) await sleep(100);

        // without a token, or with one that was never issued: 403 60008, no unit taken
        expectError(await buy(s, alice, p.id), 403, 60008);
        expectError(await buy(s, alice, p.id, ''), 403, 60008);
        expectError(await buy(s, alice, p.id, 'f'.repeat(32)), 403, 60008);
        expectError(await buy(s, alice, p.id, 123), 400, 400, 'token');
        expectError(await buy(s, alice, p.id, 'x'.repeat(5000)), 400, 400, 'token');

        // another shopper's token is not yours
        const bobs = await tokenOf(s, bob, p.id);
        expectError(await buy(s, alice, p.id, bobs), 403, 60008);

        // your own token buys once
        const alices = await tokenOf(s, alice, p.id);
        const ok = await buy(s, alice, p.id, alices);
        expectOk(ok);
        assert.equal(ok.body.data.status, 'queued');
        expectError(await buy(s, alice, p.id, alices), 403, 60008);
        const final = await s.waitSeckillFinal(alice, p.id);
        assert.equal(final.status, 'success', JSON.stringify(final));

        // Bob's token was not spent by Alice's attempt with it
        expectOk(await buy(s, bob, p.id, bobs));
        assert.equal((await s.waitSeckillFinal(bob, p.id)).status, 'success');

        // Alice is at her limit: a fresh token does not lift it
        expectError(await buy(s, alice, p.id, await tokenOf(s, alice, p.id)), 409, 60005);

        // after the end: no more tokens
        expectOk(await s.api('POST', `/api/seckill/activities/${activity.id}/end`, { token: await s.adminToken() }));
        expectError(await s.api('POST', '/api/seckill/token', { token: bob.token, body: { product_id: p.id } }), 409, 60004);

        const after = await s.activity(activity.id);
        assert.equal(after.sold, 2, 'two units sold, none taken by a refused attempt');
    } finally {
        await s.dispose();
    }
});
