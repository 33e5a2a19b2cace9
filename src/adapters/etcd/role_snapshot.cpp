// Decoding range answers and watch events into a role's instance set.
#include "adapters/etcd/role_snapshot.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/etcd/etcd_codec.hpp"
#include "adapters/registry/instance_rules.hpp"
#include "core/unavailable.hpp"

namespace gomall::adapters::etcd {
namespace {

std::string decoded_field(const boost::json::object& kv, std::string_view name) {
    const auto* field = kv.if_contains(name);
    if (field == nullptr) {
        return {};  // protobuf omits empty values
    }
    const auto* text = field->if_string();
    std::optional<std::string> bytes = text != nullptr ? base64_decode(*text) : std::nullopt;
    if (!bytes) {
        throw std::invalid_argument(std::string(name) + " is not base64");
    }
    return std::move(*bytes);
}

}  // namespace

RoleSnapshot::RoleSnapshot(std::string role, const std::string& key_prefix)
    : role_(std::move(role)), role_prefix_(role_key_prefix(key_prefix, role_)) {}

void RoleSnapshot::read(const EtcdClient& client, RequestCancellation& cancellation) {
    const boost::json::object answer = client.call(
        "/v3/kv/range",
        {{"key", base64_encode(role_prefix_)}, {"range_end", base64_encode(prefix_range_end(role_prefix_))}},
        cancellation
    );
    try {
        const auto* header = answer.if_contains("header");
        if (header == nullptr || !header->is_object()) {
            throw std::invalid_argument("no header");
        }
        by_key_.clear();
        revision_ = int64_field(header->get_object(), "revision");
        if (const auto* kvs = answer.if_contains("kvs"); kvs != nullptr) {
            for (const auto& kv : kvs->as_array()) {
                put(decoded_field(kv.as_object(), "key"), decoded_field(kv.as_object(), "value"));
            }
        }
    } catch (const std::exception& e) {
        by_key_.clear();
        throw DependencyUnavailable("etcd answered a range read with an unexpected shape: " + std::string(e.what()));
    }
}

void RoleSnapshot::apply(const boost::json::array& events) {
    try {
        for (const auto& event : events) {
            const auto& kv = event.as_object().at("kv").as_object();
            const std::string key = decoded_field(kv, "key");
            const auto* type = event.as_object().if_contains("type");
            if (type != nullptr && type->is_string() && type->get_string() == "DELETE") {
                by_key_.erase(key);
            } else {
                put(key, decoded_field(kv, "value"));
            }
            revision_ = std::max(revision_, int64_field(kv, "mod_revision"));
        }
    } catch (const std::exception& e) {
        throw DependencyUnavailable("etcd sent watch events of an unexpected shape: " + std::string(e.what()));
    }
}

void RoleSnapshot::advance_to(std::int64_t revision) {
    revision_ = std::max(revision_, revision);
}

ports::InstanceSet RoleSnapshot::instances() const {
    ports::InstanceSet set;
    set.reserve(by_key_.size());
    for (const auto& [key, instance] : by_key_) {
        set.push_back(instance);
    }
    registry::sort_by_id(set);
    return set;
}

void RoleSnapshot::put(const std::string& key, const std::string& value) {
    if (auto instance = decode_instance(role_, role_prefix_, key, value)) {
        by_key_[key] = std::move(*instance);
        return;
    }
    // Someone wrote something that is not an instance of ours: it cannot be dialled, so it is not
    // part of the set (and an instance it replaced is gone).
    by_key_.erase(key);
    spdlog::warn("service registry: skipping a malformed entry under {} ({} bytes)", role_prefix_, value.size());
}

}  // namespace gomall::adapters::etcd
