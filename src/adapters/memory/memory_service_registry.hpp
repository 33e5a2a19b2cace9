// The service registry of one process (embedded mode and single-process tests): instances live
// in memory, watchers hear about changes from the registry's own delivery thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "ports/service_registry.hpp"

namespace gomall::adapters::memory {

class MemoryServiceRegistry final : public ports::ServiceRegistry {
public:
    MemoryServiceRegistry();
    ~MemoryServiceRegistry() override;
    MemoryServiceRegistry(const MemoryServiceRegistry&) = delete;
    MemoryServiceRegistry& operator=(const MemoryServiceRegistry&) = delete;

    void register_instance(const ports::ServiceInstance& instance) override;
    void deregister(const std::string& role, const std::string& id) override;
    ports::InstanceSet list(const std::string& role) override;
    ports::WatchId watch(const std::string& role, ChangeCallback on_change) override;
    void unwatch(ports::WatchId id) override;

private:
    struct Watcher {
        std::string role;
        ChangeCallback on_change;
    };
    struct Delivery {
        ports::WatchId watch = 0;
        ports::InstanceSet instances;
    };

    // Callers of the mutators hold mutex_.
    ports::InstanceSet set_of(const std::string& role) const;
    void queue_for_watchers(const std::string& role);
    void deliver_until_stopped();

    mutable std::mutex mutex_;
    std::condition_variable changed_;  // a delivery queued, a delivery done, or stopping
    std::map<std::string, std::map<std::string, ports::ServiceInstance>> roles_;  // role -> id -> instance
    std::map<ports::WatchId, Watcher> watchers_;
    ports::WatchId next_watch_ = 1;
    std::deque<Delivery> deliveries_;
    ports::WatchId delivering_ = 0;  // the watch whose callback runs now, 0 = none
    bool stopping_ = false;
    std::thread deliverer_;  // last: started after everything it reads exists
};

}  // namespace gomall::adapters::memory
