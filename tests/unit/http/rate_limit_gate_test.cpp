// Tests of the request-rate middleware: which requests each limit covers, the 429 it answers, the
// count it keeps, and that the pipeline checks a request once.
#include "http/rate_limit_gate.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "http/envelope.hpp"
#include "http/pipeline.hpp"
#include "unit/services/advancing_clock.hpp"

namespace gomall::http {
namespace {

using namespace std::chrono_literals;

// Counts per label value of the one counter family the gate registers; everything else is dropped.
class RecordingMetrics final : public ports::Metrics {
public:
    struct Child final : ports::Counter {
        void inc(std::uint64_t n) override { value += n; }
        std::atomic<std::uint64_t> value{0};
    };
    struct Family final : ports::CounterFamily {
        ports::Counter& with(const ports::LabelValues& values) override {
            std::lock_guard lock(mutex);
            auto& child = children[values.at(0)];
            if (!child) {
                child = std::make_unique<Child>();
            }
            return *child;
        }
        std::mutex mutex;
        std::map<std::string, std::unique_ptr<Child>> children;
    };

    ports::CounterFamily& counter(const std::string& name, const std::string&, const ports::LabelNames&) override {
        names.push_back(name);
        return family;
    }
    ports::GaugeFamily& gauge(const std::string& n, const std::string& h, const ports::LabelNames& l) override {
        return null_.gauge(n, h, l);
    }
    ports::HistogramFamily& histogram(
        const std::string& n, const std::string& h, const std::vector<double>& b, const ports::LabelNames& l
    ) override {
        return null_.histogram(n, h, b, l);
    }
    ports::MetricsRegistration
    callback(ports::CallbackType, const std::string&, const std::string&, const ports::LabelNames&, std::function<std::vector<ports::Sample>()>)
        override {
        return {};
    }

    std::uint64_t count(const std::string& scope) {
        std::lock_guard lock(family.mutex);
        const auto it = family.children.find(scope);
        return it == family.children.end() ? 0 : it->second->value.load();
    }

    Family family;
    std::vector<std::string> names;

private:
    ports::NullMetrics null_;
};

Request request(std::string path, std::string client_ip = "203.0.113.7") {
    Request req;
    req.path = std::move(path);
    req.client_ip = std::move(client_ip);
    req.trace_id = std::string(32, 'a');
    return req;
}

class RateLimitGateTest : public ::testing::Test {
protected:
    RateLimitGate gate(
        std::optional<services::RateLimitSettings> global, std::optional<services::RateLimitSettings> api
    ) {
        RateLimitGateSettings s;
        s.global = global;
        s.api = api;
        s.exempt_paths = {"/health", "/ready", "/metrics"};
        s.api_exempt_paths = {"/api/pay/wechat/notify"};
        return RateLimitGate(clock_, s, metrics_);
    }

    int admitted(RateLimitGate& g, const Request& req, int tries) {
        int n = 0;
        for (int i = 0; i < tries; ++i) {
            n += g.check(req) ? 0 : 1;
        }
        return n;
    }

    services::AdvancingClock clock_;
    RecordingMetrics metrics_;
};

TEST_F(RateLimitGateTest, TheApiLimitAnswers429WithRetryAfterInTheEnvelopeAndCountsIt) {
    auto g = gate(std::nullopt, services::RateLimitSettings{2, 3, 100});
    EXPECT_EQ(admitted(g, request("/api/product"), 3), 3);
    const auto refused = g.check(request("/api/product"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429);
    EXPECT_EQ(refused->header("Retry-After"), "1");
    const auto body = boost::json::parse(refused->body).as_object();
    EXPECT_EQ(body.at("code").as_int64(), 429);
    EXPECT_EQ(body.at("trace_id").as_string(), std::string(32, 'a'));
    EXPECT_NE(std::string(body.at("message").as_string()).find("your address"), std::string::npos);
    EXPECT_EQ(metrics_.count("api"), 1U);
    EXPECT_EQ(metrics_.count("global"), 0U);
    EXPECT_EQ(metrics_.names.at(0), "gomall_rate_limited_total");
}

TEST_F(RateLimitGateTest, TheApiLimitRecoversAtItsRate) {
    auto g = gate(std::nullopt, services::RateLimitSettings{2, 3, 100});
    EXPECT_EQ(admitted(g, request("/api/x"), 10), 3);
    clock_.advance(500ms);
    EXPECT_EQ(admitted(g, request("/api/x"), 10), 1);
    clock_.advance(10s);
    EXPECT_EQ(admitted(g, request("/api/x"), 10), 3);
}

TEST_F(RateLimitGateTest, OneAddressOverItsLimitDoesNotLimitAnother) {
    auto g = gate(std::nullopt, services::RateLimitSettings{1, 2, 100});
    EXPECT_EQ(admitted(g, request("/api/x", "203.0.113.7"), 5), 2);
    EXPECT_EQ(admitted(g, request("/api/x", "203.0.113.8"), 5), 2);
}

TEST_F(RateLimitGateTest, AddressesOfOneIpv6Slash64ShareABucket) {
    auto g = gate(std::nullopt, services::RateLimitSettings{1, 2, 100});
    EXPECT_EQ(admitted(g, request("/api/x", "2001:db8:1:2::1"), 1), 1);
    EXPECT_EQ(admitted(g, request("/api/x", "2001:db8:1:2::2"), 5), 1);
    EXPECT_EQ(admitted(g, request("/api/x", "2001:db8:1:3::1"), 5), 2);
}

TEST_F(RateLimitGateTest, TheApiLimitCoversTheApiOnlyHowEverItsPathIsWritten) {
    auto g = gate(std::nullopt, services::RateLimitSettings{1, 1, 100});
    EXPECT_EQ(admitted(g, request("/index.html"), 5), 5);
    EXPECT_EQ(admitted(g, request("/assets/app.js"), 5), 5);
    EXPECT_EQ(admitted(g, request("/apix"), 5), 5);
    EXPECT_EQ(admitted(g, request("/api/pay/wechat/notify"), 5), 5);  // the provider's own calls
    EXPECT_EQ(admitted(g, request("/api/cart"), 5), 1);
    // The router skips empty segments, so these reach API routes too and share the address's bucket.
    EXPECT_EQ(admitted(g, request("//api//cart"), 5), 0);
    EXPECT_EQ(admitted(g, request("/api"), 5), 0);
}

TEST_F(RateLimitGateTest, TheGlobalLimitCoversEveryRequestButProbesAndScrapes) {
    auto g = gate(services::RateLimitSettings{1, 4, 1}, std::nullopt);
    EXPECT_EQ(admitted(g, request("/index.html", "198.51.100.1"), 2), 2);
    EXPECT_EQ(admitted(g, request("/api/x", "198.51.100.2"), 5), 2);
    const auto refused = g.check(request("/api/pay/wechat/notify"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 429);
    EXPECT_EQ(refused->header("Retry-After"), "1");
    EXPECT_NE(refused->body.find("more requests than it can take"), std::string::npos);
    for (const char* path : {"/health", "/ready", "/metrics"}) {
        EXPECT_EQ(admitted(g, request(path), 50), 50) << path;
    }
    EXPECT_EQ(metrics_.count("global"), 4U);
}

TEST_F(RateLimitGateTest, RetryAfterFollowsTheConfiguredRate) {
    auto g = gate(std::nullopt, services::RateLimitSettings{0.25, 1, 100});
    EXPECT_FALSE(g.check(request("/api/x")));
    const auto refused = g.check(request("/api/x"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->header("Retry-After"), "4");
}

TEST_F(RateLimitGateTest, AClientOverItsOwnLimitSpendsNoneOfTheInstancesTokens) {
    auto g = gate(services::RateLimitSettings{1, 5, 1}, services::RateLimitSettings{1, 1, 100});
    EXPECT_EQ(admitted(g, request("/api/x", "203.0.113.7"), 100), 1);
    EXPECT_EQ(admitted(g, request("/api/x", "198.51.100.1"), 1), 1);
    EXPECT_EQ(admitted(g, request("/index.html", "198.51.100.1"), 10), 3);
    EXPECT_EQ(metrics_.count("api"), 99U);
}

TEST_F(RateLimitGateTest, WithBothLimitsOffNothingIsRefused) {
    auto g = gate(std::nullopt, std::nullopt);
    EXPECT_EQ(admitted(g, request("/api/x"), 10000), 10000);
}

// Through the pipeline: the 429 carries CORS and security headers, and a request that goes on to
// the blocking pool (dispatch, then handle) takes one token, not two.
class AllowAll final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view) const override { return domain::AccessClaims{}; }
};

TEST_F(RateLimitGateTest, ThePipelineChecksEachRequestOnceAndFinishesTheRefusal) {
    Router router;
    router.get("/api/slow", [](Request& req) { return ok(req, "done"); });  // a blocking route
    auto g = gate(std::nullopt, services::RateLimitSettings{1, 2, 100});
    AllowAll verifier;
    PipelineSettings settings;
    settings.access_log = false;
    settings.cors_origins = {"http://localhost:5173"};
    settings.rate_limits = &g;
    Pipeline pipeline(router, verifier, nullptr, settings);

    auto call = [&] {
        Request req = request("/api/slow");
        req.trace_id.clear();
        req.headers = {{"origin", "http://localhost:5173"}};
        auto next = pipeline.dispatch(req);
        return next.response ? std::move(*next.response) : pipeline.handle(req);
    };
    EXPECT_EQ(call().status, 200);
    EXPECT_EQ(call().status, 200);
    const Response refused = call();
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.header("Access-Control-Allow-Origin"), "http://localhost:5173");
    EXPECT_EQ(refused.header("X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(refused.header("traceparent").empty());
    EXPECT_FALSE(refused.header("Retry-After").empty());
    EXPECT_EQ(metrics_.count("api"), 1U);
}

}  // namespace
}  // namespace gomall::http
