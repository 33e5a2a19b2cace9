// (5) Flash sale behind the anti-bot gate (GOMALL_SECKILL_TOKEN_REQUIRED=true): the listing says
// token_required, so the card fetches a single-use token from POST /api/seckill/token and buys
// with it (a purchase without one is refused with 403 60008). The shopper only clicks "buy" and
// sees queued -> success; the token is spent by that purchase.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiCall, createProducts, launchBrowser, loginUI, newPage, registerUser, shot, startServer, uid } from './harness.mjs';

const TOKEN_REQUIRED = 60008;
const NOT_STARTED = 60003;
const LEAD_MS = 4_000; // from creating the sale to its start

let server;
let browser;

before(async () => {
  if (process.env.GOMALL_BASE_URL) return; // the gate is a server setting: needs a server started here
  server = await startServer({ GOMALL_SECKILL_TOKEN_REQUIRED: 'true' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const refused = (status, code) => (e) => {
  assert.equal(e.status, status, e.message);
  assert.equal(e.body?.code, code, e.message);
  return true;
};

test('anti-bot gate on: the buy button fetches a token and the shopper gets the order', async (t) => {
  if (!server) return t.skip('GOMALL_BASE_URL set: the gate needs a server started with GOMALL_SECKILL_TOKEN_REQUIRED=true');
  const tag = uid('tk');
  const [product] = await createProducts(server, [{ name: `Gated Phone ${tag}`, description: 'Anti-bot gate test product.', price: '1999.00', stock: 50 }]);
  const shopper = await registerUser(server, uid('g_'));
  const other = await registerUser(server, uid('h_'));

  const { server_time_ms: serverMs } = await apiCall(server.baseURL, 'GET', '/seckill/activities');
  const startMs = Math.ceil((serverMs + LEAD_MS) / 1000) * 1000;
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const admin = (await apiCall(server.baseURL, 'POST', '/user/login', { body: { username: 'admin', password: server.adminPassword } })).token;
  const activity = await apiCall(server.baseURL, 'POST', '/seckill/init', {
    token: admin,
    body: { product_id: product.id, stock: 2, price: 999, start_time: iso(startMs), end_time: iso(startMs + 10 * 60_000), per_user_limit: 1 },
  });

  // No tokens before the start (they cannot be stockpiled).
  await assert.rejects(apiCall(server.baseURL, 'POST', '/seckill/token', { token: other.token, body: { product_id: product.id } }), refused(409, NOT_STARTED));

  const { page, context } = await newPage(browser, server.baseURL);
  const seckillPosts = [];
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (req.method() === 'POST' && (url.pathname === '/api/seckill' || url.pathname === '/api/seckill/token')) {
      seckillPosts.push({ path: url.pathname, body: req.postDataJSON() });
    }
  });
  const answers = [];
  page.on('response', async (res) => {
    const url = new URL(res.url());
    if (res.request().method() === 'POST' && url.pathname.startsWith('/api/seckill')) {
      answers.push({ path: url.pathname, status: res.status(), code: (await res.json().catch(() => null))?.code });
    }
  });

  await loginUI(page, shopper.username, shopper.password);
  await page.goto('/seckill');
  const card = page.locator(`[data-testid=seckill-card][data-product-id="${product.id}"]`);
  await card.waitFor();
  const buy = card.getByTestId('seckill-buy');
  await page.locator(`[data-testid=seckill-card][data-product-id="${product.id}"][data-state=active] [data-testid=seckill-buy]:enabled`).waitFor({ timeout: LEAD_MS + 10_000 });

  // The gate is on: a purchase without a token is refused.
  await assert.rejects(apiCall(server.baseURL, 'POST', '/seckill', { token: other.token, body: { product_id: product.id } }), refused(403, TOKEN_REQUIRED));

  await buy.click();
  const status = card.getByTestId('seckill-status');
  await card.locator('[data-testid=seckill-status]:is([data-phase=success], [data-phase=failed], [data-phase=error])').waitFor({ timeout: 15_000 });
  assert.equal(await status.getAttribute('data-phase'), 'success', `the card says: ${await status.textContent()} (code ${await status.getAttribute('data-code')})`);
  const history = (await status.getAttribute('data-history')).split(',');
  assert.ok(!history.includes('error'), `phases: ${history}`);
  assert.ok(history.indexOf('queued') > 0 && history.indexOf('queued') < history.indexOf('success'), `phases: ${history}`);
  await shot(page, 'seckill-token-01-success');

  // What the card sent: a token (the listing said token_required), then the purchase with it.
  assert.deepEqual(seckillPosts.map((r) => r.path), ['/api/seckill/token', '/api/seckill'], JSON.stringify(seckillPosts));
  assert.deepEqual(seckillPosts[0].body, { product_id: product.id });
  const used = seckillPosts[1].body.token;
  assert.match(used ?? '', /^[0-9a-f]{32}$/);
  assert.deepEqual(seckillPosts[1].body, { product_id: product.id, token: used });
  assert.deepEqual(answers.map((a) => `${a.path} ${a.status} ${a.code}`), ['/api/seckill/token 200 0', '/api/seckill 200 0']);

  // The token is spent: sent again it is refused.
  await assert.rejects(
    apiCall(server.baseURL, 'POST', '/seckill', { token: shopper.token, body: { product_id: product.id, token: used } }),
    refused(403, TOKEN_REQUIRED),
  );

  await card.getByTestId('seckill-order-link').click();
  await page.getByTestId('page-order-detail').waitFor();
  assert.equal(Number(await page.getByTestId('order-total').textContent()), 999);
  const orders = await apiCall(server.baseURL, 'GET', '/order', { token: shopper.token });
  assert.equal(orders.list.filter((o) => o.seckill_activity_id === activity.id).length, 1, 'exactly one flash-sale order');
  await context.close();
});
