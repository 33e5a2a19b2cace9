// Browser-test harness: starts the real GoMall server (or uses GOMALL_BASE_URL), drives
// the system Chromium through playwright-core, and saves screenshots under
// <repo>/test-output/e2e/.
//
//   GOMALL_BIN        server binary (default <repo>/build/debug/bin/gomall)
//   GOMALL_BASE_URL   use an already running server instead of starting one
//   GOMALL_ADMIN_PASSWORD  with GOMALL_BASE_URL: the admin password of that server
//   CHROMIUM_PATH     browser (default /usr/bin/chromium, Debian's package)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireFromFrontend = createRequire(path.join(repoRoot, 'frontend', 'package.json'));
const { chromium } = requireFromFrontend('playwright-core');

export const outDir = path.join(repoRoot, 'test-output', 'e2e');

export function uid(prefix = '') {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(baseURL, child, logs, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`server exited with code ${child.exitCode}\n${logs.join('')}`);
    }
    try {
      const res = await fetch(`${baseURL}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`server did not become healthy at ${baseURL} within ${timeoutMs} ms\n${logs.join('')}`);
}

/**
 * Start a fresh server (own port, own SQLite file, known admin password).
 * extraEnv: more GOMALL_* settings, e.g. { GOMALL_AUTH_ACCESS_TTL_SECONDS: '2' }.
 * Returns { baseURL, adminPassword, external, stop() }.
 */
export async function startServer(extraEnv = {}) {
  if (process.env.GOMALL_BASE_URL) {
    const baseURL = process.env.GOMALL_BASE_URL.replace(/\/$/, '');
    await waitForHealth(baseURL, null, []);
    return { baseURL, adminPassword: process.env.GOMALL_ADMIN_PASSWORD ?? '', external: true, stop: async () => {} };
  }
  const bin = path.resolve(repoRoot, process.env.GOMALL_BIN ?? 'build/debug/bin/gomall');
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (build it, or set GOMALL_BIN / GOMALL_BASE_URL)`);
  const staticDir = path.join(repoRoot, 'frontend', 'dist');
  if (!existsSync(path.join(staticDir, 'index.html'))) throw new Error(`${staticDir}/index.html missing: run "npm run build" in frontend/`);

  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gomall-e2e-'));
  const adminPassword = `Adm_${randomBytes(8).toString('hex')}`;
  const env = {
    ...process.env,
    GOMALL_SERVER_PORT: String(port),
    GOMALL_SERVER_HOST: '127.0.0.1',
    GOMALL_DATABASE_SQLITE_PATH: path.join(dir, 'gomall.db'),
    GOMALL_ADMIN_USERNAME: 'admin',
    GOMALL_ADMIN_PASSWORD: adminPassword,
    GOMALL_AUTH_BCRYPT_COST: '4',
    GOMALL_SERVER_STATIC_DIR: staticDir,
    // payments through the in-process WeChat Pay emulator, with dev keys of this server's own
    GOMALL_WECHATPAY_EMULATOR: 'true',
    GOMALL_WECHATPAY_DEV_KEY_DIR: path.join(dir, 'wechatpay'),
    GOMALL_UPLOAD_DIR: path.join(dir, 'uploads'),
    ...extraEnv,
  };
  const logs = [];
  const child = spawn(bin, ['serve', '--env', 'test'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => {
    logs.push(chunk.toString());
    if (logs.length > 400) logs.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(baseURL, child, logs);
  } catch (e) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  return { baseURL, adminPassword, external: false, logs, stop };
}

export async function launchBrowser() {
  // launch() gives every run a fresh temporary profile (user-data-dir) of its own.
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function newPage(browser, baseURL, { width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width, height }, locale: 'zh-CN' });
  // Nothing outside the server under test may be contacted.
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return { context, page };
}

export async function shot(page, name) {
  await mkdir(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
}

// --- direct API calls (set-up and out-of-band actions) --------------------------------
export async function apiCall(baseURL, method, url, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${baseURL}/api${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok || !json || json.code !== 0) {
    const err = new Error(`${method} ${url} -> ${res.status} ${JSON.stringify(json)}`);
    err.status = res.status;
    err.body = json;
    throw err;
  }
  return json.data;
}

export async function adminToken(server) {
  const r = await apiCall(server.baseURL, 'POST', '/user/login', { body: { username: 'admin', password: server.adminPassword } });
  return r.token;
}

export async function createProducts(server, specs) {
  const token = await adminToken(server);
  const out = [];
  for (const spec of specs) out.push(await apiCall(server.baseURL, 'POST', '/product', { token, body: { stock: 100, status: 1, ...spec } }));
  return out;
}

export async function registerUser(server, username = uid('u_'), password = 'Passw0rd!') {
  const r = await apiCall(server.baseURL, 'POST', '/user/register', {
    body: { username, password, email: `${username}@example.com` },
  });
  return { username, password, ...r };
}

// --- UI steps ----------------------------------------------------------------------
export async function loginUI(page, username, password) {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-username').waitFor();
}

export async function storedSession(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('gomall') ?? '{}').state ?? {});
}
