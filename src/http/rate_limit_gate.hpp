// The request-rate middleware: the instance-wide limit on every request and the per-client limit
// on the API, answered with 429, Retry-After and the unified envelope before any routing or work.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/request.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "services/global_rate_limiter.hpp"
#include "services/keyed_rate_limiter.hpp"

namespace gomall::http {

struct RateLimitGateSettings {
    std::optional<services::RateLimitSettings> global;  // every request but the exempt ones; nullopt: off
    std::optional<services::RateLimitSettings> api;     // per client address, on /api and /api/*; nullopt: off
    std::vector<std::string> exempt_paths;              // exact paths no limit applies to (probes, scrapes)
    std::vector<std::string> api_exempt_paths;          // exact API paths left to the global limit only
};

/// Thread-safe. Refusals are counted in gomall_rate_limited_total{scope="global"|"api"}; the client
/// addresses the API limit holds are gomall_rate_limit_api_clients.
class RateLimitGate {
public:
    /// Throws std::invalid_argument for nonsensical limits (see the limiters).
    RateLimitGate(const ports::Clock& clock, RateLimitGateSettings settings, ports::Metrics& metrics);

    /// nullopt: the request may go on. Otherwise the 429 to answer. The API limit is checked first, so
    /// one client over its own limit does not use up the instance's tokens.
    std::optional<Response> check(const Request& req);

private:
    bool exempt(const std::vector<std::string>& paths, const std::string& path) const;

    RateLimitGateSettings settings_;
    std::optional<services::GlobalRateLimiter> global_;
    std::optional<services::KeyedRateLimiter> api_;
    ports::MetricsRegistration api_clients_;  // last: dropped before the limiter it reads
};

}  // namespace gomall::http
