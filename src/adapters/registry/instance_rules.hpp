// Checks every registry applies to an instance before publishing it, so that roles and ids are
// safe as key segments and a balancer never receives an address it cannot dial.
#pragma once

#include <string>

#include "ports/service_registry.hpp"

namespace gomall::adapters::registry {

/// Throws std::invalid_argument naming the field when `instance` is malformed.
void check_instance(const ports::ServiceInstance& instance);

/// Throws std::invalid_argument when `role` is not a valid role name.
void check_role(const std::string& role);

/// Sorts by id, the order ports::InstanceSet promises.
void sort_by_id(ports::InstanceSet& instances);

}  // namespace gomall::adapters::registry
