// Tracing adapters: the OTLP JSON encoding (parsed back with Boost.JSON), ratio and parent-based
// sampling, the bounded queue, and the exporter's batching, drops and bounded shutdown.
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/metrics/prometheus_registry.hpp"
#include "adapters/otlp/otlp_exporter.hpp"
#include "adapters/otlp/otlp_json.hpp"
#include "adapters/otlp/sampling_tracer.hpp"
#include "adapters/otlp/span_queue.hpp"

namespace gomall::adapters::otlp {
namespace {

namespace json = boost::json;
using ports::SpanKind;
using ports::SpanRecord;
using Batch = std::vector<std::unique_ptr<SpanRecord>>;

std::unique_ptr<SpanRecord> record(std::string name) {
    auto r = std::make_unique<SpanRecord>();
    r->context = TraceContext{random_trace_id(), random_span_id(), true};
    r->name = std::move(name);
    r->start_unix_nanos = 1'700'000'000'000'000'000;
    r->end_unix_nanos = 1'700'000'000'000'500'000;
    return r;
}

/// Collects what a tracer's spans submit.
struct CollectingSink final : ports::SpanSink {
    void submit(std::unique_ptr<SpanRecord> span) noexcept override {
        const std::lock_guard lock(mutex);
        spans.push_back(std::move(span));
    }
    std::mutex mutex;
    Batch spans;
};

const json::value* attribute(const json::array& attributes, std::string_view key) {
    for (const auto& a : attributes) {
        if (a.at("key").as_string() == key) {
            return &a.at("value");
        }
    }
    return nullptr;
}

TEST(OtlpJsonTest, EncodesResourceScopeAndSpansAsOtlpExpects) {
    Resource resource{"gomall", "1.2.3", "abc"};
    Batch spans;
    auto root = record("GET /api/product/:id");
    root->kind = SpanKind::kServer;
    root->attributes.emplace_back("http.response.status_code", std::int64_t{503});
    root->attributes.emplace_back("url.path", std::string("/api/product/7"));
    root->attributes.emplace_back("ratio", 0.25);
    root->attributes.emplace_back("cached", true);
    root->status = ports::SpanStatus::kError;
    root->status_message = "HTTP 503";
    auto child = record("SELECT products");
    child->context.trace_id = root->context.trace_id;
    child->parent_span_id = root->context.span_id;
    child->kind = SpanKind::kClient;
    const auto trace_hex = to_hex(root->context.trace_id);
    const auto root_span_hex = to_hex(root->context.span_id);
    spans.push_back(std::move(root));
    spans.push_back(std::move(child));

    const auto doc = json::parse(encode_otlp_json(resource, "gomall", spans));
    const auto& rs = doc.at("resourceSpans").as_array().at(0);
    const auto& res_attrs = rs.at("resource").at("attributes").as_array();
    EXPECT_EQ(attribute(res_attrs, "service.name")->at("stringValue"), "gomall");
    EXPECT_EQ(attribute(res_attrs, "service.version")->at("stringValue"), "1.2.3");
    EXPECT_EQ(attribute(res_attrs, "service.instance.id")->at("stringValue"), "abc");
    const auto& scope_spans = rs.at("scopeSpans").as_array().at(0);
    EXPECT_EQ(scope_spans.at("scope").at("name"), "gomall");
    const auto& out = scope_spans.at("spans").as_array();
    ASSERT_EQ(out.size(), 2U);

    const auto& s0 = out.at(0);
    EXPECT_EQ(s0.at("traceId"), trace_hex.c_str());
    EXPECT_EQ(s0.at("spanId"), root_span_hex.c_str());
    EXPECT_FALSE(s0.as_object().contains("parentSpanId"));  // a root
    EXPECT_EQ(s0.at("name"), "GET /api/product/:id");
    EXPECT_EQ(s0.at("kind"), 2);
    EXPECT_EQ(s0.at("startTimeUnixNano"), "1700000000000000000");  // 64-bit integers as strings
    EXPECT_EQ(s0.at("endTimeUnixNano"), "1700000000000500000");
    const auto& attrs = s0.at("attributes").as_array();
    EXPECT_EQ(attribute(attrs, "http.response.status_code")->at("intValue"), "503");
    EXPECT_EQ(attribute(attrs, "url.path")->at("stringValue"), "/api/product/7");
    EXPECT_EQ(attribute(attrs, "ratio")->at("doubleValue").as_double(), 0.25);
    EXPECT_EQ(attribute(attrs, "cached")->at("boolValue"), true);
    EXPECT_EQ(s0.at("status").at("code"), 2);
    EXPECT_EQ(s0.at("status").at("message"), "HTTP 503");

    const auto& s1 = out.at(1);
    EXPECT_EQ(s1.at("traceId"), trace_hex.c_str());
    EXPECT_EQ(s1.at("parentSpanId"), root_span_hex.c_str());
    EXPECT_EQ(s1.at("kind"), 3);
    EXPECT_EQ(s1.at("status").at("code"), 0);
}

TEST(OtlpJsonTest, HostileStringsStayValidJsonAndBounded) {
    Batch spans;
    auto span = record(std::string("quote\" back\\ nl\n tab\t nul") + '\0' + " \x01");
    span->attributes.emplace_back(
        "url.path", std::string("/\xff\xfe/\xc3\x28/\xed\xa0\x80/\xf4\x90\x80\x80/caf\xc3\xa9")
    );
    span->attributes.emplace_back("big", std::string(1'000'000, 'x'));
    span->attributes.emplace_back(
        "cut", std::string(kMaxStringBytes - 1, 'a') + "\xe4\xb8\xad"
    );  // 3-byte char at the end
    span->attributes.emplace_back("nan", std::nan(""));
    span->attributes.emplace_back("inf", -std::numeric_limits<double>::infinity());
    spans.push_back(std::move(span));
    const auto body = encode_otlp_json(Resource{"s\xff", "v", "i"}, "gomall", spans);
    EXPECT_LT(body.size(), 10'000U);
    json::error_code ec;
    const auto doc = json::parse(body, ec);  // Boost.JSON refuses invalid UTF-8
    ASSERT_FALSE(ec) << ec.message();
    const auto& s = doc.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").at(0);
    EXPECT_EQ(s.at("name").as_string(), std::string("quote\" back\\ nl\n tab\t nul") + '\0' + " \x01");
    const auto& attrs = s.at("attributes").as_array();
    EXPECT_EQ(
        attribute(attrs, "url.path")->at("stringValue").as_string(),
        "/\xEF\xBF\xBD\xEF\xBF\xBD/\xEF\xBF\xBD(/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD/"
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD/caf\xc3\xa9"
    );
    EXPECT_EQ(attribute(attrs, "big")->at("stringValue").as_string().size(), kMaxStringBytes);
    EXPECT_EQ(attribute(attrs, "cut")->at("stringValue").as_string(), std::string(kMaxStringBytes - 1, 'a'));
    EXPECT_EQ(attribute(attrs, "nan")->at("doubleValue"), "NaN");
    EXPECT_EQ(attribute(attrs, "inf")->at("doubleValue"), "-Infinity");
}

TEST(SamplingTest, RatioIsDeterministicOnTheTraceIdAndRoughlyRight) {
    EXPECT_FALSE(sampled_by_ratio(random_trace_id(), 0.0));
    EXPECT_FALSE(sampled_by_ratio(random_trace_id(), std::nan("")));
    EXPECT_TRUE(sampled_by_ratio(random_trace_id(), 1.0));
    TraceId low{};
    low[15] = 1;
    TraceId high{};
    high.fill(0xff);
    EXPECT_TRUE(sampled_by_ratio(low, 0.01));
    EXPECT_FALSE(sampled_by_ratio(high, 0.99));
    int kept = 0;
    constexpr int kTraces = 20000;
    for (int i = 0; i < kTraces; ++i) {
        const auto id = random_trace_id();
        const bool first = sampled_by_ratio(id, 0.25);
        EXPECT_EQ(first, sampled_by_ratio(id, 0.25));
        kept += first ? 1 : 0;
    }
    EXPECT_NEAR(kept, kTraces / 4.0, kTraces / 40.0);
}

TEST(SamplingTest, ChildrenFollowTheirParentAndRootsFollowTheRatio) {
    CollectingSink sink;
    SamplingTracer never(sink, 0.0);
    SamplingTracer always(sink, 1.0);
    const TraceContext sampled_parent{random_trace_id(), random_span_id(), true};
    const TraceContext unsampled_parent{random_trace_id(), random_span_id(), false};
    {
        auto root = never.start_root("root", SpanKind::kInternal);
        EXPECT_FALSE(root.recording());
        EXPECT_TRUE(root.context().valid());
        EXPECT_FALSE(root.context().sampled);
        auto kept = never.start("child", SpanKind::kServer, sampled_parent);  // the caller's decision wins
        EXPECT_TRUE(kept.recording());
        EXPECT_EQ(kept.context().trace_id, sampled_parent.trace_id);
        EXPECT_NE(kept.context().span_id, sampled_parent.span_id);
        auto dropped = always.start("child", SpanKind::kServer, unsampled_parent);
        EXPECT_FALSE(dropped.recording());
        EXPECT_FALSE(dropped.context().sampled);
        EXPECT_EQ(dropped.context().trace_id, unsampled_parent.trace_id);
        auto root2 = always.start_root("root", SpanKind::kInternal);
        EXPECT_TRUE(root2.recording());
        root2.set_attribute("n", 3);
        root2.set_error("boom");
    }
    ASSERT_EQ(sink.spans.size(), 2U);
    const auto& root = *sink.spans[0];  // ended in reverse order of start
    const auto& child = *sink.spans[1];
    EXPECT_EQ(root.name, "root");
    EXPECT_EQ(root.status, ports::SpanStatus::kError);
    EXPECT_EQ(root.status_message, "boom");
    EXPECT_GE(root.end_unix_nanos, root.start_unix_nanos);
    EXPECT_EQ(child.parent_span_id, sampled_parent.span_id);
    EXPECT_EQ(child.kind, SpanKind::kServer);
}

TEST(SamplingTest, NullTracerPassesTheParentsDecisionOnAndRecordsNothing) {
    ports::NullTracer tracer;
    const TraceContext parent{random_trace_id(), random_span_id(), true};
    auto child = tracer.start("x", SpanKind::kServer, parent);
    EXPECT_FALSE(child.recording());
    EXPECT_TRUE(child.context().sampled);
    EXPECT_EQ(child.context().trace_id, parent.trace_id);
    auto root = tracer.start_root("y", SpanKind::kInternal);
    EXPECT_TRUE(root.context().valid());
    EXPECT_FALSE(root.context().sampled);
}

TEST(SpanQueueTest, DropsWhenFullAndRefusesWhenClosed) {
    SpanQueue queue(3);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(queue.push(record("s")), SpanQueue::Pushed::kQueued);
    }
    EXPECT_EQ(queue.push(record("s")), SpanQueue::Pushed::kFull);
    EXPECT_EQ(queue.size(), 3U);
    EXPECT_EQ(queue.take(2, std::chrono::milliseconds(0)).size(), 2U);
    EXPECT_EQ(queue.push(record("s")), SpanQueue::Pushed::kQueued);
    queue.close();
    EXPECT_EQ(queue.push(record("s")), SpanQueue::Pushed::kClosed);
    EXPECT_EQ(queue.take(10, std::chrono::milliseconds(1000)).size(), 2U);  // closed: no wait
    EXPECT_TRUE(queue.take(10, std::chrono::milliseconds(1000)).empty());
}

TEST(SpanQueueTest, TakeWakesWhenABatchIsFull) {
    SpanQueue queue(100);
    std::thread producer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        for (int i = 0; i < 5; ++i) {
            queue.push(record("s"));
        }
    });
    const auto started = std::chrono::steady_clock::now();
    const auto batch = queue.take(5, std::chrono::seconds(10));
    producer.join();
    EXPECT_EQ(batch.size(), 5U);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

double counter(metrics::PrometheusRegistry& registry, const std::string& name, const std::string& reason = "") {
    for (const auto& family : registry.collect()) {
        if (family.name != name && family.name + "_total" != name) {
            continue;
        }
        for (const auto& sample : family.children) {
            if (reason.empty() || (!sample.labels.empty() && sample.labels[0] == reason)) {
                return sample.value;
            }
        }
    }
    return -1;
}

ExporterSettings quick_settings() {
    ExporterSettings s;
    s.queue_size = 100;
    s.batch_size = 10;
    s.export_interval = std::chrono::milliseconds(20);
    s.timeout = std::chrono::milliseconds(200);
    s.resource = Resource{"gomall", "test", "1"};
    return s;
}

TEST(OtlpExporterTest, ExportsBatchesAndCountsThem) {
    metrics::PrometheusRegistry registry;
    std::mutex mutex;
    std::vector<std::string> bodies;
    OtlpExporter exporter(quick_settings(), registry, [&](const std::string& body) -> std::optional<std::string> {
        const std::lock_guard lock(mutex);
        bodies.push_back(body);
        return std::nullopt;
    });
    exporter.start();
    for (int i = 0; i < 25; ++i) {
        exporter.submit(record("span " + std::to_string(i)));
    }
    exporter.stop(std::chrono::seconds(5));
    std::size_t spans = 0;
    for (const auto& body : bodies) {
        const auto n = json::parse(body).at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").as_array().size();
        EXPECT_LE(n, 10U);
        spans += n;
    }
    EXPECT_EQ(spans, 25U);
    EXPECT_EQ(counter(registry, "gomall_tracing_spans_exported_total"), 25);
    EXPECT_EQ(counter(registry, "gomall_tracing_spans_dropped_total", "queue_full"), 0);
    exporter.submit(record("late"));
    EXPECT_EQ(counter(registry, "gomall_tracing_spans_dropped_total", "shutdown"), 1);
}

TEST(OtlpExporterTest, ACollectorThatHangsCostsSubmittersNothingAndSpansAreDroppedAndCounted) {
    metrics::PrometheusRegistry registry;
    std::atomic<bool> release{false};
    std::atomic<int> posts{0};
    auto settings = quick_settings();
    OtlpExporter exporter(settings, registry, [&](const std::string&) -> std::optional<std::string> {
        ++posts;
        while (!release) {  // a collector that never answers (the real client gives up at its timeout)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return std::string("timed out");
    });
    exporter.start();
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 10000; ++i) {
        exporter.submit(record("s"));
    }
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, std::chrono::seconds(2));  // submit never waits for the collector
    EXPECT_GT(counter(registry, "gomall_tracing_spans_dropped_total", "queue_full"), 9000);
    release = true;
    const auto stopping = std::chrono::steady_clock::now();
    exporter.stop(std::chrono::milliseconds(100));
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(3));
    const double failed = counter(registry, "gomall_tracing_spans_dropped_total", "export_failed");
    const double shutdown = counter(registry, "gomall_tracing_spans_dropped_total", "shutdown");
    const double full = counter(registry, "gomall_tracing_spans_dropped_total", "queue_full");
    EXPECT_EQ(failed + shutdown + full, 10000);  // every span accounted for
    EXPECT_GE(counter(registry, "gomall_tracing_export_failures_total"), 1);
}

TEST(OtlpExporterTest, AnUnreachableCollectorFailsFastOverRealHttp) {
    metrics::PrometheusRegistry registry;
    auto settings = quick_settings();
    settings.endpoint = "http://127.0.0.1:9/v1/traces";  // discard port: nothing listens
    OtlpExporter exporter(settings, registry);
    exporter.start();
    for (int i = 0; i < 5; ++i) {
        exporter.submit(record("s"));
    }
    for (int i = 0; i < 200 && counter(registry, "gomall_tracing_export_failures_total") < 1; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    exporter.stop(std::chrono::milliseconds(100));
    EXPECT_GE(counter(registry, "gomall_tracing_export_failures_total"), 1);
    EXPECT_EQ(counter(registry, "gomall_tracing_spans_exported_total"), 0);
}

}  // namespace
}  // namespace gomall::adapters::otlp
