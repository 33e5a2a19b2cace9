// The order service's intake of flash-sale orders, reached over gRPC: ports::FlashSaleOrderIntake
// for the relay of a seckill instance (services::FlashSaleOrderRelay).
#pragma once

#include <chrono>
#include <string>

#include "ports/flash_sale_order_intake.hpp"
#include "rpc/instance_pool.hpp"

namespace gomall::rpc {

struct FlashSaleOrderClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of every call.
    std::chrono::milliseconds call_timeout{3000};
};

/// Thread-safe; blocking calls (the relay's thread). The call is idempotent by order number, so a
/// transport failure is tried once more on another instance; a call that still reached no answer
/// is kUnavailable.
class FlashSaleOrderClient final : public ports::FlashSaleOrderIntake {
public:
    /// `pool` holds the order service's instances with OrderStubs (rpc/order_stubs.hpp); it must
    /// outlive the client.
    FlashSaleOrderClient(InstancePool& pool, FlashSaleOrderClientSettings settings);

    Result<int> accept(const std::vector<domain::Order>& orders) override;

private:
    InstancePool& pool_;
    const FlashSaleOrderClientSettings settings_;
};

}  // namespace gomall::rpc
