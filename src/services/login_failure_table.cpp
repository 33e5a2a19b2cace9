// Failure records in an LRU list, so that forgetting quiet keys costs O(1) per call.
#include "services/login_failure_table.hpp"

#include <algorithm>
#include <utility>

namespace gomall::services {
namespace {

// base * 2^31 exceeds any sensible maximum wait (24 days for a 1 ms base), so larger exponents are capped
// without shifting into overflow.
constexpr int kMaxDoublings = 31;

}  // namespace

LoginFailureTable::LoginFailureTable(FailureDelays delays) : delays_(delays) {
    delays_.quiet_period = std::max(delays_.quiet_period, delays_.max);
}

std::chrono::milliseconds LoginFailureTable::delay_after(int failures) const {
    if (failures < delays_.free_failures) {
        return std::chrono::milliseconds{0};
    }
    const int doublings = failures - delays_.free_failures;
    if (doublings >= kMaxDoublings) {
        return delays_.max;
    }
    return std::min(delays_.max, delays_.base * (std::chrono::milliseconds::rep{1} << doublings));
}

bool LoginFailureTable::carries_nothing(const Record& record, TimePoint now) const {
    const bool failures_forgotten = record.failures == 0 || now - record.last_failure >= delays_.quiet_period;
    return failures_forgotten && record.in_flight == 0;
}

LoginFailureTable::Record* LoginFailureTable::find(const std::string& key, TimePoint now) {
    const auto it = records_.find(key);
    if (it == records_.end()) {
        return nullptr;
    }
    Record& record = it->second;
    if (record.failures > 0 && now - record.last_failure >= delays_.quiet_period) {
        record.failures = 0;
    }
    if (carries_nothing(record, now)) {
        erase(key);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, record.lru_position);
    return &record;
}

LoginFailureTable::Record& LoginFailureTable::find_or_add(const std::string& key, TimePoint now) {
    if (Record* existing = find(key, now)) {
        return *existing;
    }
    // The tail was touched least recently; drop it while it carries nothing, and in any case when the
    // table is full (that only ever favours the forgotten key, never delays an innocent one).
    while (!lru_.empty() && (records_.size() >= delays_.max_keys || carries_nothing(records_.at(lru_.back()), now))) {
        records_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(key);
    Record& record = records_[key];
    record.lru_position = lru_.begin();
    return record;
}

void LoginFailureTable::erase(const std::string& key) {
    const auto it = records_.find(key);
    if (it != records_.end()) {
        lru_.erase(it->second.lru_position);
        records_.erase(it);
    }
}

std::chrono::milliseconds LoginFailureTable::wait(const std::string& key, TimePoint now) {
    const Record* record = find(key, now);
    if (record == nullptr || record->failures == 0) {
        return std::chrono::milliseconds{0};
    }
    // Attempts still in flight count as failures-to-be: a client that has failed cannot multiply its
    // guesses by sending them in parallel. It is asked to wait as if they all fail.
    const int pending = record->failures + record->in_flight;
    if (pending < delays_.free_failures) {
        return std::chrono::milliseconds{0};
    }
    if (record->in_flight > 0) {
        return delay_after(pending);
    }
    const auto delay = delay_after(record->failures);
    const TimePoint ready_at = record->last_failure + delay;
    if (now >= ready_at) {
        return std::chrono::milliseconds{0};
    }
    // A wall clock stepping backwards must not stretch the wait beyond the delay itself.
    return std::min(delay, std::chrono::ceil<std::chrono::milliseconds>(ready_at - now));
}

void LoginFailureTable::start_attempt(const std::string& key, TimePoint now) {
    ++find_or_add(key, now).in_flight;
}

void LoginFailureTable::finish_attempt(const std::string& key, TimePoint now, bool failed) {
    // The record may have been dropped meanwhile (full table, or cleared by a success of the same pair).
    Record* record = find(key, now);
    if (record == nullptr) {
        if (!failed) {
            return;
        }
        record = &find_or_add(key, now);
    } else {
        record->in_flight = std::max(0, record->in_flight - 1);
    }
    if (failed) {
        ++record->failures;
        record->last_failure = now;
    }
    if (carries_nothing(*record, now)) {
        erase(key);
    }
}

void LoginFailureTable::clear(const std::string& key) {
    erase(key);
}

}  // namespace gomall::services
