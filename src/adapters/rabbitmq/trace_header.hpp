// The W3C trace context in an AMQP message's headers table: the `traceparent` entry a publisher
// writes and a consumer reads back. Whatever a message carries there is untrusted: anything but
// one well-formed, short traceparent means "no parent", never a failed delivery.
#pragma once

#include <amqp.h>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/trace_context.hpp"

namespace gomall::adapters::rabbitmq {

inline constexpr std::string_view kTraceparentHeader = "traceparent";
/// Longest value read from a message: a version-00 traceparent is 55 bytes, later versions may
/// append fields; anything longer is ignored rather than copied.
inline constexpr std::size_t kMaxTraceparentBytes = 256;

/// The headers-table entry for `value`. It points into `value`, which must outlive its use.
amqp_table_entry_t traceparent_entry(std::string_view value);

/// The traceparent in `headers` (a string or byte-array field), or empty when there is none, its
/// value is of another type, empty or longer than kMaxTraceparentBytes, or it appears more than
/// once (W3C: conflicting values mean none).
std::string traceparent_from_headers(const amqp_table_t& headers);

/// The context a delivery's traceparent names, or an invalid context (a new trace) when it is
/// empty, too long or malformed.
TraceContext parent_from_traceparent(std::string_view value);

}  // namespace gomall::adapters::rabbitmq
