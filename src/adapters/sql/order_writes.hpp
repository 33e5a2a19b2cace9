// The writes of an order's own tables, inside a caller's transaction, shared by the repository
// that places orders with their stock in one transaction and the store of orders whose stock a
// separate catalogue service reserves.
#pragma once

#include <string>
#include <vector>

#include <soci/soci.h>

#include "core/time.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {

/// Inserts the order and its lines; sets order.id.
void insert_order(soci::session& session, domain::Order& order);

/// The lines of an order, by product id.
std::vector<domain::OrderItem> order_lines(soci::session& session, const std::string& order_no);

enum class CancelClaim {
    kNotCancellable,  // not processing or awaiting payment (paid, already cancelled...): nothing changed
    kFlashSale,       // cancelled, a flash-sale order (its unit given back here or by the caller)
    kOrdinary,        // cancelled; its stock is the caller's to give back
};

/// Where a cancelled flash-sale order's unit goes back to its sale.
enum class FlashSaleUnit {
    kReturnedHere,   // in the same transaction (one process: the flash-sale tables are at hand)
    kCallersToSend,  // by the caller, to the seckill service that owns those tables
};

/// Processing/awaiting payment -> cancelled. The status change is the claim: only one of several
/// concurrent cancels (shopper, sweeper) gets kFlashSale or kOrdinary, so units go back once.
CancelClaim claim_cancel(soci::session& session, const std::string& order_no, TimePoint now, FlashSaleUnit unit);

}  // namespace gomall::adapters::sql
