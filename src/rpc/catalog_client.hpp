// The catalogue and the cart of a remote catalogue service: services::ProductApi and
// services::CartApi over gRPC, so the HTTP handlers (and the catalogue cache in front of list()
// and get()) cannot tell the difference.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "rpc/instance_pool.hpp"
#include "services/cart_api.hpp"
#include "services/product_api.hpp"

namespace gomall::rpc {

struct CatalogClientSettings {
    /// The shared secret the service checks (see call_metadata.hpp).
    std::string peer_secret;
    /// Deadline of every call.
    std::chrono::milliseconds call_timeout{3000};
};

/// Thread-safe. Every call is a blocking gRPC call with the call deadline: call from the blocking
/// pool, as the in-process ProductService. A business error keeps its code, field and message; a
/// call that reached no answer is kUnavailable with a retry-after. The calls without a Result
/// (list, categories) throw instead: DependencyUnavailable for kUnavailable (503 + Retry-After at
/// the HTTP layer), std::runtime_error otherwise. Reads are tried on a second instance after a
/// transport failure; changes are not (a lost answer may hide a change that was made).
class ProductClient final : public services::ProductApi {
public:
    /// `pool` (built with make_stubs, shareable with CartClient) must outlive the client.
    ProductClient(InstancePool& pool, CatalogClientSettings settings);
    /// The stubs an InstancePool keeps per instance for the catalogue's clients (CatalogStubs).
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);

    domain::Page<domain::Product> list(const domain::ProductQuery& query) override;
    Result<domain::Product> get(std::int64_t id) override;
    Result<domain::Product> create(const domain::NewProduct& product) override;
    Result<domain::Product> update(std::int64_t id, const domain::ProductPatch& patch) override;
    Status soft_delete(std::int64_t id) override;
    std::vector<domain::Category> categories() override;
    Result<domain::Category> create_category(const std::string& name) override;

private:
    InstancePool& pool_;
    const CatalogClientSettings settings_;
};

/// As ProductClient, for the cart: each call is for `user_id`, which travels in the call's
/// metadata. clear() and list() throw as ProductClient's list() does.
class CartClient final : public services::CartApi {
public:
    /// `pool` (built with make_stubs, shareable with ProductClient) must outlive the client.
    CartClient(InstancePool& pool, CatalogClientSettings settings);
    /// The same stubs as ProductClient::make_stubs.
    static std::shared_ptr<void> make_stubs(const std::shared_ptr<grpc::Channel>& channel);

    Result<domain::CartItem> add(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    Result<domain::CartItem> update(std::int64_t user_id, std::int64_t product_id, int quantity) override;
    Status remove(std::int64_t user_id, std::int64_t product_id) override;
    void clear(std::int64_t user_id) override;
    services::CartSummary list(std::int64_t user_id) override;

private:
    InstancePool& pool_;
    const CatalogClientSettings settings_;
};

}  // namespace gomall::rpc
