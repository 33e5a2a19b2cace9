// Applying other instances' revocations, and the catch-up thread.
#include "services/revocation_sync.hpp"

#include <exception>

#include <spdlog/spdlog.h>

namespace gomall::services {
namespace {

/// Refusals are logged the first time and then every this many: a flood of them on the channel must
/// not flood the log too.
constexpr std::uint64_t kLogRefusedEvery = 1000;

void count(ports::Counter* counter) {
    if (counter != nullptr) {
        counter->inc();
    }
}

}  // namespace

RevocationSync::RevocationSync(
    TokenRevocations& revocations,
    ports::RevocationFeed& feed,
    const ports::Clock& clock,
    RevocationSyncSettings settings
)
    : revocations_(revocations), feed_(feed), clock_(clock), settings_(settings) {}

void RevocationSync::measure_with(ports::Metrics& metrics) {
    auto& events = metrics.counter(
        "gomall_revocation_feed_events_total",
        "Token revocations announced to or heard from the other instances, by what became of them.",
        {"result"}
    );
    applied_ = &events.with({"applied"});
    expired_ = &events.with({"expired"});
    refused_ = &events.with({"refused"});
    auto& catch_ups = metrics.counter(
        "gomall_revocation_catch_ups_total",
        "Reloads of the revoked tokens from the database (after the feed was down, and periodically).",
        {"result"}
    );
    catch_ups_ok_ = &catch_ups.with({"ok"});
    catch_ups_failed_ = &catch_ups.with({"failed"});
}

void RevocationSync::start() {
    {
        std::lock_guard lock(mutex_);
        if (started_) {
            return;
        }
        started_ = true;
        stopping_ = false;
    }
    thread_ = std::thread([this] { run(); });
    feed_.start([this](const ports::RevocationEvent& event) { handle(event); }, [this] { request_catch_up(); });
    revocations_.announce_to(&feed_);
}

void RevocationSync::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!started_) {
            return;
        }
        started_ = false;
        stopping_ = true;
    }
    revocations_.announce_to(nullptr);
    feed_.stop();
    wake_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

RevocationSync::Outcome RevocationSync::handle(const ports::RevocationEvent& event) {
    using Kind = ports::RevocationEvent::Kind;
    const TimePoint now = clock_.now();
    // A shop never sends an expiry beyond a token's life nor a cutoff in the future (beyond the
    // clocks' disagreement): such an event would revoke for years, or every token a user will ever get.
    const bool has_subject = event.kind == Kind::kUser ? event.user_id > 0 : !event.id.empty();
    const TimePoint latest = now + settings_.clock_skew +
                             (event.kind == Kind::kUser ? std::chrono::seconds(0) : settings_.longest_token_life);
    if (!has_subject || event.until > latest) {
        count(refused_);
        if (++refused_count_ % kLogRefusedEvery == 1) {
            spdlog::warn(
                "token revocations: refused {} implausible event(s) from the feed (no subject, or an expiry too far "
                "ahead)",
                refused_count_
            );
        }
        return Outcome::kRefused;
    }
    // A cutoff in the past still matters (tokens issued before it live on); an expired token does not.
    if (event.kind != Kind::kUser && event.until <= now) {
        count(expired_);
        return Outcome::kExpired;
    }
    revocations_.apply_remote(event);
    count(applied_);
    return Outcome::kApplied;
}

bool RevocationSync::catch_up() {
    try {
        const std::size_t added = revocations_.merge_from_repository();
        if (added > 0) {
            spdlog::info("token revocations: caught up {} revocation(s) from the database", added);
        }
        count(catch_ups_ok_);
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("token revocations: could not reload from the database: {}", e.what());
        count(catch_ups_failed_);
        return false;
    }
}

void RevocationSync::request_catch_up() {
    {
        std::lock_guard lock(mutex_);
        catch_up_requested_ = true;
    }
    wake_.notify_all();
}

// The catch-up runs here, not on the feed's thread, so that events keep being applied while the
// database is slow; both only ever add, so their order does not matter.
void RevocationSync::run() {
    std::unique_lock lock(mutex_);
    auto next = std::chrono::steady_clock::now() + settings_.reload_every;
    while (!stopping_) {
        wake_.wait_until(lock, next, [this] { return stopping_ || catch_up_requested_; });
        if (stopping_) {
            break;
        }
        catch_up_requested_ = false;
        lock.unlock();
        const bool ok = catch_up();
        lock.lock();
        next = std::chrono::steady_clock::now() + (ok ? settings_.reload_every : settings_.retry_every);
    }
}

}  // namespace gomall::services
