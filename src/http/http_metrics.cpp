#include "http/http_metrics.hpp"

#include <algorithm>

namespace gomall::http {
namespace {

constexpr int kFirstStatus = 100;
constexpr int kLastStatus = 599;
constexpr std::size_t kStatusSlots = kLastStatus - kFirstStatus + 1;
constexpr std::size_t kMethods = static_cast<std::size_t>(Method::kOther) + 1;

}  // namespace

/// The children of one (route, method): taken from their families the first time they are needed
/// (a route that is never called adds nothing to the exposition) and cached here. Two threads may
/// both take a child at first use: with() returns the same child to both, so either store wins.
struct HttpMetrics::Slot {
    std::string route;
    std::string method;
    std::atomic<ports::Histogram*> duration{nullptr};
    std::atomic<ports::Counter*> request_bytes{nullptr};
    std::atomic<ports::Counter*> response_bytes{nullptr};
    std::array<std::atomic<ports::Counter*>, kStatusSlots> by_status{};
};

HttpMetrics::HttpMetrics(ports::Metrics& metrics, const Router& router)
    : requests_(metrics.counter(
          "gomall_http_requests_total",
          "HTTP requests answered, by route template, method and status.",
          {"route", "method", "status"}
      )),
      duration_(metrics.histogram(
          "gomall_http_request_duration_seconds",
          "Time from a request read in full to its answer ready to write, by route template and method.",
          ports::latency_seconds_buckets(),
          {"route", "method"}
      )),
      request_bytes_(metrics.counter(
          "gomall_http_request_body_bytes_total", "Bytes of request bodies read, by route template.", {"route"}
      )),
      response_bytes_(metrics.counter(
          "gomall_http_response_body_bytes_total",
          "Bytes of response bodies answered, by route template (event streams: their first chunk).",
          {"route"}
      )),
      in_flight_(metrics.gauge("gomall_http_requests_in_flight", "Requests read and not yet answered.", {}).with({})),
      open_(metrics.gauge("gomall_http_connections_open", "Client connections open.", {}).with({})),
      refused_(metrics
                   .counter(
                       "gomall_http_connections_refused_total",
                       "Connections answered 503 and closed because the server was at max_connections.",
                       {}
                   )
                   .with({})) {
    for (const auto& route : router.routes()) {
        auto slot = std::make_unique<Slot>();
        slot->route = route.pattern;
        slot->method = std::string(method_name(route.method));
        route_slots_.push_back(std::move(slot));
    }
    for (std::size_t m = 0; m < kMethods; ++m) {
        const auto method = std::string(method_name(static_cast<Method>(m)));
        static_slots_.push_back(std::make_unique<Slot>());
        static_slots_.back()->route = kStaticRoute;
        static_slots_.back()->method = method;
        none_slots_.push_back(std::make_unique<Slot>());
        none_slots_.back()->route = kNoRoute;
        none_slots_.back()->method = method;
    }
}

HttpMetrics::~HttpMetrics() = default;

HttpMetrics::Slot& HttpMetrics::slot_for(const Request& req) {
    if (req.route_index >= 0 && static_cast<std::size_t>(req.route_index) < route_slots_.size()) {
        return *route_slots_[static_cast<std::size_t>(req.route_index)];
    }
    const auto method = std::min(static_cast<std::size_t>(req.method), kMethods - 1);
    return req.route_index == Request::kStaticFileIndex ? *static_slots_[method] : *none_slots_[method];
}

ports::Counter& HttpMetrics::status_counter(Slot& slot, int status) {
    const int clamped = std::clamp(status, kFirstStatus, kLastStatus);
    auto& cached = slot.by_status[static_cast<std::size_t>(clamped - kFirstStatus)];
    if (auto* counter = cached.load(std::memory_order_acquire)) {
        return *counter;
    }
    auto& counter = requests_.with({slot.route, slot.method, std::to_string(clamped)});
    cached.store(&counter, std::memory_order_release);
    return counter;
}

void HttpMetrics::record(const Request& req, int status, std::size_t response_body_bytes, double seconds) {
    Slot& slot = slot_for(req);
    status_counter(slot, status).inc();

    auto* duration = slot.duration.load(std::memory_order_acquire);
    if (duration == nullptr) {
        duration = &duration_.with({slot.route, slot.method});
        slot.duration.store(duration, std::memory_order_release);
    }
    duration->observe(seconds);

    auto* in = slot.request_bytes.load(std::memory_order_acquire);
    if (in == nullptr) {
        in = &request_bytes_.with({slot.route});
        slot.request_bytes.store(in, std::memory_order_release);
    }
    auto* out = slot.response_bytes.load(std::memory_order_acquire);
    if (out == nullptr) {
        out = &response_bytes_.with({slot.route});
        slot.response_bytes.store(out, std::memory_order_release);
    }
    if (!req.body.empty()) {
        in->inc(req.body.size());
    }
    if (response_body_bytes > 0) {
        out->inc(response_body_bytes);
    }
}

}  // namespace gomall::http
