// The exception an adapter throws when a service the shop depends on (the database, a broker)
// cannot be reached right now. It is an infrastructure failure like any other exception, but
// the HTTP layer answers it with 503 "try again" instead of 500, because retrying is the right
// thing for the client to do and nothing is wrong with its request.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace gomall {

class DependencyUnavailable : public std::runtime_error {
public:
    /// `retry_after`: how long the client should wait before trying again (the HTTP Retry-After);
    /// an open circuit breaker knows it, anything else says one second.
    explicit DependencyUnavailable(const std::string& what, std::chrono::seconds retry_after = std::chrono::seconds(1))
        : std::runtime_error(what), retry_after_(retry_after) {}

    std::chrono::seconds retry_after() const { return retry_after_; }

private:
    std::chrono::seconds retry_after_;
};

}  // namespace gomall
