// The stubs the catalogue service's callers keep per instance (InstancePool::Target::stubs): one
// set for every client of the role, so the product, cart and stock clients can share one pool.
#pragma once

#include <memory>

#include <grpcpp/channel.h>

#include "gomall/v1/catalog.grpc.pb.h"

namespace gomall::rpc {

struct CatalogStubs {
    explicit CatalogStubs(const std::shared_ptr<grpc::Channel>& channel)
        : products(v1::ProductService::NewStub(channel)),
          carts(v1::CartService::NewStub(channel)),
          stock(v1::StockService::NewStub(channel)) {}
    const std::unique_ptr<v1::ProductService::Stub> products;
    const std::unique_ptr<v1::CartService::Stub> carts;
    const std::unique_ptr<v1::StockService::Stub> stock;
};

}  // namespace gomall::rpc
