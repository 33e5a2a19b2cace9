// Operational routes: /health (process alive), /ready (dependencies reachable), /version.
#pragma once

#include <string>
#include <vector>

#include "http/router.hpp"
#include "ports/database_health.hpp"

namespace gomall::http {

struct VersionInfo {
    std::string version;
    std::string commit;
    std::string build_type;
};

/// `checks` must outlive the router.
void register_ops_routes(Router& router, std::vector<ports::HealthCheck*> checks, VersionInfo version);

}  // namespace gomall::http
