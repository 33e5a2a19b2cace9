// Behaviour of AuthService against in-memory repositories: login and its throttling, token rotation,
// reuse detection, logout, password change and admin provisioning.
#include "services/auth_service.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/recording_metrics.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

class FakeClock final : public ports::Clock {
public:
    TimePoint now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

private:
    mutable std::mutex mutex_;
    TimePoint now_ = from_unix_seconds(1'800'000'000) + 250ms;
};

class FakeUserRepository final : public ports::UserRepository {
public:
    std::optional<std::int64_t> create(const domain::NewUser& user, TimePoint now) override {
        std::lock_guard lock(mutex_);
        for (const auto& [id, existing] : users_) {
            if (existing.username == user.username) {
                return std::nullopt;
            }
        }
        return insert_locked(user, now);
    }
    std::optional<domain::User> find_by_id(std::int64_t id) override {
        std::lock_guard lock(mutex_);
        const auto it = users_.find(id);
        return it == users_.end() ? std::nullopt : std::optional(it->second);
    }
    std::optional<domain::User> find_by_username(std::string_view username) override {
        std::lock_guard lock(mutex_);
        for (const auto& [id, user] : users_) {
            if (user.username == username) {
                return user;
            }
        }
        return std::nullopt;
    }
    void update_password(std::int64_t id, const std::string& password_hash, TimePoint now) override {
        std::lock_guard lock(mutex_);
        users_.at(id).password_hash = password_hash;
        users_.at(id).updated_at = now;
    }
    void upsert_admin(const domain::NewUser& admin, TimePoint now) override {
        std::lock_guard lock(mutex_);
        for (auto& [id, user] : users_) {
            if (user.username == admin.username) {
                user.role = domain::Role::kAdmin;
                user.password_hash = admin.password_hash;
                return;
            }
        }
        insert_locked(admin, now);
    }
    std::int64_t count_admins() override {
        std::lock_guard lock(mutex_);
        std::int64_t n = 0;
        for (const auto& [id, user] : users_) {
            n += user.role == domain::Role::kAdmin ? 1 : 0;
        }
        return n;
    }

private:
    std::int64_t insert_locked(const domain::NewUser& user, TimePoint now) {
        domain::User u;
        u.id = next_id_++;
        u.username = user.username;
        u.email = user.email;
        u.phone = user.phone;
        u.password_hash = user.password_hash;
        u.role = user.role;
        u.created_at = now;
        u.updated_at = now;
        users_[u.id] = u;
        return u.id;
    }

    std::mutex mutex_;
    std::map<std::int64_t, domain::User> users_;
    std::int64_t next_id_ = 1;
};

class FakeTokenRepository final : public ports::TokenRepository {
public:
    void create_refresh(const domain::RefreshToken& token) override {
        std::lock_guard lock(mutex_);
        refresh_[token.id] = token;
    }
    std::optional<domain::RefreshToken> find_refresh(const std::string& id) override {
        std::lock_guard lock(mutex_);
        const auto it = refresh_.find(id);
        return it == refresh_.end() ? std::nullopt : std::optional(it->second);
    }
    bool consume_refresh(const std::string& id) override {
        std::lock_guard lock(mutex_);
        auto& token = refresh_.at(id);
        if (token.used || token.revoked) {
            return false;
        }
        token.used = true;
        return true;
    }
    void revoke_refresh(const std::string& id) override {
        std::lock_guard lock(mutex_);
        refresh_.at(id).revoked = true;
    }
    void revoke_family(const std::string& family_id) override {
        std::lock_guard lock(mutex_);
        for (auto& [id, token] : refresh_) {
            if (token.family_id == family_id) {
                token.revoked = true;
            }
        }
    }
    void revoke_all_refresh_of_user(std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        for (auto& [id, token] : refresh_) {
            if (token.user_id == user_id) {
                token.revoked = true;
            }
        }
    }
    void revoke_access(const std::string& jti, TimePoint expires_at) override {
        std::lock_guard lock(mutex_);
        revoked_[jti] = expires_at;
    }
    void set_session_cutoff(std::int64_t user_id, TimePoint not_before) override {
        std::lock_guard lock(mutex_);
        cutoffs_[user_id] = not_before;
    }
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint now) override {
        std::lock_guard lock(mutex_);
        std::vector<ports::RevokedAccessToken> out;
        for (const auto& [jti, expires] : revoked_) {
            if (expires > now) {
                out.push_back({jti, expires});
            }
        }
        return out;
    }
    std::vector<ports::UserSessionCutoff> session_cutoffs() override {
        std::lock_guard lock(mutex_);
        std::vector<ports::UserSessionCutoff> out;
        for (const auto& [user, not_before] : cutoffs_) {
            out.push_back({user, not_before});
        }
        return out;
    }
    std::int64_t purge_expired(TimePoint) override { return 0; }

    std::size_t refresh_count() {
        std::lock_guard lock(mutex_);
        return refresh_.size();
    }

private:
    std::mutex mutex_;
    std::map<std::string, domain::RefreshToken> refresh_;
    std::map<std::string, TimePoint> revoked_;
    std::map<std::int64_t, TimePoint> cutoffs_;
};

AuthSettings test_settings() {
    AuthSettings s;
    s.jwt_secret = "unit-test-secret";
    s.access_ttl = 900s;
    s.refresh_ttl = 7 * 24h;
    s.bcrypt_cost = 4;
    return s;
}

class AuthServiceTest : public ::testing::Test {
protected:
    Registration alice() { return Registration{"alice", "secret123", "alice@example.com", ""}; }

    LoginResult register_alice() {
        auto result = auth_.register_user(alice());
        EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
        return result.value();
    }

    Result<LoginResult> sign_in(std::string_view username, std::string_view password, std::string_view ip) {
        return auth_.login(username, password, ip).result;
    }

    domain::AccessClaims claims_of(const LoginResult& result) {
        auto claims = auth_.verify(result.access_token);
        EXPECT_TRUE(claims.ok()) << (claims.ok() ? "" : claims.error().message);
        return claims.value();
    }

    FakeClock clock_;
    FakeUserRepository users_;
    FakeTokenRepository tokens_;
    PasswordHasher hasher_{4};
    TokenRevocations revocations_{tokens_, clock_};
    KeyedRateLimiter limiter_{clock_, {.rate_per_second = 10, .burst = 20, .max_keys = 1000}};
    LoginThrottle throttle_{clock_};  // 5 free failures per (account, address), 30 per address, 1 s doubling
    AuthService auth_{users_, tokens_, hasher_, revocations_, limiter_, throttle_, clock_, test_settings()};
};

TEST_F(AuthServiceTest, RegisteredUserCanSignInAndTheTokenDescribesThem) {
    const LoginResult registered = register_alice();
    EXPECT_EQ(registered.user.username, "alice");
    EXPECT_EQ(registered.expires_in, 900s);
    EXPECT_NE(registered.user.password_hash, "secret123");

    const auto login = sign_in("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(login.ok()) << login.error().message;
    const auto claims = claims_of(login.value());
    EXPECT_EQ(claims.user_id, registered.user.id);
    EXPECT_EQ(claims.username, "alice");
    EXPECT_EQ(claims.role, domain::Role::kShopper);
    EXPECT_EQ(claims.jti.size(), 32U);
    EXPECT_FALSE(claims.session_id.empty());
    EXPECT_NE(claims.session_id, claims_of(registered).session_id);
}

TEST_F(AuthServiceTest, RegisteringATakenUsernameFails) {
    register_alice();
    const auto again = auth_.register_user(alice());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kUsernameTaken);
    EXPECT_EQ(again.error().field, "username");
}

TEST_F(AuthServiceTest, RegisteringWithAnUnacceptablePasswordFails) {
    Registration r = alice();
    r.password = std::string(73, 'x');
    const auto result = auth_.register_user(r);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(result.error().field, "password");
}

TEST_F(AuthServiceTest, WrongPasswordAndUnknownUserGiveTheSameAnswer) {
    register_alice();
    const auto wrong = sign_in("alice", "wrong-password", "10.0.0.1");
    const auto unknown = sign_in("bob", "secret123", "10.0.0.1");
    ASSERT_FALSE(wrong.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidCredentials);
    EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidCredentials);
    EXPECT_EQ(wrong.error().message, unknown.error().message);
}

// Six wrong passwords for alice from `address`: five free ones, then (after the one-second wait they
// impose) a sixth, which makes the next attempt from there wait two seconds.
void fail_six_times(AuthService& auth, FakeClock& clock, std::string_view username, std::string_view address) {
    for (int i = 0; i < 5; ++i) {
        const auto failed = auth.login(username, "wrong-password", address);
        ASSERT_FALSE(failed.result.ok());
        EXPECT_EQ(failed.result.error().code, ErrorCode::kInvalidCredentials) << i;
    }
    const auto too_soon = auth.login(username, "wrong-password", address);
    ASSERT_FALSE(too_soon.result.ok());
    EXPECT_EQ(too_soon.result.error().code, ErrorCode::kLoginRateLimited);
    EXPECT_EQ(too_soon.retry_after, 1s);
    clock.advance(1s);
    const auto sixth = auth.login(username, "wrong-password", address);
    ASSERT_FALSE(sixth.result.ok());
    EXPECT_EQ(sixth.result.error().code, ErrorCode::kInvalidCredentials);
}

TEST_F(AuthServiceTest, AStrangersFailuresDoNotKeepTheOwnerOut) {
    register_alice();
    fail_six_times(auth_, clock_, "alice", "10.0.0.66");
    // No clock movement: the owner, at another address, gets in at once.
    const auto owner = auth_.login("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(owner.result.ok()) << owner.result.error().message;
    EXPECT_EQ(owner.retry_after, 0s);
}

TEST_F(AuthServiceTest, TheFailingAddressWaitsEvenWithTheRightPasswordAndThenGetsIn) {
    register_alice();
    fail_six_times(auth_, clock_, "alice", "10.0.0.66");
    const auto refused = auth_.login("alice", "secret123", "10.0.0.66");
    ASSERT_FALSE(refused.result.ok());
    EXPECT_EQ(refused.result.error().code, ErrorCode::kLoginRateLimited);
    EXPECT_EQ(refused.result.error().message, "too many failed logins, try again in 2 seconds");
    EXPECT_EQ(refused.retry_after, 2s);

    clock_.advance(1500ms);
    const auto still_refused = auth_.login("alice", "secret123", "10.0.0.66");
    ASSERT_FALSE(still_refused.result.ok());
    EXPECT_EQ(still_refused.result.error().message, "too many failed logins, try again in 1 second");
    EXPECT_EQ(still_refused.retry_after, 1s);

    clock_.advance(500ms);
    ASSERT_TRUE(sign_in("alice", "secret123", "10.0.0.66").ok());
    // The success wiped the pair's record: five failures are free again.
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(sign_in("alice", "wrong-password", "10.0.0.66").error().code, ErrorCode::kInvalidCredentials) << i;
    }
}

TEST_F(AuthServiceTest, UnknownUsernamesAreThrottledLikeWrongPasswords) {
    register_alice();
    fail_six_times(auth_, clock_, "nobody", "10.0.0.66");
    for (const char* name : {"nobody", "NoBody"}) {
        const auto refused = auth_.login(name, "whatever", "10.0.0.66");
        ASSERT_FALSE(refused.result.ok());
        EXPECT_EQ(refused.result.error().code, ErrorCode::kLoginRateLimited) << name;
        EXPECT_EQ(refused.retry_after, 2s);
    }
    // Another account from the same address has its own allowance.
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.66").ok());
}

TEST_F(AuthServiceTest, ThrottledLoginsAreCounted) {
    testing::RecordingMetrics metrics;
    auth_.count_throttled_with(metrics.counter("gomall_rate_limited_total", "", {"scope"}).with({"login_throttle"}));
    register_alice();
    fail_six_times(auth_, clock_, "alice", "10.0.0.67");  // the sixth is refused by the throttle
    const double before = metrics.value("gomall_rate_limited_total", {"login_throttle"});
    EXPECT_GE(before, 1);
    EXPECT_FALSE(auth_.login("alice", "secret123", "10.0.0.67").result.ok());
    EXPECT_FALSE(auth_.login("alice", "secret123", "10.0.0.67").result.ok());
    EXPECT_EQ(metrics.value("gomall_rate_limited_total", {"login_throttle"}), before + 2);
}

TEST_F(AuthServiceTest, AnAddressFailingOnManyAccountsIsThrottledForAllOfThem) {
    register_alice();
    for (int i = 0; i < 30; ++i) {
        clock_.advance(100ms);  // within the per-address token bucket (10 a second)
        EXPECT_EQ(
            sign_in("user" + std::to_string(i), "guess", "10.0.0.66").error().code, ErrorCode::kInvalidCredentials
        ) << i;
    }
    const auto refused = auth_.login("alice", "secret123", "10.0.0.66");
    ASSERT_FALSE(refused.result.ok());
    EXPECT_EQ(refused.result.error().code, ErrorCode::kLoginRateLimited);
    EXPECT_EQ(refused.retry_after, 1s);
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.1").ok());
    clock_.advance(1s);
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.66").ok());
}

TEST_F(AuthServiceTest, ASuccessfulLoginResetsTheFailureCount) {
    register_alice();
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(sign_in("alice", "wrong-password", "10.0.0.1").ok());
    }
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.1").ok());
    for (int i = 0; i < 4; ++i) {
        EXPECT_FALSE(sign_in("alice", "wrong-password", "10.0.0.1").ok());
    }
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.1").ok());
}

TEST_F(AuthServiceTest, TooManyLoginsFromOneAddressAreRateLimited) {
    register_alice();
    for (int i = 0; i < 20; ++i) {
        (void)auth_.login("nobody", "whatever", "10.0.0.9");
    }
    const auto limited = auth_.login("alice", "secret123", "10.0.0.9");
    ASSERT_FALSE(limited.result.ok());
    EXPECT_EQ(limited.result.error().code, ErrorCode::kLoginRateLimited);
    EXPECT_EQ(limited.retry_after, 1s);
    EXPECT_TRUE(sign_in("alice", "secret123", "10.0.0.10").ok());
}

TEST_F(AuthServiceTest, RefreshRotatesAndAReplayedTokenRevokesTheWholeFamily) {
    const LoginResult first = register_alice();
    const auto second = auth_.refresh(first.refresh_token);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_NE(second->refresh_token, first.refresh_token);
    EXPECT_EQ(claims_of(second.value()).session_id, claims_of(first).session_id);

    const auto third = auth_.refresh(second->refresh_token);
    ASSERT_TRUE(third.ok()) << third.error().message;

    // The first token was used already: someone replayed it, so nobody in that family keeps access.
    const auto replay = auth_.refresh(first.refresh_token);
    ASSERT_FALSE(replay.ok());
    EXPECT_EQ(replay.error().code, ErrorCode::kRefreshTokenInvalid);
    const auto newest = auth_.refresh(third->refresh_token);
    ASSERT_FALSE(newest.ok());
    EXPECT_EQ(newest.error().code, ErrorCode::kRefreshTokenInvalid);
    EXPECT_FALSE(auth_.verify(third->access_token).ok());

    // Other sessions of the same user are untouched.
    const auto other = sign_in("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(auth_.refresh(other->refresh_token).ok());
}

TEST_F(AuthServiceTest, RefreshRejectsForgedMalformedAndExpiredTokens) {
    const LoginResult first = register_alice();
    const std::string id = first.refresh_token.substr(0, first.refresh_token.find('.'));
    for (const std::string& bad :
         {std::string(), std::string("nodot"), id + ".", "." + id, id + ".deadbeef", std::string("unknown.secret")}) {
        const auto result = auth_.refresh(bad);
        ASSERT_FALSE(result.ok()) << bad;
        EXPECT_EQ(result.error().code, ErrorCode::kRefreshTokenInvalid);
    }
    // A wrong guess at the secret does not burn the real token.
    EXPECT_TRUE(auth_.refresh(first.refresh_token).ok());

    const auto login = sign_in("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(login.ok());
    clock_.advance(7 * 24h + 1s);
    const auto expired = auth_.refresh(login->refresh_token);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, ErrorCode::kRefreshTokenInvalid);
}

TEST_F(AuthServiceTest, StoresOnlyAHashOfTheRefreshSecret) {
    const LoginResult first = register_alice();
    const auto dot = first.refresh_token.find('.');
    const auto stored = tokens_.find_refresh(first.refresh_token.substr(0, dot));
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->secret_hash.size(), 64U);
    EXPECT_NE(stored->secret_hash, first.refresh_token.substr(dot + 1));
}

TEST_F(AuthServiceTest, LogoutRevokesTheAccessTokenAndItsSessionOnly) {
    const LoginResult first = register_alice();
    const auto refreshed = auth_.refresh(first.refresh_token);
    ASSERT_TRUE(refreshed.ok());
    const auto other = sign_in("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(other.ok());

    ASSERT_TRUE(auth_.logout(claims_of(refreshed.value())).ok());
    EXPECT_FALSE(auth_.verify(refreshed->access_token).ok());
    EXPECT_FALSE(auth_.verify(first.access_token).ok());  // same session, issued before the refresh
    EXPECT_EQ(auth_.refresh(refreshed->refresh_token).error().code, ErrorCode::kRefreshTokenInvalid);
    EXPECT_TRUE(auth_.verify(other->access_token).ok());
    EXPECT_TRUE(auth_.refresh(other->refresh_token).ok());
}

TEST_F(AuthServiceTest, ChangingThePasswordEndsEverySessionEvenInTheSameSecond) {
    const LoginResult first = register_alice();
    const auto second = sign_in("alice", "secret123", "10.0.0.1");
    ASSERT_TRUE(second.ok());

    ASSERT_TRUE(auth_.change_password(claims_of(first), "secret123", "newsecret456").ok());
    EXPECT_FALSE(auth_.verify(first.access_token).ok());
    EXPECT_FALSE(auth_.verify(second->access_token).ok());
    EXPECT_FALSE(auth_.refresh(first.refresh_token).ok());
    EXPECT_FALSE(auth_.refresh(second->refresh_token).ok());

    EXPECT_EQ(sign_in("alice", "secret123", "10.0.0.1").error().code, ErrorCode::kInvalidCredentials);
    // No clock movement: the new token is issued in the same second as the change and must still work.
    const auto fresh = sign_in("alice", "newsecret456", "10.0.0.1");
    ASSERT_TRUE(fresh.ok());
    EXPECT_TRUE(auth_.verify(fresh->access_token).ok());
    EXPECT_TRUE(auth_.refresh(fresh->refresh_token).ok());
}

TEST_F(AuthServiceTest, ChangingThePasswordNeedsTheOldOne) {
    const LoginResult first = register_alice();
    const auto wrong = auth_.change_password(claims_of(first), "not-it", "newsecret456");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::kWrongOldPassword);
    EXPECT_EQ(wrong.error().field, "old_password");
    EXPECT_TRUE(auth_.verify(first.access_token).ok());

    const auto too_short = auth_.change_password(claims_of(first), "secret123", "123");
    ASSERT_FALSE(too_short.ok());
    EXPECT_EQ(too_short.error().field, "new_password");
}

TEST_F(AuthServiceTest, AccessTokensExpireAfterTheirTtl) {
    const LoginResult first = register_alice();
    clock_.advance(899s);
    EXPECT_TRUE(auth_.verify(first.access_token).ok());
    clock_.advance(2s);
    const auto expired = auth_.verify(first.access_token);
    ASSERT_FALSE(expired.ok());
    EXPECT_EQ(expired.error().code, ErrorCode::kTokenInvalid);
}

TEST_F(AuthServiceTest, ARememberedTokenIsStillRefusedOnceRevokedAndATamperedCopyNever) {
    const LoginResult first = register_alice();
    const auto claims = claims_of(first);  // verified once: remembered from here on
    EXPECT_TRUE(auth_.verify(first.access_token).ok());

    std::string tampered = first.access_token;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(auth_.verify(tampered).ok());

    ASSERT_TRUE(auth_.logout(claims).ok());
    const auto after = auth_.verify(first.access_token);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().message, "token revoked");
}

TEST_F(AuthServiceTest, RevocationsSurviveARestart) {
    const LoginResult first = register_alice();
    ASSERT_TRUE(auth_.logout(claims_of(first)).ok());

    TokenRevocations restarted_revocations(tokens_, clock_);
    restarted_revocations.load();
    AuthService restarted(
        users_, tokens_, hasher_, restarted_revocations, limiter_, throttle_, clock_, test_settings()
    );
    const auto verified = restarted.verify(first.access_token);
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.error().code, ErrorCode::kTokenInvalid);
}

TEST_F(AuthServiceTest, EnsureAdminCreatesTheFirstAdminOnce) {
    EXPECT_TRUE(auth_.ensure_admin("admin", "Admin12345"));
    EXPECT_FALSE(auth_.ensure_admin("admin", "Other12345"));
    const auto login = sign_in("admin", "Admin12345", "10.0.0.1");
    ASSERT_TRUE(login.ok());
    EXPECT_EQ(login->user.role, domain::Role::kAdmin);
    EXPECT_EQ(claims_of(login.value()).role, domain::Role::kAdmin);
    EXPECT_THROW(
        AuthService(users_, tokens_, hasher_, revocations_, limiter_, throttle_, clock_, AuthSettings{}),
        std::invalid_argument
    );
}

TEST_F(AuthServiceTest, EnsureAdminPromotesAnExistingAccountAndEndsItsSessions) {
    const LoginResult shopper = [this] {
        Registration r = alice();
        r.username = "admin";
        return auth_.register_user(r).value();
    }();
    EXPECT_TRUE(auth_.ensure_admin("admin", "Admin12345"));
    EXPECT_FALSE(auth_.verify(shopper.access_token).ok());
    const auto login = sign_in("admin", "Admin12345", "10.0.0.1");
    ASSERT_TRUE(login.ok());
    EXPECT_EQ(login->user.role, domain::Role::kAdmin);
}

TEST_F(AuthServiceTest, ProfileOfAMissingUserIsNotFound) {
    const LoginResult first = register_alice();
    EXPECT_EQ(auth_.profile(first.user.id)->email, "alice@example.com");
    EXPECT_EQ(auth_.profile(999).error().code, ErrorCode::kUserNotFound);
}

}  // namespace
}  // namespace gomall::services
