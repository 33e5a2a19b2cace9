// The live instances of one service role as gRPC channels, kept in step with the registry: one
// channel and one circuit breaker per instance, handed out round robin, skipping an instance whose
// breaker refuses calls. An instance that dies drops out at once for the callers (its breaker opens
// after a few failed calls, or its connection is refused) and from the set when its lease expires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "services/circuit_breaker.hpp"

namespace gomall::rpc {

/// One instance as callers use it. Shared: a call in flight keeps its target alive after the
/// instance left the set.
struct Target {
    std::string id;
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<services::CircuitBreaker> breaker;  // "<role>:<id>"
    /// The caller's stubs on `channel`, made once per instance by the pool's StubFactory (a stub
    /// registers its methods with the channel: too costly to make per call).
    std::shared_ptr<void> stubs;
};

/// Makes the stubs a client keeps per instance.
using StubFactory = std::function<std::shared_ptr<void>(const std::shared_ptr<grpc::Channel>&)>;

class InstancePool {
public:
    /// Watches `role` in `registry` from start() on. `clock` and `metrics` serve the breakers;
    /// the set's size is reported as gomall_service_instances{role}.
    InstancePool(
        ports::ServiceRegistry& registry,
        std::string role,
        services::BreakerSettings breaker_settings,
        const ports::Clock& clock,
        ports::Metrics& metrics,
        StubFactory make_stubs
    );
    ~InstancePool();
    InstancePool(const InstancePool&) = delete;
    InstancePool& operator=(const InstancePool&) = delete;

    void start();
    /// Stops following the registry; the targets known stay usable.
    void stop();

    /// The next instance, round robin, among those whose breaker would let a call through; when
    /// every breaker refuses, the one that will let calls through soonest is not guessed at: null.
    std::shared_ptr<Target> pick();
    /// The same instance for the same key while the set and its breakers stay the same (result
    /// polls of one shopper land where its event stream is followed); falls back to pick().
    std::shared_ptr<Target> pick_for(std::uint64_t key);
    /// Instances in the set now.
    std::size_t size() const;
    std::vector<std::shared_ptr<Target>> targets() const;
    const std::string& role() const { return role_; }

    /// Replaces the set (what the registry's watch calls; public for tests).
    void update(const ports::InstanceSet& instances);

private:
    ports::ServiceRegistry& registry_;
    const std::string role_;
    const services::BreakerSettings breaker_settings_;
    const ports::Clock& clock_;
    ports::Metrics& metrics_;
    const StubFactory make_stubs_;

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Target>> by_id_;  // ordered: a stable order for pick_for
    std::vector<std::shared_ptr<Target>> order_;            // by id
    std::size_t next_ = 0;
    std::optional<ports::WatchId> watch_;
    ports::Gauge* instances_gauge_ = nullptr;  // gomall_service_instances{role}, owned by metrics_
};

}  // namespace gomall::rpc
