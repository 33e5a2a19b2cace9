// The catalogue's stock reservations as the catalogue service serves them to the order side: the
// record of what each order took (a StockReservations, the SQL tables), and then the catalogue
// cache told which products' stock moved, so a release sent late by an order side's sweeper does
// not leave product pages showing the old stock until their entries expire.
#pragma once

#include "ports/stock_reservations.hpp"
#include "services/catalog_cache.hpp"

namespace gomall::services {

class CatalogStock final : public ports::StockReservations {
public:
    CatalogStock(ports::StockReservations& record, CatalogCache& cache) : record_(record), cache_(cache) {}

    Result<std::vector<domain::OrderItem>> reserve(const ports::StockRequest& request) override;
    Result<std::vector<domain::OrderItem>> release(const std::string& order_no) override;

private:
    Result<std::vector<domain::OrderItem>> told(Result<std::vector<domain::OrderItem>> lines);

    ports::StockReservations& record_;
    CatalogCache& cache_;
};

}  // namespace gomall::services
