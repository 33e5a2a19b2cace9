// StockReservations on the catalogue's SQL tables: the stock an order placed by the order side
// took, recorded under its order number so a retried reserve or release does nothing twice.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/clock.hpp"
#include "ports/stock_reservations.hpp"

namespace gomall::adapters::sql {

class SqlStockReservations final : public ports::StockReservations {
public:
    SqlStockReservations(Database& db, const ports::Clock& clock) : db_(db), clock_(clock) {}

    Result<std::vector<domain::OrderItem>> reserve(const ports::StockRequest& request) override;
    Result<std::vector<domain::OrderItem>> release(const std::string& order_no) override;

private:
    Database& db_;
    const ports::Clock& clock_;
};

}  // namespace gomall::adapters::sql
