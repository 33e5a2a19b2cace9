// WeChat Pay end to end against the local emulator over HTTP, for APIv3 and APIv2: unified order,
// the payer's scan page, the signed notification, query, close, refunds, a payment that lands after
// the cancel (refunded automatically), duplicate and forged notifications, hostile notify bodies.
// Each protocol gets a server of its own (started with GOMALL_WECHATPAY_PROTOCOL).
import { describe } from 'node:test';
import {
    test, useServer, startServer, assert, sleep, EXTERNAL, EXTERNAL_SKIP, expectOk, expectError, rawHttp,
} from './harness.mjs';

const UNKNOWN_ORDER = 'ORD20260101000000000000001';

for (const protocol of ['v3', 'v2']) {
    describe(`WeChat Pay ${protocol}`, () => {
        const srv = useServer({ label: `pay-${protocol}`, env: { GOMALL_WECHATPAY_PROTOCOL: protocol } });

        const unified = (u, order_no) =>
            srv.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no } });
        const query = (u, no) => srv.api('GET', `/api/pay/wechat/query?order_no=${no}`, { token: u.token });
        const close = (u, no) => srv.api('POST', `/api/pay/wechat/close?order_no=${no}`, { token: u.token });
        const refund = (u, no, fee) =>
            srv.api('POST', `/api/pay/wechat/refund?order_no=${no}&refund_fee=${fee}`, { token: u.token });
        const payment = (u, no) => srv.api('GET', `/api/order/${no}/payment`, { token: u.token });
        const detail = (u, no) => srv.api('GET', `/api/order/${no}`, { token: u.token });

        /// A shopper with an order of `price` yuan awaiting payment, and its started payment.
        async function startedPayment(price = 12.34) {
            const u = await srv.register(`pay${protocol}`);
            const p = await srv.createProduct({ stock: 50, price });
            const placed = await srv.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
            expectOk(placed, 201);
            const no = placed.body.data.order_no;
            const res = await unified(u, no);
            expectOk(res);
            return { u, p, no, pay: res.body.data };
        }

        function emulatorBase(pay) {
            assert.ok(pay.scan_url, `no scan_url: the server does not run the emulator (${JSON.stringify(pay)})`);
            return new URL(pay.scan_url).origin;
        }

        async function emulator(pay, method, urlPath, body) {
            const res = await fetch(emulatorBase(pay) + urlPath, {
                method,
                headers: body ? { 'content-type': 'application/json' } : {},
                body: body ? JSON.stringify(body) : undefined,
            });
            const text = await res.text();
            let json = null;
            try { json = JSON.parse(text); } catch { json = null; }
            return { status: res.status, text, body: json };
        }

        async function waitFor(what, fn, timeoutMs = 15000) {
            const deadline = Date.now() + timeoutMs;
            let last;
            while (Date.now() < deadline) {
                last = await fn();
                if (last.done) return last.value;
                await sleep(150);
            }
            assert.fail(`${what} did not happen within ${timeoutMs} ms (last: ${JSON.stringify(last?.value)})`);
        }

        const emulatorOk = (res) => assert.ok(res.status >= 200 && res.status < 300, `emulator: ${res.status} ${res.text}`);

        const orderStatus = async (u, no) => (await payment(u, no)).body.data.order_status;

        /// The emulator's delivery log of a trade, once `n` deliveries were answered.
        async function deliveries(pay, outTradeNo, n = 1) {
            return waitFor(`${n} notification deliveries of ${outTradeNo}`, async () => {
                const res = await emulator(pay, 'GET', `/emulator/transactions/${outTradeNo}`);
                const list = res.body?.deliveries || [];
                return { done: list.filter((d) => d.status).length >= n, value: list };
            });
        }

        test('unified order answers the original shape, and again the same QR code', async () => {
            const { u, no, pay } = await startedPayment(12.34);
            assert.equal(pay.order_no, no);
            assert.equal(pay.total_fee, 1234);
            assert.equal(pay.trade_type, 'NATIVE');
            assert.match(pay.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=[A-Za-z0-9_-]+$/);
            assert.equal(pay.out_trade_no, `${no}-1`);
            assert.equal(pay.provider, `wechat_${protocol}`);
            assert.equal(typeof pay.prepay_id, 'string');
            if (protocol === 'v2') assert.ok(pay.prepay_id.length > 0, 'APIv2 answers a prepay_id');
            const again = await unified(u, no);
            expectOk(again);
            assert.equal(again.body.data.code_url, pay.code_url);
            assert.equal(again.body.data.out_trade_no, pay.out_trade_no);
            const q = await query(u, no);
            expectOk(q);
            assert.equal(q.body.data.trade_state, 'NOTPAY');
            assert.equal(q.body.data.order_status, 1);
        });

        test('the payer pays on the scan page; the signed notification marks the order paid', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const { u, no, pay } = await startedPayment(88.8);
            const page = await fetch(pay.scan_url);
            assert.equal(page.status, 200);
            const html = await page.text();
            assert.match(html, /88\.80/);
            assert.match(html, /pay-button/);
            const pr = new URL(pay.scan_url).searchParams.get('pr');
            const paid = await fetch(`${emulatorBase(pay)}/pay/scan`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: `pr=${encodeURIComponent(pr)}`,
            });
            assert.equal(paid.status, 200, await paid.text());
            await waitFor('order paid', async () => {
                const s = await orderStatus(u, no);
                return { done: s === 2, value: s };
            });
            const d = await detail(u, no);
            expectOk(d);
            assert.equal(d.body.data.status, 2);
            assert.equal(d.body.data.pay_type, 2);
            assert.ok(d.body.data.paid_at);
            const view = (await payment(u, no)).body.data;
            assert.equal(view.trade_state, 'SUCCESS');
            assert.equal(view.paid_fee, 8880);
            assert.equal(view.refundable_fee, 8880);
            assert.ok(view.records.some((r) => r.kind === 'notification' && r.status === 'SUCCESS' && r.transaction_id),
                JSON.stringify(view.records));
            const q = await query(u, no);
            expectOk(q);
            assert.equal(q.body.data.trade_state, 'SUCCESS');
            assert.ok(q.body.data.transaction_id.length > 0);
            // paid: no second payment
            expectError(await unified(u, no), 409, 30002);
        });

        test('close ends the trade; a new payment of the same order gets a new trade number', async () => {
            const { u, no, pay } = await startedPayment(5);
            const c = await close(u, no);
            expectOk(c);
            assert.equal(c.body.data.trade_state, 'CLOSED');
            assert.equal(c.body.data.order_status, 1);
            const q = await query(u, no);
            expectOk(q);
            assert.equal(q.body.data.trade_state, 'CLOSED');
            const again = await unified(u, no);
            expectOk(again);
            assert.equal(again.body.data.out_trade_no, `${no}-2`);
            assert.notEqual(again.body.data.code_url, pay.code_url);
            expectError(await close(u, UNKNOWN_ORDER), 404, 30001);
        });

        test('refunds: partial, over the rest refused, the rest makes the order refunded', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const { u, no, pay } = await startedPayment(10);
            emulatorOk(await emulator(pay, 'POST', '/emulator/pay', { out_trade_no: pay.out_trade_no }));
            await waitFor('order paid', async () => ({ done: (await orderStatus(u, no)) === 2 }));
            expectError(await refund(u, no, 0), 400, 400, 'refund_fee');
            expectError(await refund(u, no, 'ten'), 400, 400, 'refund_fee');
            const first = await refund(u, no, 300);
            expectOk(first);
            assert.equal(first.body.data.refund_fee, 300);
            assert.equal(first.body.data.status, 'SUCCESS');
            assert.equal(first.body.data.refunded_fee, 300);
            assert.equal(first.body.data.refundable_fee, 700);
            assert.equal(first.body.data.order_status, 2);
            expectError(await refund(u, no, 701), 400, 40003, 'refund_fee');
            const rest = await refund(u, no, 700);
            expectOk(rest);
            assert.equal(rest.body.data.order_status, 6);
            assert.equal(rest.body.data.refundable_fee, 0);
            expectError(await refund(u, no, 1), 409, 30002);
            const view = (await payment(u, no)).body.data;
            assert.equal(view.order_status, 6);
            assert.equal(view.refunded_fee, 1000);
            assert.equal(view.refunds.length, 2);
            assert.ok(view.refunds.every((r) => r.status === 'SUCCESS' && r.refund_id), JSON.stringify(view.refunds));
            const emu = (await emulator(pay, 'GET', `/emulator/transactions/${pay.out_trade_no}`)).body;
            assert.equal(JSON.stringify(emu).includes(`${no}-R1`), true, JSON.stringify(emu));
        });

        test('a flash-sale order pays the same way; a refunded one does not give its unit back', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const p = await srv.createProduct({ stock: 100, price: 50 });
            const a = await srv.createActivity({ product_id: p.id, stock: 3, price: 1.5 });
            const u = await srv.register(`paysk${protocol}`);
            const bought = await srv.seckillBuy(u, p.id);
            expectOk(bought);
            const final = await srv.waitSeckillFinal(u, p.id);
            assert.equal(final.status, 'success', JSON.stringify(final));
            const res = await unified(u, final.order_no);
            expectOk(res);
            const pay = res.body.data;
            assert.equal(pay.total_fee, 150, 'the flash price, in fen');
            emulatorOk(await emulator(pay, 'POST', '/emulator/pay', { out_trade_no: pay.out_trade_no }));
            await waitFor('flash-sale order paid', async () => ({ done: (await orderStatus(u, final.order_no)) === 2 }));
            expectOk(await refund(u, final.order_no, 150));
            assert.equal(await orderStatus(u, final.order_no), 6);
            assert.equal((await srv.activity(a.id)).sold, 1, 'a refund is not a cancel: the unit stays sold');
        });

        test('another shopper gets 404 on every payment route', async () => {
            const { no } = await startedPayment(3);
            const other = await srv.register('intruder');
            expectError(await unified(other, no), 404, 30001);
            expectError(await query(other, no), 404, 30001);
            expectError(await close(other, no), 404, 30001);
            expectError(await refund(other, no, 1), 404, 30001);
            expectError(await payment(other, no), 404, 30001);
            const anon = await srv.api('POST', '/api/pay/wechat/unified-order', { body: { order_no: no } });
            assert.equal(anon.status, 401);
            expectError(await unified(other, '../../etc/passwd'), 404, 30001);
            expectError(await srv.api('POST', '/api/pay/wechat/unified-order', { token: other.token, body: {} }), 400, 400, 'order_no');
        });

        test('a payment that lands after the cancel is refunded automatically', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const { u, no, pay } = await startedPayment(6.5);
            expectOk(await srv.api('POST', `/api/order/${no}/cancel`, { token: u.token }));
            // the cancel closed the trade at the provider first
            const emuTx = (await emulator(pay, 'GET', `/emulator/transactions/${pay.out_trade_no}`)).body;
            assert.equal(emuTx.trade_state, 'CLOSED', JSON.stringify(emuTx));
            // the payer's money raced the close
            emulatorOk(await emulator(pay, 'POST', '/emulator/pay', { out_trade_no: pay.out_trade_no, ignore_closed: true }));
            const view = await waitFor('automatic refund', async () => {
                const v = (await payment(u, no)).body.data;
                return { done: v.refunds.some((r) => r.automatic && r.status === 'SUCCESS'), value: v };
            });
            assert.equal(view.order_status, 5);
            assert.equal(view.refunds[0].refund_fee, 650);
            assert.ok(view.records.some((r) => r.kind === 'auto_refund'), JSON.stringify(view.records));
            const after = (await emulator(pay, 'GET', `/emulator/transactions/${pay.out_trade_no}`)).body;
            assert.equal(after.trade_state, 'REFUND', JSON.stringify(after));
        });

        test('a duplicate notification changes the order once', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const { u, no, pay } = await startedPayment(2);
            emulatorOk(await emulator(pay, 'POST', '/emulator/pay', { out_trade_no: pay.out_trade_no, duplicate: true }));
            await deliveries(pay, pay.out_trade_no, 2);
            const view = (await payment(u, no)).body.data;
            assert.equal(view.order_status, 2);
            // the repeat is answered SUCCESS but writes nothing: one notification record
            const notes = view.records.filter((r) => r.kind === 'notification');
            assert.equal(notes.length, 1, JSON.stringify(notes));
            assert.equal(notes[0].status, 'SUCCESS');
            const log = await deliveries(pay, pay.out_trade_no, 2);
            assert.ok(log.filter((d) => d.status).every((d) => protocol === 'v2' ? /SUCCESS/.test(d.answer) : d.status === 200), JSON.stringify(log));
            assert.equal(view.refunds.length, 0);
        });

        const forgeries = [
            ['bad signature', { tamper: 'bad_signature' }],
            ['another merchant', { tamper: 'wrong_mchid' }],
            ['another app id', { tamper: 'wrong_appid' }],
            ['a wrong amount', { amount: 1 }],
            ['another currency', { tamper: 'wrong_currency' }],
            ...(protocol === 'v3' ? [
                ['a stale timestamp', { tamper: 'stale_timestamp' }],
                ['truncated ciphertext', { tamper: 'truncated_ciphertext' }],
            ] : []),
        ];
        for (const [what, options] of forgeries) {
            test(`a notification with ${what} changes nothing and is answered as a failure`, { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
                const { u, no, pay } = await startedPayment(4);
                emulatorOk(await emulator(pay, 'POST', '/emulator/pay', { out_trade_no: pay.out_trade_no, ...options }));
                const log = await deliveries(pay, pay.out_trade_no, 1);
                const answered = log.find((d) => d.status);
                if (protocol === 'v3') assert.ok(answered.status >= 400, JSON.stringify(log));
                else assert.match(answered.answer, /FAIL/, JSON.stringify(log));
                const view = (await payment(u, no)).body.data;
                assert.equal(view.order_status, 1, `order changed by a notification with ${what}`);
                assert.ok(!view.records.some((r) => r.kind === 'notification' && r.status === 'SUCCESS'), JSON.stringify(view.records));
                const d = await detail(u, no);
                assert.equal(d.body.data.status, 1);
            });
        }

        test('a notification about an unknown order is refused and changes nothing', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
            const { pay } = await startedPayment(1);
            const notifyUrl = `${srv.baseUrl}/api/pay/wechat/notify`;
            const res = await emulator(pay, 'POST', '/emulator/notify', {
                out_trade_no: `${UNKNOWN_ORDER}-1`, notify_url: notifyUrl, protocol, amount: 100,
            });
            assert.ok(res.status < 300, res.text);
            const log = await deliveries(pay, `${UNKNOWN_ORDER}-1`, 1);
            const answered = log.find((d) => d.status);
            if (protocol === 'v3') assert.ok(answered.status >= 400, JSON.stringify(log));
            else assert.match(answered.answer, /FAIL/, JSON.stringify(log));
        });

        test('hostile notify bodies get clear answers and the server stays up', async () => {
            const post = (body, type) => rawHttp(srv.baseUrl, 'POST', '/api/pay/wechat/notify', {
                headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) }, body,
            });
            const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                + '<xml><return_code>&lol2;</return_code></xml>';
            const external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><a>&e;</a></xml>';
            for (const [body, type] of [
                [bomb, 'text/xml'], [external, 'text/xml'], ['', 'text/xml'], ['<xml><a>1</a>', 'text/xml'],
                ['{"id":"x","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"n","associated_data":""}}', 'application/json'],
                ['not json', 'application/json'], ['\u0000\u0001\u0002', 'application/octet-stream'],
            ]) {
                const res = await post(body, type);
                assert.ok(res.status === 400 || res.status === 200, `${res.status} ${res.text}`);
                assert.doesNotMatch(res.text, /passwd|root:|lollol/);
                if (protocol === 'v2') assert.match(res.text, /<return_code><!\[CDATA\[FAIL\]\]><\/return_code>/);
                else assert.match(res.text, /"code":"FAIL"/);
            }
            const big = await post(`<xml><a>${'x'.repeat(70 * 1024)}</a></xml>`, 'text/xml');
            assert.equal(big.status, 413);
            const health = await srv.api('GET', '/health');
            assert.equal(health.status, 200);
        });
    });
}

test('the unpaid-order timeout closes the WeChat trade before cancelling', { skip: EXTERNAL && EXTERNAL_SKIP }, async () => {
    const server = await startServer({ label: 'pay-timeout', env: { GOMALL_ORDER_UNPAID_TIMEOUT_SECONDS: '2' } });
    try {
        const u = await server.register('paytimeout');
        const p = await server.createProduct({ stock: 5, price: 9 });
        const placed = await server.api('POST', '/api/order', { token: u.token, body: { product_id: p.id, quantity: 1 } });
        expectOk(placed, 201);
        const no = placed.body.data.order_no;
        const started = await server.api('POST', '/api/pay/wechat/unified-order', { token: u.token, body: { order_no: no } });
        expectOk(started);
        const base = new URL(started.body.data.scan_url).origin;
        const deadline = Date.now() + 15000;
        let status = 1;
        while (Date.now() < deadline && status !== 5) {
            await sleep(250);
            status = (await server.api('GET', `/api/order/${no}`, { token: u.token })).body.data.status;
        }
        assert.equal(status, 5, 'the order was not cancelled after its deadline');
        const tx = await (await fetch(`${base}/emulator/transactions/${started.body.data.out_trade_no}`)).json();
        assert.equal(tx.trade_state, 'CLOSED', JSON.stringify(tx));
        const view = (await server.api('GET', `/api/order/${no}/payment`, { token: u.token })).body.data;
        assert.ok(view.records.some((r) => r.kind === 'close' && r.status === 'CLOSED'), JSON.stringify(view.records));
    } finally {
        await server.dispose();
    }
});
