// Text that must be UTF-8 (JSON, proto3 strings) built from bytes a client sent (a path, a query,
// a header): the length of a well-formed sequence, and the repair that keeps such text readable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gomall {

/// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
/// no surrogates, nothing past U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view s);

/// `s` with every byte that is not part of a well-formed sequence replaced by U+FFFD: error
/// messages quote what the client sent, and JSON text and proto3 strings must be UTF-8.
std::string valid_utf8(std::string_view s);

}  // namespace gomall
