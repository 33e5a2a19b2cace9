// Wording of the flash sale's refusals and of its outages.
#include "services/seckill_errors.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/time.hpp"
#include "core/unavailable.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::services::seckill_errors {
namespace {

/// How long the shopper should wait: what an unreachable dependency says (an open circuit
/// breaker knows), else one second.
std::chrono::seconds retry_after_of(const std::exception& e) {
    const auto* unavailable = dynamic_cast<const DependencyUnavailable*>(&e);
    return unavailable != nullptr ? std::max(unavailable->retry_after(), std::chrono::seconds(1))
                                  : std::chrono::seconds(1);
}

}  // namespace

Error activity_not_found(std::int64_t activity_id) {
    return make_error(ErrorCode::kActivityNotFound, "flash sale " + std::to_string(activity_id) + " not found");
}

Error no_sale_for_product(std::int64_t product_id) {
    return make_error(ErrorCode::kActivityNotFound, "there is no flash sale for product " + std::to_string(product_id));
}

Error not_started(const domain::SeckillActivity& activity) {
    return make_error(
        ErrorCode::kNotStarted,
        "the flash sale has not started yet; it starts at " + format_iso8601(activity.start_time)
    );
}

Error ended(const domain::SeckillActivity&) {
    return make_error(ErrorCode::kEnded, "the flash sale has ended");
}

Error sold_out() {
    return make_error(ErrorCode::kSoldOut, "sold out: every unit of this flash sale is taken");
}

Error busy(const std::exception& cause) {
    Error error =
        make_error(ErrorCode::kSeckillBusy, "the flash sale is busy; your unit was returned, please try again");
    error.retry_after = retry_after_of(cause);
    return error;
}

Error unreachable(const std::exception& cause) {
    Error error = make_error(ErrorCode::kSeckillBusy, "the flash sale is busy, please try again");
    error.retry_after = retry_after_of(cause);
    return error;
}

spdlog::level::level_enum outage_level(const std::exception& e, spdlog::level::level_enum usual) {
    return dynamic_cast<const CircuitOpen*>(&e) != nullptr ? spdlog::level::debug : usual;
}

}  // namespace gomall::services::seckill_errors
