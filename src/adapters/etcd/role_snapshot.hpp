// The instances of one role as etcd holds them at a revision: read with a range request, then
// kept current by applying the events of a watch.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <boost/json/array.hpp>

#include "adapters/etcd/etcd_client.hpp"
#include "ports/service_registry.hpp"

namespace gomall::adapters::etcd {

class RoleSnapshot {
public:
    RoleSnapshot(std::string role, const std::string& key_prefix);

    /// Replaces the content with a range read of the role's keys. Throws DependencyUnavailable
    /// (also for an answer of the wrong shape), EtcdRefusal, RequestCancelled.
    void read(const EtcdClient& client, RequestCancellation& cancellation);

    /// Applies the "events" of a watch answer. Throws DependencyUnavailable when they are of the
    /// wrong shape. A value that is not a valid instance removes the key from the set.
    void apply(const boost::json::array& events);

    const std::string& role() const { return role_; }
    const std::string& key_prefix() const { return role_prefix_; }
    /// The store's revision the content reflects (a watch continues from revision() + 1).
    std::int64_t revision() const { return revision_; }
    void advance_to(std::int64_t revision);

    ports::InstanceSet instances() const;

private:
    void put(const std::string& key, const std::string& value);

    std::string role_;
    std::string role_prefix_;
    std::map<std::string, ports::ServiceInstance> by_key_;
    std::int64_t revision_ = 0;
};

}  // namespace gomall::adapters::etcd
