// The source of "now", so tests can move time.
#pragma once

#include "core/time.hpp"

namespace gomall::ports {

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace gomall::ports
