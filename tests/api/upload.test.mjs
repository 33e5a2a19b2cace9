// Uploads: POST /api/upload (field "file") and POST /api/upload/multi (field "files"), signed-in
// users, multipart/form-data. Accepted: JPEG, PNG, GIF and WebP by their bytes, stored under random
// names and served back byte-identical from /uploads/<name>. Refused with 4xx envelopes, codes
// 70001-70006: scripts and SVG dressed as images, empty files, too many or too large files, broken
// multipart framing. Nothing is ever written outside the upload directory, and no temporary file
// is left behind.
import fs from 'node:fs';
import path from 'node:path';
import {
    test, useServer, startServer, assert, expectOk, expectError, randomHex, EXTERNAL, EXTERNAL_SKIP,
} from './harness.mjs';

const srv = useServer({ label: 'upload' });

// Tiny valid 1x1 images.
const IMAGES = {
    png: { type: 'image/png', bytes: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64') },
    gif: { type: 'image/gif', bytes: Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64') },
    jpg: {
        type: 'image/jpeg',
        bytes: Buffer.from(
            'ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e'
            + '2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000'
            + '000102030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1'
            + '1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a'
            + '838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8'
            + 'e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00d2cf20ffd9',
            'hex',
        ),
    },
    webp: { type: 'image/webp', bytes: Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64') },
};

const NAME_RE = /^[0-9a-f]{32}\.(png|gif|jpg|webp)$/;
const BOUNDARY = `----gomall${randomHex(8)}`;
const CRLF = '\r\n';

/// A multipart/form-data body. parts: [{name, filename, type, bytes, headers: raw header lines}].
function multipart(parts, { boundary = BOUNDARY, close = true } = {}) {
    const chunks = [];
    for (const p of parts) {
        let head = `--${boundary}${CRLF}`;
        if (p.disposition !== undefined) head += p.disposition === null ? '' : `Content-Disposition: ${p.disposition}${CRLF}`;
        else head += `Content-Disposition: form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}${CRLF}`;
        if (p.type) head += `Content-Type: ${p.type}${CRLF}`;
        chunks.push(Buffer.from(head + CRLF, 'latin1'), Buffer.from(p.bytes ?? ''), Buffer.from(CRLF));
    }
    if (close) chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
    return Buffer.concat(chunks);
}

function post(route, body, { token, boundary = BOUNDARY, contentType, server = srv } = {}) {
    return server.api('POST', route, {
        token,
        rawBody: body,
        headers: { 'content-type': contentType ?? `multipart/form-data; boundary=${boundary}` },
    });
}

let shopper;
async function token() {
    shopper ??= await srv.register('upl');
    return shopper.token;
}

/// Every path below `dir`, relative to it.
function tree(dir) {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}
const uploadDir = () => path.join(srv.tmpDir, 'uploads');
/// The server's temp dir without the upload directory, the server log and SQLite's side files.
function outsideUploads() {
    return tree(srv.tmpDir).filter((p) => !p.startsWith('uploads') && !/^server-\d+\.log$/.test(p) && !/^gomall\.db/.test(p));
}

async function expectServed(file, bytes, type) {
    const res = await srv.api('GET', file.url, { checkEnvelope: false, headers: { accept: '*/*' } });
    assert.equal(res.status, 200, `GET ${file.url}: ${res.status}`);
    assert.equal(res.headers['content-type'], type);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.headers['cache-control'] || '', /immutable/);
    const raw = Buffer.from(await (await fetch(srv.baseUrl + file.url)).arrayBuffer());
    assert.ok(raw.equals(bytes), `${file.url} is not byte-identical to the upload`);
}

for (const [ext, image] of Object.entries(IMAGES)) {
    test(`a 1x1 ${ext} is stored under a random name and served back byte-identical`, async () => {
        const res = await post('/api/upload', multipart([{ name: 'file', filename: `pic.${ext}`, type: image.type, bytes: image.bytes }]), { token: await token() });
        expectOk(res, 201);
        const f = res.body.data;
        assert.match(f.name, NAME_RE);
        assert.ok(f.name.endsWith(`.${ext}`), `extension from the content: ${f.name}`);
        assert.equal(f.url, `/uploads/${f.name}`);
        assert.equal(f.type, image.type);
        assert.equal(f.size, image.bytes.length);
        assert.equal(f.width, 1);
        assert.equal(f.height, 1);
        await expectServed(f, image.bytes, image.type);
        if (!EXTERNAL) assert.ok(fs.readFileSync(path.join(uploadDir(), f.name)).equals(image.bytes));
    });
}

test('the type comes from the content, not from the file name or the claimed type', async () => {
    const res = await post('/api/upload', multipart([{ name: 'file', filename: 'photo.png', type: 'image/png', bytes: IMAGES.gif.bytes }]), { token: await token() });
    expectOk(res, 201);
    assert.match(res.body.data.name, /\.gif$/);
    assert.equal(res.body.data.type, 'image/gif');
    await expectServed(res.body.data, IMAGES.gif.bytes, 'image/gif');
});

test('/api/upload/multi stores every file and answers {files: [...]}', async () => {
    const list = Object.values(IMAGES);
    const res = await post('/api/upload/multi', multipart(list.map((im, i) => ({ name: 'files', filename: `f${i}`, type: im.type, bytes: im.bytes }))), { token: await token() });
    expectOk(res, 201);
    assert.equal(res.body.data.files.length, list.length);
    const names = new Set();
    for (const [i, f] of res.body.data.files.entries()) {
        assert.match(f.name, NAME_RE);
        assert.equal(f.type, list[i].type);
        names.add(f.name);
        await expectServed(f, list[i].bytes, list[i].type);
    }
    assert.equal(names.size, list.length, 'every file gets its own name');
});

test('what is not an accepted image is refused with a clear 4xx', async () => {
    const t = await token();
    const one = (bytes, extra = {}) => post('/api/upload', multipart([{ name: 'file', filename: 'x.png', type: 'image/png', bytes, ...extra }]), { token: t });
    const script = await one(Buffer.from('#!/bin/sh\necho owned\n'));
    expectError(script, 415, 70002, 'file');
    assert.match(script.body.message, /JPEG, PNG, GIF and WebP/);
    expectError(await one(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), { type: 'image/svg+xml', filename: 'x.svg' }), 415, 70002, 'file');
    expectError(await one(Buffer.from('<html><script>alert(1)</script></html>')), 415, 70002, 'file');
    expectError(await one(IMAGES.png.bytes.subarray(0, 20)), 415, 70002, 'file');
    expectError(await one(Buffer.alloc(0)), 400, 70001, 'file');
    // a PNG header claiming 10001 pixels of width
    const wide = Buffer.from(IMAGES.png.bytes);
    wide.writeUInt32BE(10001, 16);
    const tooWide = await one(wide);
    expectError(tooWide, 400, 70006, 'file');
    assert.match(tooWide.body.message, /10001x1/);
    // one bad file among good ones stores none
    const mixed = await post('/api/upload/multi', multipart([
        { name: 'files', filename: 'a.png', bytes: IMAGES.png.bytes },
        { name: 'files', filename: 'b.svg', bytes: Buffer.from('<svg/>') },
    ]), { token: t });
    expectError(mixed, 415, 70002, 'files[1]');
});

test('missing fields, too many files and broken multipart are 400 envelopes', async () => {
    const t = await token();
    const png = IMAGES.png.bytes;
    expectError(await post('/api/upload', multipart([{ name: 'other', filename: 'a.png', bytes: png }]), { token: t }), 400, 70001, 'file');
    expectError(await post('/api/upload', multipart([]), { token: t }), 400, 70001, 'file');
    expectError(await post('/api/upload/multi', multipart([{ name: 'file', bytes: png }]), { token: t }), 400, 70001, 'files');
    const ten = Array.from({ length: 10 }, (_, i) => ({ name: 'files', filename: `${i}.png`, bytes: png }));
    const tooMany = await post('/api/upload/multi', multipart(ten), { token: t });
    expectError(tooMany, 400, 70004, 'files');
    assert.match(tooMany.body.message, /at most 9/);
    expectError(await post('/api/upload', multipart([{ name: 'file', bytes: png }, { name: 'file', bytes: png }]), { token: t }), 400, 70004, 'file');

    const good = multipart([{ name: 'file', filename: 'a.png', bytes: png }]);
    const truncated = await post('/api/upload', good.subarray(0, good.length - 20), { token: t });
    expectError(truncated, 400, 70005);
    assert.match(truncated.body.message, /closing boundary/);
    expectError(await post('/api/upload', multipart([{ name: 'file', bytes: png }], { close: false }), { token: t }), 400, 70005);
    const wrong = await post('/api/upload', good, { token: t, boundary: 'not-the-boundary' });
    expectError(wrong, 400, 70005);
    assert.match(wrong.body.message, /boundary/);
    expectError(await post('/api/upload', good, { token: t, contentType: 'multipart/form-data' }), 400, 70005);
    expectError(await post('/api/upload', multipart([{ disposition: 'form-data; filename="a.png"', bytes: png }]), { token: t }), 400, 70005);
    expectError(await post('/api/upload', multipart([{ disposition: null, type: 'image/png', bytes: png }]), { token: t }), 400, 70005);
    expectError(await post('/api/upload', Buffer.alloc(0), { token: t }), 400, 70005);
    // a NUL in the file name: a control character in a part header
    expectError(await post('/api/upload', multipart([{ name: 'file', filename: 'a\0.png', bytes: png }]), { token: t }), 400, 70005);
    // not multipart at all: the generic 415
    expectError(await post('/api/upload', Buffer.from('{"file":"x"}'), { token: t, contentType: 'application/json' }), 415, 415);
    expectError(await post('/api/upload/multi', png, { token: t, contentType: 'image/png' }), 415, 415);
});

test('not signed in is 401 on both routes', async () => {
    const body = multipart([{ name: 'file', filename: 'a.png', bytes: IMAGES.png.bytes }]);
    expectError(await post('/api/upload', body), 401, 401);
    expectError(await post('/api/upload/multi', body), 401, 401);
    expectError(await post('/api/upload', body, { token: 'not.a.token' }), 401, 10006);
});

test('hostile file names are ignored: nothing is written outside the upload directory', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const before = outsideUploads();
    const marker = `evil${randomHex(4)}`;
    const names = [`../../${marker}.png`, `/tmp/${marker}.png`, `..\\..\\${marker}.png`, `${marker}/../../x.png`, `%2e%2e%2f${marker}.png`, '.hidden.png', '.'];
    for (const filename of names) {
        const res = await post('/api/upload', multipart([{ name: 'file', filename, type: 'image/png', bytes: IMAGES.png.bytes }]), { token: await token() });
        expectOk(res, 201);
        assert.match(res.body.data.name, NAME_RE, `stored under a generated name, not ${filename}`);
    }
    const multi = await post('/api/upload/multi', multipart(names.map((filename) => ({ name: 'files', filename, bytes: IMAGES.gif.bytes }))), { token: await token() });
    expectOk(multi, 201);
    assert.deepEqual(outsideUploads(), before, 'files appeared outside the upload directory');
    for (const name of tree(uploadDir())) assert.match(name, NAME_RE, `unexpected entry in the upload directory: ${name}`);
    for (const dir of [path.dirname(srv.tmpDir), '/tmp', path.join(srv.tmpDir, '..', '..')]) {
        assert.ok(!fs.readdirSync(dir).some((n) => n.includes(marker)), `${marker} file in ${dir}`);
    }
});

test('stored files are read-only through /uploads/: other methods and unknown names get no file', async () => {
    const res = await post('/api/upload', multipart([{ name: 'file', bytes: IMAGES.png.bytes }]), { token: await token() });
    expectOk(res, 201);
    const { url } = res.body.data;
    for (const method of ['PUT', 'DELETE', 'POST']) {
        const r = await srv.api(method, url, { rawBody: 'x', headers: { 'content-type': 'image/png' }, checkEnvelope: false });
        assert.ok([404, 405].includes(r.status), `${method} ${url} -> ${r.status}`);
    }
    const missing = await srv.api('GET', `/uploads/${'0'.repeat(32)}.png`, { checkEnvelope: false });
    assert.equal(missing.status, 404);
    await expectServed(res.body.data, IMAGES.png.bytes, 'image/png');
});

test('no temporary file is left in the upload directory', async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const entries = tree(uploadDir());
    assert.ok(entries.length > 0);
    assert.deepEqual(entries.filter((n) => !NAME_RE.test(n)), [], 'entries that are not stored uploads');
});

test('size caps: a file over upload.max_file_bytes is 413 70003, a body over max_total_bytes 413 413', { timeout: 120000 }, async (t) => {
    if (EXTERNAL) return t.skip(EXTERNAL_SKIP);
    const small = await startServer({
        label: 'upload-small',
        env: { GOMALL_UPLOAD_MAX_FILE_BYTES: '1024', GOMALL_UPLOAD_MAX_TOTAL_BYTES: '8192' },
    });
    try {
        const user = await small.register('uplsmall');
        const big = Buffer.concat([IMAGES.png.bytes, Buffer.alloc(1100, 0x41)]);
        const exact = Buffer.concat([IMAGES.png.bytes, Buffer.alloc(1024 - IMAGES.png.bytes.length, 0x41)]);
        const ok = await post('/api/upload', multipart([{ name: 'file', bytes: exact }]), { token: user.token, server: small });
        expectOk(ok, 201);
        assert.equal(ok.body.data.size, 1024);
        const over = await post('/api/upload', multipart([{ name: 'file', bytes: big }]), { token: user.token, server: small });
        expectError(over, 413, 70003, 'file');
        assert.match(over.body.message, /1024 bytes/);
        const many = Array.from({ length: 9 }, () => ({ name: 'files', bytes: exact }));
        expectError(await post('/api/upload/multi', multipart(many), { token: user.token, server: small }), 413, 413);
        assert.deepEqual(tree(path.join(small.tmpDir, 'uploads')), [ok.body.data.name], 'only the accepted file is stored');
    } finally {
        await small.dispose();
    }
});
