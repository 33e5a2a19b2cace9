// A notice names the sender so that it skips its own; its content is only an id, which the
// receiver looks up in the database: a forged notice can make an instance read a row, nothing more.
#include "adapters/redis/redis_activity_broadcast.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

namespace gomall::adapters::redis {
namespace {

constexpr std::size_t kOriginDigits = 16;

std::string random_origin() {
    std::random_device random;
    std::string origin;
    constexpr std::string_view kHex = "0123456789abcdef";
    for (std::size_t i = 0; i < kOriginDigits; ++i) {
        origin += kHex[random() % kHex.size()];
    }
    return origin;
}

}  // namespace

std::string activity_channel(const std::string& key_prefix) {
    return key_prefix + ":seckill:activities";
}

namespace {

/// A positive decimal without sign or leading zero, at most 18 digits.
std::optional<std::int64_t> positive_decimal(std::string_view text) {
    constexpr std::size_t kMaxDigits = 18;
    if (text.empty() || text.size() > kMaxDigits || text.front() == '0' ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

std::int64_t unix_millis_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::optional<ActivityNotice> parse_activity_notice(std::string_view message) {
    if (message.size() < kOriginDigits + 2 || message[kOriginDigits] != ' ') {
        return std::nullopt;
    }
    const std::string_view origin = message.substr(0, kOriginDigits);
    if (!std::all_of(origin.begin(), origin.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        })) {
        return std::nullopt;
    }
    std::string_view rest = message.substr(kOriginDigits + 1);
    std::string_view number;
    if (const auto space = rest.find(' '); space != std::string_view::npos) {
        number = rest.substr(space + 1);
        rest = rest.substr(0, space);
        if (number.empty()) {
            return std::nullopt;
        }
    }
    const auto id = positive_decimal(rest);
    if (!id) {
        return std::nullopt;
    }
    ActivityNotice notice{std::string(origin), *id, 0};
    if (!number.empty()) {
        const auto n = positive_decimal(number);
        if (!n) {
            return std::nullopt;
        }
        notice.notice = *n;
    }
    return notice;
}

RedisActivityBroadcast::RedisActivityBroadcast(
    RedisSettings settings, const std::string& key_prefix, ActivityBroadcastTimings timings
)
    : channel_(activity_channel(key_prefix)),
      presence_key_(activity_channel(key_prefix) + ":listeners"),
      origin_(random_origin()),
      timings_(timings),
      publisher_(settings),
      subscriber_(std::move(settings), channel_, "flash-sale activities") {}

std::string RedisActivityBroadcast::acks_key(const std::string& origin, std::int64_t notice) const {
    return channel_ + ":acks:" + origin + ":" + std::to_string(notice);
}

std::vector<std::string> RedisActivityBroadcast::listeners_now() {
    const RedisReply reply =
        publisher_.command({"ZRANGEBYSCORE", presence_key_, std::to_string(unix_millis_now()), "+inf"});
    std::vector<std::string> others;
    if (reply.type != RedisReply::Type::kArray) {
        return others;  // an error reply: nobody to wait for (the refresh remains the fallback)
    }
    for (const auto& element : reply.elements) {
        if (element.text != origin_) {
            others.push_back(element.text);
        }
    }
    return others;
}

ActivityPublishReport RedisActivityBroadcast::publish(std::int64_t activity_id) {
    const std::lock_guard lock(publish_mutex_);
    const std::int64_t notice = ++notices_sent_;
    // Read before publishing: an instance that joins in between subscribed before the notice, so
    // it applies it without being waited for.
    const auto listeners = listeners_now();
    const RedisReply reply = publisher_.command(
        {"PUBLISH", channel_, origin_ + " " + std::to_string(activity_id) + " " + std::to_string(notice)}
    );
    if (reply.is_error()) {
        throw RedisUnavailable("redis refused PUBLISH: " + reply.describe());
    }
    ActivityPublishReport report{listeners.size(), 0};
    if (listeners.empty()) {
        return report;
    }
    const std::string acks = acks_key(origin_, notice);
    const auto deadline = std::chrono::steady_clock::now() + timings_.confirm_within;
    constexpr auto kPoll = std::chrono::milliseconds(2);
    for (;;) {
        const RedisReply members = publisher_.command({"SMEMBERS", acks});
        report.confirmed = 0;
        if (members.type == RedisReply::Type::kArray) {
            for (const auto& listener : listeners) {
                report.confirmed += static_cast<std::size_t>(std::any_of(
                    members.elements.begin(),
                    members.elements.end(),
                    [&listener](const RedisReply& m) { return m.text == listener; }
                ));
            }
        }
        if (report.confirmed == listeners.size() || std::chrono::steady_clock::now() >= deadline) {
            break;
        }
        std::this_thread::sleep_for(kPoll);
    }
    publisher_.command({"DEL", acks});
    if (report.confirmed < listeners.size()) {
        spdlog::warn(
            "flash sale {}: {} of {} other instance(s) confirmed the change within {} ms; the rest see it at "
            "their next refresh",
            activity_id,
            report.confirmed,
            listeners.size(),
            timings_.confirm_within.count()
        );
    }
    return report;
}

void RedisActivityBroadcast::acknowledge(const ActivityNotice& notice) {
    if (notice.notice == 0) {
        return;  // a sender that waits for nobody
    }
    const std::string key = acks_key(notice.origin, notice.notice);
    // The sender deletes the set when done; the expiry only covers a sender that died waiting.
    const auto expire_ms =
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timings_.confirm_within).count() * 10);
    try {
        publisher_.command({"SADD", key, origin_});
        publisher_.command({"PEXPIRE", key, expire_ms});
    } catch (const std::exception& e) {
        spdlog::warn("flash sale {}: acknowledging a change failed: {}", notice.activity_id, e.what());
    }
}

void RedisActivityBroadcast::keep_present() {
    std::unique_lock lock(presence_mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            const std::int64_t now = unix_millis_now();
            if (subscriber_.subscribed()) {
                const auto lapses = now + timings_.presence_lapses_after.count();
                publisher_.command({"ZADD", presence_key_, std::to_string(lapses), origin_});
            } else {
                publisher_.command({"ZREM", presence_key_, origin_});  // not listening: not to be waited for
            }
            // Entries of instances that died without leaving (kill -9), long lapsed.
            publisher_.command({"ZREMRANGEBYSCORE", presence_key_, "-inf", std::to_string(now - 60'000)});
        } catch (const std::exception& e) {
            spdlog::debug("flash-sale activities: presence not refreshed: {}", e.what());
        }
        lock.lock();
        presence_wake_.wait_for(lock, timings_.presence_every, [this] { return stopping_ || beat_now_; });
        beat_now_ = false;
    }
}

void RedisActivityBroadcast::start(std::function<void(std::int64_t)> on_changed, std::function<void()> on_resync) {
    subscriber_.start(
        [this, on_changed = std::move(on_changed)](std::string_view message) {
            const auto notice = parse_activity_notice(message);
            if (!notice) {
                spdlog::warn("flash-sale activities: ignored a malformed notice on {}", channel_);
                return;
            }
            if (notice->origin == origin_) {
                return;  // this instance's own change, already applied
            }
            try {
                on_changed(notice->activity_id);
            } catch (const std::exception& e) {
                // Not acknowledged: the sender's wait says so, and the refresh catches up.
                spdlog::warn(
                    "flash sale {}: reloading after another instance's change failed: {}", notice->activity_id, e.what()
                );
                return;
            }
            acknowledge(*notice);
        },
        [this, on_resync = std::move(on_resync)] {
            try {
                on_resync();
            } catch (const std::exception& e) {
                spdlog::warn("flash-sale activities: catching up after subscribing failed: {}", e.what());
            }
            {
                const std::lock_guard lock(presence_mutex_);
                beat_now_ = true;  // present at once, not at the next beat
            }
            presence_wake_.notify_all();
        }
    );
    {
        const std::lock_guard lock(presence_mutex_);
        stopping_ = false;
    }
    presence_ = std::thread([this] { keep_present(); });
}

void RedisActivityBroadcast::stop() {
    {
        const std::lock_guard lock(presence_mutex_);
        stopping_ = true;
    }
    presence_wake_.notify_all();
    subscriber_.stop();
    if (!presence_.joinable()) {
        return;  // never started: nothing to withdraw
    }
    presence_.join();
    try {
        publisher_.command({"ZREM", presence_key_, origin_});  // leaving: nobody waits for this one
    } catch (const std::exception& e) {
        spdlog::debug("flash-sale activities: presence not withdrawn: {}", e.what());
    }
}

}  // namespace gomall::adapters::redis
