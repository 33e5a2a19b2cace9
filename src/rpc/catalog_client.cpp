// ProductClient and CartClient: ProductApi and CartApi as blocking calls to gomall.v1.ProductService
// and gomall.v1.CartService.
#include "rpc/catalog_client.hpp"

#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/unavailable.hpp"
#include "rpc/call_metadata.hpp"
#include "rpc/catalog_messages.hpp"
#include "rpc/catalog_stubs.hpp"
#include "rpc/pooled_call.hpp"

namespace gomall::rpc {
namespace {

constexpr std::string_view kService = "the catalogue service";

/// A read changes nothing: after a transport failure it is tried once more, on another instance.
constexpr int kReadAttempts = 2;
/// A change is tried once: a lost answer may hide a change that was made.
constexpr int kWriteAttempts = 1;

/// One call with the client's deadline and secret, for `user_id` when given.
BlockingCall call_for(const CatalogClientSettings& settings, int attempts, std::optional<std::int64_t> user_id = {}) {
    return BlockingCall{OutgoingCall{settings.call_timeout, user_id, {}}, settings.peer_secret, kService, attempts, {}};
}

/// The domain value of a successful answer, or the answer's error.
template <class Message>
auto value_of(const Result<Message>& answer) -> Result<decltype(from_message(answer.value()))> {
    if (!answer.ok()) {
        return answer.error();
    }
    return from_message(answer.value());
}

template <class Message>
Status status_of(const Result<Message>& answer) {
    return answer.ok() ? ok_status() : Status(answer.error());
}

/// For the calls whose interface has no Result: an unreachable service is a dependency that is
/// down (503 with its wait at the HTTP layer), anything else an infrastructure failure (500).
[[noreturn]] void throw_call_failure(const Error& error) {
    if (error.code == ErrorCode::kUnavailable) {
        throw DependencyUnavailable(error.message, error.retry_after);
    }
    throw std::runtime_error("catalogue service call failed: " + error.message);
}

template <class Message>
const Message& or_throw(const Result<Message>& answer) {
    if (!answer.ok()) {
        throw_call_failure(answer.error());
    }
    return answer.value();
}

std::shared_ptr<void> catalog_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return std::make_shared<CatalogStubs>(channel);
}

}  // namespace

ProductClient::ProductClient(InstancePool& pool, CatalogClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

std::shared_ptr<void> ProductClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return catalog_stubs(channel);
}

domain::Page<domain::Product> ProductClient::list(const domain::ProductQuery& query) {
    v1::ListProductsRequest request;
    to_message(query, request);
    const auto answer = call_blocking<CatalogStubs, v1::ListProductsResponse>(
        pool_,
        call_for(settings_, kReadAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->ListProducts(&context, request, &response);
        }
    );
    return from_message(or_throw(answer));
}

Result<domain::Product> ProductClient::get(std::int64_t id) {
    v1::GetProductRequest request;
    request.set_product_id(id);
    return value_of(call_blocking<CatalogStubs, v1::Product>(
        pool_,
        call_for(settings_, kReadAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->GetProduct(&context, request, &response);
        }
    ));
}

Result<domain::Product> ProductClient::create(const domain::NewProduct& product) {
    v1::CreateProductRequest request;
    to_message(product, request);
    return value_of(call_blocking<CatalogStubs, v1::Product>(
        pool_,
        call_for(settings_, kWriteAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->CreateProduct(&context, request, &response);
        }
    ));
}

Result<domain::Product> ProductClient::update(std::int64_t id, const domain::ProductPatch& patch) {
    v1::UpdateProductRequest request;
    request.set_product_id(id);
    to_message(patch, request);
    return value_of(call_blocking<CatalogStubs, v1::Product>(
        pool_,
        call_for(settings_, kWriteAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->UpdateProduct(&context, request, &response);
        }
    ));
}

Status ProductClient::soft_delete(std::int64_t id) {
    v1::DeleteProductRequest request;
    request.set_product_id(id);
    return status_of(call_blocking<CatalogStubs, v1::Empty>(
        pool_,
        call_for(settings_, kWriteAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->DeleteProduct(&context, request, &response);
        }
    ));
}

std::vector<domain::Category> ProductClient::categories() {
    const v1::Empty request;
    const auto answer = call_blocking<CatalogStubs, v1::ListCategoriesResponse>(
        pool_,
        call_for(settings_, kReadAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->ListCategories(&context, request, &response);
        }
    );
    std::vector<domain::Category> categories;
    for (const auto& category : or_throw(answer).categories()) {
        categories.push_back(from_message(category));
    }
    return categories;
}

Result<domain::Category> ProductClient::create_category(const std::string& name) {
    v1::CreateCategoryRequest request;
    request.set_name(name);
    return value_of(call_blocking<CatalogStubs, v1::Category>(
        pool_,
        call_for(settings_, kWriteAttempts),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.products->CreateCategory(&context, request, &response);
        }
    ));
}

CartClient::CartClient(InstancePool& pool, CatalogClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

std::shared_ptr<void> CartClient::make_stubs(const std::shared_ptr<grpc::Channel>& channel) {
    return catalog_stubs(channel);
}

Result<domain::CartItem> CartClient::add(std::int64_t user_id, std::int64_t product_id, int quantity) {
    v1::CartLineRequest request;
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    return value_of(call_blocking<CatalogStubs, v1::CartItem>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.carts->AddLine(&context, request, &response);
        }
    ));
}

Result<domain::CartItem> CartClient::update(std::int64_t user_id, std::int64_t product_id, int quantity) {
    v1::CartLineRequest request;
    request.set_product_id(product_id);
    request.set_quantity(quantity);
    return value_of(call_blocking<CatalogStubs, v1::CartItem>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.carts->UpdateLine(&context, request, &response);
        }
    ));
}

Status CartClient::remove(std::int64_t user_id, std::int64_t product_id) {
    v1::RemoveCartLineRequest request;
    request.set_product_id(product_id);
    return status_of(call_blocking<CatalogStubs, v1::Empty>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.carts->RemoveLine(&context, request, &response);
        }
    ));
}

void CartClient::clear(std::int64_t user_id) {
    const v1::Empty request;
    or_throw(call_blocking<CatalogStubs, v1::Empty>(
        pool_,
        call_for(settings_, kWriteAttempts, user_id),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.carts->Clear(&context, request, &response);
        }
    ));
}

services::CartSummary CartClient::list(std::int64_t user_id) {
    const v1::Empty request;
    const auto answer = call_blocking<CatalogStubs, v1::CartSummary>(
        pool_,
        call_for(settings_, kReadAttempts, user_id),
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.carts->GetCart(&context, request, &response);
        }
    );
    return from_message(or_throw(answer));
}

}  // namespace gomall::rpc
