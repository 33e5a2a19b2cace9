// The order side's intake of flash-sale orders in SQL (services mode): the orders the seckill
// service's relay hands over become rows of the order tables, each once.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/flash_sale_order_intake.hpp"

namespace gomall::adapters::sql {

/// Thread-safe; accept() blocks on the database.
class SqlFlashSaleOrderStore final : public ports::FlashSaleOrderIntake {
public:
    /// At most this many orders per call (a relay sends fewer).
    static constexpr std::size_t kMaxBatch = 500;

    explicit SqlFlashSaleOrderStore(Database& db) : db_(db) {}

    Result<int> accept(const std::vector<domain::Order>& orders) override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
