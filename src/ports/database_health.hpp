// Readiness probe of a dependency.
#pragma once

#include <string>

namespace gomall::ports {

class HealthCheck {
public:
    virtual ~HealthCheck() = default;
    /// Short name shown by /ready ("database", "redis", ...).
    virtual std::string name() const = 0;
    /// Returns an empty string when healthy, otherwise a one-line reason. Blocks briefly.
    virtual std::string check() = 0;
};

}  // namespace gomall::ports
