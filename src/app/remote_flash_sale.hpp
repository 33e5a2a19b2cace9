// The flash sale of the gateway role: the seckill service's instances, found in the registry,
// called over gRPC (rpc::SeckillClient over an rpc::InstancePool). /ready says whether any instance
// is known.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "app/config.hpp"
#include "app/flash_sale_part.hpp"
#include "app/instances_check.hpp"
#include "ports/clock.hpp"
#include "ports/metrics.hpp"
#include "ports/service_registry.hpp"
#include "rpc/instance_pool.hpp"
#include "rpc/seckill_client.hpp"

namespace gomall::app {

class RemoteFlashSale final : public FlashSalePart {
public:
    /// What the process uses of the sale: a gateway everything; the order service only the
    /// returns of cancelled flash-sale orders (no mirror refresh, and the sale is not part of its
    /// readiness: it must start before the seckill instances).
    enum class Use { kEverything, kReturnsOnly };

    /// `registry` must outlive this object; `executor` runs the client's background refresh.
    RemoteFlashSale(
        const Config& config,
        ports::ServiceRegistry& registry,
        const ports::Clock& clock,
        ports::Metrics& metrics,
        const boost::asio::any_io_executor& executor,
        Use use = Use::kEverything
    );

    services::FlashSaleApi api() override { return client_.api(); }
    ports::FlashSaleUnitReturns& unit_returns() override { return client_; }
    std::vector<ports::HealthCheck*> health_checks() override {
        return use_ == Use::kEverything ? std::vector<ports::HealthCheck*>{&instances_check_}
                                        : std::vector<ports::HealthCheck*>{};
    }
    /// The breakers are per instance and come and go with the instances: not listed here.
    std::vector<services::CircuitBreaker*> breakers() override { return {}; }
    std::string description() const override;
    void start() override;
    void stop() override;

private:
    const Use use_;
    rpc::InstancePool pool_;
    rpc::SeckillClient client_;
    InstancesCheck instances_check_{pool_, "seckill"};
};

}  // namespace gomall::app
