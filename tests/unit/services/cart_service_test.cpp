// Unit tests of CartService: what may be added, the 99-unit limit, missing lines and the totals.
#include "services/cart_service.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

class FixedClock final : public ports::Clock {
public:
    TimePoint now() const override { return from_unix_seconds(1'795'568'523); }
};

/// Only what the cart service reads: find(). The rest is unused here.
class FakeProductRepository final : public ports::ProductRepository {
public:
    std::map<std::int64_t, domain::Product> products;
    std::map<std::int64_t, bool> deleted;

    domain::Page<domain::Product> list(const domain::ProductQuery&) override { return {}; }
    std::optional<domain::Product> find(std::int64_t id) override {
        auto it = products.find(id);
        if (it == products.end() || deleted[id]) {
            return std::nullopt;
        }
        return it->second;
    }
    std::int64_t create(const domain::NewProduct&, TimePoint) override { return 0; }
    bool update(std::int64_t, const domain::ProductPatch&, TimePoint) override { return false; }
    bool soft_delete(std::int64_t, TimePoint) override { return false; }
    std::vector<domain::Category> categories() override { return {}; }
    std::optional<domain::Category> find_category(std::int64_t) override { return std::nullopt; }
    std::optional<domain::Category> find_category_by_name(std::string_view) override { return std::nullopt; }
    std::int64_t create_category(std::string_view) override { return 0; }
    std::int64_t count_products() override { return 0; }
};

/// Cart lines keyed by (user, product), joined with the fake catalogue on list() like the SQL adapter.
class FakeCartRepository final : public ports::CartRepository {
public:
    explicit FakeCartRepository(FakeProductRepository& products) : products_(products) {}

    std::optional<int> add(std::int64_t user_id, std::int64_t product_id, int quantity, int max_quantity, TimePoint now)
        override {
        auto& line = lines_[{user_id, product_id}];
        if (line.quantity + quantity > max_quantity) {
            if (line.quantity == 0) {
                lines_.erase({user_id, product_id});
            }
            return std::nullopt;
        }
        if (line.quantity == 0) {
            line.id = next_id_++;
            line.created_at = now;
        }
        line.quantity += quantity;
        line.updated_at = now;
        return line.quantity;
    }
    bool set_quantity(std::int64_t user_id, std::int64_t product_id, int quantity, TimePoint now) override {
        auto it = lines_.find({user_id, product_id});
        if (it == lines_.end()) {
            return false;
        }
        it->second.quantity = quantity;
        it->second.updated_at = now;
        return true;
    }
    bool remove(std::int64_t user_id, std::int64_t product_id) override {
        return lines_.erase({user_id, product_id}) == 1;
    }
    std::int64_t clear(std::int64_t user_id) override {
        return static_cast<std::int64_t>(std::erase_if(lines_, [user_id](const auto& entry) {
            return entry.first.first == user_id;
        }));
    }
    std::vector<domain::CartItem> list(std::int64_t user_id) override {
        std::vector<domain::CartItem> out;
        for (const auto& [key, line] : lines_) {
            if (key.first != user_id) {
                continue;
            }
            domain::CartItem item = line;
            item.user_id = key.first;
            item.product_id = key.second;
            const auto& product = products_.products.at(key.second);
            item.name = product.name;
            item.price = product.price;
            item.stock = product.stock;
            item.status = product.status;
            item.product_deleted = products_.deleted[key.second];
            out.push_back(item);
        }
        return out;
    }

private:
    FakeProductRepository& products_;
    std::map<std::pair<std::int64_t, std::int64_t>, domain::CartItem> lines_;
    std::int64_t next_id_ = 1;
};

constexpr std::int64_t kUser = 1;
constexpr std::int64_t kOtherUser = 2;

class CartServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        add_product(10, 1000, 50, domain::ProductStatus::kOnSale);
        add_product(11, 250, 2, domain::ProductStatus::kOnSale);
        add_product(12, 300, 50, domain::ProductStatus::kOffShelf);
    }
    void add_product(std::int64_t id, Cents price, std::int64_t stock, domain::ProductStatus status) {
        domain::Product p;
        p.id = id;
        p.name = "product " + std::to_string(id);
        p.price = price;
        p.stock = stock;
        p.status = status;
        products_.products[id] = p;
    }

    FixedClock clock_;
    FakeProductRepository products_;
    FakeCartRepository carts_{products_};
    CartService service_{carts_, products_, clock_};
};

TEST_F(CartServiceTest, AddingTheSameProductTwiceMergesQuantities) {
    ASSERT_TRUE(service_.add(kUser, 10, 2).ok());
    const auto item = service_.add(kUser, 10, 3);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(item->quantity, 5);
    EXPECT_EQ(item->product_id, 10);
    EXPECT_EQ(item->name, "product 10");
    EXPECT_EQ(service_.list(kUser).items.size(), 1U);
}

TEST_F(CartServiceTest, MergedQuantityAbove99IsRefusedAndLeavesTheLineAlone) {
    ASSERT_TRUE(service_.add(kUser, 10, 60).ok());
    const auto refused = service_.add(kUser, 10, 40);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kCartQuantityLimit);
    EXPECT_EQ(service_.list(kUser).items.at(0).quantity, 60);
    EXPECT_TRUE(service_.add(kUser, 10, 39).ok());
}

TEST_F(CartServiceTest, QuantityOutsideOneTo99IsABadRequest) {
    EXPECT_EQ(service_.add(kUser, 10, 0).error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(service_.add(kUser, 10, 100).error().field, "quantity");
}

TEST_F(CartServiceTest, MissingProductIsNotFound) {
    EXPECT_EQ(service_.add(kUser, 404, 1).error().code, ErrorCode::kProductNotFound);
    products_.deleted[10] = true;
    EXPECT_EQ(service_.add(kUser, 10, 1).error().code, ErrorCode::kProductNotFound);
}

TEST_F(CartServiceTest, OffShelfProductCannotBeAdded) {
    EXPECT_EQ(service_.add(kUser, 12, 1).error().code, ErrorCode::kCartProductUnavailable);
    EXPECT_TRUE(service_.list(kUser).items.empty());
}

TEST_F(CartServiceTest, UpdateSetsTheQuantityOfAnExistingLineOnly) {
    EXPECT_EQ(service_.update(kUser, 10, 3).error().code, ErrorCode::kCartItemNotFound);
    ASSERT_TRUE(service_.add(kUser, 10, 1).ok());
    const auto item = service_.update(kUser, 10, 7);
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(item->quantity, 7);
}

TEST_F(CartServiceTest, RemoveOfAMissingLineIsNotFound) {
    EXPECT_EQ(service_.remove(kUser, 10).error().code, ErrorCode::kCartItemNotFound);
    ASSERT_TRUE(service_.add(kUser, 10, 1).ok());
    EXPECT_TRUE(service_.remove(kUser, 10).ok());
    EXPECT_EQ(service_.remove(kUser, 10).error().code, ErrorCode::kCartItemNotFound);
}

TEST_F(CartServiceTest, ClearEmptiesOnlyThatUsersCart) {
    ASSERT_TRUE(service_.add(kUser, 10, 1).ok());
    ASSERT_TRUE(service_.add(kOtherUser, 10, 1).ok());
    service_.clear(kUser);
    EXPECT_TRUE(service_.list(kUser).items.empty());
    EXPECT_EQ(service_.list(kOtherUser).items.size(), 1U);
}

TEST_F(CartServiceTest, TotalsCountOnlyAvailableLines) {
    ASSERT_TRUE(service_.add(kUser, 10, 3).ok());  // 3 x 10.00, available
    ASSERT_TRUE(service_.add(kUser, 11, 3).ok());  // 3 units wanted, only 2 in stock
    add_product(13, 700, 9, domain::ProductStatus::kOnSale);
    ASSERT_TRUE(service_.add(kUser, 13, 1).ok());
    products_.products[13].status = domain::ProductStatus::kOffShelf;  // taken off the shelf after adding

    const auto summary = service_.list(kUser);
    ASSERT_EQ(summary.items.size(), 3U);
    EXPECT_EQ(summary.total_quantity, 3);
    EXPECT_EQ(summary.total_price, 3 * 1000);
    for (const auto& item : summary.items) {
        EXPECT_EQ(CartService::available(item), item.product_id == 10) << item.product_id;
    }
}

TEST_F(CartServiceTest, DeletedProductLineIsUnavailable) {
    ASSERT_TRUE(service_.add(kUser, 10, 1).ok());
    products_.deleted[10] = true;
    const auto summary = service_.list(kUser);
    ASSERT_EQ(summary.items.size(), 1U);
    EXPECT_FALSE(CartService::available(summary.items[0]));
    EXPECT_EQ(summary.total_price, 0);
}

}  // namespace
}  // namespace gomall::services
