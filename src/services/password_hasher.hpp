// bcrypt password hashing ($2b$) on top of libxcrypt.
// Hashing is deliberately slow: call it from the blocking pool, never from an I/O thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gomall::services {

class PasswordHasher {
public:
    static constexpr std::size_t kMinLength = 6;
    // bcrypt silently ignores everything after 72 bytes, so longer passwords are refused rather than truncated.
    static constexpr std::size_t kMaxLength = 72;
    static constexpr int kDefaultCost = 10;

    /// `cost` is bcrypt's log2 work factor (4..31); throws std::invalid_argument outside that range.
    explicit PasswordHasher(int cost = kDefaultCost);

    /// 6..72 bytes and no NUL byte (crypt() takes C strings, so a NUL would cut the password short).
    static bool acceptable(std::string_view password);

    /// A fresh salted bcrypt hash. Throws std::invalid_argument if !acceptable(password),
    /// std::runtime_error if libxcrypt fails.
    std::string hash(std::string_view password) const;

    /// True when `password` matches `stored_hash`. False for unacceptable passwords and for
    /// anything that is not a bcrypt hash. The final comparison is constant-time.
    bool verify(std::string_view password, std::string_view stored_hash) const;

    int cost() const { return cost_; }

private:
    int cost_;
};

}  // namespace gomall::services
