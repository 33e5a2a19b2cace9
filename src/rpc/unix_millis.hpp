// Times on the wire: unix milliseconds in an int64 (sub-millisecond precision is dropped).
#pragma once

#include <chrono>
#include <cstdint>

#include "core/time.hpp"

namespace gomall::rpc {

inline std::int64_t to_unix_millis(TimePoint time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

inline TimePoint from_unix_millis(std::int64_t millis) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(millis)));
}

}  // namespace gomall::rpc
