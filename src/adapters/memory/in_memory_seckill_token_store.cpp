// In-process anti-bot tokens: a map under one mutex. The coroutine wrappers complete at once.
#include "adapters/memory/in_memory_seckill_token_store.hpp"

#include <utility>

namespace gomall::adapters::memory {

void InMemorySeckillTokenStore::remember(
    std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
) {
    const std::lock_guard lock(mutex_);
    if (tokens_.size() >= sweep_threshold_) {
        std::erase_if(tokens_, [now](const auto& entry) { return entry.second.expires <= now; });
    }
    tokens_[{activity_id, user_id}] = IssuedToken{std::move(token), now + ttl};
}

bool InMemorySeckillTokenStore::spend(
    std::int64_t activity_id, std::int64_t user_id, const std::string& token, TimePoint now
) {
    const std::lock_guard lock(mutex_);
    const auto it = tokens_.find({activity_id, user_id});
    if (it == tokens_.end()) {
        return false;
    }
    if (it->second.expires <= now) {
        tokens_.erase(it);
        return false;
    }
    // A wrong guess leaves the shopper's real token usable: it costs the guesser, not the shopper.
    if (token.empty() || it->second.token != token) {
        return false;
    }
    tokens_.erase(it);  // single use
    return true;
}

std::size_t InMemorySeckillTokenStore::size() const {
    const std::lock_guard lock(mutex_);
    return tokens_.size();
}

boost::asio::awaitable<void> InMemorySeckillTokenStore::issue(
    std::int64_t activity_id, std::int64_t user_id, std::string token, std::chrono::milliseconds ttl, TimePoint now
) {
    remember(activity_id, user_id, std::move(token), ttl, now);
    co_return;
}

boost::asio::awaitable<bool> InMemorySeckillTokenStore::consume(
    std::int64_t activity_id, std::int64_t user_id, std::string token, TimePoint now
) {
    co_return spend(activity_id, user_id, token, now);
}

}  // namespace gomall::adapters::memory
