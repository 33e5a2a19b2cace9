#!/usr/bin/env node
// What the HTTP benchmark (bench/run-http-bench) asks a running shop before it measures: the
// catalogue's size and categories, an activity to read, and the request paths of the rotating-key
// runs (many product ids, many list queries), so a figure is not one hot cache key only.
// Public read API only, so it works against any mode and any database.
//
//   node bench/http/keys.mjs catalogue
//        Prints "total=<products> categories=<id,id,...>".
//   node bench/http/keys.mjs activity
//        Prints the id of the first flash-sale activity that has not ended, or nothing.
//   node bench/http/keys.mjs detail-paths --count K [--seed S]
//        Prints up to K distinct "/api/product/<id>" paths, ids of existing products picked from
//        pages spread over the whole catalogue, in a shuffled order.
//   node bench/http/keys.mjs list-paths --count K [--seed S] [--page-size 20] [--max-page 50]
//        Prints up to K distinct catalogue queries ("/api/product?..."): pages 1..min(pages,
//        max-page) crossed with every sort, every category (and none) and the keywords
//        "" / 手机 / phone, sampled and shuffled.
//
// Environment: GOMALL_BENCH_URL (required).

const base = (process.env.GOMALL_BENCH_URL || '').replace(/\/+$/, '');

function fail(message) {
    process.stderr.write(`bench-keys: ${message}\n`);
    process.exit(2);
}

function options(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i += 2) {
        const a = argv[i];
        if (!a.startsWith('--') || argv[i + 1] === undefined) fail(`expected --name value, got ${a}`);
        out[a.slice(2)] = argv[i + 1];
    }
    return out;
}

function positive(opts, name, fallback) {
    const raw = opts[name] ?? fallback;
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
    return n;
}

/// A small seeded generator (mulberry32), so two runs with the same seed ask for the same keys.
function random(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function shuffle(items, next) {
    for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
}

/// GET path; the envelope's data, or exit with what the server said.
async function data(path) {
    const res = await fetch(base + path, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(30000) });
    const text = await res.text();
    let body = null;
    try {
        body = JSON.parse(text);
    } catch {
        body = null;
    }
    if (res.status !== 200 || !body || body.code !== 0) fail(`GET ${path} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    return body.data;
}

async function categories() {
    const list = await data('/api/category');
    const items = Array.isArray(list) ? list : list.list || [];
    return items.map((c) => c.id).filter((id) => Number.isInteger(id));
}

async function catalogue() {
    const page = await data('/api/product?page=1&page_size=1');
    process.stdout.write(`total=${page.total} categories=${(await categories()).join(',')}\n`);
}

async function activity() {
    const listing = await data('/api/seckill/activities?include_ended=false');
    const found = (listing.list || []).find((a) => a.state !== 'ended');
    if (found) process.stdout.write(`${found.id}\n`);
}

async function detailPaths(opts) {
    const count = positive(opts, 'count');
    const next = random(positive(opts, 'seed', 12));
    const pageSize = 100; // the API's largest page
    const first = await data(`/api/product?page=1&page_size=${pageSize}`);
    const pages = Math.max(1, Number(first.total_page) || 1);
    const wanted = Math.min(pages, Math.ceil(count / pageSize));
    // Pages spread evenly over the catalogue, each at a random point of its stretch.
    const chosen = new Set([1]);
    for (let i = 0; chosen.size < wanted && i < wanted * 4; i++) {
        const stretch = pages / wanted;
        chosen.add(1 + Math.min(pages - 1, Math.floor((chosen.size + next()) * stretch)));
    }
    const ids = new Set();
    for (const p of chosen) {
        const page = p === 1 ? first : await data(`/api/product?page=${p}&page_size=${pageSize}`);
        for (const item of page.list || []) ids.add(item.id);
    }
    const picked = shuffle([...ids], next).slice(0, count);
    if (!picked.length) fail('the catalogue is empty');
    process.stdout.write(picked.map((id) => `/api/product/${id}\n`).join(''));
}

async function listPaths(opts) {
    const count = positive(opts, 'count');
    const next = random(positive(opts, 'seed', 12));
    const pageSize = positive(opts, 'page-size', 20);
    const maxPage = positive(opts, 'max-page', 50);
    const first = await data(`/api/product?page=1&page_size=${pageSize}`);
    const pages = Math.min(maxPage, Math.max(1, Number(first.total_page) || 1));
    const sorts = ['newest', 'price_asc', 'price_desc', 'sales'];
    const cats = [0, ...(await categories())];
    const keywords = ['', '手机', 'phone'];
    const all = [];
    for (let page = 1; page <= pages; page++) {
        for (const sort of sorts) {
            for (const cat of cats) {
                for (const keyword of keywords) {
                    let q = `page=${page}&page_size=${pageSize}&sort=${sort}`;
                    if (cat) q += `&category=${cat}`;
                    if (keyword) q += `&keyword=${encodeURIComponent(keyword)}`;
                    all.push(`/api/product?${q}`);
                }
            }
        }
    }
    process.stdout.write(shuffle(all, next).slice(0, count).map((p) => `${p}\n`).join(''));
}

if (!base) fail('set GOMALL_BENCH_URL');
const [command, ...rest] = process.argv.slice(2);
const opts = options(rest);
const commands = { catalogue, activity, 'detail-paths': detailPaths, 'list-paths': listPaths };
if (!commands[command]) fail(`unknown command ${command ?? '(none)'}; one of ${Object.keys(commands).join(', ')}`);
try {
    await commands[command](opts);
} catch (e) {
    fail(`${base}: ${e.cause?.message || e.message}`);
}
