// The two failure tables behind one lock, and the keys they are indexed by.
#include "services/login_throttle.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace gomall::services {
namespace {

// Keys are cut to this many bytes so that memory per key stays small whatever a client sends (the
// login route accepts 1 KiB names; X-Forwarded-For can be longer). Real usernames (at most 50) and
// addresses (at most 45 for IPv6) fit; longer values that share a prefix share a record, which only
// throttles whoever sends them harder.
constexpr std::size_t kMaxKeyPartBytes = 64;

std::string address_key(std::string_view address) {
    return std::string(address.substr(0, kMaxKeyPartBytes));
}

// Usernames are unique regardless of case (the database compares them so), so "Admin" and "admin"
// are one account. The length prefix keeps the pair unambiguous whatever characters either part holds.
std::string account_key(std::string_view username, std::string_view address) {
    std::string key = address_key(address);
    key.insert(0, std::to_string(key.size()) + ":");
    for (const char c : username.substr(0, kMaxKeyPartBytes)) {
        key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return key;
}

FailureDelays table_delays(int free_failures, const LoginThrottleSettings& settings) {
    FailureDelays delays;
    delays.free_failures = free_failures;
    delays.base = settings.delay_base;
    delays.max = settings.delay_max;
    delays.quiet_period = settings.quiet_period;
    delays.max_keys = settings.max_keys;
    return delays;
}

const LoginThrottleSettings& checked(const LoginThrottleSettings& settings) {
    if (settings.account_free_failures < 1 || settings.address_free_failures < 1 || settings.delay_base.count() <= 0 ||
        settings.delay_max < settings.delay_base || settings.max_keys == 0) {
        throw std::invalid_argument(
            "login throttle needs free failures >= 1, 0 < delay_base <= delay_max and max_keys >= 1"
        );
    }
    return settings;
}

}  // namespace

LoginThrottle::LoginThrottle(const ports::Clock& clock, LoginThrottleSettings settings)
    : clock_(clock),
      accounts_(table_delays(checked(settings).account_free_failures, settings)),
      addresses_(table_delays(settings.address_free_failures, settings)) {}

LoginThrottle::Attempt LoginThrottle::begin(std::string_view username, std::string_view address) {
    std::string pair = account_key(username, address);
    std::string from = address_key(address);
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    const auto wait = std::max(accounts_.wait(pair, now), addresses_.wait(from, now));
    if (wait.count() > 0) {
        return Attempt(std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(wait)));
    }
    accounts_.start_attempt(pair, now);
    addresses_.start_attempt(from, now);
    return Attempt(*this, std::move(pair), std::move(from));
}

std::size_t LoginThrottle::tracked_keys() const {
    std::lock_guard lock(mutex_);
    return accounts_.tracked_keys() + addresses_.tracked_keys();
}

void LoginThrottle::finish(const Attempt& attempt, Attempt::Outcome outcome) {
    const bool failed = outcome == Attempt::Outcome::kFailed;
    const TimePoint now = clock_.now();
    std::lock_guard lock(mutex_);
    accounts_.finish_attempt(attempt.account_key_, now, failed);
    addresses_.finish_attempt(attempt.address_key_, now, failed);
    if (outcome == Attempt::Outcome::kSucceeded) {
        accounts_.clear(attempt.account_key_);
    }
}

LoginThrottle::Attempt::Attempt(LoginThrottle& throttle, std::string account_key, std::string address_key)
    : throttle_(&throttle),
      admitted_(true),
      account_key_(std::move(account_key)),
      address_key_(std::move(address_key)) {}

LoginThrottle::Attempt::Attempt(Attempt&& other) noexcept
    : throttle_(std::exchange(other.throttle_, nullptr)),
      admitted_(other.admitted_),
      account_key_(std::move(other.account_key_)),
      address_key_(std::move(other.address_key_)),
      retry_after_(other.retry_after_) {}

LoginThrottle::Attempt::~Attempt() {
    finish(Outcome::kAbandoned);
}

void LoginThrottle::Attempt::failed() {
    finish(Outcome::kFailed);
}

void LoginThrottle::Attempt::succeeded() {
    finish(Outcome::kSucceeded);
}

void LoginThrottle::Attempt::finish(Outcome outcome) {
    if (throttle_ != nullptr) {
        std::exchange(throttle_, nullptr)->finish(*this, outcome);
    }
}

}  // namespace gomall::services
