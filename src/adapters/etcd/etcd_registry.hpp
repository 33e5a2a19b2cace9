// The service registry of services mode on etcd v3 (its HTTP/JSON gateway): each registered
// instance is a key under /gomall/services/<role>/<id> bound to a lease of its own, which a
// keeper thread renews every TTL/3; watches follow etcd's watch stream on threads of their own.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/etcd/etcd_client.hpp"
#include "adapters/etcd/etcd_settings.hpp"
#include "ports/service_registry.hpp"

namespace gomall::adapters::etcd {

class RoleWatch;

class EtcdServiceRegistry final : public ports::ServiceRegistry {
public:
    /// Contacts nobody yet. Throws std::invalid_argument for unusable settings (no endpoints, a
    /// TTL under 2 s, which etcd would raise anyway, or a request timeout of TTL/3 or more, which
    /// would let a lease run out while its renewal waits).
    explicit EtcdServiceRegistry(EtcdSettings settings);
    /// Stops the threads and revokes every lease, so the instances disappear at once.
    ~EtcdServiceRegistry() override;
    EtcdServiceRegistry(const EtcdServiceRegistry&) = delete;
    EtcdServiceRegistry& operator=(const EtcdServiceRegistry&) = delete;

    void register_instance(const ports::ServiceInstance& instance) override;
    void deregister(const std::string& role, const std::string& id) override;
    ports::InstanceSet list(const std::string& role) override;
    ports::WatchId watch(const std::string& role, ChangeCallback on_change) override;
    void unwatch(ports::WatchId id) override;

    /// Failure drills: stops renewing and watching without revoking anything, as a process that
    /// dies would, so the instances drop out only when their leases expire. Afterwards only
    /// destruction is allowed.
    void halt_without_revoking();

private:
    struct Registration {
        ports::ServiceInstance instance;
        std::int64_t lease = 0;                  // 0: none granted yet, or etcd forgot it
        std::uint64_t generation = 1;            // bumped when the instance is registered again
        std::uint64_t published_generation = 0;  // the generation etcd holds under the key
    };

    void keep_registrations();
    /// Renews (when due), re-creates a lost lease, and writes the key when it is out of date.
    /// Updates `registration`; false when etcd could not be reached or refused.
    bool bring_up_to_date(const std::string& key, Registration& registration, bool renewal_due);
    void revoke(std::int64_t lease, const std::string& what);
    void stop_threads();

    EtcdSettings settings_;
    EtcdClient client_;

    std::mutex mutex_;
    std::condition_variable wake_keeper_;
    std::map<std::string, Registration> registrations_;  // by key
    bool poked_ = false;                                 // a registration is new or changed: the keeper should not wait
    bool stopping_ = false;
    bool halted_ = false;
    RequestCancellation keeper_cancellation_;

    std::mutex watches_mutex_;
    std::map<ports::WatchId, std::unique_ptr<RoleWatch>> watches_;
    ports::WatchId next_watch_ = 1;

    std::thread keeper_;  // last: started once everything it uses exists
};

}  // namespace gomall::adapters::etcd
