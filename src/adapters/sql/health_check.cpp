// Database readiness: a trivial round trip proves a pooled connection still works.
#include "adapters/sql/health_check.hpp"

#include <algorithm>

namespace gomall::adapters::sql {

std::string DatabaseHealthCheck::check() {
    try {
        SessionLease session = db_.lease();
        int one = 0;
        *session << "SELECT 1", soci::into(one);
        return one == 1 ? std::string() : std::string("SELECT 1 returned ") + std::to_string(one);
    } catch (const std::exception& e) {
        std::string reason = e.what();
        reason.resize(std::min(reason.find_first_of("\r\n"), reason.size()));
        return reason.empty() ? "database error" : reason;
    }
}

}  // namespace gomall::adapters::sql
