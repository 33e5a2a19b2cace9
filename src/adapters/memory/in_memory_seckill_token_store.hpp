// The embedded-mode anti-bot token store: each shopper's current token per activity in process memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "ports/seckill_token_store.hpp"

namespace gomall::adapters::memory {

/// Thread-safe; both calls complete at once. Expired tokens are dropped when they are presented, and
/// swept in bulk once the map reaches `sweep_threshold` entries, which bounds it under a bot flood.
class InMemorySeckillTokenStore final : public ports::SeckillTokenStore {
public:
    explicit InMemorySeckillTokenStore(std::size_t sweep_threshold = 100'000) : sweep_threshold_(sweep_threshold) {}
    InMemorySeckillTokenStore(const InMemorySeckillTokenStore&) = delete;
    InMemorySeckillTokenStore& operator=(const InMemorySeckillTokenStore&) = delete;

    boost::asio::awaitable<void> issue(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    ) override;
    boost::asio::awaitable<bool> consume(
        std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
    ) override;

    /// The synchronous cores of issue() and consume(), for callers that are not coroutines.
    void remember(
        std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
    );
    bool spend(std::int64_t activity_id, std::int64_t user_id, const std::string& token, TimePoint now);

    /// Tokens held, expired or not (for tests and diagnostics).
    std::size_t size() const;

private:
    struct IssuedToken {
        std::string token;
        TimePoint expires;
    };

    const std::size_t sweep_threshold_;
    mutable std::mutex mutex_;
    std::map<std::pair<std::int64_t, std::int64_t>, IssuedToken> tokens_;  // (activity, user)
};

}  // namespace gomall::adapters::memory
