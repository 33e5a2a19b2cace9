// Order numbers: "ORD" + yyyyMMddHHmmss (UTC) + 3-digit millis + 2-digit node id + 4-digit sequence.
// Unique across instances (distinct node ids) and sortable by creation time as plain strings.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "ports/clock.hpp"

namespace gomall::services {

class OrderNumberGenerator {
public:
    static constexpr int kMaxNodeId = 99;
    static constexpr int kSequencesPerMillisecond = 10000;
    static constexpr std::size_t kLength = 26;  // 3 + 14 + 3 + 2 + 4

    /// node_id in [0, 99], distinct per running instance. Throws std::invalid_argument otherwise.
    OrderNumberGenerator(int node_id, const ports::Clock& clock);

    OrderNumberGenerator(const OrderNumberGenerator&) = delete;
    OrderNumberGenerator& operator=(const OrderNumberGenerator&) = delete;

    /// Thread-safe. When 10000 numbers were issued within one millisecond, waits for the next one.
    std::string next();

private:
    std::int64_t now_millis() const;

    const int node_id_;
    const ports::Clock& clock_;

    std::mutex mutex_;
    std::int64_t last_millis_ = -1;
    int sequence_ = 0;
};

}  // namespace gomall::services
