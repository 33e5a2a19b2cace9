// Account and token rules. Refresh tokens are opaque "<id>.<secret>"; only SHA-256 of the secret is stored,
// so a leaked database does not hand out sessions.
#include "services/auth_service.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace gomall::services {
namespace {

constexpr std::size_t kTokenIdBytes = 16;  // 128-bit ids: jti, session (family) id, refresh-token id
constexpr std::size_t kRefreshSecretBytes = 32;
constexpr std::size_t kMaxRefreshTokenLength = 256;

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::size_t{len} * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

struct RefreshParts {
    std::string id;
    std::string secret;
};

std::optional<RefreshParts> split_refresh_token(std::string_view token) {
    if (token.size() > kMaxRefreshTokenLength) {
        return std::nullopt;
    }
    const std::size_t dot = token.find('.');
    if (dot == 0 || dot == std::string_view::npos || dot + 1 == token.size()) {
        return std::nullopt;
    }
    return RefreshParts{std::string(token.substr(0, dot)), std::string(token.substr(dot + 1))};
}

Error invalid_credentials() {
    return make_error(ErrorCode::kInvalidCredentials, "invalid username or password");
}

Error invalid_refresh_token() {
    return make_error(ErrorCode::kRefreshTokenInvalid, "refresh token is invalid or expired");
}

LoginOutcome refused(std::string message, std::chrono::seconds retry_after) {
    return LoginOutcome{make_error(ErrorCode::kLoginRateLimited, std::move(message)), retry_after};
}

LoginOutcome throttled(std::chrono::seconds retry_after) {
    const long long seconds = retry_after.count();
    return refused(
        "too many failed logins, try again in " + std::to_string(seconds) + (seconds == 1 ? " second" : " seconds"),
        retry_after
    );
}

Error unacceptable_password(std::string field) {
    std::string message = field + ": must be 6-72 bytes";
    return make_error(ErrorCode::kBadRequest, std::move(message), std::move(field));
}

}  // namespace

AuthService::AuthService(
    ports::UserRepository& users,
    ports::TokenRepository& tokens,
    PasswordHasher& hasher,
    TokenRevocations& revocations,
    KeyedRateLimiter& login_limiter,
    LoginThrottle& login_throttle,
    const ports::Clock& clock,
    AuthSettings settings
)
    : users_(users),
      tokens_(tokens),
      hasher_(hasher),
      revocations_(revocations),
      login_limiter_(login_limiter),
      login_throttle_(login_throttle),
      clock_(clock),
      settings_(std::move(settings)),
      jwt_(settings_.jwt_secret),
      verified_(settings_.verified_token_cache_entries) {
    if (settings_.access_ttl.count() <= 0 || settings_.refresh_ttl.count() <= 0) {
        throw std::invalid_argument("auth settings: TTLs must be positive");
    }
    dummy_hash_ = hasher_.hash(random_hex(kTokenIdBytes));
}

Result<LoginResult> AuthService::register_user(const Registration& registration) {
    if (!PasswordHasher::acceptable(registration.password)) {
        return unacceptable_password("password");
    }
    const Error taken = make_error(ErrorCode::kUsernameTaken, "username already taken", "username");
    // Cheap early answer that saves a bcrypt round; the unique index below still decides races.
    if (users_.find_by_username(registration.username)) {
        return taken;
    }
    domain::NewUser user;
    user.username = registration.username;
    user.email = registration.email;
    user.phone = registration.phone;
    user.password_hash = hasher_.hash(registration.password);
    user.role = domain::Role::kShopper;
    const TimePoint now = clock_.now();
    const auto id = users_.create(user, now);
    if (!id) {
        return taken;
    }
    auto created = users_.find_by_id(*id);
    if (!created) {
        throw std::runtime_error("user vanished right after it was created");
    }
    return issue_tokens(*created, random_hex(kTokenIdBytes), now);
}

LoginOutcome AuthService::login(std::string_view username, std::string_view password, std::string_view client_key) {
    if (const auto decision = login_limiter_.try_acquire(client_key); !decision) {
        return refused(
            "too many login attempts, please slow down", std::chrono::seconds(decision.retry_after_seconds())
        );
    }
    LoginThrottle::Attempt attempt = login_throttle_.begin(username, client_key);
    if (!attempt.admitted()) {
        if (throttled_counter_ != nullptr) {
            throttled_counter_->inc();
        }
        return throttled(attempt.retry_after());
    }
    const auto user = users_.find_by_username(username);
    if (!user) {
        // Spend the same bcrypt time as a real check so response time does not reveal which usernames exist;
        // the failure counts like a wrong password so that probing for names is throttled alike.
        (void)hasher_.verify(password, dummy_hash_);
        attempt.failed();
        return {invalid_credentials()};
    }
    if (!hasher_.verify(password, user->password_hash)) {
        attempt.failed();
        return {invalid_credentials()};
    }
    attempt.succeeded();
    return {issue_tokens(*user, random_hex(kTokenIdBytes), clock_.now())};
}

Result<LoginResult> AuthService::refresh(std::string_view refresh_token) {
    const auto parts = split_refresh_token(refresh_token);
    if (!parts) {
        return invalid_refresh_token();
    }
    const auto stored = tokens_.find_refresh(parts->id);
    // A wrong secret for a known id is a guess, not a replay: refuse it without touching the family.
    if (!stored || !equal_constant_time(sha256_hex(parts->secret), stored->secret_hash) || stored->revoked) {
        return invalid_refresh_token();
    }
    const TimePoint now = clock_.now();
    auto revoke_family = [&] {
        tokens_.revoke_family(stored->family_id);
        revocations_.revoke_session(stored->family_id, now + settings_.access_ttl);
        return make_error(ErrorCode::kRefreshTokenInvalid, "refresh token was already used; please sign in again");
    };
    if (stored->used) {
        // Only one party can hold the newest member of a family; a replay of an old one means the token leaked.
        return revoke_family();
    }
    if (now >= stored->expires_at) {
        return invalid_refresh_token();
    }
    if (!tokens_.consume_refresh(stored->id)) {
        return revoke_family();  // lost a race against another use of the same token
    }
    const auto user = users_.find_by_id(stored->user_id);
    if (!user) {
        return invalid_refresh_token();
    }
    return issue_tokens(*user, stored->family_id, now);
}

Status AuthService::logout(const domain::AccessClaims& claims) {
    const TimePoint now = clock_.now();
    revocations_.revoke_token(claims.jti, claims.expires_at);
    if (!claims.session_id.empty()) {
        // Access tokens of this session issued by earlier refreshes are still alive; end them all.
        revocations_.revoke_session(claims.session_id, now + settings_.access_ttl);
        tokens_.revoke_family(claims.session_id);
    }
    return ok_status();
}

Status AuthService::change_password(
    const domain::AccessClaims& claims, std::string_view old_password, std::string_view new_password
) {
    if (!PasswordHasher::acceptable(new_password)) {
        return unacceptable_password("new_password");
    }
    const auto user = users_.find_by_id(claims.user_id);
    if (!user) {
        return make_error(ErrorCode::kUserNotFound, "user not found");
    }
    if (!hasher_.verify(old_password, user->password_hash)) {
        return make_error(ErrorCode::kWrongOldPassword, "old password is incorrect", "old_password");
    }
    const std::string new_hash = hasher_.hash(new_password);
    const TimePoint now = clock_.now();
    users_.update_password(user->id, new_hash, now);
    revocations_.revoke_user_tokens(user->id, now);
    tokens_.revoke_all_refresh_of_user(user->id);
    return ok_status();
}

Result<domain::User> AuthService::profile(std::int64_t user_id) {
    auto user = users_.find_by_id(user_id);
    if (!user) {
        return make_error(ErrorCode::kUserNotFound, "user not found");
    }
    return std::move(*user);
}

bool AuthService::ensure_admin(const std::string& username, const std::string& password) {
    if (users_.count_admins() > 0) {
        return false;
    }
    if (!PasswordHasher::acceptable(password)) {
        throw std::invalid_argument("admin password must be 6-72 bytes");
    }
    domain::NewUser admin;
    admin.username = username;
    admin.password_hash = hasher_.hash(password);
    admin.role = domain::Role::kAdmin;
    const TimePoint now = clock_.now();
    users_.upsert_admin(admin, now);
    // If an existing shopper account was promoted, sessions opened with its old password must not live on.
    if (const auto user = users_.find_by_username(username)) {
        revocations_.revoke_user_tokens(user->id, now);
        tokens_.revoke_all_refresh_of_user(user->id);
    }
    return true;
}

Result<domain::AccessClaims> AuthService::verify(std::string_view token) const {
    const TimePoint now = clock_.now();
    Result<domain::AccessClaims> claims = [&]() -> Result<domain::AccessClaims> {
        if (auto known = verified_.find(token, now)) {
            return std::move(*known);
        }
        auto checked = jwt_.verify(token, now);
        if (checked.ok()) {
            verified_.insert(token, checked.value(), now);
        }
        return checked;
    }();
    if (!claims.ok()) {
        return claims;
    }
    // On every request, cached or not: a logout or password change takes effect at once.
    if (revocations_.is_revoked(claims.value())) {
        return make_error(ErrorCode::kTokenInvalid, "token revoked");
    }
    return claims;
}

LoginResult AuthService::issue_tokens(const domain::User& user, const std::string& session_id, TimePoint now) {
    // iat has second precision; after a password change it must not fall into the revoked second.
    TimePoint issued_at = from_unix_seconds(to_unix_seconds(now));
    if (const auto cutoff = revocations_.session_cutoff(user.id); cutoff && issued_at < *cutoff) {
        issued_at = *cutoff;
    }
    domain::AccessClaims claims;
    claims.user_id = user.id;
    claims.role = user.role;
    claims.username = user.username;
    claims.jti = random_hex(kTokenIdBytes);
    claims.issued_at = issued_at;
    claims.expires_at = now + settings_.access_ttl;
    claims.session_id = session_id;

    const std::string secret = random_hex(kRefreshSecretBytes);
    domain::RefreshToken refresh;
    refresh.id = random_hex(kTokenIdBytes);
    refresh.secret_hash = sha256_hex(secret);
    refresh.user_id = user.id;
    refresh.family_id = session_id;
    refresh.expires_at = now + settings_.refresh_ttl;
    tokens_.create_refresh(refresh);

    LoginResult result;
    result.access_token = jwt_.sign(claims);
    result.refresh_token = refresh.id + "." + secret;
    result.expires_in = settings_.access_ttl;
    result.user = user;
    return result;
}

}  // namespace gomall::services
