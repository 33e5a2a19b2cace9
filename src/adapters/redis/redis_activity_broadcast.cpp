// A notice names the sender so that it skips its own; its content is only an id, which the
// receiver looks up in the database: a forged notice can make an instance read a row, nothing more.
#include "adapters/redis/redis_activity_broadcast.hpp"

#include <algorithm>
#include <charconv>
#include <exception>
#include <random>

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

std::optional<ActivityNotice> parse_activity_notice(std::string_view message) {
    constexpr std::size_t kMaxIdDigits = 18;
    if (message.size() < kOriginDigits + 2 || message.size() > kOriginDigits + 1 + kMaxIdDigits ||
        message[kOriginDigits] != ' ') {
        return std::nullopt;
    }
    const std::string_view origin = message.substr(0, kOriginDigits);
    const std::string_view id = message.substr(kOriginDigits + 1);
    const auto hex = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    };
    if (!std::all_of(origin.begin(), origin.end(), hex) || id.front() == '0' ||
        !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    ActivityNotice notice{std::string(origin), 0};
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), notice.activity_id);
    if (ec != std::errc() || end != id.data() + id.size() || notice.activity_id <= 0) {
        return std::nullopt;
    }
    return notice;
}

RedisActivityBroadcast::RedisActivityBroadcast(RedisSettings settings, const std::string& key_prefix)
    : channel_(activity_channel(key_prefix)),
      origin_(random_origin()),
      publisher_(settings),
      subscriber_(std::move(settings), channel_, "flash-sale activities") {}

void RedisActivityBroadcast::publish(std::int64_t activity_id) {
    const std::lock_guard lock(publish_mutex_);
    const RedisReply reply = publisher_.command({"PUBLISH", channel_, origin_ + " " + std::to_string(activity_id)});
    if (reply.is_error()) {
        throw RedisUnavailable("redis refused PUBLISH: " + reply.describe());
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
                spdlog::warn(
                    "flash sale {}: reloading after another instance's change failed: {}", notice->activity_id, e.what()
                );
            }
        },
        [on_resync = std::move(on_resync)] {
            try {
                on_resync();
            } catch (const std::exception& e) {
                spdlog::warn("flash-sale activities: catching up after subscribing failed: {}", e.what());
            }
        }
    );
}

void RedisActivityBroadcast::stop() {
    subscriber_.stop();
}

}  // namespace gomall::adapters::redis
