// (3) An expired access token is refreshed without the shopper noticing; a revoked
// session (logout elsewhere, password changed elsewhere) is sent to the login page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, launchBrowser, loginUI, newPage, registerUser, shot, startServer, storedSession } from './harness.mjs';

const TTL = 2;
let server;
let browser;

before(async () => {
  server = await startServer({ GOMALL_AUTH_ACCESS_TTL_SECONDS: String(TTL) });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('an expired access token is refreshed transparently', async (t) => {
  if (server.external) return t.skip('GOMALL_BASE_URL given: cannot set a 2 s access token lifetime');
  const user = await registerUser(server);
  const { page, context } = await newPage(browser, server.baseURL);
  await loginUI(page, user.username, user.password);
  const before = await storedSession(page);
  assert.ok(before.token);

  await sleep((TTL + 1.5) * 1000);
  await page.goto('/profile');
  await page.getByTestId('profile-username').waitFor();
  assert.equal(await page.getByTestId('profile-username').textContent(), user.username);
  assert.ok(!page.url().includes('/login'));

  const afterRefresh = await storedSession(page);
  assert.notEqual(afterRefresh.token, before.token, 'a new access token was issued');
  assert.notEqual(afterRefresh.refreshToken, before.refreshToken, 'the refresh token was rotated');

  // And once more, through a client-side navigation.
  await sleep((TTL + 1.5) * 1000);
  await page.getByTestId('nav-orders').click();
  await page.getByTestId('page-orders').waitFor();
  await page.locator('[data-testid=empty], [data-testid=order-row]').first().waitFor();
  assert.ok(!page.url().includes('/login'));
  await shot(page, '20-session-refreshed');
  await context.close();
});

test('a session logged out through the API is sent to the login page', async () => {
  const user = await registerUser(server);
  const { page, context } = await newPage(browser, server.baseURL);
  await loginUI(page, user.username, user.password);
  const { token } = await storedSession(page);
  await apiCall(server.baseURL, 'POST', '/auth/logout', { token, body: {} });

  await page.goto('/profile');
  await page.waitForURL(/\/login\?redirect=%2Fprofile/);
  await page.getByTestId('page-login').waitFor();
  assert.equal(await page.getByTestId('nav-username').count(), 0);
  const s = await storedSession(page);
  assert.equal(s.token, null);
  await shot(page, '21-revoked-to-login');

  // Signing in again returns to the page that was asked for.
  await page.getByTestId('login-username').fill(user.username);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/profile$/);
  await page.getByTestId('profile-username').waitFor();
  await context.close();
});

test('changing the password in another browser ends this session', async () => {
  const user = await registerUser(server);
  const a = await newPage(browser, server.baseURL);
  const b = await newPage(browser, server.baseURL);
  await loginUI(a.page, user.username, user.password);
  await loginUI(b.page, user.username, user.password);

  await b.page.goto('/profile');
  await b.page.getByTestId('pw-old').fill(user.password);
  await b.page.getByTestId('pw-new').fill('NewSecret456');
  await b.page.getByTestId('pw-confirm').fill('NewSecret456');
  await shot(b.page, '22-change-password');
  await b.page.getByTestId('pw-submit').click();
  await b.page.waitForURL(/\/login/);

  await a.page.goto('/orders');
  await a.page.waitForURL(/\/login\?redirect=%2Forders/);
  await a.page.getByTestId('page-login').waitFor();
  await shot(a.page, '23-password-changed-elsewhere');

  // The new password works, and signing in returns to the orders page.
  await a.page.getByTestId('login-username').fill(user.username);
  await a.page.getByTestId('login-password').fill('NewSecret456');
  await a.page.getByTestId('login-submit').click();
  await a.page.waitForURL(/\/orders$/);
  await a.page.getByTestId('page-orders').waitFor();
  await a.context.close();
  await b.context.close();
});
