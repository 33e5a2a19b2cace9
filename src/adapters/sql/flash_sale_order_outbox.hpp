// The seckill side's outbox of flash-sale orders in SQL (flash_sale_order_outbox). The rows are
// written by SqlSeckillRepository::fulfil (FlashSaleOrders::kToOutbox) in its transaction; this
// reads and deletes them for the relay.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/flash_sale_order_outbox.hpp"

namespace gomall::adapters::sql {

/// Thread-safe; every call blocks on the database.
class SqlFlashSaleOrderOutbox final : public ports::FlashSaleOrderOutbox {
public:
    explicit SqlFlashSaleOrderOutbox(Database& db) : db_(db) {}

    std::vector<domain::Order> find(const std::vector<std::string>& order_nos) override;
    std::vector<domain::Order> oldest(TimePoint written_before, int limit) override;
    void remove(const std::vector<std::string>& order_nos) override;
    void set_aside(const std::string& order_no, const std::string& reason, TimePoint now) override;
    std::int64_t waiting() override;
    std::int64_t set_aside_count() override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
