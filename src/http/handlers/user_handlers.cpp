// Translates the account and token routes between HTTP/JSON and services::AuthService.
// Field shapes are checked here; every rule about accounts and tokens lives in the service.
#include "http/handlers/user_handlers.hpp"

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/time.hpp"
#include "http/client_address.hpp"
#include "http/envelope.hpp"
#include "http/json_body.hpp"
#include "services/password_hasher.hpp"

namespace gomall::http {
namespace {

constexpr std::size_t kMaxEmailLength = 100;
// Generous bounds for fields that are only looked up, never stored: long enough for anything valid.
constexpr std::size_t kMaxLookupLength = 1024;
constexpr std::size_t kMaxRefreshTokenLength = 4096;  // generous: anything token-like gets 401, not 400
// For fields whose length rule is checked afterwards, so that one message states the whole rule.
constexpr std::size_t kAnyLength = std::numeric_limits<std::size_t>::max();

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool valid_username(std::string_view s) {
    if (s.size() < 3 || s.size() > 50) {
        return false;
    }
    for (char c : s) {
        if (!is_word_char(c)) {
            return false;
        }
    }
    return true;
}

// A practical subset of RFC 5321: dot-atom local part, a dotted domain of letter/digit/hyphen labels.
bool valid_email(std::string_view s) {
    if (s.size() > kMaxEmailLength) {
        return false;
    }
    const std::size_t at = s.find('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || s.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const std::string_view local = s.substr(0, at);
    const std::string_view domain = s.substr(at + 1);
    constexpr std::string_view kLocalSpecials = ".!#$%&'*+/=?^_`{|}~-";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : local) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && kLocalSpecials.find(c) == std::string_view::npos) {
            return false;
        }
    }
    std::size_t labels = 0;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = domain.find('.', start);
        const std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && c != '-') {
                return false;
            }
        }
        ++labels;
        if (dot == std::string_view::npos) {
            // The top-level domain is never all digits (that would be an IP address written loosely).
            bool has_letter = false;
            for (char c : label) {
                has_letter = has_letter || (c < '0' || c > '9');
            }
            return labels >= 2 && label.size() >= 2 && has_letter;
        }
        start = dot + 1;
    }
}

bool valid_phone(std::string_view s) {
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
    }
    if (s.size() < 5 || s.size() > 20) {
        return false;
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return false;
        }
    }
    return true;
}

Error field_error(std::string field, std::string_view rule) {
    std::string message = field + ": " + std::string(rule);
    return make_error(ErrorCode::kBadRequest, std::move(message), std::move(field));
}

// Passwords are limited in bytes (bcrypt's limit), not in characters, so the byte check follows the string check.
Result<std::string> read_new_password(const JsonBody& body, std::string_view name) {
    auto password = body.required_string(name, 0, kAnyLength);
    if (!password.ok()) {
        return password;
    }
    if (!services::PasswordHasher::acceptable(password.value())) {
        return field_error(std::string(name), "must be 6-72 bytes");
    }
    return password;
}

boost::json::object user_json(const domain::User& user) {
    boost::json::object o;
    o["id"] = user.id;
    o["username"] = user.username;
    o["email"] = user.email;
    o["phone"] = user.phone;
    o["role"] = static_cast<int>(user.role);
    o["created_at"] = format_iso8601(user.created_at);
    o["updated_at"] = format_iso8601(user.updated_at);
    return o;
}

boost::json::value login_json(const services::LoginResult& result) {
    boost::json::object o;
    o["token"] = result.access_token;
    o["refresh_token"] = result.refresh_token;
    o["expires_in"] = result.expires_in.count();
    o["user"] = user_json(result.user);
    return o;
}

Response handle_register(services::AccountApi& auth, Request& req) {
    GOMALL_TRY(const JsonBody body, req, JsonBody::parse(req, {"username", "password", "email", "phone"}));
    GOMALL_TRY(std::string username, req, body.required_string("username", 0, kAnyLength));
    if (!valid_username(username)) {
        return error_response(req, field_error("username", "must be 3-50 letters, digits or underscores"));
    }
    GOMALL_TRY(std::string password, req, read_new_password(body, "password"));
    GOMALL_TRY(std::string email, req, body.required_string("email", 0, kAnyLength));
    if (!valid_email(email)) {
        return error_response(req, field_error("email", "must be a valid email address of at most 100 characters"));
    }
    GOMALL_TRY(std::optional<std::string> phone, req, body.optional_string("phone", 0, 21));
    // Forms send an empty string for a blank optional field; that means "no phone".
    if (phone && !phone->empty() && !valid_phone(*phone)) {
        return error_response(req, field_error("phone", "must be 5-20 digits, optionally starting with +"));
    }
    services::Registration registration{
        std::move(username), std::move(password), std::move(email), phone ? std::move(*phone) : std::string()};
    return respond(req, auth.register_user(registration), login_json);
}

Response handle_login(services::AccountApi& auth, Request& req) {
    GOMALL_TRY(const JsonBody body, req, JsonBody::parse(req, {"username", "password"}));
    GOMALL_TRY(const std::string username, req, body.required_string("username", 1, kMaxLookupLength));
    GOMALL_TRY(const std::string password, req, body.required_string("password", 1, kMaxLookupLength));
    const services::LoginOutcome outcome = auth.login(username, password, client_rate_key(req.client_ip));
    Response res = respond(req, outcome.result, login_json);
    if (outcome.retry_after.count() > 0) {
        res.set_header("Retry-After", std::to_string(outcome.retry_after.count()));
    }
    return res;
}

Response handle_profile(services::AccountApi& auth, Request& req) {
    return respond(req, auth.profile(req.user_id()), [](const domain::User& user) { return user_json(user); });
}

Response handle_refresh(services::AccountApi& auth, Request& req) {
    GOMALL_TRY(const JsonBody body, req, JsonBody::parse(req, {"refresh_token"}));
    GOMALL_TRY(const std::string token, req, body.required_string("refresh_token", 1, kMaxRefreshTokenLength));
    return respond(req, auth.refresh(token), login_json);
}

Response handle_change_password(services::AccountApi& auth, Request& req) {
    GOMALL_TRY(const JsonBody body, req, JsonBody::parse(req, {"old_password", "new_password"}));
    GOMALL_TRY(const std::string old_password, req, body.required_string("old_password", 1, kMaxLookupLength));
    GOMALL_TRY(const std::string new_password, req, read_new_password(body, "new_password"));
    return respond(req, auth.change_password(*req.auth, old_password, new_password), [](const Unit&) {
        return boost::json::value(nullptr);
    });
}

// The body is optional and carries nothing we need: the access token identifies the session to end.
Response handle_logout(services::AccountApi& auth, Request& req) {
    return respond(req, auth.logout(*req.auth), [](const Unit&) { return boost::json::value(nullptr); });
}

// Built field by field: g++ 12 warns (-Wmissing-field-initializers) on designated initializers that skip fast_path.
}  // namespace

void register_user_routes(Router& router, services::AccountApi& auth) {
    const auto bind = [&auth](Response (*handler)(services::AccountApi&, Request&)) {
        return [&auth, handler](Request& req) {
            return handler(auth, req);
        };
    };
    router.post("/api/user/register", bind(handle_register));
    router.post("/api/user/login", bind(handle_login));
    router.get("/api/user/profile", bind(handle_profile), signed_in());
    router.post("/api/auth/refresh-token", bind(handle_refresh));
    router.post("/api/auth/change-password", bind(handle_change_password), signed_in());
    router.post("/api/auth/logout", bind(handle_logout), signed_in());
}

}  // namespace gomall::http
