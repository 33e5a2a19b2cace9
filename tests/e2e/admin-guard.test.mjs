// (4) Only admins reach /admin: shoppers are sent home with a message, visitors to login.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProducts, launchBrowser, loginUI, newPage, registerUser, shot, startServer, uid } from './harness.mjs';

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

test('a visitor asking for /admin is sent to the login page', async () => {
  const { page, context } = await newPage(browser, server.baseURL);
  await page.goto('/admin/products');
  await page.waitForURL(/\/login\?redirect=%2Fadmin%2Fproducts/);
  await context.close();
});

test('a shopper cannot reach /admin', async () => {
  const user = await registerUser(server);
  const { page, context } = await newPage(browser, server.baseURL);
  await loginUI(page, user.username, user.password);
  assert.equal(await page.getByTestId('nav-admin').count(), 0);

  await page.goto('/admin');
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByTestId('page-home').waitFor();
  await page.getByTestId('toast-error').waitFor();
  assert.equal(await page.getByTestId('page-admin').count(), 0);
  await shot(page, '30-shopper-denied-admin');

  await page.goto('/admin/orders');
  await page.waitForURL((url) => url.pathname === '/');
  await context.close();
});

test('an admin sees off-shelf products and all orders', async () => {
  if (!server.adminPassword) return;
  const tag = uid('adm');
  const [p] = await createProducts(server, [{ name: `Hidden ${tag}`, price: '9.90', status: 0 }]);
  const { page, context } = await newPage(browser, server.baseURL);
  await loginUI(page, 'admin', server.adminPassword);
  await page.getByTestId('nav-admin').click();
  await page.waitForURL(/\/admin\/products/);
  const row = page.locator(`[data-testid=admin-product-row][data-product-id="${p.id}"]`);
  await row.waitFor();
  await shot(page, '31-admin-products');
  await row.locator('.badge-status-5').waitFor(); // off shelf
  await row.getByTestId('admin-shelf-toggle').click();
  await row.locator('.badge-status-2').waitFor(); // on sale now
  await page.getByTestId('admin-tab-orders').click();
  await page.getByTestId('admin-orders').waitFor();
  await shot(page, '32-admin-orders');
  await context.close();
});
