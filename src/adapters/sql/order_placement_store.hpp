// OrderPlacementStore on the order side's SQL tables (orders, order_placements, stock_releases).
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/order_placement_store.hpp"

namespace gomall::adapters::sql {

class SqlOrderPlacementStore final : public ports::OrderPlacementStore {
public:
    explicit SqlOrderPlacementStore(Database& db) : db_(db) {}

    void begin_placement(const std::string& order_no, std::int64_t user_id, TimePoint now) override;
    bool finish_placement(domain::Order& order) override;
    void drop_placement(const std::string& order_no) override;
    std::vector<std::string> stale_placements(TimePoint started_before, int limit) override;
    ports::QueuedCancel cancel_queueing_release(const std::string& order_no, TimePoint now) override;
    void release_done(const std::string& order_no) override;
    std::vector<std::string> queued_releases(int limit) override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
