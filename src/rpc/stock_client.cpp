// StockClient: StockReservations as blocking calls to gomall.v1.StockService.
#include "rpc/stock_client.hpp"

#include <utility>

#include "rpc/call_metadata.hpp"
#include "rpc/catalog_stubs.hpp"
#include "rpc/pooled_call.hpp"

namespace gomall::rpc {
namespace {

constexpr std::string_view kService = "the catalogue service";
constexpr int kIdempotentAttempts = 2;

}  // namespace

StockClient::StockClient(InstancePool& pool, StockClientSettings settings)
    : pool_(pool), settings_(std::move(settings)) {}

Result<std::vector<domain::OrderItem>> StockClient::reserve(const ports::StockRequest& request) {
    v1::ReserveStockRequest message;
    message.set_order_no(request.order_no);
    message.set_from_cart(request.from_cart);
    for (const auto& line : request.lines) {
        auto& out = *message.add_lines();
        out.set_product_id(line.product_id);
        out.set_quantity(line.quantity);
    }
    const auto answer = call_blocking<CatalogStubs, v1::ReservedStock>(
        pool_,
        BlockingCall{
            OutgoingCall{settings_.call_timeout, request.user_id, {}},
            settings_.peer_secret,
            kService,
            kIdempotentAttempts,
            {}},
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.stock->ReserveStock(&context, message, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    std::vector<domain::OrderItem> taken;
    taken.reserve(static_cast<std::size_t>(answer->lines_size()));
    for (const auto& line : answer->lines()) {
        taken.push_back(domain::OrderItem{
            line.product_id(), line.product_name(), line.product_image(), line.quantity(), line.unit_price_cents()});
    }
    return taken;
}

Result<std::vector<domain::OrderItem>> StockClient::release(const std::string& order_no) {
    v1::ReleaseStockRequest message;
    message.set_order_no(order_no);
    const auto answer = call_blocking<CatalogStubs, v1::Empty>(
        pool_,
        BlockingCall{
            OutgoingCall{settings_.call_timeout, std::nullopt, {}},
            settings_.peer_secret,
            kService,
            kIdempotentAttempts,
            {}},
        [&](CatalogStubs& stubs, auto& context, auto& response) {
            return stubs.stock->ReleaseStock(&context, message, &response);
        }
    );
    if (!answer.ok()) {
        return answer.error();
    }
    return std::vector<domain::OrderItem>{};
}

}  // namespace gomall::rpc
