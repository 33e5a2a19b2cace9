// Where the services of services mode find each other: each process publishes its instances under
// a role ("seckill", "order", ...) and callers list or watch the live instances of a role.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gomall::ports {

/// One running copy of a service, reachable at `address`.
struct ServiceInstance {
    std::string role;                             // what it serves, e.g. "seckill"; letters, digits, '-', '_', '.'
    std::string id;                               // unique per process (and per role), same character set as the role
    std::string address;                          // "host:port" a gRPC client dials
    int weight = 1;                               // relative share of calls a balancer gives it (1..1000)
    std::map<std::string, std::string> metadata;  // free-form (version, zone, ...)

    bool operator==(const ServiceInstance&) const = default;
};

/// The live instances of one role, ordered by id (so two sets compare equal when they hold the
/// same instances).
using InstanceSet = std::vector<ServiceInstance>;

using WatchId = std::uint64_t;

class ServiceRegistry {
public:
    using ChangeCallback = std::function<void(const InstanceSet&)>;

    virtual ~ServiceRegistry() = default;

    /// Publishes `instance` and keeps it published until deregister() or the registry's
    /// destruction: a registry with a remote store renews it (a lease with a TTL, so a process
    /// that dies without deregistering drops out when the TTL runs out) and publishes it again
    /// after the store was unreachable long enough to forget it. Returns at once; the publishing
    /// happens on the registry's own thread. Registering the same role and id again replaces the
    /// instance. Throws std::invalid_argument for a malformed instance.
    virtual void register_instance(const ServiceInstance& instance) = 0;

    /// Withdraws an instance so that it disappears for every watcher at once (no waiting for the
    /// TTL). Blocks for at most a request timeout per store endpoint; an unknown instance is ignored. When the
    /// store cannot be reached, the instance is no longer renewed and drops out with its lease.
    virtual void deregister(const std::string& role, const std::string& id) = 0;

    /// The live instances of `role`, as the store says now. May block for a round trip (never
    /// call it on an I/O thread); throws DependencyUnavailable when the store cannot be reached
    /// or answers nonsense.
    virtual InstanceSet list(const std::string& role) = 0;

    /// Calls `on_change` with the full set of `role` once it is known and again whenever it
    /// changes, on a thread of the registry (keep the callback short; do not call unwatch() from
    /// it). While the store is unreachable no call is made, so a caller's last snapshot stays in
    /// use; when the store is back the watch resumes and reports the set again if it changed.
    virtual WatchId watch(const std::string& role, ChangeCallback on_change) = 0;

    /// Stops a watch. When it returns, its callback is not running and will not run again.
    virtual void unwatch(WatchId id) = 0;
};

}  // namespace gomall::ports
