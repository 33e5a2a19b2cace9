// The rows of flash-sale orders, inside a caller's transaction: the orders themselves (written by
// the seckill repository in one process, by the order service's intake in services mode) and the
// outbox rows that carry them from the one service to the other.
#pragma once

#include <string>
#include <vector>

#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "domain/order.hpp"

namespace gomall::adapters::sql {

/// Inserts each order (one unit, its flash-sale activity set) with its one line. The order numbers
/// must be new: a duplicate fails the statement.
void insert_flash_sale_orders(soci::session& session, Dialect dialect, const std::vector<domain::Order>& orders);

/// Adds each order to flash_sale_order_outbox.
void insert_outbox_rows(soci::session& session, const std::vector<domain::Order>& orders);

/// Which of `order_nos` already name an order.
std::vector<std::string> existing_order_numbers(soci::session& session, const std::vector<std::string>& order_nos);

}  // namespace gomall::adapters::sql
