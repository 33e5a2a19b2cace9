// The whole middleware chain (Pipeline::dispatch) for GET /health and a cached product detail, in
// time and heap allocations per request, with the production settings added one stage at a time
// (metrics, rate limits, access log) so each stage's share shows.
#include <memory>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/metrics/prometheus_registry.hpp"
#include "allocation_counter.hpp"
#include "http/http_metrics.hpp"
#include "http/pipeline.hpp"
#include "http/rate_limit_gate.hpp"
#include "http/request_tracing.hpp"
#include "shop_routes.hpp"

namespace gomall::bench {
namespace {

/// Stages of the production pipeline, each case adding its own to those before it.
enum class Stage { kBare, kMetrics, kRateLimits, kAccessLog };

/// The cases reach public routes only; a token would be refused.
class RefusingVerifier final : public ports::AccessTokenVerifier {
public:
    Result<domain::AccessClaims> verify(std::string_view /*token*/) const override {
        return make_error(ErrorCode::kTokenInvalid, "token is invalid");
    }
};

/// Limits as production configures them (the instance-wide one, and one per client on /api) but too
/// high for the benchmark to reach: the check costs the same, and no request is refused.
http::RateLimitGateSettings unreachable_limits() {
    http::RateLimitGateSettings s;
    s.global = services::RateLimitSettings{1e12, 1e12};
    s.api = services::RateLimitSettings{1e12, 1e12, 100'000};
    s.exempt_paths = {"/health", "/ready", "/metrics"};
    s.api_exempt_paths = {"/api/pay/wechat/notify"};
    return s;
}

/// A pipeline wired like the app's up to `stage`. The access log goes to a sink that drops it: the
/// line is formatted as in production, and nothing is written.
class PipelineRig {
public:
    explicit PipelineRig(Stage stage) : previous_logger_(spdlog::default_logger()) {
        auto quiet = std::make_shared<spdlog::logger>("bench", std::make_shared<spdlog::sinks::null_sink_mt>());
        quiet->set_level(spdlog::level::info);
        spdlog::set_default_logger(quiet);

        http::PipelineSettings settings;
        settings.access_log = stage >= Stage::kAccessLog;
        if (stage >= Stage::kRateLimits) {
            limits_.emplace(clock_, unreachable_limits(), registry_);
            settings.rate_limits = &*limits_;
        }
        if (stage >= Stage::kMetrics) {
            routes_.catalog_cache().measure_with(registry_);
            http_metrics_.emplace(registry_, routes_.router());
        }
        pipeline_.emplace(
            routes_.router(), verifier_, nullptr, std::move(settings), http_metrics_ ? &*http_metrics_ : nullptr
        );
    }
    PipelineRig(const PipelineRig&) = delete;
    PipelineRig& operator=(const PipelineRig&) = delete;
    ~PipelineRig() {
        pipeline_.reset();
        spdlog::set_default_logger(previous_logger_);
    }

    /// Answers on the blocking path once, as the first request after a cache miss would: the
    /// product's detail is then in the cache and later dispatches answer from it.
    void warm(http::Request req) const { (void)pipeline_->handle(req); }

    const http::Pipeline& pipeline() const { return *pipeline_; }

private:
    std::shared_ptr<spdlog::logger> previous_logger_;
    ports::SystemClock clock_;
    adapters::metrics::PrometheusRegistry registry_;
    ShopRoutes routes_;
    RefusingVerifier verifier_;
    std::optional<http::RateLimitGate> limits_;
    std::optional<http::HttpMetrics> http_metrics_;
    std::optional<http::Pipeline> pipeline_;
};

/// A GET as a load generator sends it, after the server has parsed it.
http::Request get_request(std::string path) {
    http::Request req;
    req.method = http::Method::kGet;
    req.target = path;
    req.path = std::move(path);
    req.headers = {{"host", "127.0.0.1:8080"}, {"user-agent", "wrk/4.1.0"}, {"accept", "*/*"}};
    req.client_ip = "127.0.0.1";
    return req;
}

/// Undoes what dispatch wrote into the request, keeping the strings' capacity, so the next
/// iteration starts from a request as the server hands it over and counts no allocation of ours.
void reset(http::Request& req) {
    req.trace_id.clear();
    req.span_id.clear();
    req.span = ports::Span{};
    req.path_params.clear();
    req.auth.reset();
    req.route_index = http::Request::kNoRouteIndex;
}

/// Measures dispatch of `req` on the I/O thread, after checking it is answered there with `status`.
void dispatch_loop(benchmark::State& state, const PipelineRig& rig, http::Request req, int status) {
    {
        // One untimed request first: metrics take their children for a route's status on its first answer.
        auto first = rig.pipeline().dispatch(req);
        if (!first.response || first.response->status != status) {
            state.SkipWithError(("not answered " + std::to_string(status) + " on the I/O thread").c_str());
            return;
        }
        reset(req);
    }
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        auto d = rig.pipeline().dispatch(req);
        benchmark::DoNotOptimize(d.response);
        reset(req);
    }
    allocations.report(state);
}

void pipeline_health(benchmark::State& state, Stage stage) {
    const PipelineRig rig(stage);
    dispatch_loop(state, rig, get_request("/health"), 200);
}

void pipeline_cached_product(benchmark::State& state, Stage stage) {
    const PipelineRig rig(stage);
    rig.warm(get_request("/api/product/42"));
    dispatch_loop(state, rig, get_request("/api/product/42"), 200);
}

void pipeline_not_found(benchmark::State& state, Stage stage) {
    const PipelineRig rig(stage);
    dispatch_loop(state, rig, get_request("/api/nothing/here"), 404);
}

/// One stage alone, to attribute the pipeline's allocations: the trace ids every request is given
/// (no tracer, as when tracing is off) and the traceparent answered with.
void pipeline_trace_ids(benchmark::State& state) {
    const ShopRoutes routes;
    ports::NullTracer tracer;
    const http::RequestTracing tracing(tracer, routes.router());
    http::Request req = get_request("/health");
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        tracing.start(req);
        auto traceparent = http::RequestTracing::response_traceparent(req);
        benchmark::DoNotOptimize(traceparent);
        reset(req);
    }
    allocations.report(state);
}

}  // namespace

BENCHMARK(pipeline_trace_ids);
BENCHMARK_CAPTURE(pipeline_health, bare, Stage::kBare);
BENCHMARK_CAPTURE(pipeline_health, metrics, Stage::kMetrics);
BENCHMARK_CAPTURE(pipeline_health, metrics_limits, Stage::kRateLimits);
BENCHMARK_CAPTURE(pipeline_health, production, Stage::kAccessLog);
BENCHMARK_CAPTURE(pipeline_cached_product, bare, Stage::kBare);
BENCHMARK_CAPTURE(pipeline_cached_product, metrics, Stage::kMetrics);
BENCHMARK_CAPTURE(pipeline_cached_product, metrics_limits, Stage::kRateLimits);
BENCHMARK_CAPTURE(pipeline_cached_product, production, Stage::kAccessLog);
BENCHMARK_CAPTURE(pipeline_not_found, production, Stage::kAccessLog);

}  // namespace gomall::bench
