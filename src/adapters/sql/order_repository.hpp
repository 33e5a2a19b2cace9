// OrderRepository on the SQL database: atomic order placement with guarded stock decrements,
// payment and cancellation state changes, listings and the unpaid-order sweep query.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/order_repository.hpp"

namespace gomall::adapters::sql {

class SqlOrderRepository final : public ports::OrderRepository {
public:
    explicit SqlOrderRepository(Database& db) : db_(db) {}

    Result<domain::Order> place(const domain::OrderDraft& draft) override;
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override;
    domain::Page<domain::Order> list(const domain::OrderQuery& query) override;
    bool mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) override;
    bool cancel(const std::string& order_no, TimePoint now) override;
    std::vector<std::string> expired_unpaid(TimePoint now, int limit) override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
