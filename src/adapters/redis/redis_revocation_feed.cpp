// Implementation of the revocation feed on Redis pub/sub.
#include "adapters/redis/redis_revocation_feed.hpp"

#include <exception>
#include <random>

#include <spdlog/spdlog.h>

#include "adapters/redis/revocation_message.hpp"

namespace gomall::adapters::redis {
namespace {

/// Failures and bad messages are logged the first time and then every this many, so that a flood
/// of them (hostile publishers, a long outage) does not flood the log.
constexpr std::uint64_t kLogEvery = 1000;

std::string random_origin() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::random_device random;
    std::string out;
    while (out.size() < kRevocationOriginDigits) {
        auto bits = random();
        for (int i = 0; i < 8 && out.size() < kRevocationOriginDigits; ++i, bits >>= 4U) {
            out += kHex[bits & 15U];
        }
    }
    return out;
}

void count(ports::Counter* counter, std::uint64_t n = 1) {
    if (counter != nullptr && n > 0) {
        counter->inc(n);
    }
}

}  // namespace

RedisRevocationFeed::RedisRevocationFeed(RedisSettings settings, const std::string& key_prefix)
    : channel_(revocation_channel(key_prefix)),
      origin_(random_origin()),
      connection_(settings),
      subscriber_(std::move(settings), channel_, "token revocations") {}

void RedisRevocationFeed::measure_with(ports::Metrics& metrics) {
    auto& messages = metrics.counter(
        "gomall_revocation_feed_messages_total",
        "Messages on the Redis channel of token revocations: published by this instance, not published "
        "(Redis failed, or the queue was full), and received but malformed.",
        {"result"}
    );
    published_ = &messages.with({"published"});
    publish_failed_ = &messages.with({"publish_failed"});
    dropped_ = &messages.with({"dropped"});
    malformed_ = &messages.with({"malformed"});
}

void RedisRevocationFeed::publish(const ports::RevocationEvent& event) {
    auto message = encode_revocation(origin_, event);
    bool queued = false;
    if (message) {
        std::lock_guard lock(mutex_);
        if (queue_.size() < kMaxQueued && !stopping_) {
            queue_.push_back(std::move(*message));
            queued = true;
        }
    }
    if (queued) {
        wake_.notify_one();
    } else {
        // Not sendable in the wire form, a full queue, or shutting down: the database has it.
        count(dropped_);
    }
}

void RedisRevocationFeed::start(
    std::function<void(const ports::RevocationEvent&)> on_event, std::function<void()> on_resync
) {
    {
        std::lock_guard lock(mutex_);
        if (running_) {
            return;
        }
        running_ = true;
        stopping_ = false;
    }
    on_event_ = std::move(on_event);
    publisher_ = std::thread([this] { run_publisher(); });
    subscriber_.start([this](std::string_view text) { receive(text); }, std::move(on_resync));
}

void RedisRevocationFeed::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!running_) {
            return;
        }
        running_ = false;
        stopping_ = true;
    }
    wake_.notify_all();
    if (publisher_.joinable()) {
        publisher_.join();
    }
    subscriber_.stop();
}

void RedisRevocationFeed::run_publisher() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) {
            return;  // stopping, and everything was sent
        }
        std::string message = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        const bool sent = send(message);
        lock.lock();
        if (!sent && stopping_) {
            // Shutting down while Redis fails: each of the rest would wait out the timeout too.
            count(dropped_, queue_.size());
            queue_.clear();
            return;
        }
    }
}

bool RedisRevocationFeed::send(const std::string& message) {
    std::string why;
    // The second try runs on a new connection (the failed one was dropped): a Redis restart since the
    // last message leaves a dead connection behind that only the first command finds out about.
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            const RedisReply reply = connection_.command({"PUBLISH", channel_, message});
            if (!reply.is_error()) {
                published_count_.fetch_add(1);
                count(published_);
                return true;
            }
            why = "Redis answered " + reply.describe();
            break;  // an error reply (no permission, ...) would be the same again
        } catch (const std::exception& e) {
            why = e.what();
        }
    }
    count(publish_failed_);
    if (const auto failed = failed_count_.fetch_add(1) + 1; failed % kLogEvery == 1) {
        spdlog::warn(
            "token revocations: could not publish on {} ({}; {} failure(s) so far): other instances learn of it "
            "from the database when they next catch up",
            channel_,
            why,
            failed
        );
    }
    return false;
}

void RedisRevocationFeed::receive(std::string_view text) {
    const auto message = decode_revocation(text);
    if (!message) {
        count(malformed_);
        if (const auto bad = malformed_count_.fetch_add(1) + 1; bad % kLogEvery == 1) {
            // Neither the text nor a part of it: whoever wrote it may have chosen it for the log.
            spdlog::warn(
                "token revocations: ignored a malformed message of {} byte(s) on {} ({} so far)",
                text.size(),
                channel_,
                bad
            );
        }
        return;
    }
    if (message->origin == origin_) {
        return;  // this instance's own, already applied
    }
    try {
        on_event_(message->event);
    } catch (const std::exception& e) {
        // The subscriber's thread must go on listening whatever one event does.
        spdlog::error("token revocations: applying an event failed: {}", e.what());
    }
}

}  // namespace gomall::adapters::redis
