// Flash sale (seckill): admin init/update/end, the public activity list and its states, purchase
// input and refusals, the result endpoint, the server-sent-events stream, and the order a flash
// sale becomes (listed, flash price, payable; cancelling it puts the unit back on sale).
import {
    test, useServer, assert, sleep, ISO_UTC_RE, ORDER_NO_RE,
    expectOk, expectError, expectMoneyText, isoSeconds, readEventStream,
} from './harness.mjs';

const srv = useServer({ label: 'seckill' });

const ACTIVITY_FIELDS = ['id', 'product_id', 'product_name', 'product_image', 'price', 'original_price', 'total_stock',
    'sold', 'remaining', 'state', 'start_time', 'end_time', 'per_user_limit', 'token_required', 'created_at', 'updated_at'];
const STATES = ['upcoming', 'active', 'sold_out', 'ended'];
const RESERVATION_ID_RE = /^[0-9a-f]{32}$/;
const HOUR = 3600 * 1000;

function expectActivity(a) {
    for (const f of ACTIVITY_FIELDS) assert.ok(f in a, `activity without ${f}: ${JSON.stringify(a)}`);
    assert.equal(typeof a.token_required, 'boolean');
    assert.ok(STATES.includes(a.state), `unknown state ${a.state}`);
    for (const f of ['start_time', 'end_time', 'created_at', 'updated_at']) assert.match(a[f], ISO_UTC_RE, `${f} ${a[f]}`);
    if (a.state !== 'ended') assert.ok(Date.parse(a.end_time) > Date.parse(a.start_time), 'end_time after start_time');
    assert.ok(a.sold >= 0 && a.sold <= a.total_stock, `sold ${a.sold} of ${a.total_stock}`);
    assert.ok(a.remaining >= 0 && a.remaining <= a.total_stock, `remaining ${a.remaining} of ${a.total_stock}`);
}

const buy = (u, productId) => srv.seckillBuy(u, productId);
const result = (u, productId) => srv.seckillResult(u, productId);
const endActivity = async (id) => srv.api('POST', `/api/seckill/activities/${id}/end`, { token: await srv.adminToken() });
const updateActivity = async (id, body, token) => srv.api('PUT', `/api/seckill/activities/${id}`, { token: token ?? await srv.adminToken(), body });

/// Buys one unit and waits for the outcome; returns {queued (POST data), final (result data)}.
async function buyAndWait(u, productId) {
    const r = await buy(u, productId);
    expectOk(r);
    assert.equal(r.body.data.status, 'queued', r.text);
    const final = await srv.waitSeckillFinal(u, productId);
    assert.equal(final.status, 'success', `result after queued: ${JSON.stringify(final)}`);
    assert.match(final.order_no, ORDER_NO_RE);
    return { queued: r.body.data, final };
}

async function listActivities(query = '') {
    const res = await srv.api('GET', `/api/seckill/activities${query}`);
    expectOk(res);
    return res.body.data;
}

/// Polls the activity until `pred(activity)` holds (or timeoutMs passes); returns it.
const waitActivity = (id, pred, timeoutMs = 15000) => srv.waitActivity(id, pred, timeoutMs);

// ------------------------------------------------------------------------------------------ admin

test('init creates an activity with the documented fields (201); detail carries server_time', async () => {
    const p = await srv.createProduct({ stock: 500, price: 99, image_url: '/img/flash.png' });
    const now = await srv.serverNowMs();
    const start = isoSeconds(now + HOUR);
    const end = isoSeconds(now + 2 * HOUR);
    const res = await srv.seckillInit({ product_id: p.id, stock: 20, price: 9.9, start_time: start, end_time: end, per_user_limit: 2 });
    expectOk(res, 201);
    const a = res.body.data;
    expectActivity(a);
    assert.ok(Number.isInteger(a.id) && a.id > 0);
    assert.equal(a.product_id, p.id);
    assert.equal(a.product_name, p.name);
    assert.equal(a.product_image, '/img/flash.png');
    expectMoneyText(res, 'price', '9.90');
    expectMoneyText(res, 'original_price', '99.00');
    assert.equal(a.total_stock, 20);
    assert.equal(a.sold, 0);
    assert.equal(a.remaining, 20);
    assert.equal(a.state, 'upcoming');
    assert.equal(Date.parse(a.start_time), Date.parse(start));
    assert.equal(Date.parse(a.end_time), Date.parse(end));
    assert.equal(a.per_user_limit, 2);

    const d = await srv.api('GET', `/api/seckill/activities/${a.id}`);
    expectOk(d);
    expectActivity(d.body.data);
    assert.equal(d.body.data.id, a.id);
    assert.equal(d.body.data.total_stock, 20);
    assert.match(d.body.data.server_time, ISO_UTC_RE);
    assert.equal(typeof d.body.data.server_time_ms, 'number');
    assert.ok(Math.abs(d.body.data.server_time_ms - Date.now()) < 60000, 'server_time_ms is epoch milliseconds');
    expectMoneyText(d, 'price', '9.90');

    expectError(await srv.api('GET', '/api/seckill/activities/999999999'), 404, 60001);
});

test('init defaults: product price, start now, one hour, limit 1', async () => {
    const p = await srv.createProduct({ stock: 50, price: 99 });
    const res = await srv.seckillInit({ product_id: p.id, stock: 5 });
    expectOk(res, 201);
    const a = res.body.data;
    expectActivity(a);
    expectMoneyText(res, 'price', '99.00');
    const now = await srv.serverNowMs();
    assert.ok(Math.abs(Date.parse(a.start_time) - now) <= 5000, `start_time ${a.start_time} is now`);
    assert.ok(Math.abs(Date.parse(a.end_time) - Date.parse(a.start_time) - HOUR) <= 1000, `end_time ${a.end_time} = start + 1 h`);
    assert.equal(a.per_user_limit, 1);
    assert.equal(a.token_required, false, 'the anti-bot gate is off by default');
    assert.equal(a.total_stock, 5);
    assert.equal(a.remaining, 5);
    assert.equal(a.sold, 0);
    assert.equal(a.state, 'active');
});

test('init is refused while the product\'s activity runs (409 60009); after ending it early a new one starts', async () => {
    const p = await srv.createProduct({ stock: 50, price: 20 });
    const a1 = await srv.createActivity({ product_id: p.id, stock: 3 });
    expectError(await srv.seckillInit({ product_id: p.id, stock: 3 }), 409, 60009);
    const ended = await endActivity(a1.id);
    expectOk(ended);
    assert.equal(ended.body.data.state, 'ended');
    const res = await srv.seckillInit({ product_id: p.id, stock: 4, price: 1 });
    expectOk(res, 201);
    const a2 = res.body.data;
    assert.notEqual(a2.id, a1.id);
    assert.equal(a2.state, 'active');
    // purchases now go to the new activity
    const u = await srv.register('sk2nd');
    const { queued, final } = await buyAndWait(u, p.id);
    assert.equal(queued.activity_id, a2.id);
    assert.equal(final.activity_id, a2.id);
    assert.equal((await waitActivity(a2.id, (x) => x.sold === 1, 3000)).sold, 1);
    assert.equal((await srv.activity(a1.id)).sold, 0);
});

test('init validation: 403 for shoppers, 401 without token, unknown product 404 20001, fields, bad window 400 60010', async () => {
    const p = await srv.createProduct({ stock: 50, price: 20 });
    const shopper = await srv.register('skadm');
    expectError(await srv.api('POST', '/api/seckill/init', { token: shopper.token, body: { product_id: p.id, stock: 5 } }), 403, 403);
    expectError(await srv.api('POST', '/api/seckill/init', { body: { product_id: p.id, stock: 5 } }), 401, 401);
    expectError(await srv.seckillInit({ product_id: 999999999, stock: 5 }), 404, 20001);

    expectError(await srv.seckillInit({ stock: 5 }), 400, 400, 'product_id');
    expectError(await srv.seckillInit({ product_id: 'abc', stock: 5 }), 400, 400, 'product_id');
    expectError(await srv.seckillInit({ product_id: -1, stock: 5 }), 400, 400, 'product_id');
    expectError(await srv.seckillInit({ product_id: p.id }), 400, 400, 'stock');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 0 }), 400, 400, 'stock');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 1000001 }), 400, 400, 'stock');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 'many' }), 400, 400, 'stock');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, per_user_limit: 0 }), 400, 400, 'per_user_limit');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, per_user_limit: 101 }), 400, 400, 'per_user_limit');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, price: 0 }), 400, 400, 'price');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, price: -1 }), 400, 400, 'price');
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, price: 1.234 }), 400, 400, 'price');

    const now = await srv.serverNowMs();
    expectError(await srv.seckillInit({
        product_id: p.id, stock: 5, start_time: isoSeconds(now + 2 * HOUR), end_time: isoSeconds(now + HOUR),
    }), 400, 60010);
    expectError(await srv.seckillInit({
        product_id: p.id, stock: 5, start_time: isoSeconds(now + HOUR), end_time: isoSeconds(now + HOUR),
    }), 400, 60010);
    // default start (now) with an end in the past
    expectError(await srv.seckillInit({ product_id: p.id, stock: 5, end_time: isoSeconds(now - HOUR) }), 400, 60010);
    // an unreadable time is a 400 (validation naming the field, or the window code)
    const garbled = await srv.seckillInit({ product_id: p.id, stock: 5, start_time: 'next tuesday' });
    assert.equal(garbled.status, 400, garbled.text);
    assert.ok([400, 60010].includes(garbled.body.code), garbled.text);

    // nothing of the above created an activity: the product has none to buy from
    const u = await srv.register('sknone');
    expectError(await buy(u, p.id), 404, 60001);
});

test('activities list: server_time, and upcoming / active / sold_out / ended states', async () => {
    const now = await srv.serverNowMs();
    const pUp = await srv.createProduct({ stock: 10, price: 10 });
    const pAct = await srv.createProduct({ stock: 10, price: 10 });
    const pSold = await srv.createProduct({ stock: 10, price: 10 });
    const pEnd = await srv.createProduct({ stock: 10, price: 10 });
    const up = await srv.createActivity({ product_id: pUp.id, stock: 2, start_time: isoSeconds(now + HOUR) });
    const act = await srv.createActivity({ product_id: pAct.id, stock: 3 });
    const sold = await srv.createActivity({ product_id: pSold.id, stock: 1 });
    const ended = await srv.createActivity({ product_id: pEnd.id, stock: 2 });
    await buyAndWait(await srv.register('sklist'), pSold.id);
    expectOk(await endActivity(ended.id));

    let data = await listActivities();
    for (const deadline = Date.now() + 3000; Date.now() < deadline;) {
        // (see waitActivity: the sale may have gone through another instance)
        if (data.list.find((a) => a.id === sold.id)?.state === 'sold_out' && !data.list.some((a) => a.id === ended.id)) break;
        await sleep(100);
        data = await listActivities();
    }
    assert.ok(Array.isArray(data.list));
    assert.match(data.server_time, ISO_UTC_RE);
    assert.equal(typeof data.server_time_ms, 'number');
    assert.ok(Math.abs(data.server_time_ms - Date.parse(data.server_time)) < 1000, 'server_time and server_time_ms agree');
    assert.ok(Math.abs(data.server_time_ms - Date.now()) < 60000, 'server_time_ms is epoch milliseconds');
    for (const a of data.list) expectActivity(a);
    const byId = new Map(data.list.map((a) => [a.id, a]));
    assert.equal(byId.get(up.id)?.state, 'upcoming', 'upcoming activity listed');
    assert.equal(byId.get(act.id)?.state, 'active', 'active activity listed');
    assert.equal(byId.get(act.id).remaining, 3);
    assert.equal(byId.get(sold.id)?.state, 'sold_out', 'sold-out activity listed');
    assert.equal(byId.get(sold.id).remaining, 0);
    assert.equal(byId.get(sold.id).sold, 1);
    assert.ok(!byId.has(ended.id), 'ended activities are not listed by default');
    for (const a of data.list) assert.notEqual(a.state, 'ended', `ended activity ${a.id} listed by default`);

    const all = await listActivities('?include_ended=true');
    const allById = new Map(all.list.map((a) => [a.id, a]));
    assert.equal(allById.get(ended.id)?.state, 'ended', 'include_ended=true lists the ended activity');
    for (const id of [up.id, act.id, sold.id]) assert.ok(allById.has(id), `activity ${id} with include_ended=true`);
    const none = await listActivities('?include_ended=false');
    assert.ok(!none.list.some((a) => a.id === ended.id));
});

test('update: only before the start (else 409 60009); changes reach the sale', async () => {
    const p = await srv.createProduct({ stock: 100, price: 80 });
    const now = await srv.serverNowMs();
    const a = await srv.createActivity({ product_id: p.id, stock: 5, price: 10, start_time: isoSeconds(now + HOUR) });
    const shopper = await srv.register('skupd');
    expectError(await updateActivity(a.id, { price: 1 }, shopper.token), 403, 403);
    expectError(await srv.api('PUT', `/api/seckill/activities/${a.id}`, { body: { price: 1 } }), 401, 401);
    expectError(await updateActivity(999999999, { price: 1 }), 404, 60001);

    const res = await updateActivity(a.id, { price: '5.50', stock: 30, per_user_limit: 3, end_time: isoSeconds(now + 3 * HOUR) });
    expectOk(res);
    expectActivity(res.body.data);
    expectMoneyText(res, 'price', '5.50');
    assert.equal(res.body.data.total_stock, 30);
    assert.equal(res.body.data.remaining, 30);
    assert.equal(res.body.data.per_user_limit, 3);
    assert.equal(Date.parse(res.body.data.end_time), Date.parse(isoSeconds(now + 3 * HOUR)));
    assert.equal(res.body.data.state, 'upcoming');
    // Other instances hear of an admin change over Redis within milliseconds (see waitActivity).
    const d = await waitActivity(a.id, (x) => x.total_stock === 30, 3000);
    assert.equal(d.total_stock, 30);
    assert.equal(d.price, 5.5);

    expectError(await updateActivity(a.id, { end_time: isoSeconds(now + 30 * 60 * 1000) }), 400, 60010);
    expectError(await updateActivity(a.id, { stock: 0 }), 400, 400, 'stock');
    expectError(await updateActivity(a.id, { per_user_limit: 101 }), 400, 400, 'per_user_limit');

    // move the start close, wait until it is active, buy at the new price
    const startMs = (await srv.serverNowMs()) + 2000;
    expectOk(await updateActivity(a.id, { start_time: isoSeconds(startMs) }));
    const u = await srv.register('skupdbuy');
    const early = await buy(u, p.id);
    expectError(early, 409, 60003);
    const active = await waitActivity(a.id, (x) => x.state === 'active');
    assert.equal(active.state, 'active');
    const { final } = await buyAndWait(u, p.id);
    const o = await srv.api('GET', `/api/order/${final.order_no}`, { token: u.token });
    expectOk(o);
    expectMoneyText(o, 'total_price', '5.50');

    // running: no more changes
    expectError(await updateActivity(a.id, { price: 1 }), 409, 60009);
    expectError(await updateActivity(a.id, { stock: 100 }), 409, 60009);
    assert.equal((await srv.activity(a.id)).total_stock, 30);
});

test('end early: state ended, purchases refused 409 60004, ending twice 409 60004, orders kept', async () => {
    const p = await srv.createProduct({ stock: 100, price: 30 });
    const a = await srv.createActivity({ product_id: p.id, stock: 5, price: 3 });
    const u = await srv.register('skend');
    const { final } = await buyAndWait(u, p.id);
    const shopper = await srv.register('skend2');
    expectError(await srv.api('POST', `/api/seckill/activities/${a.id}/end`, { token: shopper.token }), 403, 403);

    const res = await endActivity(a.id);
    expectOk(res);
    expectActivity(res.body.data);
    assert.equal(res.body.data.state, 'ended');
    assert.equal(res.body.data.sold, 1);
    const now = await srv.serverNowMs();
    assert.ok(Date.parse(res.body.data.end_time) <= now + 1000, `end_time ${res.body.data.end_time} is now`);
    assert.ok(Date.parse(res.body.data.end_time) >= now - 10000, `end_time ${res.body.data.end_time} is now`);
    expectError(await endActivity(a.id), 409, 60004);
    expectError(await endActivity(999999999), 404, 60001);
    expectError(await buy(shopper, p.id), 409, 60004);
    assert.equal((await srv.activity(a.id)).state, 'ended');
    expectError(await updateActivity(a.id, { price: 1 }), 409, 60009);
    const o = await srv.api('GET', `/api/order/${final.order_no}`, { token: u.token });
    expectOk(o);
    assert.equal(o.body.data.status, 1, 'the order bought before the end stays');
});

// ------------------------------------------------------------------------------------------ purchase

test('purchase input: product_id must be a positive integer (400 naming product_id); 401 without a token', async () => {
    const p = await srv.createProduct({ stock: 100, price: 10 });
    const a = await srv.createActivity({ product_id: p.id, stock: 10 });
    const u = await srv.register('skbad');
    const post = (opts) => srv.api('POST', '/api/seckill', { token: u.token, ...opts });
    expectError(await post({ body: {} }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: null } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: 0 } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: -5 } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: 1.5 } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: 'abc' } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: [p.id] } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: true } }), 400, 400, 'product_id');
    expectError(await post({ body: { product_id: { id: p.id } } }), 400, 400, 'product_id');
    expectError(await post({ rawBody: '{"product_id":99999999999999999999999}', headers: { 'content-type': 'application/json' } }), 400, 400, 'product_id');
    const inf = await post({ rawBody: '{"product_id":1e400}', headers: { 'content-type': 'application/json' } });
    assert.equal(inf.status, 400, inf.text);  // naming product_id, or refused as malformed JSON
    const malformed = await post({ rawBody: '{"product_id":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400, malformed.text);
    const wrongType = await post({ rawBody: `product_id=${p.id}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(wrongType.status, 415, wrongType.text);

    expectError(await srv.api('POST', '/api/seckill', { body: { product_id: p.id } }), 401, 401);
    expectError(await srv.api('POST', '/api/seckill', { token: 'not.a.token', body: { product_id: p.id } }), 401, 10006);
    expectError(await srv.api('GET', `/api/seckill/result?product_id=${p.id}`), 401, 401);

    // nothing was reserved by any of that
    const after = await srv.activity(a.id);
    assert.equal(after.sold, 0);
    assert.equal(after.remaining, 10);
    const r = await result(u, p.id);
    expectOk(r);
    assert.equal(r.body.data.status, 'none');
});

test('purchase refusals: no activity 404 60001, not started 409 60003, ended 409 60004', async () => {
    const u = await srv.register('skref');
    const plain = await srv.createProduct({ stock: 10, price: 10 });
    expectError(await buy(u, plain.id), 404, 60001);
    expectError(await buy(u, 999999999), 404, 60001);
    expectError(await result(u, plain.id), 404, 60001);

    const now = await srv.serverNowMs();
    const pUp = await srv.createProduct({ stock: 10, price: 10 });
    const up = await srv.createActivity({ product_id: pUp.id, stock: 5, start_time: isoSeconds(now + HOUR) });
    const early = await buy(u, pUp.id);
    expectError(early, 409, 60003);
    assert.match(early.body.message, /\d/, `the not-started message says when: ${early.body.message}`);
    assert.equal((await srv.activity(up.id)).sold, 0);

    // a short window that ends by itself
    const pShort = await srv.createProduct({ stock: 10, price: 10 });
    const short = await srv.createActivity({ product_id: pShort.id, stock: 5, end_time: isoSeconds(now + 2000) });
    const ended = await waitActivity(short.id, (x) => x.state === 'ended');
    assert.equal(ended.state, 'ended');
    expectError(await buy(u, pShort.id), 409, 60004);
    const all = await listActivities('?include_ended=true');
    assert.equal(all.list.find((x) => x.id === short.id)?.state, 'ended');
    assert.ok(!(await listActivities()).list.some((x) => x.id === short.id), 'an ended activity is not listed by default');
});

test('result: none, then queued/success with order_no; only the caller\'s own reservations', async () => {
    const p = await srv.createProduct({ stock: 100, price: 50 });
    const a = await srv.createActivity({ product_id: p.id, stock: 5, price: 5 });
    const u1 = await srv.register('skres1');
    const u2 = await srv.register('skres2');

    const before = await result(u1, p.id);
    expectOk(before);
    assert.equal(before.body.data.status, 'none');
    assert.ok(Array.isArray(before.body.data.reservations));
    assert.equal(before.body.data.reservations.length, 0);

    const r = await buy(u1, p.id);
    expectOk(r);
    assert.equal(r.body.data.status, 'queued');
    assert.match(r.body.data.reservation_id, RESERVATION_ID_RE);
    assert.equal(r.body.data.activity_id, a.id);
    assert.equal(r.body.data.product_id, p.id);

    const now = await result(u1, p.id);
    expectOk(now);
    assert.ok(['queued', 'success'].includes(now.body.data.status), now.text);
    const final = await srv.waitSeckillFinal(u1, p.id);
    assert.equal(final.status, 'success', JSON.stringify(final));
    assert.match(final.order_no, ORDER_NO_RE);
    assert.equal(final.reservation_id, r.body.data.reservation_id);
    assert.equal(final.activity_id, a.id);
    assert.equal(final.product_id, p.id);
    assert.equal(final.reservations.length, 1);
    const [res0] = final.reservations;
    assert.equal(res0.reservation_id, r.body.data.reservation_id);
    assert.equal(res0.status, 'success');
    assert.equal(res0.order_no, final.order_no);
    assert.match(res0.reserved_at, ISO_UTC_RE);

    // the other shopper sees nothing of it
    const other = await result(u2, p.id);
    expectOk(other);
    assert.equal(other.body.data.status, 'none');
    assert.equal(other.body.data.reservations.length, 0);
    assert.ok(!other.text.includes(r.body.data.reservation_id), 'another shopper\'s reservation id leaked');
    assert.ok(!other.text.includes(final.order_no), 'another shopper\'s order number leaked');

    // the limit (1) is reached; the result stays success
    const again = await buy(u1, p.id);
    expectError(again, 409, 60005);
    assert.equal((await srv.waitSeckillFinal(u1, p.id)).order_no, final.order_no);

    expectError(await result(u1, 999999999), 404, 60001);
    expectError(await srv.api('GET', '/api/seckill/result', { token: u1.token }), 400, 400, 'product_id');
    expectError(await srv.api('GET', '/api/seckill/result?product_id=abc', { token: u1.token }), 400, 400, 'product_id');
    expectError(await srv.api('GET', '/api/seckill/result?product_id=-1', { token: u1.token }), 400, 400, 'product_id');
});

test('events: SSE streams the result, then success with the order number, then ends', async () => {
    const p = await srv.createProduct({ stock: 100, price: 50 });
    await srv.createActivity({ product_id: p.id, stock: 5, price: 5 });
    const u = await srv.register('sksse');
    const url = `${srv.baseUrl}/api/seckill/events?product_id=${p.id}`;

    let firstEvent;
    const first = new Promise((resolve) => { firstEvent = resolve; });
    const streamP = readEventStream(url, { token: u.token, timeoutMs: 30000, onEvent: (ev) => firstEvent(ev) });
    const ev0 = await Promise.race([first, sleep(10000).then(() => null)]);
    assert.ok(ev0, 'an event arrives at once after connecting');
    assert.equal(ev0.event, 'result');
    assert.equal(ev0.data?.status, 'none', `first event: ${ev0.raw}`);

    const r = await buy(u, p.id);
    expectOk(r);
    const s = await streamP;
    assert.equal(s.status, 200);
    assert.match(s.headers['content-type'], /^text\/event-stream/);
    assert.equal(s.timedOut, false, `the stream did not end after the final result: ${JSON.stringify(s.events.map((e) => e.raw))}`);
    assert.ok(s.ended);
    for (const e of s.events) {
        assert.equal(e.event, 'result');
        assert.ok(e.data && typeof e.data.status === 'string', `event data is the result JSON: ${e.raw}`);
    }
    const last = s.events.at(-1);
    assert.equal(last.data.status, 'success', `last event: ${last.raw}`);
    assert.match(last.data.order_no, ORDER_NO_RE);
    assert.equal(last.data.reservation_id, r.body.data.reservation_id);
    const statuses = s.events.map((e) => e.data.status);
    assert.ok(statuses.every((st) => ['none', 'queued', 'success'].includes(st)), statuses.join(','));

    // a stream opened after the outcome says success at once and ends
    const t0 = Date.now();
    const s2 = await readEventStream(url, { token: u.token, timeoutMs: 15000 });
    assert.equal(s2.timedOut, false, 'a finished result ends the stream');
    assert.ok(Date.now() - t0 < 10000);
    assert.equal(s2.events[0]?.event, 'result');
    assert.equal(s2.events.at(-1).data.status, 'success');
    assert.equal(s2.events.at(-1).data.order_no, last.data.order_no);

    // auth and input
    const anon = await readEventStream(url, { timeoutMs: 10000 });
    assert.equal(anon.status, 401, anon.text);
    const bad = await readEventStream(`${srv.baseUrl}/api/seckill/events?product_id=abc`, { token: u.token, timeoutMs: 10000 });
    assert.equal(bad.status, 400, bad.text);
    const unknown = await readEventStream(`${srv.baseUrl}/api/seckill/events?product_id=999999999`, { token: u.token, timeoutMs: 10000 });
    assert.equal(unknown.status, 404, unknown.text);
});

// ------------------------------------------------------------------------------------------ the order

test('the flash-sale order: listed with seckill_activity_id, total = flash price, can be paid', async () => {
    const p = await srv.createProduct({ stock: 100, price: 99, image_url: '/img/o.png' });
    const a = await srv.createActivity({ product_id: p.id, stock: 5, price: 1.99 });
    const u = await srv.register('skord');
    const { final } = await buyAndWait(u, p.id);

    const list = await srv.api('GET', '/api/order', { token: u.token });
    expectOk(list);
    const mine = list.body.data.list.filter((o) => o.product_id === p.id);
    assert.equal(mine.length, 1, JSON.stringify(list.body.data.list));
    const o = mine[0];
    assert.equal(o.order_no, final.order_no);
    assert.equal(o.seckill_activity_id, a.id);
    assert.equal(o.user_id, u.user.id);
    assert.equal(o.quantity, 1);
    assert.equal(o.status, 1);
    assert.equal(o.product_name, p.name);
    assert.equal(o.total_price, 1.99);
    expectMoneyText(list, 'total_price', '1.99');
    assert.equal(o.items.length, 1);
    assert.equal(o.items[0].quantity, 1);
    assert.equal(o.items[0].price, 1.99);

    const d = await srv.api('GET', `/api/order/${final.order_no}`, { token: u.token });
    expectOk(d);
    assert.equal(d.body.data.seckill_activity_id, a.id);
    expectMoneyText(d, 'total_price', '1.99');
    assert.match(d.body.data.expires_at, ISO_UTC_RE);

    const paid = await srv.api('POST', `/api/order/${final.order_no}/pay`, { token: u.token });
    expectOk(paid);
    assert.equal(paid.body.data.status, 2);
    assert.equal(paid.body.data.pay_type, 9);
    const act = await waitActivity(a.id, (x) => x.sold === 1, 3000);
    assert.equal(act.sold, 1);
    assert.equal(act.remaining, 4);
    assert.equal((await srv.waitSeckillFinal(u, p.id)).status, 'success');

    // the admin sees it too
    const admin = await srv.listAll('/api/admin/order?status=2', await srv.adminToken());
    assert.ok(admin.some((x) => x.order_no === final.order_no && x.seckill_activity_id === a.id));
});

test('a flash sale keeps its product as it was made: renamed and repriced afterwards, the sale and its orders show the snapshot', async () => {
    const p = await srv.createProduct({ stock: 100, price: 50, image_url: '/img/snap.png' });
    const a = await srv.createActivity({ product_id: p.id, stock: 5, price: 5 });
    const renamed = await srv.api('PUT', `/api/product/${p.id}`, {
        token: await srv.adminToken(),
        body: { name: `${p.name} (new)`, price: 60, image_url: '/img/snap-new.png' },
    });
    expectOk(renamed);
    assert.equal(renamed.body.data.name, `${p.name} (new)`);

    const d = await srv.api('GET', `/api/seckill/activities/${a.id}`);
    expectOk(d);
    assert.equal(d.body.data.product_name, p.name);
    assert.equal(d.body.data.product_image, '/img/snap.png');
    expectMoneyText(d, 'original_price', '50.00');
    const listed = (await listActivities()).list.find((x) => x.id === a.id);
    assert.ok(listed, 'the sale is listed');
    assert.equal(listed.product_name, p.name);

    const u = await srv.register('snap');
    const { final } = await buyAndWait(u, p.id);
    const o = await srv.api('GET', `/api/order/${final.order_no}`, { token: u.token });
    expectOk(o);
    assert.equal(o.body.data.product_name, p.name);
    expectMoneyText(o, 'total_price', '5.00');
});

test('an upcoming flash sale that is changed takes its product as it is now', async () => {
    const p = await srv.createProduct({ stock: 100, price: 70, image_url: '/img/later.png' });
    const now = await srv.serverNowMs();
    const made = await srv.seckillInit({
        product_id: p.id, stock: 5, price: 7, start_time: isoSeconds(now + HOUR), end_time: isoSeconds(now + 2 * HOUR),
    });
    expectOk(made, 201);
    const a = made.body.data;
    expectOk(await srv.api('PUT', `/api/product/${p.id}`, {
        token: await srv.adminToken(),
        body: { name: `${p.name} (v2)`, price: 80, image_url: '/img/later-v2.png' },
    }));
    const changed = await updateActivity(a.id, { stock: 6 });
    expectOk(changed);
    assert.equal(changed.body.data.total_stock, 6);
    assert.equal(changed.body.data.product_name, `${p.name} (v2)`);
    assert.equal(changed.body.data.product_image, '/img/later-v2.png');
    expectMoneyText(changed, 'original_price', '80.00');
    const d = await srv.api('GET', `/api/seckill/activities/${a.id}`);
    expectOk(d);
    assert.equal(d.body.data.product_name, `${p.name} (v2)`);
});

test('cancelling a flash-sale order puts the unit back on sale and frees the shopper\'s limit', async () => {
    const p = await srv.createProduct({ stock: 100, price: 40 });
    const a = await srv.createActivity({ product_id: p.id, stock: 1, price: 4 });
    const u = await srv.register('skcan');
    const other = await srv.register('skcan2');
    const { final } = await buyAndWait(u, p.id);
    expectError(await buy(other, p.id), 409, 60002);
    assert.equal((await waitActivity(a.id, (x) => x.state === 'sold_out', 3000)).state, 'sold_out');

    const c = await srv.api('POST', `/api/order/${final.order_no}/cancel`, { token: u.token });
    expectOk(c);
    assert.equal(c.body.data.status, 5);
    const back = await waitActivity(a.id, (x) => x.remaining === 1);
    assert.equal(back.remaining, 1, 'the unit is on sale again');
    // ...on every instance, before the shopper tries again (see waitActivity)
    await srv.everywhere(async () => (await srv.activity(a.id)).remaining === 1);
    assert.equal(back.sold, 0);
    assert.equal(back.state, 'active');

    // the shopper who cancelled may buy again (limit 1 freed)
    const again = await buyAndWait(u, p.id);
    assert.notEqual(again.final.order_no, final.order_no);
    assert.equal(again.final.reservations.length >= 1, true);
    expectError(await buy(other, p.id), 409, 60002);
    const end = await waitActivity(a.id, (x) => x.sold === 1, 3000);
    assert.equal(end.sold, 1);
    assert.equal(end.remaining, 0);
});
