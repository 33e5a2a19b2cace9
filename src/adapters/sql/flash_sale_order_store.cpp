// Idempotent creation of flash-sale orders: one transaction reads which numbers exist and writes
// the rest. Two relays sending one order at the same moment (an instance taking over a dead one's
// rows) make one of the transactions fail on the unique order number; its relay sends again, and
// the read then finds the order.
#include "adapters/sql/flash_sale_order_store.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "adapters/sql/flash_sale_orders.hpp"
#include "domain/seckill.hpp"

namespace gomall::adapters::sql {

Result<int> SqlFlashSaleOrderStore::accept(const std::vector<domain::Order>& orders) {
    if (orders.size() > kMaxBatch) {
        return make_error(
            ErrorCode::kBadRequest, "at most " + std::to_string(kMaxBatch) + " orders per call", "orders"
        );
    }
    std::set<std::string> numbers;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        const std::string field = "orders[" + std::to_string(i) + "]";
        if (const auto fault = domain::flash_sale_order_fault(orders[i])) {
            return make_error(ErrorCode::kBadRequest, field + ": " + *fault, field);
        }
        if (!numbers.insert(orders[i].order_no).second) {
            return make_error(ErrorCode::kBadRequest, field + ": order_no repeated in the batch", field);
        }
    }
    if (orders.empty()) {
        return 0;
    }
    return with_retry([&] {
        SessionLease lease = db_.lease();
        soci::session& session = *lease;
        Transaction tx(session, db_.dialect());
        const auto existing = order_numbers_in(session, OrderNumbersOf::kOrders, {numbers.begin(), numbers.end()});
        const std::set<std::string> known(existing.begin(), existing.end());
        std::vector<domain::Order> fresh;
        std::copy_if(orders.begin(), orders.end(), std::back_inserter(fresh), [&](const domain::Order& o) {
            return known.count(o.order_no) == 0;
        });
        insert_flash_sale_orders(session, db_.dialect(), fresh);
        tx.commit();
        return static_cast<int>(fresh.size());
    });
}

}  // namespace gomall::adapters::sql
