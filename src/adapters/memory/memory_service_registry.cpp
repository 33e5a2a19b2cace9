// In-process service registry: a map per role and one thread that runs the watch callbacks in
// the order the changes happened, so a callback may call back into the registry.
#include "adapters/memory/memory_service_registry.hpp"

#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "adapters/registry/instance_rules.hpp"

namespace gomall::adapters::memory {

MemoryServiceRegistry::MemoryServiceRegistry() : deliverer_([this] { deliver_until_stopped(); }) {}

MemoryServiceRegistry::~MemoryServiceRegistry() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    deliverer_.join();
}

void MemoryServiceRegistry::register_instance(const ports::ServiceInstance& instance) {
    registry::check_instance(instance);
    std::lock_guard lock(mutex_);
    auto& slot = roles_[instance.role][instance.id];
    if (slot == instance) {
        return;  // registering again without a change is no news for the watchers
    }
    slot = instance;
    queue_for_watchers(instance.role);
}

void MemoryServiceRegistry::deregister(const std::string& role, const std::string& id) {
    std::lock_guard lock(mutex_);
    const auto role_it = roles_.find(role);
    if (role_it == roles_.end() || role_it->second.erase(id) == 0) {
        return;
    }
    if (role_it->second.empty()) {
        roles_.erase(role_it);
    }
    queue_for_watchers(role);
}

ports::InstanceSet MemoryServiceRegistry::list(const std::string& role) {
    registry::check_role(role);
    std::lock_guard lock(mutex_);
    return set_of(role);
}

ports::WatchId MemoryServiceRegistry::watch(const std::string& role, ChangeCallback on_change) {
    registry::check_role(role);
    std::lock_guard lock(mutex_);
    const ports::WatchId id = next_watch_++;
    watchers_.emplace(id, Watcher{role, std::move(on_change)});
    deliveries_.push_back(Delivery{id, set_of(role)});
    changed_.notify_all();
    return id;
}

void MemoryServiceRegistry::unwatch(ports::WatchId id) {
    std::unique_lock lock(mutex_);
    watchers_.erase(id);
    // Its callback may be running on the delivery thread right now: the promise is that it is
    // not running once unwatch returns.
    changed_.wait(lock, [&] { return delivering_ != id; });
}

ports::InstanceSet MemoryServiceRegistry::set_of(const std::string& role) const {
    ports::InstanceSet set;
    if (const auto it = roles_.find(role); it != roles_.end()) {
        for (const auto& [id, instance] : it->second) {
            set.push_back(instance);  // the map is ordered by id already
        }
    }
    return set;
}

void MemoryServiceRegistry::queue_for_watchers(const std::string& role) {
    bool queued = false;
    for (const auto& [id, watcher] : watchers_) {
        if (watcher.role == role) {
            deliveries_.push_back(Delivery{id, set_of(role)});
            queued = true;
        }
    }
    if (queued) {
        changed_.notify_all();
    }
}

void MemoryServiceRegistry::deliver_until_stopped() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stopping_ || !deliveries_.empty(); });
        if (stopping_) {
            return;
        }
        Delivery next = std::move(deliveries_.front());
        deliveries_.pop_front();
        const auto watcher = watchers_.find(next.watch);
        if (watcher == watchers_.end()) {
            continue;  // unwatched after the change was queued
        }
        ChangeCallback callback = watcher->second.on_change;
        const std::string watcher_role = watcher->second.role;
        delivering_ = next.watch;
        lock.unlock();
        try {
            callback(next.instances);
        } catch (const std::exception& e) {
            // A throwing callback must not end deliveries for everyone else; the next change
            // gives it another chance.
            spdlog::error("service registry: the watch callback for role {} threw: {}", watcher_role, e.what());
        }
        lock.lock();
        delivering_ = 0;
        changed_.notify_all();
    }
}

}  // namespace gomall::adapters::memory
