// The shapes etcd's JSON gateway speaks: base64 keys and values, int64 numbers as strings, key
// ranges given as [key, range_end), and the JSON value stored for each service instance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "ports/service_registry.hpp"

namespace gomall::adapters::etcd {

std::string base64_encode(std::string_view bytes);
/// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

/// The end of the range holding every key that starts with `prefix` (the prefix with its last
/// byte incremented), as etcd's range_end wants it.
std::string prefix_range_end(std::string_view prefix);

/// An int64 field as the gateway writes it: a decimal string, or a number; 0 when absent, as
/// protobuf omits zero values. Throws std::invalid_argument when it is something else.
std::int64_t int64_field(const boost::json::object& object, std::string_view name);

/// "<key_prefix><role>/<id>" and "<key_prefix><role>/".
std::string instance_key(std::string_view key_prefix, const ports::ServiceInstance& instance);
std::string role_key_prefix(std::string_view key_prefix, std::string_view role);

/// The stored value: {"address": ..., "weight": ..., "metadata": {...}}.
std::string instance_value(const ports::ServiceInstance& instance);

/// The instance behind a key of `role_prefix` ("<key_prefix><role>/") and its stored value;
/// nullopt when either is malformed (a foreign or damaged entry is skipped, never fatal).
std::optional<ports::ServiceInstance> decode_instance(
    std::string_view role, std::string_view role_prefix, std::string_view key, std::string_view value
);

}  // namespace gomall::adapters::etcd
