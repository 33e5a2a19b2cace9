// /ready's view of a remote role: ready once at least one instance of it is known and its
// circuit breaker lets calls through.
#pragma once

#include <string>
#include <utility>

#include "ports/database_health.hpp"
#include "rpc/instance_pool.hpp"

namespace gomall::app {

class InstancesCheck final : public ports::HealthCheck {
public:
    /// `pool` must outlive the check; `service` names the role for people ("seckill", "user").
    InstancesCheck(rpc::InstancePool& pool, std::string service) : pool_(pool), service_(std::move(service)) {}
    std::string name() const override { return service_ + " instances"; }
    std::string check() override;

private:
    rpc::InstancePool& pool_;
    const std::string service_;
};

}  // namespace gomall::app
