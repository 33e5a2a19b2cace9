// The token purger's step: one DELETE per table through the repository, on the worker's thread.
#include "services/token_purger.hpp"

#include <exception>

#include <spdlog/spdlog.h>

namespace gomall::services {

TokenPurger::TokenPurger(
    ports::TokenRepository& tokens,
    const ports::Clock& clock,
    std::chrono::milliseconds interval,
    ports::Metrics& metrics
)
    : tokens_(tokens),
      clock_(clock),
      interval_(interval),
      purged_(metrics
                  .counter(
                      "gomall_auth_tokens_purged_total",
                      "Expired refresh tokens and access-token revocations deleted by the token purger.",
                      {}
                  )
                  .with({})),
      worker_("token purger", PeriodicSchedule{interval_, false, false}, [this] { purge_once(); }) {}

std::int64_t TokenPurger::purge_once() {
    try {
        const std::int64_t deleted = tokens_.purge_expired(clock_.now());
        if (deleted > 0) {
            purged_.inc(static_cast<std::uint64_t>(deleted));
            spdlog::info("token purger: deleted {} expired refresh token(s) and revocation(s)", deleted);
        }
        return deleted;
    } catch (const std::exception& e) {
        spdlog::warn("token purger: the purge failed, trying again in {} ms: {}", interval_.count(), e.what());
    } catch (...) {
        spdlog::warn("token purger: the purge failed, trying again in {} ms", interval_.count());
    }
    return -1;
}

}  // namespace gomall::services
