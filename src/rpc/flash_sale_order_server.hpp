// The order service's intake of flash-sale orders served over gRPC: gomall.v1.FlashSaleOrderIntake
// over ports::FlashSaleOrderIntake (the order tables). Its handler writes the database, so it runs
// on the blocking pool.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "ports/flash_sale_order_intake.hpp"

namespace gomall::rpc {

struct FlashSaleOrderServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs every handler (database).
    boost::asio::any_io_executor blocking;
};

/// Register on a ServerBuilder, build the server, and keep this object (and what it was given)
/// alive until the server has shut down.
class FlashSaleOrderServer {
public:
    FlashSaleOrderServer(ports::FlashSaleOrderIntake& intake, FlashSaleOrderServerSettings settings);
    ~FlashSaleOrderServer();
    FlashSaleOrderServer(const FlashSaleOrderServer&) = delete;
    FlashSaleOrderServer& operator=(const FlashSaleOrderServer&) = delete;

    void register_with(grpc::ServerBuilder& builder);

private:
    class Service;
    std::unique_ptr<Service> service_;
};

}  // namespace gomall::rpc
