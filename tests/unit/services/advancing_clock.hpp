// A clock for tests that stands still until the test moves it.
#pragma once

#include <chrono>

#include "core/time.hpp"
#include "ports/clock.hpp"

namespace gomall::services {

class AdvancingClock final : public ports::Clock {
public:
    TimePoint now() const override { return now_; }
    void advance(std::chrono::milliseconds d) { now_ += d; }

private:
    TimePoint now_ = from_unix_seconds(1'800'000'000);
};

}  // namespace gomall::services
