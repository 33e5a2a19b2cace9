// The four FlashSale* callback services over the in-process flash-sale interfaces.
#include "rpc/seckill_server.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "gomall/v1/seckill.grpc.pb.h"
#include "rpc/call_metadata.hpp"
#include "rpc/purchase_batch_runner.hpp"
#include "rpc/seckill_messages.hpp"
#include "rpc/server_calls.hpp"
#include "rpc/status_mapping.hpp"

namespace gomall::rpc {
namespace {

namespace asio = boost::asio;

/// What every handler shares: the peer check and where work runs.
struct ServingContext {
    PeerSecret peer;
    asio::any_io_executor io;
    asio::any_io_executor blocking;
};

class AdminService final : public v1::FlashSaleAdmin::CallbackService {
public:
    AdminService(services::FlashSaleAdmin& admin, const ServingContext& context) : admin_(admin), context_(context) {}

    grpc::ServerUnaryReactor* Init(
        grpc::CallbackServerContext* call, const v1::InitActivityRequest* request, v1::ActivityView* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            return answer(admin_.init(from_message(*request)), [response](const auto& view) {
                to_message(view, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* Update(
        grpc::CallbackServerContext* call, const v1::UpdateActivityRequest* request, v1::ActivityView* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            return answer(admin_.update(request->activity_id(), from_message(*request)), [response](const auto& view) {
                to_message(view, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* End(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::ActivityView* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            return answer(admin_.end(request->activity_id()), [response](const auto& view) {
                to_message(view, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* List(
        grpc::CallbackServerContext* call, const v1::ListActivitiesRequest* request, v1::ActivityList* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            for (const auto& view : admin_.list(request->include_ended())) {
                to_message(view, *response->add_activities());
            }
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Get(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::ActivityView* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            return answer(admin_.get(request->activity_id()), [response](const auto& view) {
                to_message(view, *response);
            });
        });
    }

private:
    services::FlashSaleAdmin& admin_;
    const ServingContext& context_;
};

class CatalogService final : public v1::FlashSaleCatalog::CallbackService {
public:
    CatalogService(services::FlashSaleCatalog& catalog, const ServingContext& context)
        : catalog_(catalog), context_(context) {}

    grpc::ServerUnaryReactor* Listing(
        grpc::CallbackServerContext* call, const v1::Empty* /*request*/, v1::ActivityList* response
    ) override {
        return serve_inline(call, context_.peer, [this, response] {
            for (const auto& view : catalog_.listing()) {
                to_message(view, *response->add_activities());
            }
            response->set_server_time_ms(to_unix_millis(catalog_.now()));
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Cached(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::CachedActivity* response
    ) override {
        return serve_inline(call, context_.peer, [this, request, response] {
            if (const auto view = catalog_.cached(request->activity_id())) {
                to_message(*view, *response->mutable_activity());
            }
            response->set_server_time_ms(to_unix_millis(catalog_.now()));
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Now(
        grpc::CallbackServerContext* call, const v1::Empty* /*request*/, v1::ServerTime* response
    ) override {
        return serve_inline(call, context_.peer, [this, response] {
            response->set_server_time_ms(to_unix_millis(catalog_.now()));
            return grpc::Status::OK;
        });
    }

private:
    services::FlashSaleCatalog& catalog_;
    const ServingContext& context_;
};

class PurchasesService final : public v1::FlashSalePurchases::CallbackService {
public:
    PurchasesService(services::FlashSalePurchases& purchases, const ServingContext& context)
        : purchases_(purchases), context_(context) {}

    grpc::ServerUnaryReactor* RefusalFromMemory(
        grpc::CallbackServerContext* call, const v1::ProductRequest* request, v1::MemoryRefusal* response
    ) override {
        return serve_inline(call, context_.peer, [this, request, response] {
            if (const auto refusal = purchases_.refusal_from_memory(request->product_id())) {
                *response->mutable_refusal() = to_error_detail(*refusal);
            }
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* Purchase(
        grpc::CallbackServerContext* call, const v1::PurchaseRequest* request, v1::Reservation* response
    ) override {
        return serve_coroutine(
            call,
            context_.peer,
            context_.io,
            [this, call, request, response]() -> asio::awaitable<grpc::Status> {
                const Caller caller = caller_of(*call);
                if (!caller.user_id) {
                    co_return to_grpc_status(missing_user());
                }
                const auto reservation = co_await purchases_.purchase(
                    *caller.user_id, request->product_id(), request->token(), caller.trace
                );
                co_return answer(reservation, [response](const auto& r) { to_message(r, *response); });
            }
        );
    }

    grpc::ServerUnaryReactor* PurchaseBatch(
        grpc::CallbackServerContext* call, const v1::PurchaseBatchRequest* request, v1::PurchaseBatchResponse* response
    ) override {
        return serve_coroutine(
            call,
            context_.peer,
            context_.io,
            [this, request, response]() -> asio::awaitable<grpc::Status> {
                if (static_cast<std::size_t>(request->items_size()) > kMaxPurchaseBatch) {
                    co_return grpc::Status(
                        grpc::StatusCode::INVALID_ARGUMENT,
                        "at most " + std::to_string(kMaxPurchaseBatch) + " purchases in one batch"
                    );
                }
                co_await run_purchase_batch(purchases_, *request, *response, context_.io);
                co_return grpc::Status::OK;
            }
        );
    }

    grpc::ServerUnaryReactor* IssueToken(
        grpc::CallbackServerContext* call, const v1::ProductRequest* request, v1::IssuedToken* response
    ) override {
        return serve_coroutine(
            call,
            context_.peer,
            context_.io,
            [this, call, request, response]() -> asio::awaitable<grpc::Status> {
                const Caller caller = caller_of(*call);
                if (!caller.user_id) {
                    co_return to_grpc_status(missing_user());
                }
                const auto token = co_await purchases_.issue_token(*caller.user_id, request->product_id());
                co_return answer(token, [response](const std::string& t) { response->set_token(t); });
            }
        );
    }

private:
    services::FlashSalePurchases& purchases_;
    const ServingContext& context_;
};

class ResultsService final : public v1::FlashSaleResults::CallbackService {
public:
    ResultsService(services::FlashSaleResults& results, const ServingContext& context)
        : results_(results), context_(context) {}

    grpc::ServerUnaryReactor* Result(
        grpc::CallbackServerContext* call, const v1::ProductRequest* request, v1::SeckillResult* response
    ) override {
        return serve_blocking(call, context_.peer, context_.blocking, [this, call, request, response] {
            const Caller caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            return answer(results_.result(*caller.user_id, request->product_id()), [response](const auto& result) {
                to_message(result, *response);
            });
        });
    }

    grpc::ServerUnaryReactor* CachedResult(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::CachedSeckillResult* response
    ) override {
        return serve_inline(call, context_.peer, [this, call, request, response] {
            const Caller caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            if (const auto result = results_.cached_result(*caller.user_id, request->activity_id())) {
                to_message(*result, *response->mutable_result());
            }
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* WatchResult(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_inline(call, context_.peer, [this, call, request] {
            const Caller caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            results_.watch_result(*caller.user_id, request->activity_id());
            return grpc::Status::OK;
        });
    }

    grpc::ServerUnaryReactor* UnwatchResult(
        grpc::CallbackServerContext* call, const v1::ActivityRequest* request, v1::Empty* /*response*/
    ) override {
        return serve_inline(call, context_.peer, [this, call, request] {
            const Caller caller = caller_of(*call);
            if (!caller.user_id) {
                return to_grpc_status(missing_user());
            }
            results_.unwatch_result(*caller.user_id, request->activity_id());
            return grpc::Status::OK;
        });
    }

private:
    services::FlashSaleResults& results_;
    const ServingContext& context_;
};

class ReturnsService final : public v1::FlashSaleReturns::CallbackService {
public:
    ReturnsService(ports::FlashSaleUnitReturns& returns, const ServingContext& context)
        : returns_(returns), context_(context) {}

    grpc::ServerUnaryReactor* ReturnUnit(
        grpc::CallbackServerContext* call, const v1::ReturnUnitRequest* request, v1::ReturnUnitAnswer* response
    ) override {
        // A transaction on the flash sale's tables first: the blocking pool.
        return serve_blocking(call, context_.peer, context_.blocking, [this, request, response] {
            const std::string& order_no = request->order_no();
            const bool printable =
                std::all_of(order_no.begin(), order_no.end(), [](char c) { return c > ' ' && c <= '~'; });
            if (order_no.empty() || order_no.size() > kMaxOrderNo || !printable) {
                return to_grpc_status(make_error(
                    ErrorCode::kBadRequest, "order_no must be 1 to 32 printable ASCII characters", "order_no"
                ));
            }
            return answer(returns_.return_unit(order_no), [response](bool released) {
                response->set_released(released);
            });
        });
    }

private:
    static constexpr std::size_t kMaxOrderNo = 32;
    ports::FlashSaleUnitReturns& returns_;
    const ServingContext& context_;
};

}  // namespace

struct SeckillServer::Services {
    Services(services::FlashSaleApi api, ports::FlashSaleUnitReturns& returns_to, SeckillServerSettings settings)
        : context{PeerSecret(std::move(settings.peer_secret)), std::move(settings.io), std::move(settings.blocking)},
          admin(api.admin, context),
          catalog(api.catalog, context),
          purchases(api.purchases, context),
          results(api.results, context),
          returns(returns_to, context) {}

    ServingContext context;  // before the services, which hold a reference to it
    AdminService admin;
    CatalogService catalog;
    PurchasesService purchases;
    ResultsService results;
    ReturnsService returns;
};

SeckillServer::SeckillServer(
    services::FlashSaleApi api, ports::FlashSaleUnitReturns& returns, SeckillServerSettings settings
)
    : services_(std::make_unique<Services>(api, returns, std::move(settings))) {}

SeckillServer::~SeckillServer() = default;

void SeckillServer::register_with(grpc::ServerBuilder& builder) {
    builder.RegisterService(&services_->admin);
    builder.RegisterService(&services_->catalog);
    builder.RegisterService(&services_->purchases);
    builder.RegisterService(&services_->results);
    builder.RegisterService(&services_->returns);
}

}  // namespace gomall::rpc
