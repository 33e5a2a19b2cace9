// gomall.v1.ProductService over ProductApi and gomall.v1.CartService over CartApi.
#include "rpc/catalog_server.hpp"

#include <cstdint>
#include <utility>

#include "gomall/v1/catalog.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/catalog_messages.hpp"
#include "rpc/server_calls.hpp"

namespace gomall::rpc {

class CatalogServer::Products final : public v1::ProductService::CallbackService {
public:
    Products(services::ProductApi& products, const CatalogServerSettings& settings)
        : products_(products), peer_(settings.peer_secret), blocking_(settings.blocking) {}

    grpc::ServerUnaryReactor* ListProducts(
        grpc::CallbackServerContext* call, const v1::ListProductsRequest* request, v1::ListProductsResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            to_message(products_.list(from_message(*request)), *response);
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* GetProduct(
        grpc::CallbackServerContext* call, const v1::GetProductRequest* request, v1::Product* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(products_.get(request->product_id()), [response](const auto& product) {
                to_message(product, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* CreateProduct(
        grpc::CallbackServerContext* call, const v1::CreateProductRequest* request, v1::Product* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(products_.create(from_message(*request)), [response](const auto& product) {
                to_message(product, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* UpdateProduct(
        grpc::CallbackServerContext* call, const v1::UpdateProductRequest* request, v1::Product* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(
                products_.update(request->product_id(), from_message(*request)),
                [response](const auto& product) { to_message(product, *response); }
            );
        });
    }

    grpc::ServerUnaryReactor* DeleteProduct(
        grpc::CallbackServerContext* call, const v1::DeleteProductRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request] {
            return answer(products_.soft_delete(request->product_id()));
        });
    }

    grpc::ServerUnaryReactor* ListCategories(
        grpc::CallbackServerContext* call, const v1::Empty* /*request*/, v1::ListCategoriesResponse* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, response] {
            for (const auto& category : products_.categories()) {
                to_message(category, *response->add_categories());
            }
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* CreateCategory(
        grpc::CallbackServerContext* call, const v1::CreateCategoryRequest* request, v1::Category* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, request, response] {
            return answer(products_.create_category(request->name()), [response](const auto& category) {
                to_message(category, *response);
            });
        });
    }

private:
    services::ProductApi& products_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

class CatalogServer::Carts final : public v1::CartService::CallbackService {
public:
    Carts(services::CartApi& carts, CatalogServerSettings settings)
        : carts_(carts), peer_(std::move(settings.peer_secret)), blocking_(std::move(settings.blocking)) {}

    grpc::ServerUnaryReactor* AddLine(
        grpc::CallbackServerContext* call, const v1::CartLineRequest* request, v1::CartItem* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(
                    carts_.add(user_id, request->product_id(), request->quantity()),
                    [response](const auto& item) { to_message(item, *response); }
                );
            });
        });
    }

    grpc::ServerUnaryReactor* UpdateLine(
        grpc::CallbackServerContext* call, const v1::CartLineRequest* request, v1::CartItem* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(
                    carts_.update(user_id, request->product_id(), request->quantity()),
                    [response](const auto& item) { to_message(item, *response); }
                );
            });
        });
    }

    grpc::ServerUnaryReactor* RemoveLine(
        grpc::CallbackServerContext* call, const v1::RemoveCartLineRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, request] {
            return for_user(*call, [&](std::int64_t user_id) {
                return answer(carts_.remove(user_id, request->product_id()));
            });
        });
    }

    grpc::ServerUnaryReactor* Clear(
        grpc::CallbackServerContext* call, const v1::Empty* /*request*/, v1::Empty* /*response*/
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call] {
            return for_user(*call, [&](std::int64_t user_id) {
                carts_.clear(user_id);
                return grpc::Status::OK;
            });
        });
    }

    grpc::ServerUnaryReactor* GetCart(
        grpc::CallbackServerContext* call, const v1::Empty* /*request*/, v1::CartSummary* response
    ) override {
        return serve_blocking(call, peer_, blocking_, [this, call, response] {
            return for_user(*call, [&](std::int64_t user_id) {
                to_message(carts_.list(user_id), *response);
                return grpc::Status::OK;
            });
        });
    }

private:
    /// A cart is always the signed-in shopper's, named in the metadata and never in the message,
    /// so a caller cannot reach another shopper's cart by a field it fills in.
    template <class Handler>
    static grpc::Status for_user(const grpc::CallbackServerContext& call, Handler handler) {
        const auto caller = caller_of(call);
        if (!caller.user_id) {
            return to_grpc_status(missing_user());
        }
        return handler(*caller.user_id);
    }

    services::CartApi& carts_;
    PeerSecret peer_;
    boost::asio::any_io_executor blocking_;
};

CatalogServer::CatalogServer(services::ProductApi& products, services::CartApi& carts, CatalogServerSettings settings)
    : products_(std::make_unique<Products>(products, settings)),
      carts_(std::make_unique<Carts>(carts, std::move(settings))) {}

CatalogServer::~CatalogServer() = default;

void CatalogServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(products_.get());
    builder.RegisterService(carts_.get());
}

}  // namespace gomall::rpc
