// Access-token verification as every signed-in request pays it: the port the pipeline calls
// (AuthService::verify: HS256 signature, expiry, revocation) and the codec alone, for a good token
// and for one whose signature does not match; the HMAC alone and signing for comparison.
#include <array>
#include <chrono>
#include <optional>
#include <string>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "allocation_counter.hpp"
#include "services/auth_service.hpp"

namespace gomall::bench {
namespace {

constexpr std::string_view kSecret = "bench-secret-0123456789abcdef0123456789abcdef";
constexpr int kRevokedTokens = 1000;  // logouts the revocation table holds, so its lookup is not trivially empty

/// Accounts are never read by verify(); these answer nothing.
class NoUsers final : public ports::UserRepository {
public:
    std::optional<std::int64_t> create(const domain::NewUser& /*user*/, TimePoint /*now*/) override { return {}; }
    std::optional<domain::User> find_by_id(std::int64_t /*id*/) override { return {}; }
    std::optional<domain::User> find_by_username(std::string_view /*username*/) override { return {}; }
    void update_password(std::int64_t /*id*/, const std::string& /*hash*/, TimePoint /*now*/) override {}
    void upsert_admin(const domain::NewUser& /*admin*/, TimePoint /*now*/) override {}
    std::int64_t count_admins() override { return 1; }
};

/// Revocations are written through to the repository; verify() reads only the in-memory table.
class NoTokens final : public ports::TokenRepository {
public:
    void create_refresh(const domain::RefreshToken& /*token*/) override {}
    std::optional<domain::RefreshToken> find_refresh(const std::string& /*id*/) override { return {}; }
    bool consume_refresh(const std::string& /*id*/) override { return false; }
    void revoke_refresh(const std::string& /*id*/) override {}
    void revoke_family(const std::string& /*family_id*/) override {}
    void revoke_all_refresh_of_user(std::int64_t /*user_id*/) override {}
    void revoke_access(const std::string& /*jti*/, TimePoint /*expires_at*/) override {}
    void set_session_cutoff(std::int64_t /*user_id*/, TimePoint /*not_before*/) override {}
    std::vector<ports::RevokedAccessToken> active_revocations(TimePoint /*now*/) override { return {}; }
    std::vector<ports::UserSessionCutoff> session_cutoffs() override { return {}; }
    std::int64_t purge_expired(TimePoint /*now*/) override { return 0; }
};

services::AuthSettings auth_settings() {
    services::AuthSettings s;
    s.jwt_secret = std::string(kSecret);
    s.bcrypt_cost = 4;  // the constructor hashes one password; verify() never does
    return s;
}

/// The verifier as the app wires it, and tokens signed with its secret.
class VerifierRig {
public:
    VerifierRig()
        : hasher_(4),
          revocations_(tokens_, clock_),
          login_limiter_(clock_, services::RateLimitSettings{}),
          login_throttle_(clock_),
          auth_(users_, tokens_, hasher_, revocations_, login_limiter_, login_throttle_, clock_, auth_settings()),
          codec_(std::string(kSecret)) {
        const auto now = clock_.now();
        for (int i = 0; i < kRevokedTokens; ++i) {
            revocations_.revoke_token(services::random_hex(16), now + std::chrono::minutes(15));
        }
    }

    /// A shopper's access token as login issues it: 15 minutes, fresh ids.
    std::string token() const {
        domain::AccessClaims claims;
        claims.user_id = 4242;
        claims.username = "shopper-4242";
        claims.jti = services::random_hex(16);
        claims.session_id = services::random_hex(16);
        claims.issued_at = clock_.now();
        claims.expires_at = claims.issued_at + std::chrono::minutes(15);
        return codec_.sign(claims);
    }

    /// The same token with the last signature character changed (still valid base64url).
    std::string forged_token() const {
        std::string t = token();
        t.back() = t.back() == 'A' ? 'B' : 'A';
        return t;
    }

    const ports::AccessTokenVerifier& verifier() const { return auth_; }
    const services::JwtCodec& codec() const { return codec_; }
    TimePoint now() const { return clock_.now(); }

private:
    ports::SystemClock clock_;
    NoUsers users_;
    NoTokens tokens_;
    services::PasswordHasher hasher_;
    services::TokenRevocations revocations_;
    services::KeyedRateLimiter login_limiter_;
    services::LoginThrottle login_throttle_;
    services::AuthService auth_;
    services::JwtCodec codec_;
};

template <class F>
void measure(benchmark::State& state, bool want_ok, F&& verify) {
    if (verify().ok() != want_ok) {
        state.SkipWithError(want_ok ? "a good token was refused" : "a forged token was accepted");
        return;
    }
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        auto claims = verify();
        benchmark::DoNotOptimize(claims);
    }
    allocations.report(state);
}

void verify_port_valid(benchmark::State& state) {
    const VerifierRig rig;
    const auto token = rig.token();
    measure(state, true, [&] { return rig.verifier().verify(token); });
}

void verify_port_bad_signature(benchmark::State& state) {
    const VerifierRig rig;
    const auto token = rig.forged_token();
    measure(state, false, [&] { return rig.verifier().verify(token); });
}

void verify_codec_valid(benchmark::State& state) {
    const VerifierRig rig;
    const auto token = rig.token();
    const auto now = rig.now();
    measure(state, true, [&] { return rig.codec().verify(token, now); });
}

/// The one HMAC-SHA256 over the token's header and payload that verification makes, on its own
/// (OpenSSL's one-shot HMAC(), as the codec calls it): how much of a verification is the MAC.
void verify_hmac_only(benchmark::State& state) {
    const VerifierRig rig;
    const auto token = rig.token();
    const std::string signed_part = token.substr(0, token.rfind('.'));
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        HMAC(
            EVP_sha256(),
            kSecret.data(),
            static_cast<int>(kSecret.size()),
            reinterpret_cast<const unsigned char*>(signed_part.data()),
            signed_part.size(),
            mac.data(),
            &length
        );
        benchmark::DoNotOptimize(mac);
    }
}

void sign_token(benchmark::State& state) {
    const VerifierRig rig;
    const AllocationsPerIteration allocations;
    for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): Google Benchmark's loop
        auto token = rig.token();
        benchmark::DoNotOptimize(token);
    }
    allocations.report(state);
}

}  // namespace

BENCHMARK(verify_port_valid);
BENCHMARK(verify_port_bad_signature);
BENCHMARK(verify_codec_valid);
BENCHMARK(verify_hmac_only);
BENCHMARK(sign_token);

}  // namespace gomall::bench
