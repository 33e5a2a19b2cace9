// The flash sale served over gRPC: the gomall.v1 FlashSale* services, each forwarding to the
// matching in-process interface (and FlashSaleReturns to the port the order service calls to give back a
// cancelled order's unit). Admin calls, result lookups and unit returns (database) run on the blocking pool,
// purchases and tokens as coroutines on the I/O executor, memory reads inline on gRPC's thread.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "ports/flash_sale_unit_returns.hpp"
#include "services/flash_sale_api.hpp"

namespace gomall::rpc {

struct SeckillServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs the purchase and token coroutines (the I/O threads: never blocked by these handlers).
    boost::asio::any_io_executor io;
    /// Runs the handlers that read or write the database (admin calls, result()).
    boost::asio::any_io_executor blocking;
};

/// Holds the four service implementations; register them on a ServerBuilder, build the server,
/// and keep this object alive until the server has shut down. `api` and `returns` must outlive it too.
class SeckillServer {
public:
    SeckillServer(services::FlashSaleApi api, ports::FlashSaleUnitReturns& returns, SeckillServerSettings settings);
    ~SeckillServer();
    SeckillServer(const SeckillServer&) = delete;
    SeckillServer& operator=(const SeckillServer&) = delete;

    void register_with(grpc::ServerBuilder& builder);

private:
    struct Services;
    std::unique_ptr<Services> services_;
};

}  // namespace gomall::rpc
