// Helpers of the hostile-input suite (tests/api/hostile/*.test.mjs): raw HTTP/1.1 exchanges over
// node:net (fetch and node:http normalise what these tests must send as is), a parser of the
// raw answers, envelope and health checks, and a small reader of docs/openapi.yaml.
// Not a test file itself: node --test only runs *.test.mjs here.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { assert, REPO_ROOT, TRACE_ID_RE } from '../harness.mjs';

// ---------------------------------------------------------------------------------------------
// raw exchanges

/// Parses every complete HTTP/1.x response in `buf` (pipelined answers, a 100 Continue first).
/// A response without Content-Length or chunked framing takes the rest of the bytes (the server
/// closes after it). Returns [{status, reason, headers (lower-case names), text, body (JSON or
/// null), complete}]; an unfinished trailing response is included with complete: false.
export function parseResponses(buf) {
    const out = [];
    let pos = 0;
    while (pos < buf.length) {
        const headEnd = buf.indexOf('\r\n\r\n', pos, 'latin1');
        if (headEnd < 0) {
            out.push({ status: 0, reason: '', headers: {}, text: buf.subarray(pos).toString('latin1'), body: null, complete: false });
            break;
        }
        const lines = buf.subarray(pos, headEnd).toString('latin1').split('\r\n');
        const m = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0]);
        if (!m) {
            out.push({ status: 0, reason: lines[0], headers: {}, text: buf.subarray(pos).toString('latin1'), body: null, complete: false });
            break;
        }
        const headers = {};
        for (const line of lines.slice(1)) {
            const i = line.indexOf(':');
            if (i > 0) {
                const name = line.slice(0, i).trim().toLowerCase();
                const value = line.slice(i + 1).trim();
                headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
            }
        }
        const status = Number(m[1]);
        let start = headEnd + 4;
        let body = Buffer.alloc(0);
        let complete = true;
        if ((status >= 100 && status < 200) || status === 204 || status === 304) {
            // no body
        } else if (headers['content-length'] !== undefined) {
            const len = Number(headers['content-length']);
            if (start + len > buf.length) complete = false;
            body = buf.subarray(start, start + len);
            start += len;
        } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
            const parts = [];
            complete = false;
            for (;;) {
                const eol = buf.indexOf('\r\n', start, 'latin1');
                if (eol < 0) break;
                const size = parseInt(buf.subarray(start, eol).toString('latin1'), 16);
                if (Number.isNaN(size)) break;
                if (size === 0) {
                    const end = buf.indexOf('\r\n\r\n', eol, 'latin1');
                    if (end >= 0) { start = end + 4; complete = true; }
                    break;
                }
                if (eol + 2 + size + 2 > buf.length) break;
                parts.push(buf.subarray(eol + 2, eol + 2 + size));
                start = eol + 2 + size + 2;
            }
            body = Buffer.concat(parts);
            if (!complete) start = buf.length;
        } else {
            body = buf.subarray(start);
            start = buf.length;
        }
        const text = body.toString('utf8');
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { json = null; }
        out.push({ status, reason: m[2] || '', headers, text, body: json, complete });
        pos = start;
    }
    return out;
}

/// One raw exchange with the server on 127.0.0.1:port. `parts` are written one after another
/// (strings are sent as latin1, so every char is one byte; Buffers as they are), waiting for the
/// socket to drain, with `gapMs` between parts. Then, if `halfClose`, the client's side is shut.
/// Resolves once the server has closed the connection, or `waitMs` after the last write (or after
/// `expect` responses are complete, `lingerMs` later). Never rejects: write errors (EPIPE,
/// ECONNRESET) are reported in `error`.
/// Returns {raw, responses, ended (the server sent FIN), closed, error, timedOut, ms, sent}.
export function rawExchange(port, parts, {
    waitMs = 5000, halfClose = false, gapMs = 0, expect = 0, lingerMs = 300, chunkBytes = 65536,
} = {}) {
    const list = Array.isArray(parts) ? parts : [parts];
    return new Promise((resolve) => {
        const t0 = Date.now();
        const chunks = [];
        const out = { ended: false, closed: false, error: null, timedOut: false, sent: 0 };
        let timer = null;
        let done = false;
        const sock = net.connect({ host: '127.0.0.1', port });
        const finish = () => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            sock.destroy();
            const raw = Buffer.concat(chunks);
            resolve({ ...out, raw, responses: parseResponses(raw), ms: Date.now() - t0 });
        };
        const arm = (ms) => {
            clearTimeout(timer);
            timer = setTimeout(() => { out.timedOut = true; finish(); }, ms);
        };
        const enough = () => {
            if (!expect) return false;
            const rs = parseResponses(Buffer.concat(chunks)).filter((r) => r.status >= 200 && r.complete);
            return rs.length >= expect;
        };
        sock.on('data', (d) => {
            chunks.push(d);
            if (enough()) {
                // give the server a moment to close (or not) after the last expected answer
                clearTimeout(timer);
                timer = setTimeout(() => { out.timedOut = !out.ended; finish(); }, lingerMs);
            }
        });
        sock.on('end', () => { out.ended = true; });
        sock.on('close', () => { out.closed = true; finish(); });
        sock.on('error', (err) => { if (!out.error) out.error = err.code || err.message; });
        arm(waitMs + 30000);  // a hard cap while connecting and writing
        sock.once('connect', async () => {
            try {
                for (let i = 0; i < list.length; i += 1) {
                    if (i > 0 && gapMs) await new Promise((r) => setTimeout(r, gapMs));
                    const data = typeof list[i] === 'string' ? Buffer.from(list[i], 'latin1') : list[i];
                    for (let off = 0; off < data.length; off += chunkBytes) {
                        if (done || sock.destroyed || !sock.writable) throw new Error(out.error || 'socket closed while writing');
                        const piece = data.subarray(off, off + chunkBytes);
                        const ok = sock.write(piece);
                        out.sent += piece.length;
                        if (!ok) {
                            await new Promise((r) => {
                                const onDrain = () => { sock.off('close', onDrain); r(); };
                                sock.once('drain', onDrain);
                                sock.once('close', onDrain);
                            });
                        }
                    }
                }
                if (halfClose && !sock.destroyed) sock.end();
            } catch (err) {
                if (!out.error) out.error = err.code || err.message;
            }
            if (!done) {
                if (enough()) arm(lingerMs);
                else arm(waitMs);
            }
        });
    });
}

/// A request as bytes: request line, headers (array of [name, value] or raw strings), body.
export function rawRequest(method, target, headers = [], body = '') {
    const lines = [`${method} ${target} HTTP/1.1`];
    for (const h of headers) lines.push(Array.isArray(h) ? `${h[0]}: ${h[1]}` : h);
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

function describe(ex) {
    const r = ex.responses.map((x) => `${x.status}${x.complete ? '' : '(incomplete)'} ${x.text.slice(0, 300)}`).join(' | ');
    return `answers [${r}] raw ${JSON.stringify(ex.raw.subarray(0, 200).toString('latin1'))}${ex.raw.length > 200 ? '...' : ''}`
        + ` ended=${ex.ended} error=${ex.error} timedOut=${ex.timedOut} sent=${ex.sent} ms=${ex.ms}`;
}
export { describe as describeExchange };

/// Asserts that `r` (a parsed raw response) is the error envelope with `status` and `code`.
export function expectEnvelope(r, status, code, context = '') {
    const what = `${context} -> ${r ? `${r.status} ${r.text.slice(0, 400)}` : 'no answer'}`;
    assert.ok(r, `expected HTTP ${status} code ${code}, got no answer: ${context}`);
    assert.equal(r.status, status, `expected HTTP ${status} code ${code}: ${what}`);
    assert.ok(r.complete, `incomplete answer: ${what}`);
    assert.match(r.headers['content-type'] || '', /^application\/json/, `content-type: ${what}`);
    const b = r.body;
    assert.ok(b && typeof b === 'object' && !Array.isArray(b), `not a JSON envelope: ${what}`);
    assert.equal(b.code, code, `expected code ${code}: ${what}`);
    assert.equal(typeof b.message, 'string', `message: ${what}`);
    assert.ok(b.message.length > 0, `empty message: ${what}`);
    assert.ok('data' in b, `no data: ${what}`);
    assert.match(String(b.trace_id), TRACE_ID_RE, `trace_id: ${what}`);
}

/// The single answer of a framing error: exactly one response, the envelope, then the server closes.
export function expectErrorAndClose(ex, status, code, context = '') {
    const ctx = `${context}: ${describe(ex)}`;
    const finals = ex.responses.filter((r) => r.status >= 200 || r.status === 0);
    assert.ok(finals.length >= 1, `expected HTTP ${status} code ${code}, got no answer: ${ctx}`);
    assert.equal(finals.length, 1, `expected exactly one answer: ${ctx}`);
    expectEnvelope(finals[0], status, code, ctx);
    assert.ok(ex.ended || ex.closed, `the server kept the connection open after the error: ${ctx}`);
    assert.ok(!ex.timedOut, `the server did not close the connection after the error: ${ctx}`);
}

/// GET /health answers 200 within 5 s.
export async function expectHealthy(srv, context = '') {
    let res;
    try {
        res = await fetch(`${srv.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
    } catch (err) {
        assert.fail(`GET /health failed after ${context}: ${err.cause?.code || err.message}`);
    }
    assert.equal(res.status, 200, `GET /health after ${context}`);
}

// ---------------------------------------------------------------------------------------------
// docs/openapi.yaml

/// A minimal reader of the document's block structure: nested mappings by indentation (list
/// items `- x` become keys "-0", "-1"... of their parent), scalar values as text, `|` blocks
/// skipped. Enough to walk paths, methods, request bodies and component schemas.
export function readOpenApi(file = path.join(REPO_ROOT, 'docs', 'openapi.yaml')) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const root = { children: {}, indent: -1 };
    const stack = [root];
    let blockIndent = -1;
    for (const line of lines) {
        if (!line.trim() || line.trim().startsWith('#')) continue;
        const indent = line.length - line.trimStart().length;
        if (blockIndent >= 0) {
            if (indent > blockIndent) continue;
            blockIndent = -1;
        }
        let text = line.trim();
        let effIndent = indent;
        while (stack.length > 1 && stack.at(-1).indent >= effIndent) stack.pop();
        let parent = stack.at(-1);
        if (text.startsWith('- ')) {
            const n = Object.keys(parent.children).filter((k) => k.startsWith('-')).length;
            const item = { children: {}, indent: effIndent, value: '' };
            parent.children[`-${n}`] = item;
            stack.push(item);
            parent = item;
            text = text.slice(2).trim();
            effIndent += 2;
            if (!/^[^'"{[][^:]*:( |$)|^['"][^'"]+['"]:( |$)/.test(text)) { item.value = text; continue; }
        }
        const m = /^('([^']*)'|"([^"]*)"|[^:]+?):(?:\s+(.*))?$/.exec(text);
        if (!m) continue;
        const key = m[2] ?? m[3] ?? m[1];
        const value = (m[4] ?? '').trim();
        const node = { children: {}, indent: effIndent, value };
        parent.children[key] = node;
        if (value === '|' || value === '>' || value === '|-' || value === '>-') {
            node.value = '';
            blockIndent = effIndent;
        } else if (value === '') {
            stack.push(node);
        }
    }
    return root;
}

const child = (node, ...keys) => keys.reduce((n, k) => (n ? n.children[k] : undefined), node);
const unquote = (v) => (v || '').replace(/^['"]|['"]$/g, '');
const flowList = (v) => (v || '').replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean);

function refName(node) {
    const ref = unquote(child(node, '$ref')?.value);
    return ref ? ref.split('/').pop() : '';
}

/// A schema as {required: [...], properties: {name: {type, minimum, ref}}}, following one $ref.
function schemaOf(doc, node) {
    if (!node) return null;
    const name = refName(node);
    if (name) node = child(doc, 'components', 'schemas', name);
    if (!node) return null;
    const props = {};
    for (const [k, p] of Object.entries(child(node, 'properties')?.children || {})) {
        let info = { type: p.value.match(/type:\s*(\w+)/)?.[1] || child(p, 'type')?.value || '', ref: '' };
        const min = p.value.match(/minimum:\s*(-?[\d.]+)/)?.[1] ?? child(p, 'minimum')?.value;
        info.minimum = min === undefined ? undefined : Number(min);
        info.ref = refName(p) || refName(child(p, 'allOf', '-0') || { children: {} });
        if (!info.type && info.ref) {
            const target = child(doc, 'components', 'schemas', info.ref);
            info.type = child(target, 'type')?.value || (child(target, 'oneOf') ? 'oneOf' : '');
        }
        props[k] = info;
    }
    return { required: flowList(child(node, 'required')?.value), properties: props };
}

/// Every operation of the document: [{path, method (upper case), auth, body: JSON schema or null,
/// bodyRequired, multipart: the body is multipart/form-data (uploads), envelope: false for the
/// provider-facing notify route}].
export function openApiOperations(doc = readOpenApi()) {
    const ops = [];
    for (const [p, item] of Object.entries(child(doc, 'paths')?.children || {})) {
        for (const method of ['get', 'post', 'put', 'delete', 'patch']) {
            const op = item.children[method];
            if (!op) continue;
            const schemaNode = child(op, 'requestBody', 'content', 'application/json', 'schema');
            ops.push({
                path: p,
                method: method.toUpperCase(),
                auth: Boolean(child(op, 'security')),
                body: child(op, 'requestBody') ? schemaOf(doc, schemaNode) : null,
                bodyRequired: child(op, 'requestBody', 'required')?.value === 'true',
                multipart: Boolean(child(op, 'requestBody', 'content', 'multipart/form-data')),
                // x-provider-format: the route answers in a payment provider's format, not the envelope
                envelope: child(op, 'x-provider-format')?.value !== 'true',
            });
        }
    }
    return ops;
}

/// Raw-line cross-check of the parser: the (method, path) pairs of the `paths:` section by the
/// line patterns `  /x:` and `    post:`.
export function openApiRouteLines(file = path.join(REPO_ROOT, 'docs', 'openapi.yaml')) {
    const out = [];
    let inPaths = false;
    let current = '';
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (/^paths:\s*$/.test(line)) { inPaths = true; continue; }
        if (inPaths && /^\S/.test(line)) break;
        if (!inPaths) continue;
        const p = /^ {2}(\/\S*):\s*$/.exec(line);
        if (p) { current = p[1]; continue; }
        const m = /^ {4}(get|post|put|delete|patch):\s*$/.exec(line);
        if (m && current) out.push(`${m[1].toUpperCase()} ${current}`);
    }
    return out;
}

/// Substitutes {param} in a document path from `values` (param name -> value).
export function fillPath(p, values) {
    return p.replace(/\{([^}]+)\}/g, (_, name) => {
        if (!(name in values)) throw new Error(`no value for path parameter {${name}} of ${p}: add it to the test`);
        return encodeURIComponent(String(values[name]));
    });
}
