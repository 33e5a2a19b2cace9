// What the HTTP layer tells the metrics port: requests by route template (never the raw path),
// method and status; latency per route; bodies in and out; requests in flight; connections
// refused at the cap. Children are taken once per (route, status) and cached in atomics, so the
// hot path records without a lock or an allocation after a route has answered a status once.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "http/request.hpp"
#include "http/router.hpp"
#include "ports/metrics.hpp"

namespace gomall::http {

class HttpMetrics {
public:
    /// Route labels for requests that reached no route.
    static constexpr std::string_view kStaticRoute = "(static)";  // a file of the web UI (or its 404)
    static constexpr std::string_view kNoRoute = "(none)";        // 404/405, preflight, transport errors

    /// Takes the routes registered so far: register every route before building this.
    HttpMetrics(ports::Metrics& metrics, const Router& router);
    ~HttpMetrics();
    HttpMetrics(const HttpMetrics&) = delete;
    HttpMetrics& operator=(const HttpMetrics&) = delete;

    /// One answered request. `req.route_index` says which route (or none, or a static file).
    void record(const Request& req, int status, std::size_t response_body_bytes, double seconds);

    /// A request is being handled (read in full, answer not yet written), and then no longer.
    void request_started() { in_flight_.add(1); }
    void request_finished() { in_flight_.add(-1); }

    /// Connections accepted and not yet closed.
    void connection_opened() { open_.add(1); }
    void connection_closed() { open_.add(-1); }
    /// A connection turned away because the server was at max_connections.
    void connection_refused() { refused_.inc(); }

private:
    struct Slot;
    Slot& slot_for(const Request& req);
    ports::Counter& status_counter(Slot& slot, int status);

    ports::CounterFamily& requests_;
    ports::HistogramFamily& duration_;
    ports::CounterFamily& request_bytes_;
    ports::CounterFamily& response_bytes_;
    ports::Gauge& in_flight_;
    ports::Gauge& open_;
    ports::Counter& refused_;
    std::vector<std::unique_ptr<Slot>> route_slots_;   // one per registered route, by index
    std::vector<std::unique_ptr<Slot>> static_slots_;  // by Method
    std::vector<std::unique_ptr<Slot>> none_slots_;    // by Method
};

}  // namespace gomall::http
