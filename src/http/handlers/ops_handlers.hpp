// Operational routes: /health (process alive), /ready (dependencies reachable, breaker states), /version.
#pragma once

#include <string>
#include <vector>

#include "http/router.hpp"
#include "ports/database_health.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::http {

struct VersionInfo {
    std::string version;
    std::string commit;
    std::string build_type;
};

/// `checks` and `breakers` must outlive the router. /ready lists each breaker's state under
/// data.breakers; an open breaker does not make the instance unready (see the route).
void register_ops_routes(
    Router& router,
    std::vector<ports::HealthCheck*> checks,
    VersionInfo version,
    std::vector<services::CircuitBreaker*> breakers = {}
);

}  // namespace gomall::http
