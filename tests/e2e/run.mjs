#!/usr/bin/env node
// Runs the browser tests one file at a time: `node tests/e2e/run.mjs [file ...]`
// (from the repo root) or `npm run e2e` in frontend/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

if (!existsSync(path.join(repoRoot, 'frontend', 'node_modules', 'playwright-core'))) {
  console.error('e2e: playwright-core is missing; run "npm ci" in frontend/ first');
  process.exit(1);
}
if (!existsSync(path.join(repoRoot, 'frontend', 'dist', 'index.html')) && !process.env.GOMALL_BASE_URL) {
  console.error('e2e: frontend/dist is missing; run "npm run build" in frontend/ first');
  process.exit(1);
}

const args = process.argv.slice(2);
const files = args.length
  ? args.map((f) => path.resolve(f))
  : readdirSync(here)
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => path.join(here, f));

const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: process.env,
});
process.exit(result.status ?? 1);
