// InstancesCheck.
#include "app/instances_check.hpp"

namespace gomall::app {

std::string InstancesCheck::check() {
    const auto targets = pool_.targets();
    if (targets.empty()) {
        return "no instance of the " + service_ + " service is registered";
    }
    for (const auto& target : targets) {
        if (!target->breaker->refusing()) {
            return {};
        }
    }
    return "every instance of the " + service_ + " service is refusing calls (circuit breakers open)";
}

}  // namespace gomall::app
