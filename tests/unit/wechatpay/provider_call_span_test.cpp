// The payment provider's client spans: the URL recorded without query, fragment or user-info,
// the status and failures recorded, and nothing recorded outside a sampled trace.
#include "adapters/wechatpay/provider_call_span.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gomall::wechatpay {
namespace {

class CollectingSink final : public ports::SpanSink {
public:
    void submit(std::unique_ptr<ports::SpanRecord> span) noexcept override { spans.push_back(std::move(span)); }
    std::vector<std::unique_ptr<ports::SpanRecord>> spans;
};

/// Records every span (sampling follows the parent only).
class RecordingTracer final : public ports::Tracer {
public:
    explicit RecordingTracer(ports::SpanSink& sink) : sink_(sink) {}
    ports::Span start(std::string_view name, ports::SpanKind kind, const TraceContext& parent) override {
        auto context = ports::unrecorded_child(parent);
        if (!context.sampled) {
            return ports::Span(context);
        }
        auto record = std::make_unique<ports::SpanRecord>();
        record->context = context;
        record->parent_span_id = parent.span_id;
        record->name = std::string(name);
        record->kind = kind;
        record->started = std::chrono::steady_clock::now();
        return {std::move(record), sink_};
    }

private:
    ports::SpanSink& sink_;
};

std::string attribute(const ports::SpanRecord& span, const std::string& key) {
    for (const auto& [name, value] : span.attributes) {
        if (name == key) {
            if (const auto* text = std::get_if<std::string>(&value)) {
                return *text;
            }
            if (const auto* number = std::get_if<std::int64_t>(&value)) {
                return std::to_string(*number);
            }
        }
    }
    return "<none>";
}

HttpRequest request(const std::string& url) {
    HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers["Authorization"] = "WECHATPAY2-SHA256-RSA2048 signature=\"secret\"";
    r.body = "<xml><sign>secret</sign></xml>";
    return r;
}

TEST(ProviderCallSpanTest, UrlLosesQueryFragmentAndUserInfo) {
    EXPECT_EQ(
        url_without_query("https://api.mch.weixin.qq.com/v3/pay/transactions/native"),
        "https://api.mch.weixin.qq.com/v3/pay/transactions/native"
    );
    EXPECT_EQ(
        url_without_query("http://127.0.0.1:8090/v3/pay/transactions/out-trade-no/A1?mchid=1900000109"),
        "http://127.0.0.1:8090/v3/pay/transactions/out-trade-no/A1"
    );
    EXPECT_EQ(url_without_query("https://host/path#frag?x"), "https://host/path");
    EXPECT_EQ(url_without_query("https://user:pass@host:1/p?q"), "https://host:1/p");
    EXPECT_EQ(url_without_query("https://user:pass@host"), "https://host");
    EXPECT_EQ(url_without_query("no scheme?q=1"), "no scheme");
    EXPECT_EQ(url_without_query(""), "");
    EXPECT_EQ(url_without_query("?"), "");
}

TEST(ProviderCallSpanTest, RecordsMethodUrlAndStatusNeverHeadersOrBody) {
    CollectingSink sink;
    RecordingTracer tracer(sink);
    const TraceContext parent{random_trace_id(), random_span_id(), true};
    {
        const ActiveTrace::Scope scope(parent);
        ProviderCallSpan span(&tracer, request("http://127.0.0.1:1/v3/refund/domestic/refunds?token=abc"));
        HttpResponse response;
        response.status = 200;
        response.body = "{\"secret\":\"x\"}";
        span.finish(response);
    }
    ASSERT_EQ(sink.spans.size(), 1U);
    const auto& span = *sink.spans.front();
    EXPECT_EQ(span.name, "POST");
    EXPECT_EQ(span.kind, ports::SpanKind::kClient);
    EXPECT_EQ(span.context.trace_id, parent.trace_id);
    EXPECT_EQ(span.parent_span_id, parent.span_id);
    EXPECT_EQ(attribute(span, "http.request.method"), "POST");
    EXPECT_EQ(attribute(span, "url.full"), "http://127.0.0.1:1/v3/refund/domestic/refunds");
    EXPECT_EQ(attribute(span, "http.response.status_code"), "200");
    EXPECT_NE(span.status, ports::SpanStatus::kError);
    for (const auto& [name, value] : span.attributes) {
        if (const auto* text = std::get_if<std::string>(&value)) {
            EXPECT_EQ(text->find("secret"), std::string::npos) << name;
            EXPECT_EQ(text->find("token"), std::string::npos) << name;
        }
    }
}

TEST(ProviderCallSpanTest, TransportFailuresAndServerErrorsFailTheSpan) {
    CollectingSink sink;
    RecordingTracer tracer(sink);
    const ActiveTrace::Scope scope(TraceContext{random_trace_id(), random_span_id(), true});
    {
        ProviderCallSpan span(&tracer, request("http://127.0.0.1:1/pay/unifiedorder"));
        span.finish(HttpFailure{"Couldn't connect to server"});
    }
    {
        ProviderCallSpan span(&tracer, request("http://127.0.0.1:1/pay/unifiedorder"));
        HttpResponse response;
        response.status = 502;
        span.finish(response);
    }
    {
        ProviderCallSpan span(&tracer, request("http://127.0.0.1:1/pay/unifiedorder"));
        HttpResponse response;
        response.status = 404;  // the provider answered: a business answer, not a failed call
        span.finish(response);
    }
    ASSERT_EQ(sink.spans.size(), 3U);
    EXPECT_EQ(sink.spans[0]->status, ports::SpanStatus::kError);
    EXPECT_EQ(attribute(*sink.spans[0], "error.type"), "transport");
    EXPECT_EQ(sink.spans[1]->status, ports::SpanStatus::kError);
    EXPECT_EQ(attribute(*sink.spans[1], "http.response.status_code"), "502");
    EXPECT_NE(sink.spans[2]->status, ports::SpanStatus::kError);
}

TEST(ProviderCallSpanTest, NothingOutsideASampledTraceOrWithoutATracer) {
    CollectingSink sink;
    RecordingTracer tracer(sink);
    {
        ProviderCallSpan no_parent(&tracer, request("http://127.0.0.1:1/x"));
        no_parent.finish(HttpResponse{});
    }
    {
        const ActiveTrace::Scope scope(TraceContext{random_trace_id(), random_span_id(), false});
        ProviderCallSpan unsampled(&tracer, request("http://127.0.0.1:1/x"));
        unsampled.finish(HttpResponse{});
        ProviderCallSpan no_tracer(nullptr, request("http://127.0.0.1:1/x"));
        no_tracer.finish(HttpFailure{"down"});
    }
    EXPECT_TRUE(sink.spans.empty());
}

}  // namespace
}  // namespace gomall::wechatpay
