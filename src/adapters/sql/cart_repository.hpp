// CartRepository on the SQL database.
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/cart_repository.hpp"

namespace gomall::adapters::sql {

class SqlCartRepository final : public ports::CartRepository {
public:
    explicit SqlCartRepository(Database& db) : db_(db) {}

    std::optional<int> add(std::int64_t user_id, std::int64_t product_id, int quantity, int max_quantity, TimePoint now)
        override;
    bool set_quantity(std::int64_t user_id, std::int64_t product_id, int quantity, TimePoint now) override;
    bool remove(std::int64_t user_id, std::int64_t product_id) override;
    std::int64_t clear(std::int64_t user_id) override;
    std::vector<domain::CartItem> list(std::int64_t user_id) override;

private:
    Database& db_;
};

}  // namespace gomall::adapters::sql
