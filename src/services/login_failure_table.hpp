// Failed logins per key (an account and address pair, or an address) and the wait they impose.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>

#include "core/time.hpp"

namespace gomall::services {

/// How a LoginFailureTable turns failures into waits.
struct FailureDelays {
    int free_failures = 5;                              // failures before any wait
    std::chrono::milliseconds base{1000};               // the first wait; each further failure doubles it
    std::chrono::milliseconds max{900'000};             // the longest wait
    std::chrono::milliseconds quiet_period{3'600'000};  // failures this old are forgotten
    std::size_t max_keys = 100'000;                     // least recently touched keys are forgotten first
};

/// Not thread-safe: LoginThrottle serialises all access. Memory stays bounded: keys without failures
/// are not kept, keys quiet for the quiet period are forgotten, and beyond max_keys the least recently
/// touched key is dropped.
class LoginFailureTable {
public:
    /// The quiet period is raised to `max` if shorter, so that no wait is forgotten before it ends.
    explicit LoginFailureTable(FailureDelays delays);

    /// How long `key` must wait before its next attempt; zero when it may go ahead. A key that has
    /// never failed (or whose failures were forgotten) is never made to wait.
    std::chrono::milliseconds wait(const std::string& key, TimePoint now);
    void start_attempt(const std::string& key, TimePoint now);
    /// Ends an attempt started earlier; `failed` counts it as a failure, otherwise it counts for nothing.
    void finish_attempt(const std::string& key, TimePoint now, bool failed);
    /// Forgets the key's failures.
    void clear(const std::string& key);

    std::size_t tracked_keys() const { return records_.size(); }

private:
    struct Record {
        int failures = 0;
        int in_flight = 0;  // attempts admitted whose outcome is not known yet
        TimePoint last_failure;
        std::list<std::string>::iterator lru_position;
    };

    std::chrono::milliseconds delay_after(int failures) const;
    bool carries_nothing(const Record& record, TimePoint now) const;
    Record* find(const std::string& key, TimePoint now);
    Record& find_or_add(const std::string& key, TimePoint now);
    void erase(const std::string& key);

    FailureDelays delays_;
    std::unordered_map<std::string, Record> records_;
    std::list<std::string> lru_;  // most recently touched at the front
};

}  // namespace gomall::services
