// (6) An admin creates a product with an uploaded picture: the product form's image picker sends
// a PNG to POST /api/upload, fills image_url with the /uploads/... URL it answers, and the shop's
// product page shows that picture (to a visitor who is not signed in).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { adminToken, apiCall, launchBrowser, loginUI, newPage, shot, startServer, uid } from './harness.mjs';

const UPLOAD_URL = /^\/uploads\/[0-9a-f]{32}\.png$/;

// --- a tiny valid PNG: 1x1, one opaque red pixel ------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function onePixelPng() {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  // compression, filter, interlace: 0
  const scanline = Buffer.from([0, 0xe5, 0x48, 0x4d, 0xff]); // filter byte "none", then R G B A
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(scanline)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let server;
let browser;
let tmp;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gomall-e2e-upload-'));
  // Uploaded files go to the temporary directory, not to var/uploads of the checkout.
  server = await startServer({ GOMALL_UPLOAD_DIR: path.join(tmp, 'uploads') });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('an admin creates a product with an uploaded PNG and the shop shows it', async (t) => {
  if (!server.adminPassword) {
    t.skip('GOMALL_BASE_URL is set without GOMALL_ADMIN_PASSWORD: cannot sign in as admin');
    return;
  }
  const png = onePixelPng();
  const pngPath = path.join(tmp, 'pixel.png');
  await writeFile(pngPath, png);
  const name = `Pixel Lamp ${uid('up')}`;

  const { page, context } = await newPage(browser, server.baseURL);
  await loginUI(page, 'admin', server.adminPassword);
  await page.goto('/admin/products');
  await page.getByTestId('admin-products').waitFor();
  await page.getByTestId('admin-new-product').click();
  const form = page.getByTestId('product-form');
  await form.waitFor();
  await page.getByTestId('pf-name').fill(name);
  await page.getByTestId('pf-price').fill('19.90');
  await page.getByTestId('pf-stock').fill('7');

  const input = page.getByTestId('image-upload-input');
  const imageUrl = page.getByTestId('pf-image-url');

  // Not an image at all: refused before anything is sent.
  await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByTestId('image-upload-error').waitFor();
  assert.match(await page.getByTestId('image-upload-error').textContent(), /notes\.txt/);

  // Says it is a PNG but is not: the server decides by the content (415, code 70002).
  await input.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
  await page.getByTestId('image-upload-error').filter({ hasText: /JPEG、PNG、GIF、WebP|JPEG, PNG, GIF and WebP/ }).waitFor();
  assert.equal(await imageUrl.inputValue(), '');

  // The real thing.
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/upload') && r.request().method() === 'POST');
  await input.setInputFiles(pngPath);
  const res = await answered;
  assert.equal(res.status(), 201);
  const body = await res.json();
  assert.equal(body.code, 0);
  assert.match(body.data.url, UPLOAD_URL);
  assert.deepEqual(
    { type: body.data.type, size: body.data.size, width: body.data.width, height: body.data.height },
    { type: 'image/png', size: png.length, width: 1, height: 1 },
  );
  await page.waitForFunction(
    (url) => document.querySelector('[data-testid=pf-image-url]')?.value === url,
    body.data.url,
  );
  await page.getByTestId('image-upload-done').waitFor();
  assert.equal(await page.getByTestId('image-upload-error').count(), 0);
  const preview = page.getByTestId('image-upload-preview');
  assert.equal(await preview.getAttribute('src'), body.data.url);
  await page.waitForFunction(() => {
    const img = document.querySelector('[data-testid=image-upload-preview]');
    return img?.complete && img.naturalWidth > 0;
  });
  await shot(page, '40-admin-product-uploaded-image');

  await page.getByTestId('pf-save').click();
  await form.waitFor({ state: 'detached' });

  // The product was saved with that URL.
  const token = await adminToken(server);
  const found = await apiCall(server.baseURL, 'GET', `/admin/product?keyword=${encodeURIComponent(name)}`, { token });
  assert.equal(found.list.length, 1);
  const product = found.list[0];
  assert.equal(product.image_url, body.data.url);
  await page.locator(`[data-testid=admin-product-row][data-product-id="${product.id}"] img`).waitFor();
  await context.close();

  // The stored file is served as it was sent.
  const served = await fetch(`${server.baseURL}${body.data.url}`);
  assert.equal(served.status, 200);
  assert.match(served.headers.get('content-type') ?? '', /^image\/png/);
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);

  // A visitor sees it on the product page.
  const shop = await newPage(browser, server.baseURL);
  await shop.page.goto(`/products/${product.id}`);
  await shop.page.getByTestId('page-product-detail').waitFor();
  assert.equal(await shop.page.getByTestId('detail-name').textContent(), name);
  const img = shop.page.locator('[data-testid=page-product-detail] .detail-media img');
  await img.waitFor();
  assert.match(await img.getAttribute('src'), UPLOAD_URL);
  assert.equal(await img.getAttribute('src'), body.data.url);
  await shop.page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=page-product-detail] .detail-media img');
    return el?.complete && el.naturalWidth > 0;
  });
  assert.equal(await img.evaluate((el) => el.naturalWidth), 1);
  await shot(shop.page, '41-product-page-uploaded-image');
  await shop.context.close();
});
