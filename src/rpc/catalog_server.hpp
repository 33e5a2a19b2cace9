// The catalogue served over gRPC: gomall.v1.ProductService over the in-process ProductApi and
// gomall.v1.CartService over the in-process CartApi. Every handler reads or writes the database,
// so all run on the blocking pool.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <grpcpp/server_builder.h>

#include "services/cart_api.hpp"
#include "services/product_api.hpp"

namespace gomall::rpc {

struct CatalogServerSettings {
    /// The shared secret every caller must present (see call_metadata.hpp). Not empty.
    std::string peer_secret;
    /// Runs every handler (database).
    boost::asio::any_io_executor blocking;
};

/// Register on a ServerBuilder, build the server, and keep this object (and what it was given)
/// alive until the server has shut down. Other services of the role (stock) register their own
/// objects on the same builder.
class CatalogServer {
public:
    CatalogServer(services::ProductApi& products, services::CartApi& carts, CatalogServerSettings settings);
    ~CatalogServer();
    CatalogServer(const CatalogServer&) = delete;
    CatalogServer& operator=(const CatalogServer&) = delete;

    /// Registers ProductService and CartService.
    void register_with(grpc::ServerBuilder& builder);

private:
    class Products;
    class Carts;
    std::unique_ptr<Products> products_;
    std::unique_ptr<Carts> carts_;
};

}  // namespace gomall::rpc
