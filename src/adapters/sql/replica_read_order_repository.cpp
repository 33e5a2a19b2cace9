// Routing of each order call: the list through read_routed, the rest to the primary, writes fenced.
#include "adapters/sql/replica_read_order_repository.hpp"

namespace gomall::adapters::sql {

domain::Page<domain::Order> ReplicaReadOrderRepository::list(const domain::OrderQuery& query) {
    if (query.user_id == 0) {
        // Every user's orders: the admin's listing, which reconciles sales and refunds against
        // what was just written (flash-sale orders come from another writer, with no fence here).
        return primary_.list(query);
    }
    return read_routed(
        routing_,
        fence_,
        primary_,
        [](ReplicaReads& replica) -> ports::OrderRepository& { return replica.orders(); },
        [&](ports::OrderRepository& repo) { return repo.list(query); }
    );
}

std::optional<domain::Order> ReplicaReadOrderRepository::find(const std::string& order_no, std::int64_t user_id) {
    return primary_.find(order_no, user_id);
}

std::vector<std::string> ReplicaReadOrderRepository::expired_unpaid(TimePoint now, int limit) {
    return primary_.expired_unpaid(now, limit);  // what it returns gets cancelled
}

// Writes: the primary, then the fence, so a shopper who just ordered, paid or cancelled on this
// instance sees it in the list even while the replica has not caught up yet.
Result<domain::Order> ReplicaReadOrderRepository::place(const domain::OrderDraft& draft) {
    const FenceOnExit fenced(fence_);
    return primary_.place(draft);
}

bool ReplicaReadOrderRepository::mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) {
    const FenceOnExit fenced(fence_);
    return primary_.mark_paid(order_no, pay_type, now);
}

bool ReplicaReadOrderRepository::cancel(const std::string& order_no, TimePoint now) {
    const FenceOnExit fenced(fence_);
    return primary_.cancel(order_no, now);
}

}  // namespace gomall::adapters::sql
