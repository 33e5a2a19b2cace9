// The one counter family of rate-limit refusals, gomall_rate_limited_total{scope}, shared by the
// HTTP limits (global, api), the flash-sale limit (seckill), the login limit (login) and the
// failed-login throttle (login_throttle).
#pragma once

#include <string>

#include "ports/metrics.hpp"

namespace gomall::services {

/// The child for `scope`, registering the family on first use (later calls get the same family).
inline ports::Counter& rate_limited_counter(ports::Metrics& metrics, const std::string& scope) {
    return metrics
        .counter(
            "gomall_rate_limited_total",
            "Requests refused by a rate limit, by scope (global, api, seckill, login, login_throttle).",
            {"scope"}
        )
        .with({scope});
}

}  // namespace gomall::services
