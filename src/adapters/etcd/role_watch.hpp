// One watch of the etcd registry: a thread that reads a role's instances, follows etcd's watch
// stream from that revision, and calls back with the full set whenever it changes.
#pragma once

#include <optional>
#include <thread>

#include "adapters/etcd/etcd_client.hpp"
#include "adapters/etcd/role_snapshot.hpp"
#include "ports/service_registry.hpp"

namespace gomall::adapters::etcd {

class RoleWatch {
public:
    /// Starts watching at once. `client` must outlive the watch.
    RoleWatch(const EtcdClient& client, RoleSnapshot snapshot, ports::ServiceRegistry::ChangeCallback on_change);
    /// Stops promptly (the stream in flight is cut) and waits for the thread.
    ~RoleWatch();
    RoleWatch(const RoleWatch&) = delete;
    RoleWatch& operator=(const RoleWatch&) = delete;

private:
    void run();
    /// Follows the watch stream until it ends; throws when it breaks.
    void follow_from_snapshot();
    void deliver_if_changed();

    const EtcdClient& client_;
    RoleSnapshot snapshot_;
    ports::ServiceRegistry::ChangeCallback on_change_;
    std::optional<ports::InstanceSet> delivered_;  // what the callback saw last
    RequestCancellation cancellation_;
    std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace gomall::adapters::etcd
