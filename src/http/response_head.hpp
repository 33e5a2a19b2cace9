// The status line and header block of an HTTP/1.1 answer, written straight into one string: the
// server sends it and the body with one gather write, without building a second message object.
#pragma once

#include <string>
#include <string_view>

#include "http/request.hpp"

namespace gomall::http {

/// The reason phrase of a status code ("Not Found"); "Unknown" for a code without one.
std::string_view reason_phrase(int status);

/// True when `name` is an HTTP token and `value` holds no CR, LF or NUL: anything else could end
/// the header early and let a value chosen by a client forge headers (response splitting).
bool safe_header_field(std::string_view name, std::string_view value);

struct ResponseHeadOptions {
    bool keep_alive = true;
    std::string_view date;  // an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); empty: no Date field
};

/// Appends the head of `res` to `out`: status line, Server, Date, Content-Type, the response's
/// own headers (unsafe ones are skipped; see safe_header_field), Content-Length (the body's size,
/// also for HEAD; none on 1xx and 204, which have no content), "Connection: close" when the
/// connection ends after this answer, and the blank line. Returns how many headers were skipped.
std::size_t append_response_head(std::string& out, const Response& res, const ResponseHeadOptions& options);

}  // namespace gomall::http
