// A flash-sale purchase as one trace. On the full stack (scripts/test-api --full): the HTTP server
// span, the Redis script calls under it, the RabbitMQ producer span under it, the consumer span
// under the producer (its context crossed the broker in the message's traceparent header), and
// the order-writing SQL under the consumer. In embedded mode the group commit's SQL sits under the
// purchase's server span instead. Either way the purchase still becomes an order.
import { test, startServer, assert, expectOk, randomHex, EXTERNAL, EXTERNAL_SKIP, FULL_STACK } from './harness.mjs';
import { startReceiver, waitFor, traceparentOf, tracingEnv, attributeTexts } from './otlp-receiver.mjs';

test(`a flash-sale purchase is one trace from the request to the order (${FULL_STACK ? 'full stack' : 'embedded'})`, { skip: EXTERNAL && EXTERNAL_SKIP, timeout: 180000 }, async () => {
    const receiver = await startReceiver();
    const server = await startServer({ label: 'seckill-tracing', env: tracingEnv(receiver.url, { GOMALL_SECKILL_TOKEN_REQUIRED: 'true' }) });
    try {
        const [shopper] = await server.shoppers(1, 'trc');
        const p = await server.createProduct({ stock: 10, price: 20 });
        await server.createActivity({ product_id: p.id, stock: 5, price: 5 });

        const issued = await server.api('POST', '/api/seckill/token', { token: shopper.token, body: { product_id: p.id } });
        expectOk(issued);
        const antiBotToken = issued.body.data.token;
        assert.ok(antiBotToken, JSON.stringify(issued.body));

        // The client's own sampled trace: the whole purchase must join it.
        const clientTrace = randomHex(16);
        const clientSpan = randomHex(8);
        const res = await server.api('POST', '/api/seckill', {
            token: shopper.token,
            body: { product_id: p.id, token: antiBotToken },
            headers: { traceparent: `00-${clientTrace}-${clientSpan}-01` },
        });
        expectOk(res);
        const reservationId = res.body.data.reservation_id;
        const tp = traceparentOf(res);
        assert.equal(tp.traceId, clientTrace);

        const serverSpan = await waitFor(() => receiver.spans.find((s) => s.spanId === tp.spanId), 'the purchase\'s server span');
        assert.equal(serverSpan.name, 'POST /api/seckill');
        assert.equal(serverSpan.kind, 2);
        assert.equal(serverSpan.parentSpanId, clientSpan);
        const inTrace = () => receiver.spans.filter((s) => s.traceId === clientTrace);

        const final = await server.waitSeckillFinal(shopper, p.id);
        assert.equal(final.status, 'success', JSON.stringify(final));

        if (FULL_STACK) {
            // Redis: the rate limiter, the token and the stock gate scripts, each a client span under the request.
            const redis = await waitFor(() => {
                const found = inTrace().filter((s) => s.attrs['db.system'] === 'redis');
                return found.length >= 3 ? found : null;
            }, 'three Redis spans under the purchase');
            for (const r of redis) {
                assert.equal(r.parentSpanId, tp.spanId, `${r.name} under the server span`);
                assert.equal(r.kind, 3);
                assert.equal(r.name, 'EVALSHA');
                assert.equal(r.attrs['db.system.name'], 'redis');
                assert.equal(r.attrs['db.operation.name'], 'EVALSHA');
                assert.notEqual(r.status?.code, 2, JSON.stringify(r.status));
            }

            // RabbitMQ: producer under the request, consumer under the producer.
            const producer = await waitFor(() => inTrace().find((s) => s.kind === 4), 'the producer span');
            assert.equal(producer.parentSpanId, tp.spanId);
            assert.match(producer.name, /^publish /);
            assert.equal(producer.attrs['messaging.system'], 'rabbitmq');
            assert.equal(producer.attrs['messaging.message.id'], reservationId);
            assert.notEqual(producer.status?.code, 2);
            assert.ok(BigInt(producer.endTimeUnixNano) <= BigInt(serverSpan.endTimeUnixNano), 'confirmed before the answer');

            const consumer = await waitFor(() => inTrace().find((s) => s.kind === 5), 'the consumer span');
            assert.equal(consumer.parentSpanId, producer.spanId);
            assert.match(consumer.name, /^process /);
            assert.equal(consumer.attrs['messaging.operation.type'], 'process');
            assert.equal(consumer.attrs['messaging.message.id'], reservationId);
            assert.notEqual(consumer.status?.code, 2);

            // The order was written under the consumer.
            await waitFor(
                () => inTrace().find((s) => s.parentSpanId === consumer.spanId && s.kind === 3 && /^INSERT orders\b/.test(s.name)),
                'the order-writing SQL under the consumer span',
            );
        } else {
            // The group commit that made the reservation durable ran under the purchase.
            await waitFor(
                () => inTrace().find((s) => s.parentSpanId === tp.spanId && s.kind === 3 && /^INSERT orders\b/.test(s.name)),
                'the group commit\'s SQL under the purchase',
            );
        }

        // The anti-bot token never appears in any attribute.
        for (const t of attributeTexts(receiver.spans)) assert.ok(!t.includes(antiBotToken), t);
    } finally {
        await server.dispose();
        receiver.server.close();
    }
});
