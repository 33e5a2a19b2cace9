// Helpers shared by the service registry tests: building instances, waiting for a condition, and
// recording what a watch callback heard.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ports/service_registry.hpp"

namespace gomall::adapters::registry_test {

using namespace std::chrono_literals;

inline ports::ServiceInstance instance(std::string role, std::string id, std::string address) {
    ports::ServiceInstance i;
    i.role = std::move(role);
    i.id = std::move(id);
    i.address = std::move(address);
    return i;
}

inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return done();
}

inline std::vector<std::string> ids_of(const ports::InstanceSet& set) {
    std::vector<std::string> ids;
    for (const auto& i : set) {
        ids.push_back(i.id);
    }
    return ids;
}

/// Every set a watch delivered, readable from the test thread.
class HeardSets {
public:
    ports::ServiceRegistry::ChangeCallback callback() {
        return [this](const ports::InstanceSet& set) {
            std::lock_guard lock(mutex_);
            sets_.push_back(set);
        };
    }
    std::vector<ports::InstanceSet> all() const {
        std::lock_guard lock(mutex_);
        return sets_;
    }
    std::size_t count() const { return all().size(); }
    /// The ids of the latest set; empty when none was heard yet.
    std::vector<std::string> latest_ids() const {
        const auto sets = all();
        return sets.empty() ? std::vector<std::string>{} : ids_of(sets.back());
    }
    bool heard_any() const { return count() > 0; }

private:
    mutable std::mutex mutex_;
    std::vector<ports::InstanceSet> sets_;
};

}  // namespace gomall::adapters::registry_test
