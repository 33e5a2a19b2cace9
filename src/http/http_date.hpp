// The Date header's value (RFC 9110 5.6.7 IMF-fixdate), formatted once a second per I/O thread
// rather than once per answer.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace gomall::http {

/// "Sun, 06 Nov 1994 08:49:37 GMT" for `time`.
std::string format_http_date(std::chrono::system_clock::time_point time);

/// Holds the current Date value; refresh() reformats only when the second has changed.
class HttpDateCache {
public:
    HttpDateCache() { refresh(std::chrono::system_clock::now()); }
    void refresh(std::chrono::system_clock::time_point now);
    std::string_view value() const { return value_; }

private:
    std::chrono::system_clock::time_point::rep second_ = -1;
    std::string value_;
};

}  // namespace gomall::http
