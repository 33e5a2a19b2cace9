// A local OTLP/HTTP JSON receiver for the tracing tests (a node http server on a free loopback
// port) and the helpers that read what it got: spans with their resource and attributes, a
// response's traceparent, and the environment that points a shop at the receiver.
import http from 'node:http';
import { assert, sleep, RUN_TAG } from './harness.mjs';

/// An OTLP/HTTP JSON receiver: keeps every span with its resource attributes.
export async function startReceiver() {
    const spans = [];
    const bodies = [];
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            bodies.push({ path: req.url, type: req.headers['content-type'], text });
            const doc = JSON.parse(text);  // throws (and the test fails) on anything but valid JSON
            for (const rs of doc.resourceSpans) {
                const resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, a.value.stringValue]));
                for (const ss of rs.scopeSpans) {
                    for (const s of ss.spans) spans.push({ ...s, resource, attrs: attrsOf(s) });
                }
            }
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{}');
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, spans, bodies, url: `http://127.0.0.1:${server.address().port}/v1/traces` };
}

export function attrsOf(span) {
    const out = {};
    for (const a of span.attributes || []) {
        const v = a.value;
        out[a.key] = v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue ?? v.boolValue);
    }
    return out;
}

export async function waitFor(fn, what, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = fn();
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

/// The traceparent of a fetch() Response or of a harness api() answer (lower-case header map).
export function traceparentOf(res) {
    const header = typeof res.headers.get === 'function' ? res.headers.get('traceparent') : res.headers.traceparent;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/.exec(header || '');
    assert.ok(m, `traceparent header: ${header}`);
    return { traceId: m[1], spanId: m[2], flags: m[3] };
}

export function tracingEnv(endpoint, extra = {}) {
    return {
        GOMALL_TRACING_ENABLED: 'true',
        GOMALL_TRACING_ENDPOINT: endpoint,
        GOMALL_TRACING_SERVICE_NAME: `gomall-test-${RUN_TAG}`,
        GOMALL_TRACING_EXPORT_INTERVAL_MS: '100',
        GOMALL_TRACING_BATCH_SIZE: '64',
        GOMALL_TRACING_TIMEOUT_MS: '1000',
        ...extra,
    };
}

/// Every string attribute value of every span, for "this secret never appears" checks.
export function attributeTexts(spans) {
    return spans.flatMap((s) => Object.values(s.attrs).filter((v) => typeof v === 'string'));
}
