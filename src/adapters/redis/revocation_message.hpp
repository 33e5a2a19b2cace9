// The wire form of a token revocation on the shop's Redis channel. Anyone who can reach Redis can
// publish there, so decoding is strict: one exact shape, bounded sizes, a narrow alphabet; anything
// else is refused whole.
//
//     v1 <origin> token <jti> <expires-at ms>
//     v1 <origin> session <sid> <last-expiry ms>
//     v1 <origin> user <user id> <not-before ms>
//
// Fields are separated by one space, with nothing before or after. <origin> is the sending
// instance's 16 lowercase hex digits (so an instance skips its own events), <jti> and <sid> are 1-128
// characters of [A-Za-z0-9_-], <user id> is a positive decimal, times are positive Unix epoch
// milliseconds; numbers have no sign and no leading zero.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ports/revocation_feed.hpp"

namespace gomall::adapters::redis {

/// The channel every instance of one shop (one key prefix) publishes revocations on.
inline std::string revocation_channel(const std::string& key_prefix) {
    return key_prefix + ":auth:revocations";
}

/// No well-formed message is longer (5 fields, the longest id, two 19-digit numbers).
inline constexpr std::size_t kMaxRevocationMessageBytes = 256;
inline constexpr std::size_t kMaxRevocationIdBytes = 128;
inline constexpr std::size_t kRevocationOriginDigits = 16;

struct RevocationMessage {
    std::string origin;
    ports::RevocationEvent event;
};

/// Null when the event cannot be sent in this form (an id outside the alphabet or too long, no
/// user, a time before 1970, a malformed origin): the database still holds it.
std::optional<std::string> encode_revocation(std::string_view origin, const ports::RevocationEvent& event);
/// Null for anything encode_revocation would not have written.
std::optional<RevocationMessage> decode_revocation(std::string_view text);

}  // namespace gomall::adapters::redis
