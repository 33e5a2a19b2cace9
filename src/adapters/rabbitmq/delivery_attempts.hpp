// How often the consumers' database step has failed for each message, shared by all consumers of
// one queue so a redelivery to another consumer keeps counting.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gomall::adapters::rabbitmq {

/// Thread-safe. In memory only: a restart gives every message a fresh count, which at worst
/// retries a bad message a few more times.
class DeliveryAttempts {
public:
    /// Counts one more failure of `message_id` and returns the total so far.
    int record_failure(const std::string& message_id);
    /// The message is settled; its count is no longer needed.
    void forget(const std::string& message_id);

private:
    /// Counts of messages another instance settled are never forgotten; this bounds them.
    static constexpr std::size_t kMaxTracked = 100'000;

    std::mutex mutex_;
    std::unordered_map<std::string, int> failures_;  // guarded by mutex_
};

}  // namespace gomall::adapters::rabbitmq
