// (7) WeChat Pay, Native mode (QR code), against the server's local WeChat Pay emulator (what a
// test server runs against: unified-order then answers a scan_url). A shopper registers, buys a
// product, opens the payment page from the order, sees the QR code and the amount, follows the
// emulator link (a new tab: the page a phone would open after scanning), pays there, comes back
// to the shop's tab, which shows the payment done within seconds (it polls every 2 s), and the
// order is paid, with its payment records. Then a part of it is refunded from the order page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, createProducts, launchBrowser, newPage, shot, startServer, storedSession, uid } from './harness.mjs';

const PAID_WITHIN_MS = 15_000;

let server;
let browser;
let hasWechatPay = false;
let paid = null; // { context, page, orderNo, token } once the first test got that far

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A server without the payment routes answers 404 here; with them, 401 (no token).
  const res = await fetch(`${server.baseURL}/api/pay/wechat/unified-order`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ order_no: 'ORD0' }),
  });
  hasWechatPay = res.status !== 404;
});

after(async () => {
  await paid?.context.close();
  await browser?.close();
  await server?.stop();
});

test('a shopper pays an order by scanning the WeChat Pay QR code on the emulator', async (t) => {
  if (!hasWechatPay) return t.skip('this server has no WeChat Pay routes (POST /api/pay/wechat/unified-order is 404)');
  const tag = uid('pay');
  const [kettle] = await createProducts(server, [{ name: `Kettle ${tag}`, description: 'Boils 1.7 l.', price: '12.34', stock: 5 }]);
  const { page, context } = await newPage(browser, server.baseURL);
  const username = uid('payer_');
  const password = 'Secret123';

  // Register
  await page.goto('/register');
  await page.getByTestId('register-username').fill(username);
  await page.getByTestId('register-email').fill(`${username}@example.com`);
  await page.getByTestId('register-password').fill(password);
  await page.getByTestId('register-confirm').fill(password);
  await page.getByTestId('register-submit').click();
  await page.getByTestId('nav-username').waitFor();

  // Buy now -> the order, awaiting payment, offers WeChat Pay
  await page.goto(`/products/${kettle.id}`);
  await page.getByTestId('page-product-detail').waitFor();
  await page.getByTestId('buy-now').click();
  await page.getByTestId('page-order-detail').waitFor();
  const orderNo = await page.getByTestId('order-no').textContent();
  assert.equal(await page.getByTestId('order-status').getAttribute('data-status'), '1');
  const payLink = page.getByTestId('pay-wechat');
  await payLink.waitFor();
  await shot(page, '50-order-pay-with-wechat');

  // The payment page: unified-order on open, QR code, amount, countdown, live status
  const unified = page.waitForResponse((r) => r.url().endsWith('/api/pay/wechat/unified-order') && r.request().method() === 'POST');
  await payLink.click();
  await page.waitForURL(new RegExp(`/orders/${orderNo}/pay$`));
  const res = await unified;
  const body = await res.json();
  assert.equal(body.code, 0, `unified-order answered ${res.status()} ${JSON.stringify(body)}`);
  assert.equal(JSON.parse(res.request().postData() ?? '{}').order_no, orderNo);
  const payment = body.data;
  assert.equal(payment.order_no, orderNo);
  assert.equal(payment.trade_type, 'NATIVE');
  assert.equal(payment.total_fee, 1234);
  assert.match(payment.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
  assert.ok(payment.scan_url, 'unified-order has no scan_url: is the server running against its WeChat Pay emulator?');
  assert.ok(Date.parse(payment.expires_at) > Date.now(), `expires_at ${payment.expires_at} is not in the future`);

  const qr = page.getByTestId('pay-qr');
  await qr.waitFor();
  assert.equal(await qr.getAttribute('data-value'), payment.code_url);
  assert.ok((await qr.locator('path').getAttribute('d')).length > 100, 'the QR code has no modules');
  assert.equal(await page.getByTestId('pay-amount').getAttribute('data-fee'), '1234');
  assert.match(await page.getByTestId('pay-amount').textContent(), /¥12\.34/);
  assert.ok(Number(await page.getByTestId('pay-countdown').getAttribute('data-ms-left')) > 0);
  await page.getByTestId('pay-status').waitFor();
  const link = page.getByTestId('emulator-scan-link');
  await link.waitFor();
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  await shot(page, '51-pay-qr');

  // "Check now" before paying: still waiting
  const queried = page.waitForResponse((r) => r.url().includes('/api/pay/wechat/query'));
  await page.getByTestId('pay-check').click();
  const query = await (await queried).json();
  assert.equal(query.code, 0, `query answered ${JSON.stringify(query)}`);
  assert.notEqual(query.data.trade_state, 'SUCCESS');
  assert.equal(await page.getByTestId('pay-paid').count(), 0);

  // The emulator's scan page opens in a new tab; pay there
  const [emulator] = await Promise.all([context.waitForEvent('page'), link.click()]);
  await emulator.waitForLoadState();
  await emulator.getByTestId('pay-button').click();
  await emulator.getByTestId('pay-status').waitFor();
  await shot(emulator, '52-emulator-paid');
  const emulatorSays = (await emulator.getByTestId('pay-status').textContent()) ?? '';
  assert.ok(emulatorSays.trim(), 'the emulator shows no payment status');

  // Back in the shop's tab: paid within seconds
  await page.bringToFront();
  await page.getByTestId('pay-paid').waitFor({ timeout: PAID_WITHIN_MS });
  await shot(page, '53-pay-paid');
  await emulator.close();

  // The order is paid, with its payment records
  await page.getByTestId('pay-order-link').click();
  await page.getByTestId('page-order-detail').waitFor();
  await page.locator('[data-testid=order-status][data-status="2"]').waitFor();
  assert.equal(await page.getByTestId('pay-wechat').count(), 0);
  await page.getByTestId('payments').waitFor();
  assert.equal(await page.getByTestId('payments-paid').getAttribute('data-fee'), '1234');
  assert.ok((await page.getByTestId('payment-record').count()) >= 1);
  await shot(page, '54-order-paid-payments');

  const { token } = await storedSession(page);
  const order = await apiCall(server.baseURL, 'GET', `/order/${orderNo}`, { token });
  assert.equal(order.status, 2);
  assert.ok(order.paid_at, 'the paid order has no paid_at');
  const state = await apiCall(server.baseURL, 'GET', `/order/${orderNo}/payment`, { token });
  assert.equal(state.order_status, 2);
  assert.equal(state.paid_fee, 1234);
  assert.equal(state.refundable_fee, 1234);

  // The order list shows it as paid, without the pay button
  await page.getByTestId('nav-orders').click();
  const row = page.locator(`[data-testid=order-row][data-order-no="${orderNo}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('order-status').getAttribute('data-status'), '2');
  assert.equal(await row.getByTestId('pay-wechat').count(), 0);
  paid = { context, page, orderNo, token };
});

test('the shopper refunds part of the paid order from the order page', async (t) => {
  if (!paid) return t.skip('no paid order (the payment test did not get that far)');
  const { page, orderNo, token } = paid;
  await page.goto(`/orders/${orderNo}`);
  await page.getByTestId('payments').waitFor();
  const amount = page.getByTestId('refund-amount');
  await amount.waitFor();
  assert.equal(await amount.inputValue(), '12.34'); // prefilled with everything refundable

  // More than refundable: refused before sending
  await amount.fill('12.35');
  await page.getByTestId('refund-submit').click();
  await page.locator('.refund-form .field-error').waitFor();

  page.once('dialog', (d) => d.accept());
  const answered = page.waitForResponse((r) => r.url().includes('/api/pay/wechat/refund') && r.request().method() === 'POST');
  await amount.fill('2.34');
  await page.getByTestId('refund-submit').click();
  const res = await answered;
  assert.equal(new URL(res.url()).searchParams.get('refund_fee'), '234');
  assert.equal(new URL(res.url()).searchParams.get('order_no'), orderNo);
  const body = await res.json();
  assert.equal(body.code, 0, `refund answered ${res.status()} ${JSON.stringify(body)}`);
  const result = page.getByTestId('refund-result');
  await result.waitFor();
  assert.match(await result.getAttribute('data-status'), /^(SUCCESS|PROCESSING)$/);
  await shot(page, '55-order-part-refunded');

  const state = await apiCall(server.baseURL, 'GET', `/order/${orderNo}/payment`, { token });
  assert.ok(state.records.some((r) => r.kind === 'refund'), `no refund record: ${JSON.stringify(state.records)}`);
  if (body.data.status === 'SUCCESS') {
    assert.equal(state.refunded_fee, 234);
    assert.equal(state.refundable_fee, 1000);
    await page.waitForFunction(() => document.querySelector('[data-testid=refund-amount]')?.value === '10.00');
  }
});
