// The catalogue's stock reservations served over gRPC: gomall.v1.StockService over
// ports::StockReservations (the catalogue's SQL tables). Every handler runs a transaction, so all
// run on the blocking pool.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "ports/stock_reservations.hpp"

namespace gomall::rpc {

struct StockServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs every handler (database).
    boost::asio::any_io_executor blocking;
};

/// Register on a ServerBuilder, build the server, and keep this object (and what it was given)
/// alive until the server has shut down.
class StockServer {
public:
    StockServer(ports::StockReservations& stock, StockServerSettings settings);
    ~StockServer();
    StockServer(const StockServer&) = delete;
    StockServer& operator=(const StockServer&) = delete;

    void register_with(grpc::ServerBuilder& builder);

private:
    class Service;
    std::unique_ptr<Service> service_;
};

}  // namespace gomall::rpc
