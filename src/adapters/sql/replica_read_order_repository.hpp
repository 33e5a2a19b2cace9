// The order repository with only a shopper's order LIST on the read replica (when fresh enough; the primary
// otherwise or when the replica fails). Everything else, find included, is on the primary: a found
// order is what payment, cancellation and the order page act on, so it must be the current one.
#pragma once

#include "adapters/sql/replica_read_route.hpp"
#include "adapters/sql/replica_routing.hpp"
#include "ports/order_repository.hpp"

namespace gomall::adapters::sql {

class ReplicaReadOrderRepository final : public ports::OrderRepository {
public:
    /// Both must outlive this repository.
    ReplicaReadOrderRepository(ports::OrderRepository& primary, ReplicaRouting& routing)
        : primary_(primary), routing_(routing), fence_(routing) {}

    Result<domain::Order> place(const domain::OrderDraft& draft) override;
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override;
    domain::Page<domain::Order> list(const domain::OrderQuery& query) override;
    bool mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) override;
    bool cancel(const std::string& order_no, TimePoint now) override;
    std::vector<std::string> expired_unpaid(TimePoint now, int limit) override;

private:
    ports::OrderRepository& primary_;
    ReplicaRouting& routing_;
    WriteFence fence_;
};

}  // namespace gomall::adapters::sql
