// The flash sale's refusals, worded once for every part of the sale (admin, purchases, results),
// and how an outage of a store outside the process (Redis, RabbitMQ) reads to the shopper.
#pragma once

#include <cstdint>
#include <exception>

#include <spdlog/common.h>

#include "core/error.hpp"
#include "domain/seckill.hpp"

namespace gomall::services::seckill_errors {

Error activity_not_found(std::int64_t activity_id);
Error no_sale_for_product(std::int64_t product_id);
Error not_started(const domain::SeckillActivity& activity);
Error ended(const domain::SeckillActivity& activity);
Error sold_out();

/// The handoff to the durable queue failed after a unit was taken (and given back): try again.
Error busy(const std::exception& cause);
/// A store outside the process (Redis) is down or answered nonsense: nothing was taken, so try again.
Error unreachable(const std::exception& cause);

/// A call an open circuit breaker refused is logged at debug level: the breaker logged the outage
/// once when it opened, and a crowd would otherwise write a line per refused purchase.
spdlog::level::level_enum outage_level(const std::exception& e, spdlog::level::level_enum usual = spdlog::level::err);

}  // namespace gomall::services::seckill_errors
