// GET /metrics: the Prometheus scrape. Open in dev; with a token, only a scraper that sends it as
// a bearer token gets the figures (everyone else a 401), so the route can face the internet.
#pragma once

#include <string>

#include "http/router.hpp"
#include "ports/metrics.hpp"

namespace gomall::http {

struct MetricsRouteSettings {
    std::string path = "/metrics";
    std::string token;  // empty: no token asked
};

/// `exposition` must outlive the router. Rendering walks every family, so it runs on the
/// blocking pool, not on an I/O thread.
void register_metrics_route(
    Router& router, const ports::MetricsExposition& exposition, const MetricsRouteSettings& settings
);

}  // namespace gomall::http
