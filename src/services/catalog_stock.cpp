// CatalogStock: reservations, then the cache.
#include "services/catalog_stock.hpp"

#include <utility>

namespace gomall::services {

Result<std::vector<domain::OrderItem>> CatalogStock::reserve(const ports::StockRequest& request) {
    return told(record_.reserve(request));
}

Result<std::vector<domain::OrderItem>> CatalogStock::release(const std::string& order_no) {
    return told(record_.release(order_no));
}

Result<std::vector<domain::OrderItem>> CatalogStock::told(Result<std::vector<domain::OrderItem>> lines) {
    if (lines.ok()) {
        for (const auto& line : lines.value()) {
            cache_.stock_changed(line.product_id);
        }
    }
    return lines;
}

}  // namespace gomall::services
