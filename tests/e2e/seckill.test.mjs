// (2) Flash sale: the admin creates a sale through the admin UI that starts in ~9 s with
// one unit. Shopper A follows the home-page banner to /seckill, sees the countdown and a
// disabled button that enables itself at the start (server clock, no reload), buys, sees
// "queued" then "success", and opens the order. Shopper B then finds it sold out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, createProducts, launchBrowser, loginUI, newPage, registerUser, shot, startServer, uid } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const LEAD_MS = 9_000; // from filling in the form to the start of the sale

test('flash sale: countdown, enable at start, queued -> success -> order; second shopper sees sold out', async () => {
  const tag = uid('fs');
  const [product] = await createProducts(server, [{ name: `Flash Phone ${tag}`, description: 'Flash-sale test product.', price: '1999.00', stock: 50 }]);
  const shopperA = await registerUser(server, uid('a_'));
  const shopperB = await registerUser(server, uid('b_'));

  const admin = await newPage(browser, server.baseURL);
  const a = await newPage(browser, server.baseURL);
  const b = await newPage(browser, server.baseURL, { width: 390, height: 844 });
  await loginUI(a.page, shopperA.username, shopperA.password);
  await loginUI(admin.page, 'admin', server.adminPassword);

  // --- admin creates the sale in the admin UI --------------------------------------------
  const ap = admin.page;
  await ap.goto('/admin/seckill');
  await ap.getByTestId('admin-seckill').waitFor();
  await ap.getByTestId('seckill-new').click();
  await ap.getByTestId('seckill-form').waitFor();
  await ap.getByTestId('sf-product-search').fill(tag);
  await ap.locator(`[data-testid=sf-product] option[value="${product.id}"]`).waitFor({ state: 'attached' });
  await ap.getByTestId('sf-product').selectOption(String(product.id));
  await ap.getByTestId('sf-price').fill('999.00');
  await ap.getByTestId('sf-stock').fill('1');
  await ap.getByTestId('sf-limit').fill('1');
  // The start on the server's clock, written as the browser's local time in the datetime-local inputs.
  const { server_time_ms: serverMs } = await apiCall(server.baseURL, 'GET', '/seckill/activities');
  const startMs = Math.ceil((serverMs + LEAD_MS) / 1000) * 1000;
  const local = (ms) =>
    ap.evaluate((t) => {
      const d = new Date(t);
      const p = (n) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    }, ms);
  await ap.getByTestId('sf-start').fill(await local(startMs));
  await ap.getByTestId('sf-end').fill(await local(startMs + 10 * 60_000));
  await shot(ap, 'seckill-01-admin-form');
  await ap.getByTestId('sf-save').click();
  await ap.getByTestId('seckill-form').waitFor({ state: 'detached' });
  const adminRow = ap.locator(`[data-testid=admin-seckill-row][data-product-id="${product.id}"]`);
  await adminRow.waitFor();
  assert.equal(await adminRow.getAttribute('data-state'), 'upcoming');
  await shot(ap, 'seckill-02-admin-list');

  const created = (await apiCall(server.baseURL, 'GET', '/seckill/activities')).list.find((x) => x.product_id === product.id);
  assert.ok(created, 'the activity is listed');
  assert.equal(Date.parse(created.start_time), startMs, 'start_time as entered');
  assert.equal(created.total_stock, 1);
  assert.equal(created.price, 999);
  assert.equal(created.original_price, 1999);

  // --- shopper A: home banner -> /seckill, countdown, disabled until the start ------------
  const pa = a.page;
  await pa.goto('/');
  const banner = pa.getByTestId('flash-banner');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('data-activity-id'), String(created.id));
  await pa.getByTestId('flash-countdown').waitFor();
  await shot(pa, 'seckill-03-home-banner');
  await pa.getByTestId('flash-banner-link').click();
  await pa.getByTestId('page-seckill').waitFor();
  const card = pa.locator(`[data-testid=seckill-card][data-product-id="${product.id}"]`);
  await card.waitFor();
  assert.equal(await card.getAttribute('data-state'), 'upcoming');
  const buy = card.getByTestId('seckill-buy');
  assert.equal(await buy.isDisabled(), true, 'disabled before the start');
  // The start is LEAD_MS plus up to a second of rounding away, and the countdown rounds up: 00:10 at most.
  assert.match(await card.getByTestId('seckill-countdown').textContent(), /^00:(0\d|10)$/);
  await shot(pa, 'seckill-04-countdown');

  // No reload: a marker on window survives; record when the button enables (browser clock == server clock here).
  const enabledAt = pa.evaluate((id) => {
    window.__sameDocument = true;
    const btn = document.querySelector(`[data-testid=seckill-card][data-product-id="${id}"] [data-testid=seckill-buy]`);
    return new Promise((resolve) => {
      const check = () => !btn.disabled && (resolve(Date.now()), true);
      if (!check()) new MutationObserver(() => check()).observe(btn, { attributes: true });
    });
  }, product.id);
  await buy.waitFor({ state: 'attached' });
  await pa.waitForFunction((id) => {
    const el = document.querySelector(`[data-testid=seckill-card][data-product-id="${id}"] [data-testid=seckill-buy]`);
    return el && !el.disabled;
  }, product.id, { timeout: LEAD_MS + 10_000 });
  const at = await enabledAt;
  assert.equal(await pa.evaluate(() => window.__sameDocument), true, 'enabled without a reload');
  assert.ok(at >= startMs - 250, `enabled ${startMs - at} ms before the start`);
  assert.ok(at <= startMs + 1500, `enabled ${at - startMs} ms after the start`);
  assert.equal(await card.getAttribute('data-state'), 'active');

  // --- buy: queued, then success with a link to the order -------------------------------
  await buy.click();
  await buy.click({ force: true, timeout: 1000 }).catch(() => {}); // a double click must not buy twice
  const status = card.getByTestId('seckill-status');
  await card.locator('[data-testid=seckill-status][data-phase=queued]').waitFor({ timeout: 5000 });
  assert.equal(await buy.isDisabled(), true, 'disabled while queued');
  await shot(pa, 'seckill-05-queued');
  await card.locator('[data-testid=seckill-status][data-phase=success]').waitFor({ timeout: 15_000 });
  const history = (await status.getAttribute('data-history')).split(',');
  assert.ok(history.indexOf('queued') > 0 && history.indexOf('queued') < history.indexOf('success'), `phases: ${history}`);
  await shot(pa, 'seckill-06-success');
  await card.getByTestId('seckill-order-link').click();
  await pa.getByTestId('page-order-detail').waitFor();
  assert.equal(await pa.getByTestId('order-status').getAttribute('data-status'), '1');
  assert.equal(Number(await pa.getByTestId('order-total').textContent()), 999);
  await shot(pa, 'seckill-07-order');
  const orders = await apiCall(server.baseURL, 'GET', '/order', { token: shopperA.token });
  assert.equal(orders.list.filter((o) => o.seckill_activity_id === created.id).length, 1, 'exactly one flash-sale order');

  // --- shopper B (phone width): sold out ---------------------------------------------------
  const pb = b.page;
  await loginUI(pb, shopperB.username, shopperB.password);
  await pb.goto('/seckill');
  const cardB = pb.locator(`[data-testid=seckill-card][data-product-id="${product.id}"]`);
  await cardB.waitFor();
  await pb.locator(`[data-testid=seckill-card][data-product-id="${product.id}"][data-state=sold_out]`).waitFor({ timeout: 7000 });
  assert.equal(await cardB.getByTestId('seckill-buy').isDisabled(), true);
  assert.equal(await cardB.getByTestId('seckill-state').getAttribute('data-state'), 'sold_out');
  await shot(pb, 'seckill-08-sold-out-phone');
  await assert.rejects(apiCall(server.baseURL, 'POST', '/seckill', { token: shopperB.token, body: { product_id: product.id } }), (e) => {
    assert.equal(e.status, 409);
    assert.equal(e.body.code, 60002);
    return true;
  });

  // --- admin list refreshes by itself: nothing left -----------------------------------------
  await ap.locator(`[data-testid=admin-seckill-row][data-product-id="${product.id}"] [data-testid=admin-seckill-remaining]`).filter({ hasText: /^0$/ }).waitFor({ timeout: 8000 });
  await shot(ap, 'seckill-09-admin-sold-out');

  await Promise.all([admin.context.close(), a.context.close(), b.context.close()]);
});
