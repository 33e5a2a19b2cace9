// Round robin over the instances of a role, with a breaker per instance.
#include "rpc/instance_pool.hpp"

#include <utility>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <spdlog/spdlog.h>

namespace gomall::rpc {
namespace {

std::shared_ptr<grpc::Channel> channel_to(const std::string& address) {
    grpc::ChannelArguments args;
    // A dead instance must be noticed in seconds, not after TCP gives up: keepalive pings while
    // calls are in flight, and reconnect attempts that back off only up to a second.
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
    // Services mode runs on a private network; the peer secret authenticates calls (call_metadata.hpp).
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool lets_calls_through(Target& target) {
    return !target.breaker->refusing().has_value();
}

}  // namespace

InstancePool::InstancePool(
    ports::ServiceRegistry& registry,
    std::string role,
    services::BreakerSettings breaker_settings,
    const ports::Clock& clock,
    ports::Metrics& metrics,
    StubFactory make_stubs
)
    : registry_(registry),
      role_(std::move(role)),
      breaker_settings_(breaker_settings),
      clock_(clock),
      metrics_(metrics),
      make_stubs_(std::move(make_stubs)) {
    // A gauge family, not a callback: several pools (one per role) share the family.
    instances_gauge_ = &metrics_
                            .gauge(
                                "gomall_service_instances",
                                "Instances of a service role this process knows from the registry and may call.",
                                {"role"}
                            )
                            .with({role_});
    instances_gauge_->set(0);
}

InstancePool::~InstancePool() {
    stop();
}

void InstancePool::start() {
    std::lock_guard lock(mutex_);
    if (!watch_) {
        watch_ = registry_.watch(role_, [this](const ports::InstanceSet& instances) { update(instances); });
    }
}

void InstancePool::stop() {
    std::optional<ports::WatchId> watch;
    {
        std::lock_guard lock(mutex_);
        watch = std::exchange(watch_, std::nullopt);
    }
    if (watch) {
        registry_.unwatch(*watch);  // outside the lock: a callback in progress takes it
    }
}

void InstancePool::update(const ports::InstanceSet& instances) {
    std::map<std::string, std::shared_ptr<Target>> next;
    std::lock_guard lock(mutex_);
    for (const auto& instance : instances) {
        const auto known = by_id_.find(instance.id);
        if (known != by_id_.end() && known->second->address == instance.address) {
            next.emplace(instance.id, known->second);  // keeps its connection and its breaker's memory
            continue;
        }
        auto target = std::make_shared<Target>();
        target->id = instance.id;
        target->address = instance.address;
        target->channel = channel_to(instance.address);
        target->stubs = make_stubs_(target->channel);
        target->breaker =
            std::make_unique<services::CircuitBreaker>(role_ + ":" + instance.id, breaker_settings_, clock_, metrics_);
        spdlog::info("{}: instance {} at {} joined", role_, instance.id, instance.address);
        next.emplace(instance.id, std::move(target));
    }
    for (const auto& [id, target] : by_id_) {
        if (!next.contains(id)) {
            spdlog::info("{}: instance {} at {} left", role_, id, target->address);
        }
    }
    by_id_ = std::move(next);
    order_.clear();
    for (const auto& [id, target] : by_id_) {
        order_.push_back(target);
    }
    instances_gauge_->set(static_cast<double>(order_.size()));
    if (order_.empty()) {
        spdlog::warn("{}: no instance is registered", role_);
    }
}

std::shared_ptr<Target> InstancePool::pick() {
    std::lock_guard lock(mutex_);
    for (std::size_t tried = 0; tried < order_.size(); ++tried) {
        auto& candidate = order_[next_++ % order_.size()];
        if (lets_calls_through(*candidate)) {
            return candidate;
        }
    }
    return nullptr;
}

std::shared_ptr<Target> InstancePool::pick_for(std::uint64_t key) {
    {
        std::lock_guard lock(mutex_);
        if (!order_.empty()) {
            auto& pinned = order_[key % order_.size()];
            if (lets_calls_through(*pinned)) {
                return pinned;
            }
        }
    }
    return pick();
}

std::size_t InstancePool::size() const {
    std::lock_guard lock(mutex_);
    return order_.size();
}

std::vector<std::shared_ptr<Target>> InstancePool::targets() const {
    std::lock_guard lock(mutex_);
    return order_;
}

}  // namespace gomall::rpc
