// The circuit breakers' settings from the config's `breakers` section (shared by every breaker).
#pragma once

#include <chrono>

#include "app/config.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::app {

inline services::BreakerSettings breaker_settings(const BreakersConfig& c) {
    services::BreakerSettings s;
    s.failure_threshold = c.failure_threshold;
    s.open_duration = std::chrono::seconds(c.open_seconds);
    s.half_open_probes = c.half_open_probes;
    return s;
}

}  // namespace gomall::app
