// Per-message failure counts for the consumers' retry and dead-letter decision.
#include "adapters/rabbitmq/delivery_attempts.hpp"

namespace gomall::adapters::rabbitmq {

int DeliveryAttempts::record_failure(const std::string& message_id) {
    const std::lock_guard lock(mutex_);
    if (failures_.size() >= kMaxTracked && !failures_.contains(message_id)) {
        failures_.clear();
    }
    return ++failures_[message_id];
}

void DeliveryAttempts::forget(const std::string& message_id) {
    const std::lock_guard lock(mutex_);
    failures_.erase(message_id);
}

}  // namespace gomall::adapters::rabbitmq
