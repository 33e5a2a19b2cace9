// The exception an adapter throws when a service the shop depends on (the database, a broker)
// cannot be reached right now. It is an infrastructure failure like any other exception, but
// the HTTP layer answers it with 503 "try again" instead of 500, because retrying is the right
// thing for the client to do and nothing is wrong with its request.
#pragma once

#include <stdexcept>
#include <string>

namespace gomall {

class DependencyUnavailable : public std::runtime_error {
public:
    explicit DependencyUnavailable(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace gomall
