// Encoding and strict decoding of revocation messages.
#include "adapters/redis/revocation_message.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <limits>

namespace gomall::adapters::redis {
namespace {

using Kind = ports::RevocationEvent::Kind;

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kFields = 5;
/// The latest time a message may carry (the year 2223): time points count nanoseconds in 64 bits,
/// so a larger number of milliseconds would overflow when converted.
constexpr std::int64_t kMaxMillis = 8'000'000'000'000;
constexpr std::size_t kMaxNumberDigits = 19;

struct KindName {
    Kind kind;
    std::string_view name;
};
constexpr std::array<KindName, 3> kKinds{{{Kind::kToken, "token"}, {Kind::kSession, "session"}, {Kind::kUser, "user"}}};

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool is_id_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool valid_origin(std::string_view origin) {
    if (origin.size() != kRevocationOriginDigits) {
        return false;
    }
    for (const char c : origin) {
        if (!is_hex_digit(c)) {
            return false;
        }
    }
    return true;
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxRevocationIdBytes) {
        return false;
    }
    for (const char c : id) {
        if (!is_id_char(c)) {
            return false;
        }
    }
    return true;
}

/// A positive decimal without sign or leading zero, at most `max`.
std::optional<std::int64_t> positive_number(std::string_view text, std::int64_t max) {
    if (text.empty() || text.size() > kMaxNumberDigits || text.front() == '0') {
        return std::nullopt;
    }
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value <= 0 || value > max) {
        return std::nullopt;
    }
    return value;
}

std::int64_t to_millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// Splits on single spaces into exactly kFields non-empty fields.
std::optional<std::array<std::string_view, kFields>> split_fields(std::string_view text) {
    std::array<std::string_view, kFields> fields{};
    std::size_t start = 0;
    for (std::size_t i = 0; i < kFields; ++i) {
        const std::size_t space = text.find(' ', start);
        const bool last = i + 1 == kFields;
        if (last != (space == std::string_view::npos)) {
            return std::nullopt;  // too few or too many fields
        }
        const std::size_t end = last ? text.size() : space;
        if (end == start) {
            return std::nullopt;  // an empty field: a leading, trailing or doubled space
        }
        fields[i] = text.substr(start, end - start);
        start = end + 1;
    }
    return fields;
}

}  // namespace

std::optional<std::string> encode_revocation(std::string_view origin, const ports::RevocationEvent& event) {
    const std::int64_t millis = to_millis(event.until);
    if (!valid_origin(origin) || millis <= 0 || millis > kMaxMillis) {
        return std::nullopt;
    }
    std::string subject;
    if (event.kind == Kind::kUser) {
        if (event.user_id <= 0) {
            return std::nullopt;
        }
        subject = std::to_string(event.user_id);
    } else {
        if (!valid_id(event.id)) {
            return std::nullopt;
        }
        subject = event.id;
    }
    std::string_view kind_name;
    for (const auto& k : kKinds) {
        if (k.kind == event.kind) {
            kind_name = k.name;
        }
    }
    if (kind_name.empty()) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(kMaxRevocationMessageBytes);
    out.append(kVersion).append(" ").append(origin).append(" ").append(kind_name).append(" ");
    out.append(subject).append(" ").append(std::to_string(millis));
    return out;
}

std::optional<RevocationMessage> decode_revocation(std::string_view text) {
    if (text.size() > kMaxRevocationMessageBytes) {
        return std::nullopt;
    }
    const auto fields = split_fields(text);
    if (!fields || (*fields)[0] != kVersion || !valid_origin((*fields)[1])) {
        return std::nullopt;
    }
    const auto* kind = [&]() -> const KindName* {
        for (const auto& k : kKinds) {
            if (k.name == (*fields)[2]) {
                return &k;
            }
        }
        return nullptr;
    }();
    const auto millis = positive_number((*fields)[4], kMaxMillis);
    if (kind == nullptr || !millis) {
        return std::nullopt;
    }
    RevocationMessage message;
    message.origin = std::string((*fields)[1]);
    message.event.kind = kind->kind;
    message.event.until = TimePoint(std::chrono::milliseconds(*millis));
    const std::string_view subject = (*fields)[3];
    if (kind->kind == Kind::kUser) {
        const auto user_id = positive_number(subject, std::numeric_limits<std::int64_t>::max());
        if (!user_id) {
            return std::nullopt;
        }
        message.event.user_id = *user_id;
    } else {
        if (!valid_id(subject)) {
            return std::nullopt;
        }
        message.event.id = std::string(subject);
    }
    return message;
}

}  // namespace gomall::adapters::redis
