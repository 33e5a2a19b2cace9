// The rows of flash-sale orders, inside a caller's transaction: the orders themselves (written by
// the seckill repository in one process, by the order service's intake in services mode), the
// outbox rows that carry them from the one service to the other, and the unit a cancelled one
// gives back to its sale.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "core/time.hpp"
#include "domain/order.hpp"
#include "domain/seckill.hpp"

namespace gomall::adapters::sql {

/// Inserts each order (one unit, its flash-sale activity set) with its one line. The order numbers
/// must be new: a duplicate fails the statement.
void insert_flash_sale_orders(soci::session& session, Dialect dialect, const std::vector<domain::Order>& orders);

/// Adds each order to flash_sale_order_outbox.
void insert_outbox_rows(soci::session& session, const std::vector<domain::Order>& orders);

/// Where an order number can already stand: an order, or an outbox row waiting to become one.
enum class OrderNumbersOf { kOrders, kOutbox };

/// Which of `order_nos` have a row in `where`.
std::vector<std::string> order_numbers_in(
    soci::session& session, OrderNumbersOf where, const std::vector<std::string>& order_nos
);

/// The flash-sale tables' side of cancelling order `order_no`: its reservation succeeded ->
/// released, and the unit back in its activity (sold - 1). The reservation's change is the claim:
/// only the first call for a number does anything. Answers the released reservation, or nullopt
/// when there was nothing to release (already released, or no flash-sale reservation).
std::optional<domain::Reservation> release_flash_sale_unit(
    soci::session& session, const std::string& order_no, TimePoint now
);

}  // namespace gomall::adapters::sql
