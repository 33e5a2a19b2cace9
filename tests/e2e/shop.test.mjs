// (1) A shopper registers, signs in, searches, fills the cart with two products,
// checks out, pays and sees the order as paid.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProducts, launchBrowser, newPage, shot, startServer, uid } from './harness.mjs';

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

test('register, sign in, search, add two items, check out, pay', async () => {
  const tag = uid('e2e');
  const [lamp, mug] = await createProducts(server, [
    { name: `Desk Lamp ${tag}`, description: 'A warm desk lamp.', price: '129.90', stock: 20 },
    { name: `Coffee Mug ${tag}`, description: 'Holds 350 ml.', price: '35.50', stock: 20 },
  ]);
  const { page, context } = await newPage(browser, server.baseURL);
  const username = uid('shopper_');
  const password = 'Secret123';

  // Home
  await page.goto('/');
  await page.getByTestId('page-home').waitFor();
  await page.getByTestId('featured-products').waitFor();
  await shot(page, '01-home');

  // Register (the form validates before sending)
  await page.getByTestId('nav-register').click();
  await page.getByTestId('register-username').fill('x');
  await page.getByTestId('register-submit').click();
  await page.locator('.field-error').first().waitFor();
  await shot(page, '02-register-errors');
  await page.getByTestId('register-username').fill(username);
  await page.getByTestId('register-email').fill(`${username}@example.com`);
  await page.getByTestId('register-password').fill(password);
  await page.getByTestId('register-confirm').fill(password);
  await page.getByTestId('register-submit').click();
  await page.getByTestId('nav-username').waitFor();
  assert.equal(await page.getByTestId('nav-username').textContent(), username);

  // Sign out and back in
  await page.getByTestId('nav-logout').click();
  await page.getByTestId('nav-login').waitFor();
  await page.getByTestId('nav-login').click();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill('wrong-password');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('form-error').waitFor();
  await shot(page, '03-login-wrong-password');
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-username').waitFor();

  // Search
  await page.getByTestId('nav-products').click();
  await page.getByTestId('product-search').fill(tag);
  await page.getByTestId('product-search-submit').click();
  await page.waitForURL(/keyword=/);
  await page.locator('[data-testid=product-grid][aria-busy=false]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=product-card]').length === 2);
  await shot(page, '04-search-results');

  // Add the lamp (x1) and the mug (x2)
  await page.locator(`[data-testid=product-card][data-product-id="${lamp.id}"]`).click();
  await page.getByTestId('page-product-detail').waitFor();
  await shot(page, '05-product-detail');
  await page.getByTestId('add-to-cart').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=cart-count]')?.textContent === '1');

  await page.goto(`/products/${mug.id}`);
  await page.getByTestId('detail-qty').getByRole('button', { name: /增加|Increase/ }).click();
  await page.getByTestId('add-to-cart').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=cart-count]')?.textContent === '3');

  // Cart: both lines selected, total 129.90 + 2 × 35.50 = 200.90
  await page.getByTestId('nav-cart').click();
  await page.getByTestId('page-cart').waitFor();
  assert.equal(await page.getByTestId('cart-item').count(), 2);
  assert.equal(await page.getByTestId('cart-total-cents').textContent(), '20090');
  await shot(page, '06-cart');

  // Check out -> order detail, awaiting payment with a countdown
  await page.getByTestId('cart-checkout').click();
  await page.getByTestId('page-order-detail').waitFor();
  const orderNo = await page.getByTestId('order-no').textContent();
  assert.match(orderNo, /^ORD\d{14}\d+$/);
  assert.equal(await page.getByTestId('order-status').getAttribute('data-status'), '1');
  await page.getByTestId('countdown').waitFor();
  assert.equal(await page.getByTestId('order-item').count(), 2);
  assert.equal(Number(await page.getByTestId('order-total').textContent()), 200.9);
  await shot(page, '07-order-awaiting-payment');

  // Pay
  await page.getByTestId('order-pay').click();
  await page.locator('[data-testid=order-status][data-status="2"]').waitFor();
  await shot(page, '08-order-paid');
  assert.equal(await page.getByTestId('cart-count').textContent(), '0');

  // The order list shows it as paid
  await page.getByTestId('nav-orders').click();
  const row = page.locator(`[data-testid=order-row][data-order-no="${orderNo}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('order-status').getAttribute('data-status'), '2');
  await page.getByTestId('status-tab-2').click();
  await row.waitFor();
  await shot(page, '09-orders-paid');

  // Phone width
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await page.getByTestId('featured-products').waitFor();
  await shot(page, '10-home-phone');
  await page.goto(`/orders/${orderNo}`);
  await page.getByTestId('page-order-detail').waitFor();
  await shot(page, '11-order-phone');
  await context.close();
});
