// After `vite build`: put Swagger UI (from the swagger-ui-dist package, no CDN) into
// dist/swagger/, then gzip every text asset in dist/ into a sibling .gz file so the
// server can send precompressed bytes.
import { createRequire } from 'node:module';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist');
const require = createRequire(import.meta.url);

async function copySwaggerUi() {
  const pkgDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  const out = path.join(dist, 'swagger');
  await mkdir(out, { recursive: true });
  const files = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png'];
  for (const f of files) await copyFile(path.join(pkgDir, f), path.join(out, f));
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>GoMall API</title>
    <link rel="stylesheet" href="./swagger-ui.css" />
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="./favicon-16x16.png" sizes="16x16" />
    <style>body { margin: 0; } .topbar { display: none; }</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js"></script>
    <script src="./swagger-ui-standalone-preset.js"></script>
    <script src="./swagger-init.js"></script>
  </body>
</html>
`;
  // Kept in its own file so a strict Content-Security-Policy (no inline script) still works.
  const init = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/swagger/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null,
    tryItOutEnabled: true
  });
});
`;
  await writeFile(path.join(out, 'index.html'), html);
  await writeFile(path.join(out, 'swagger-init.js'), init);
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else yield p;
  }
}

const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json']);

async function gzipAll() {
  let count = 0;
  let before = 0;
  let after = 0;
  for await (const file of walk(dist)) {
    if (!COMPRESSIBLE.has(path.extname(file))) continue;
    const data = await readFile(file);
    const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
    await writeFile(`${file}.gz`, gz);
    count += 1;
    before += data.length;
    after += gz.length;
  }
  return { count, before, after };
}

try {
  await stat(dist);
} catch {
  console.error(`postbuild: ${dist} does not exist; run vite build first`);
  process.exit(1);
}
await copySwaggerUi();
const { count, before, after } = await gzipAll();
console.log(`postbuild: swagger UI in dist/swagger/, ${count} files gzipped (${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB)`);
