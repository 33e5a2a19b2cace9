// Implementation of the order number generator.
#include "services/order_number.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "core/time.hpp"

namespace gomall::services {

OrderNumberGenerator::OrderNumberGenerator(int node_id, const ports::Clock& clock) : node_id_(node_id), clock_(clock) {
    if (node_id < 0 || node_id > kMaxNodeId) {
        throw std::invalid_argument("order node id must be 0-99, got " + std::to_string(node_id));
    }
}

std::int64_t OrderNumberGenerator::now_millis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count();
}

std::string OrderNumberGenerator::next() {
    std::lock_guard lock(mutex_);
    std::int64_t millis = now_millis();
    if (millis <= last_millis_) {
        // Same millisecond, or the wall clock stepped back (NTP): keep counting within the last
        // millisecond we used, so numbers never repeat and never sort before earlier ones.
        millis = last_millis_;
        if (++sequence_ >= kSequencesPerMillisecond) {
            // Sequence exhausted: wait for the clock to pass the last millisecond (after a clock
            // step back this waits until the clock catches up, which keeps the order intact).
            while ((millis = now_millis()) <= last_millis_) {
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            }
            sequence_ = 0;
        }
    } else {
        sequence_ = 0;
    }
    last_millis_ = millis;

    const TimePoint at{std::chrono::milliseconds(millis)};
    char tail[40];  // roomy: the compiler cannot see that the fields are bounded (3+2+4 digits)
    std::snprintf(tail, sizeof tail, "%03d%02d%04d", static_cast<int>(millis % 1000), node_id_, sequence_);
    return "ORD" + format_compact_utc(at) + tail;
}

}  // namespace gomall::services
