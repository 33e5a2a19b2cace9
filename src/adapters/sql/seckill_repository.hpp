// SeckillRepository on the SQL database: flash-sale activities, reservations, and the batched
// order creation (group commit) that turns reservations into orders under the oversell guard.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/seckill_repository.hpp"

namespace gomall::adapters::sql {

/// Where fulfil() puts the orders of the units it grants.
enum class FlashSaleOrders {
    kWrittenHere,  // into the order tables, in the same transaction (one process)
    kToOutbox,     // into flash_sale_order_outbox, for the relay to hand to the order service
};

/// Thread-safe; every call blocks on the database (run it off the I/O threads).
class SqlSeckillRepository final : public ports::SeckillRepository {
public:
    explicit SqlSeckillRepository(Database& db, FlashSaleOrders orders = FlashSaleOrders::kWrittenHere)
        : db_(db), orders_(orders) {}

    std::int64_t create_activity(const domain::SeckillActivity& activity, TimePoint now) override;
    bool update_activity(const domain::SeckillActivity& activity, TimePoint now) override;
    std::optional<domain::SeckillActivity> find_activity(std::int64_t id) override;
    std::vector<domain::SeckillActivity> list_activities(TimePoint since, int limit) override;

    std::vector<domain::Reservation> fulfil(
        std::vector<domain::Reservation> batch,
        TimePoint now,
        TimePoint expires_at,
        const std::function<std::string()>& next_order_no
    ) override;

    domain::Reservation record_failed(domain::Reservation reservation, TimePoint now) override;
    std::optional<domain::Reservation> release_order(const std::string& order_no, TimePoint now) override;

    ports::ActivityTally tally(std::int64_t activity_id) override;
    std::vector<domain::Reservation> reservations_of(std::int64_t activity_id, std::int64_t user_id) override;
    std::int64_t sold(std::int64_t activity_id) override;

private:
    Database& db_;
    const FlashSaleOrders orders_;
};

}  // namespace gomall::adapters::sql
