// The server side of a purchase batch: every item's purchase runs at once, each answer lands in
// its slot, and the call ends when the last one is in.
#pragma once

#include <cstddef>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "gomall/v1/seckill.pb.h"
#include "services/flash_sale_api.hpp"

namespace gomall::rpc {

/// More items than this in one call is INVALID_ARGUMENT (the gateway sends at most 256).
inline constexpr std::size_t kMaxPurchaseBatch = 1024;

/// Fills `response` with one outcome per item, in order. An item without a positive user id is
/// refused UNAUTHORIZED on its own; an exception in one purchase becomes that item's SECKILL_BUSY.
boost::asio::awaitable<void> run_purchase_batch(
    services::FlashSalePurchases& purchases,
    const v1::PurchaseBatchRequest& request,
    v1::PurchaseBatchResponse& response,
    boost::asio::any_io_executor io
);

}  // namespace gomall::rpc
