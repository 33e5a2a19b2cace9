// Keyword search through the n-gram index: Chinese keywords, one-character keywords, ASCII case,
// LIKE's metacharacters as plain text, hostile keywords, and the index following edits.
import path from 'node:path';
import {
    test, useServer, assert, randomHex, expectOk, expectError, run, REPO_ROOT, EXTERNAL, EXTERNAL_SKIP,
} from './harness.mjs';

const srv = useServer({ label: 'search' });

// A Chinese tag unique to this run and test (hex digits spelled with CJK characters), so searches
// find only this test's products in a shared database.
const DIGITS = '零一二三四五六七八九甲乙丙丁戊己';
const zhTag = () => [...randomHex(5)].map((h) => DIGITS[parseInt(h, 16)]).join('');

async function search(keyword, extra = {}) {
    const res = await srv.api('GET', `/api/product?${new URLSearchParams({ keyword, page_size: 100, ...extra })}`);
    expectOk(res);
    return res.body.data;
}
const ids = (data) => data.list.map((p) => p.id).sort((a, b) => a - b);

test('Chinese keywords find names and descriptions, whole or in part', async () => {
    const zh = zhTag();
    const phone = await srv.createProduct({ name: `${zh}智能手机`, description: '旗舰 flagship' });
    const buds = await srv.createProduct({ name: `${zh}蓝牙耳机`, description: `配套${zh}手机壳` });
    const other = await srv.createProduct({ name: `${zh}无关商品`, description: '其他' });

    assert.deepEqual(ids(await search(`${zh}智能手机`)), [phone.id]);
    assert.deepEqual(ids(await search(`${zh}手机`)), [buds.id]);  // only in the description, after 配套
    assert.deepEqual(ids(await search(`${zh}`)), [phone.id, buds.id, other.id]);
    assert.deepEqual(ids(await search(`${zh}智能手表`)), []);  // every gram but the last is there
    const page = await search(`${zh}`, { page_size: 2, sort: 'newest' });
    assert.equal(page.total, 3);
    assert.deepEqual(page.list.map((p) => p.id), [other.id, buds.id]);
    // One character: answered too (by the index's unigrams or a scan), and includes ours.
    const one = await search('机', { page_size: 100 });
    assert.ok(one.total >= 2, `"机" found ${one.total}`);
});

test('ASCII case is folded, other letters are compared as they are', async () => {
    const zh = zhTag();
    const p = await srv.createProduct({ name: `${zh} MiXeD Case`, description: 'Grüße' });
    assert.deepEqual(ids(await search(`${zh} mixed`)), [p.id]);
    assert.deepEqual(ids(await search(`${zh} MIXED CASE`)), [p.id]);
    assert.deepEqual(ids(await search(`${zh} mixed  case`)), []);  // two spaces are not one
    assert.ok(ids(await search('grüße')).includes(p.id));
});

test('LIKE metacharacters, quotes, emoji and NUL are matched as plain text', async () => {
    const zh = zhTag();
    const p = await srv.createProduct({ name: `${zh} 100%_off \\ 'q' "d" 😀🎉`, description: '' });
    const decoy = await srv.createProduct({ name: `${zh} 1000xoff a q d 😀`, description: '' });
    assert.deepEqual(ids(await search(`${zh} 100%_off`)), [p.id]);
    assert.deepEqual(ids(await search(`${zh} 100%`)), [p.id]);
    assert.deepEqual(ids(await search(`${zh} 10_0`)), []);  // _ is not "any character"
    assert.deepEqual(ids(await search(`${zh}%`)), []);  // % is not "anything"
    assert.deepEqual(ids(await search(`${zh} 100%_off \\`)), [p.id]);
    assert.deepEqual(ids(await search(`'q' "d"`)).filter((id) => id === p.id || id === decoy.id), [p.id]);
    assert.deepEqual(ids(await search(`😀🎉`)).filter((id) => id === p.id || id === decoy.id), [p.id]);
    assert.deepEqual(ids(await search(`${zh} 1000x`)), [decoy.id]);
    // A NUL in the keyword: answered, never an error.
    for (const keyword of [`${zh}\u0000`, '\u0000', `\u0000${zh}`]) {
        const res = await srv.api('GET', `/api/product?${new URLSearchParams({ keyword })}`);
        expectOk(res);
    }
});

test('hostile keywords: injection text, wildcards only, too long, malformed UTF-8', async () => {
    for (const keyword of ["' OR 1=1 --", "'; DROP TABLE product_search_grams; --", '%', '%%', '_', '__', '\\',
        '\\%', ' ', '😀', 'x'.repeat(100), '手'.repeat(100), 'a\u0301']) {
        const data = await search(keyword);
        assert.ok(Number.isInteger(data.total) && data.total >= 0, keyword);
        assert.ok(data.list.length <= 100);
    }
    expectError(await srv.api('GET', `/api/product?keyword=${'x'.repeat(101)}`), 400, 400, 'keyword');
    expectError(await srv.api('GET', `/api/product?keyword=${encodeURIComponent('手'.repeat(101))}`), 400, 400,
        'keyword');
    for (const raw of ['%FF', '%E6%89', 'a%80b', '%C0%AF']) {
        expectError(await srv.api('GET', `/api/product?keyword=${raw}`), 400, 400, 'keyword');
    }
    // A UTF-16 surrogate encoded in UTF-8 passes the length check; it is searched by a plain scan.
    expectOk(await srv.api('GET', '/api/product?keyword=%ED%A0%80'));
    // Repeated keyword parameters: still one answer.
    expectOk(await srv.api('GET', '/api/product?keyword=a&keyword=b'));
    // The catalogue is still there.
    expectOk(await srv.api('GET', '/api/product'));
});

test('the index follows renames, description edits and deletion', async () => {
    const zh = zhTag();
    const p = await srv.createProduct({ name: `${zh}红色外套`, description: `${zh}羊毛` });
    assert.deepEqual(ids(await search(`${zh}红色`)), [p.id]);
    await srv.updateProduct(p.id, { name: `${zh}蓝色外套` });
    assert.deepEqual(ids(await search(`${zh}红色`)), []);
    assert.deepEqual(ids(await search(`${zh}蓝色`)), [p.id]);
    assert.deepEqual(ids(await search(`${zh}羊毛`)), [p.id]);
    await srv.updateProduct(p.id, { description: `${zh}纯棉` });
    assert.deepEqual(ids(await search(`${zh}羊毛`)), []);
    assert.deepEqual(ids(await search(`${zh}纯棉`)), [p.id]);
    expectOk(await srv.api('DELETE', `/api/product/${p.id}`, { token: await srv.adminToken() }));
    assert.deepEqual(ids(await search(`${zh}`)), []);
});

test('gomall seed-products N: bounded count, generated products searchable at once', { skip: EXTERNAL && EXTERNAL_SKIP },
    async () => {
        const bin = process.env.GOMALL_BIN
            ? path.resolve(REPO_ROOT, process.env.GOMALL_BIN)
            : path.join(REPO_ROOT, 'build', 'debug', 'bin', 'gomall');
        const env = { ...srv.env, GOMALL_LOG_LEVEL: 'warn' };
        for (const bad of [['0'], ['-1'], ['1000001'], ['12x'], [' 5'], ['99999999999999999999'], []]) {
            const { code, stderr } = await run(bin, ['seed-products', ...bad, '--env', 'test'], { env, check: false });
            assert.equal(code, 2, `seed-products ${bad.join(' ')}`);
            assert.match(stderr, /seed-products needs a count between 1 and 1000000|unknown option -1/);
        }
        // Never in prod (whether the prod config or the command refuses it first).
        const refused = await run(bin, ['seed-products', '5', '--env', 'prod'], { env, check: false });
        assert.notEqual(refused.code, 0);
        assert.doesNotMatch(refused.stdout, /added/);
        const { stdout } = await run(bin, ['seed-products', '30', '--env', 'test'], { env });
        assert.match(stdout, /seeded 30\/30 products/);
        assert.match(stdout, /added 30 generated product\(s\)/);
        // Every generated name ends in "（<colour>）": the products are searchable through the index.
        // The admin's listing, which includes the one product in fifty the generator puts off shelf.
        const res = await srv.api('GET', `/api/admin/product?${new URLSearchParams({ keyword: '色）', page_size: 100 })}`,
            { token: await srv.adminToken() });
        expectOk(res);
        assert.ok(res.body.data.total >= 30, `found ${res.body.data.total}`);
        for (const p of res.body.data.list) assert.match(p.name, /色）$/);
    });
