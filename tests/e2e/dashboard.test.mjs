// Live sale dashboard: the admin opens a running flash sale's dashboard from the admin list
// (10 units left, streaming live), 20 shoppers buy through the API at once, and the page's
// figures reach the stock sold: 0 units left, 10 orders written, 10 reserved attempts (and the
// sold-out ones). Then the shop-wide page shows the purchase route in its table.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { adminToken, apiCall, createProducts, launchBrowser, loginUI, newPage, registerUser, shot, startServer, uid } from './harness.mjs';

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

const STOCK = 10;
const SHOPPERS = 20;

/** Waits until the figure with this test id reads `value` (its raw data-value). */
async function figure(page, testId, value, timeout = 20_000) {
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') === want,
    [testId, String(value)],
    { timeout },
  );
}

test('dashboard: a small crowd buys the stock and the live figures reach it', async () => {
  const tag = uid('dash');
  const [product] = await createProducts(server, [{ name: `Dash Phone ${tag}`, description: 'Dashboard test product.', price: '999.00', stock: 100 }]);
  const token = await adminToken(server);
  const activity = await apiCall(server.baseURL, 'POST', '/seckill/init', {
    token,
    body: { product_id: product.id, stock: STOCK, price: 9.9, per_user_limit: 1 },
  });
  const shoppers = [];
  for (let i = 0; i < SHOPPERS; i += 1) shoppers.push(await registerUser(server, uid(`d${i}_`)));

  const { page } = await newPage(browser, server.baseURL);
  await loginUI(page, 'admin', server.adminPassword);
  await page.goto('/admin/seckill');
  await page.getByTestId('admin-seckill').waitFor();
  await page.locator(`[data-testid=admin-seckill-row][data-activity-id="${activity.id}"] [data-testid=seckill-dashboard-link]`).click();
  await page.getByTestId('admin-seckill-dashboard').waitFor();
  assert.equal(await page.getByTestId('admin-seckill-dashboard').getAttribute('data-activity-id'), String(activity.id));
  await page.locator('[data-testid=dash-mode][data-mode=live]').waitFor();
  await figure(page, 'dash-units-left', STOCK);
  await shot(page, 'dashboard-01-before');

  // The crowd, all at once, through the API.
  const answers = await Promise.all(
    shoppers.map((s) =>
      fetch(`${server.baseURL}/api/seckill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ product_id: product.id }),
      }).then((r) => r.status),
    ),
  );
  assert.equal(answers.filter((s) => s === 200).length, STOCK, `answers: ${answers.join(',')}`);

  await figure(page, 'dash-units-left', 0);
  await figure(page, 'dash-orders-written', STOCK);
  await figure(page, 'dash-reserved', STOCK);
  await figure(page, 'dash-attempts-total-reserved', STOCK);
  await figure(page, 'dash-attempts-total-sold_out', SHOPPERS - STOCK);
  // The numbers are on screen as text too, and the charts have drawn something.
  assert.equal((await page.getByTestId('dash-units-left').textContent()).trim(), '0');
  assert.equal((await page.getByTestId('dash-orders-written').textContent()).trim(), String(STOCK));
  assert.equal(await page.getByTestId('dash-chart-units').getAttribute('data-empty'), 'false');
  assert.equal(await page.getByTestId('dash-chart-attempts').getAttribute('data-empty'), 'false');
  assert.equal(await page.locator('[data-testid=dash-chart-units] canvas').count(), 1, 'uPlot drew the units chart');
  assert.equal(await page.locator('[data-testid=dash-mode]').getAttribute('data-mode'), 'live');
  await shot(page, 'dashboard-02-sold');

  // The shop-wide page: the purchase route with every attempt in its table.
  await page.getByTestId('admin-tab-dashboard').click();
  await page.getByTestId('admin-dashboard').waitFor();
  const row = page.locator('[data-testid=dash-route-row][data-route="/api/seckill"][data-method=POST]');
  await row.waitFor();
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=dash-route-row][data-route="/api/seckill"][data-method=POST] [data-testid=dash-route-requests]')?.getAttribute('data-value')) >= 20,
    null,
    { timeout: 15_000 },
  );
  await page.waitForFunction(() => document.querySelector('[data-testid=dash-request-rate]')?.getAttribute('data-value') !== '');
  await shot(page, 'dashboard-03-shop');
});

test('dashboard: a shopper is kept out of the admin pages and the dashboard routes', async () => {
  const shopper = await registerUser(server, uid('nd_'));
  const { page } = await newPage(browser, server.baseURL);
  await loginUI(page, shopper.username, shopper.password);
  await page.goto('/admin/dashboard');
  await page.waitForTimeout(500);
  assert.equal(await page.getByTestId('admin-dashboard').count(), 0);
  const res = await fetch(`${server.baseURL}/api/admin/dashboard/shop`, { headers: { Authorization: `Bearer ${shopper.token}` } });
  assert.equal(res.status, 403);
});
