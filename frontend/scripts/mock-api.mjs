// Development stand-in for the C++ server's API, for looking at pages before the server
// is built: `node scripts/mock-api.mjs 18090` then `GOMALL_DEV_PROXY=http://127.0.0.1:18090 npm run dev`.
// In-memory, single user session, no validation beyond the basics. Not used by any test.
import http from 'node:http';

const port = Number(process.argv[2] ?? 18090);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const money = (cents) => Number((cents / 100).toFixed(2));
const categories = [
  { id: 1, name: '手机数码' },
  { id: 2, name: '家居生活' },
  { id: 3, name: '服饰鞋包' },
  { id: 4, name: '食品饮料' },
];
const names = ['旗舰智能手机 Pro 256GB', '降噪无线耳机', '北欧风台灯', '陶瓷咖啡杯两只装', '轻薄羽绒服', '跑步鞋 Air', '精品挂耳咖啡 30 包', '机械键盘 87 键', '4K 显示器 27 英寸', '保温杯 500ml', '纯棉 T 恤', '每日坚果礼盒'];
const products = names.map((name, i) => ({
  id: i + 1, name, description: `${name}，品质之选。\n支持七天无理由退货。`, priceCents: [599900, 89900, 12990, 3550, 49900, 39900, 6900, 34900, 199900, 8900, 5900, 12800][i],
  stock: i === 5 ? 0 : 50 + i, category_id: (i % 4) + 1, image_url: '', status: 1, sales: 100 - i * 7, created_at: now(), updated_at: now(),
}));
const view = (p) => ({ ...p, price: money(p.priceCents), category: categories.find((c) => c.id === p.category_id)?.name ?? '' });
const user = { id: 2, username: 'demo', email: 'demo@example.com', phone: '', role: Number(process.env.MOCK_ROLE ?? 2), created_at: now(), updated_at: now() };
let cart = [];
const orders = [];
let seq = 1;
// Flash sales: MOCK_SECKILL_DELAY_S (default 20) until the first one starts; stock 1. MOCK_SECKILL_EMPTY=1: none.
// MOCK_SECKILL_COMMIT_MS: queued -> success delay. MOCK_NO_SSE=1: no event stream (polling fallback).
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const t0 = Math.ceil((Date.now() + Number(process.env.MOCK_SECKILL_DELAY_S ?? 20) * 1000) / 1000) * 1000;
const acts = process.env.MOCK_SECKILL_EMPTY ? [] : [
  { id: 1, product_id: 2, priceCents: 49900, total_stock: 1, sold: 0, start: t0, end: t0 + 3_600_000, per_user_limit: 1, ended: false },
  { id: 2, product_id: 1, priceCents: 399900, total_stock: 20, sold: 13, start: Date.now() - 60_000, end: Date.now() + 1_800_000, per_user_limit: 2, ended: false },
  { id: 3, product_id: 4, priceCents: 1990, total_stock: 50, sold: 50, start: Date.now() - 600_000, end: Date.now() + 600_000, per_user_limit: 1, ended: false },
  { id: 4, product_id: 9, priceCents: 99900, total_stock: 5, sold: 2, start: Date.now() - 7_200_000, end: Date.now() - 3_600_000, per_user_limit: 1, ended: false },
];
const results = new Map(); // product_id -> result
const actState = (a, n = Date.now()) => (a.ended || n >= a.end ? 'ended' : n < a.start ? 'upcoming' : a.sold >= a.total_stock ? 'sold_out' : 'active');
const actView = (a) => { const p = products.find((x) => x.id === a.product_id); return { id: a.id, product_id: a.product_id, product_name: p.name, product_image: p.image_url, price: money(a.priceCents), original_price: money(p.priceCents), total_stock: a.total_stock, sold: a.sold, remaining: a.total_stock - a.sold, state: actState(a), start_time: iso(a.start), end_time: iso(a.end), per_user_limit: a.per_user_limit, created_at: now(), updated_at: now() }; };
const newestAct = (pid) => [...acts].reverse().find((a) => a.product_id === pid);
const resultOf = (pid) => results.get(pid) ?? { status: 'none', activity_id: newestAct(pid)?.id ?? 0, product_id: pid, reservation_id: null, order_no: null, reason: null, reservations: [] };

const page = (list, q) => {
  const p = Math.max(1, Number(q.get('page')) || 1);
  const size = Number(q.get('page_size')) || 20;
  return { list: list.slice((p - 1) * size, p * size), total: list.length, page: p, page_size: size, total_page: Math.max(1, Math.ceil(list.length / size)) };
};
const cartView = () => {
  const list = cart.map((c) => { const p = products.find((x) => x.id === c.product_id); return { id: c.product_id, user_id: 2, product_id: p.id, quantity: c.quantity, name: p.name, price: money(p.priceCents), image_url: p.image_url, stock: p.stock, status: p.status, available: p.status === 1 && p.stock >= c.quantity, created_at: now(), updated_at: now() }; });
  return { list, total: list.length, total_quantity: list.reduce((n, i) => n + i.quantity, 0), total_price: money(list.filter((i) => i.available).reduce((n, i) => n + Math.round(i.price * 100) * i.quantity, 0)) };
};
const makeOrder = (lines) => {
  const items = lines.map(({ product_id, quantity }) => { const p = products.find((x) => x.id === product_id); return { product_id, product_name: p.name, product_image: p.image_url, quantity, price: money(p.priceCents), cents: p.priceCents * quantity }; });
  const o = { id: seq, order_no: `ORD${now().replace(/\D/g, '').slice(0, 14)}${String(seq++).padStart(9, '0')}`, user_id: 2, product_id: items[0].product_id, product_name: items[0].product_name, product_image: '', quantity: items.reduce((n, i) => n + i.quantity, 0), total_price: money(items.reduce((n, i) => n + i.cents, 0)), status: 1, pay_type: 0, items: items.map(({ cents, ...rest }) => rest), expires_at: new Date(Date.now() + 900_000).toISOString(), paid_at: null, created_at: now(), updated_at: now() };
  orders.unshift(o);
  return o;
};

http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = '';
  for await (const c of req) body += c;
  const json = body ? JSON.parse(body) : {};
  const send = (status, code, data, message = code ? 'error' : 'success') => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code, message, data, trace_id: '0'.repeat(32) }));
  };
  const r = `${req.method} ${url.pathname}`;
  const login = { token: 'mock-access', refresh_token: 'mock-refresh', expires_in: 900, user };
  if (r === 'GET /health') return send(200, 0, { status: 'ok' });
  if (r === 'POST /api/user/login') return String(json.password).startsWith('wrong') ? send(401, 10002, null, 'invalid username or password') : send(200, 0, login);
  if (r === 'POST /api/user/register') return send(200, 0, { ...login, user: { ...user, username: json.username } });
  if (r === 'POST /api/auth/refresh-token') return send(200, 0, login);
  if (r === 'GET /api/user/profile') return send(200, 0, user);
  if (r === 'GET /api/category') return send(200, 0, { list: categories });
  if (r === 'GET /api/product' || r === 'GET /api/admin/product') {
    let list = products.filter((p) => (r.includes('admin') || p.status === 1) && (!url.searchParams.get('keyword') || p.name.includes(url.searchParams.get('keyword'))) && (!url.searchParams.get('category') || p.category_id === Number(url.searchParams.get('category'))));
    const sort = url.searchParams.get('sort');
    if (sort === 'price_asc') list = [...list].sort((a, b) => a.priceCents - b.priceCents);
    if (sort === 'price_desc') list = [...list].sort((a, b) => b.priceCents - a.priceCents);
    if (sort === 'sales') list = [...list].sort((a, b) => b.sales - a.sales);
    return send(200, 0, page(list.map(view), url.searchParams));
  }
  let m;
  if ((m = r.match(/^GET \/api\/product\/(\d+)$/))) { const p = products.find((x) => x.id === Number(m[1])); return p ? send(200, 0, view(p)) : send(404, 20001, null, 'product not found'); }
  if (r === 'GET /api/cart') return send(200, 0, cartView());
  if (r === 'POST /api/cart') { const c = cart.find((x) => x.product_id === json.product_id); if (c) c.quantity += json.quantity; else cart.push({ product_id: json.product_id, quantity: json.quantity }); return send(200, 0, {}); }
  if (r === 'PUT /api/cart') { cart.find((x) => x.product_id === json.product_id).quantity = json.quantity; return send(200, 0, {}); }
  if (r === 'DELETE /api/cart') { cart = cart.filter((x) => x.product_id !== Number(url.searchParams.get('product_id'))); return send(200, 0, null); }
  if (r === 'DELETE /api/cart/clear') { cart = []; return send(200, 0, null); }
  if (r === 'POST /api/order') return send(201, 0, makeOrder([json]));
  if (r === 'POST /api/order/checkout') { const lines = cart.filter((c) => !json.product_ids || json.product_ids.includes(c.product_id)); cart = cart.filter((c) => !lines.includes(c)); return send(201, 0, makeOrder(lines)); }
  if (r === 'GET /api/order' || r === 'GET /api/admin/order') { const s = url.searchParams.get('status'); return send(200, 0, page(orders.filter((o) => s === null || o.status === Number(s)), url.searchParams)); }
  if ((m = r.match(/^GET \/api\/order\/(\w+)$/))) { const o = orders.find((x) => x.order_no === m[1]); return o ? send(200, 0, o) : send(404, 30001, null, 'order not found'); }
  if ((m = r.match(/^POST \/api\/order\/(\w+)\/(pay|cancel)$/))) { const o = orders.find((x) => x.order_no === m[1]); Object.assign(o, m[2] === 'pay' ? { status: 2, pay_type: 9, paid_at: now() } : { status: 5 }); return send(200, 0, o); }
  if (r === 'PUT /api/product/' + url.pathname.split('/').pop()) { const p = products.find((x) => x.id === Number(url.pathname.split('/').pop())); Object.assign(p, json); return send(200, 0, view(p)); }
  if (r === 'POST /api/product') { const p = { id: products.length + 1, name: json.name, description: json.description ?? '', priceCents: Math.round(Number(json.price) * 100), stock: json.stock ?? 0, category_id: json.category_id ?? null, image_url: json.image_url ?? '', status: json.status ?? 1, sales: 0, created_at: now(), updated_at: now() }; products.push(p); return send(201, 0, view(p)); }
  // --- seckill ---
  if (r === 'GET /api/seckill/activities') { const all = url.searchParams.get('include_ended') === 'true'; return send(200, 0, { list: acts.filter((a) => all || actState(a) !== 'ended').map(actView), server_time: now(), server_time_ms: Date.now() }); }
  if ((m = r.match(/^GET \/api\/seckill\/activities\/(\d+)$/))) { const a = acts.find((x) => x.id === Number(m[1])); return a ? send(200, 0, { ...actView(a), server_time: now(), server_time_ms: Date.now() }) : send(404, 60001, null, 'activity not found'); }
  if (r === 'POST /api/seckill/init') { const p = products.find((x) => x.id === json.product_id); if (!p) return send(404, 20001, null, 'product not found'); const start = json.start_time ? Date.parse(json.start_time) : Date.now(); const end = json.end_time ? Date.parse(json.end_time) : start + 3_600_000; if (!(end > start)) return send(400, 60010, null, 'end_time must be after start_time'); const a = { id: acts.length + 1, product_id: p.id, priceCents: json.price ? Math.round(Number(json.price) * 100) : p.priceCents, total_stock: Number(json.stock), sold: 0, start, end, per_user_limit: Number(json.per_user_limit ?? 1), ended: false }; acts.push(a); return send(201, 0, actView(a)); }
  if ((m = r.match(/^PUT \/api\/seckill\/activities\/(\d+)$/))) { const a = acts.find((x) => x.id === Number(m[1])); if (actState(a) !== 'upcoming') return send(409, 60009, null, 'activity already started'); if (json.price) a.priceCents = Math.round(Number(json.price) * 100); if (json.stock) a.total_stock = Number(json.stock); if (json.start_time) a.start = Date.parse(json.start_time); if (json.end_time) a.end = Date.parse(json.end_time); if (json.per_user_limit) a.per_user_limit = Number(json.per_user_limit); return send(200, 0, actView(a)); }
  if ((m = r.match(/^POST \/api\/seckill\/activities\/(\d+)\/end$/))) { const a = acts.find((x) => x.id === Number(m[1])); if (actState(a) === 'ended') return send(409, 60004, null, 'activity has ended'); a.ended = true; a.end = Date.now(); return send(200, 0, actView(a)); }
  if (r === 'POST /api/seckill') {
    const pid = Number(json.product_id); const a = newestAct(pid);
    if (!a) return send(404, 60001, null, 'no flash sale for this product');
    const st = actState(a);
    if (st === 'upcoming') return send(409, 60003, null, `the flash sale starts at ${iso(a.start)}`);
    if (st === 'ended') return send(409, 60004, null, 'the flash sale has ended');
    const mine = resultOf(pid).reservations.filter((x) => x.status !== 'failed').length;
    if (mine >= a.per_user_limit) return send(409, 60005, null, `you have already bought the limit of ${a.per_user_limit}`);
    if (st === 'sold_out') return send(409, 60002, null, 'sold out');
    const rid = Math.random().toString(16).slice(2).padEnd(32, '0'); const res = resultOf(pid);
    const resv = { reservation_id: rid, status: 'queued', order_no: null, reason: null, reserved_at: now() };
    results.set(pid, { ...res, status: 'queued', activity_id: a.id, reservation_id: rid, order_no: null, reservations: [...res.reservations, resv] });
    a.sold++;
    setTimeout(() => { const o = makeOrder([{ product_id: pid, quantity: 1 }]); o.total_price = money(a.priceCents); o.items[0].price = o.total_price; o.seckill_activity_id = a.id; resv.status = 'success'; resv.order_no = o.order_no; results.set(pid, { ...results.get(pid), status: 'success', order_no: o.order_no }); }, Number(process.env.MOCK_SECKILL_COMMIT_MS ?? 1500));
    return send(200, 0, { status: 'queued', reservation_id: rid, activity_id: a.id, product_id: pid });
  }
  if (r === 'GET /api/seckill/result') { const pid = Number(url.searchParams.get('product_id')); return newestAct(pid) ? send(200, 0, resultOf(pid)) : send(404, 60001, null, 'no flash sale for this product'); }
  if (r === 'GET /api/seckill/events') {
    const pid = Number(url.searchParams.get('product_id'));
    if (!newestAct(pid)) return send(404, 60001, null, 'no flash sale for this product');
    if (process.env.MOCK_NO_SSE) return send(404, 404, null, 'no such route');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    let last = '';
    const started = Date.now();
    const tick = () => { const r1 = resultOf(pid); const j = JSON.stringify(r1); if (j !== last) { last = j; res.write(`event: result\ndata: ${j}\n\n`); } if (r1.status === 'success' || r1.status === 'failed' || Date.now() - started > 60_000) { clearInterval(id); res.end(); } };
    const id = setInterval(tick, 100); tick(); req.on('close', () => clearInterval(id));
    return;
  }
  if (r === 'POST /api/auth/logout' || r === 'POST /api/auth/change-password') return send(200, 0, null);
  return send(404, 404, null, 'not found');
}).listen(port, '127.0.0.1', () => console.log(`mock api on http://127.0.0.1:${port}`));
