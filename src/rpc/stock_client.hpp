// The stock reservations of a remote catalogue service: ports::StockReservations over gRPC, for
// the order side (services::ReservingOrderRepository).
#pragma once

#include <chrono>
#include <string>

#include "ports/stock_reservations.hpp"
#include "rpc/instance_pool.hpp"

namespace gomall::rpc {

struct StockClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of every call.
    std::chrono::milliseconds call_timeout{3000};
};

/// Thread-safe; blocking calls (call from the blocking pool or the sweeper's thread). Both calls
/// are idempotent by order number, so a transport failure is tried once more on another instance;
/// a call that still reached no answer is kUnavailable with a retry-after.
class StockClient final : public ports::StockReservations {
public:
    /// `pool` holds the catalogue's instances with CatalogStubs (rpc/catalog_stubs.hpp); it must
    /// outlive the client.
    StockClient(InstancePool& pool, StockClientSettings settings);

    Result<std::vector<domain::OrderItem>> reserve(const ports::StockRequest& request) override;
    /// Answers no lines: the service says only that it is done.
    Result<std::vector<domain::OrderItem>> release(const std::string& order_no) override;

private:
    InstancePool& pool_;
    const StockClientSettings settings_;
};

}  // namespace gomall::rpc
