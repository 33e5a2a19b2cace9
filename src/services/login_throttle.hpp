// Throttling of failed logins by (account, client address) and by client address, with waits that
// grow with every failure. It replaces an account lockout, which let anyone lock anyone out: here a
// stranger's failures only ever slow down the stranger's own address.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "ports/clock.hpp"
#include "services/login_failure_table.hpp"

namespace gomall::services {

struct LoginThrottleSettings {
    int account_free_failures = 5;               // per (account, address): failures before any wait
    int address_free_failures = 30;              // per address, all accounts together
    std::chrono::milliseconds delay_base{1000};  // the first wait; each further failure doubles it
    std::chrono::seconds delay_max{900};         // the longest wait
    std::chrono::seconds quiet_period{3600};     // failures this old are forgotten (never before delay_max)
    std::size_t max_keys = 100'000;              // per kind of key; least recently seen ones are forgotten first
};

/// Thread-safe. The first `account_free_failures` failures of an (account, address) pair cost
/// nothing; after that the pair waits delay_base * 2^(failures - free) before each further attempt,
/// at most delay_max. The address on its own gets `address_free_failures` the same way, so spraying
/// passwords over many accounts is slowed too. Attempts inside a wait are refused before the password
/// is checked. A record without failures is never refused: the owner of an account, signing in from an
/// address that has not failed, always gets through whatever strangers do from elsewhere.
class LoginThrottle {
public:
    /// What begin() decided. An admitted attempt is ended with failed() or succeeded(); one destroyed
    /// without either (an exception on the way) counts as neither.
    class Attempt {
    public:
        Attempt(const Attempt&) = delete;
        Attempt& operator=(const Attempt&) = delete;
        Attempt(Attempt&& other) noexcept;
        Attempt& operator=(Attempt&&) = delete;
        ~Attempt();

        bool admitted() const { return admitted_; }
        /// For a refused attempt: whole seconds to wait, rounded up, at least 1.
        std::chrono::seconds retry_after() const { return retry_after_; }

        /// The password was wrong or the account unknown.
        void failed();
        /// The password was right: the pair's failures are forgotten, the address's are not (otherwise an
        /// address failing on other accounts could wipe its record by signing in to one of its own).
        void succeeded();

    private:
        friend class LoginThrottle;
        enum class Outcome { kFailed, kSucceeded, kAbandoned };

        explicit Attempt(std::chrono::seconds retry_after) : retry_after_(retry_after) {}
        Attempt(LoginThrottle& throttle, std::string account_key, std::string address_key);
        void finish(Outcome outcome);

        LoginThrottle* throttle_ = nullptr;  // null once refused or finished
        bool admitted_ = false;
        std::string account_key_;
        std::string address_key_;
        std::chrono::seconds retry_after_{0};
    };

    /// Throws std::invalid_argument unless free failures >= 1, 0 < delay_base <= delay_max and max_keys >= 1.
    LoginThrottle(const ports::Clock& clock, LoginThrottleSettings settings = {});

    /// Admits or refuses an attempt to sign in as `username` (in any letter case) from `address`.
    Attempt begin(std::string_view username, std::string_view address);

    /// Keys currently tracked: (account, address) pairs plus addresses.
    std::size_t tracked_keys() const;

private:
    void finish(const Attempt& attempt, Attempt::Outcome outcome);

    const ports::Clock& clock_;
    mutable std::mutex mutex_;
    LoginFailureTable accounts_;   // keyed by (lower-cased username, address)
    LoginFailureTable addresses_;  // keyed by address
};

}  // namespace gomall::services
