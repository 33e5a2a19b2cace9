// One drain coroutine at a time on the service's executor: it takes everything waiting, groups it
// by activity and settles each group in one call, then looks again.
#include "services/ordered_reservation_settler.hpp"

#include <exception>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

namespace gomall::services {

OrderedReservationSettler::OrderedReservationSettler(ports::StockGate& gate, boost::asio::any_io_executor executor)
    : gate_(gate), executor_(std::move(executor)) {}

void OrderedReservationSettler::ordered(std::int64_t activity_id, std::int64_t user_id, int seq) {
    {
        const std::lock_guard lock(mutex_);
        waiting_.push_back({activity_id, user_id, seq});
        if (draining_) {
            return;
        }
        draining_ = true;
    }
    boost::asio::co_spawn(executor_, drain(), boost::asio::detached);
}

boost::asio::awaitable<void> OrderedReservationSettler::drain() {
    for (;;) {
        std::vector<Entry> batch;
        {
            const std::lock_guard lock(mutex_);
            if (waiting_.empty()) {
                draining_ = false;
                co_return;
            }
            batch.swap(waiting_);
        }
        std::map<std::int64_t, std::vector<std::pair<std::int64_t, int>>> by_activity;
        for (const Entry& entry : batch) {
            by_activity[entry.activity_id].emplace_back(entry.user_id, entry.seq);
        }
        for (auto& [activity_id, ordered] : by_activity) {
            const std::size_t count = ordered.size();
            try {
                co_await gate_.settle_ordered(activity_id, std::move(ordered));
            } catch (const std::exception& e) {
                // The reconciler settles what is left in flight once the gate is reachable again.
                spdlog::warn(
                    "flash sale {}: settling {} ordered reservations failed: {}", activity_id, count, e.what()
                );
            }
        }
    }
}

}  // namespace gomall::services
