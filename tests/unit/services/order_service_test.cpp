// Unit tests of OrderService (buying, checkout of a selection, payment and cancellation rules, expiry)
// and of the UnpaidOrderCanceller worker that drives the expiry.
#include "services/order_service.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#include "ports/cart_repository.hpp"
#include "services/unpaid_order_canceller.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using domain::OrderStatus;

class ManualClock final : public ports::Clock {
public:
    TimePoint now() const override { return TimePoint{std::chrono::nanoseconds(nanos_.load())}; }
    void advance(std::chrono::nanoseconds by) { nanos_ += by.count(); }

private:
    std::atomic<std::int64_t> nanos_{std::chrono::nanoseconds(1'795'568'523s).count()};
};

struct FakeProduct {
    std::string name;
    Cents price = 0;
    std::int64_t stock = 0;
    bool on_sale = true;
};

/// Cart lines by (user, product); the order fake removes checked-out lines from it.
class FakeCartRepository final : public ports::CartRepository {
public:
    std::map<std::pair<std::int64_t, std::int64_t>, int> lines;

    std::optional<int> add(std::int64_t user_id, std::int64_t product_id, int quantity, int, TimePoint) override {
        return lines[{user_id, product_id}] += quantity;
    }
    bool set_quantity(std::int64_t, std::int64_t, int, TimePoint) override { return false; }
    bool remove(std::int64_t user_id, std::int64_t product_id) override {
        return lines.erase({user_id, product_id}) == 1;
    }
    std::int64_t clear(std::int64_t) override { return 0; }
    std::vector<domain::CartItem> list(std::int64_t user_id) override {
        std::vector<domain::CartItem> out;
        for (const auto& [key, quantity] : lines) {
            if (key.first == user_id) {
                domain::CartItem item;
                item.user_id = user_id;
                item.product_id = key.second;
                item.quantity = quantity;
                out.push_back(item);
            }
        }
        return out;
    }
};

/// Orders and stock in memory with the same all-or-nothing and status-guard semantics as the SQL adapter.
class FakeOrderRepository final : public ports::OrderRepository {
public:
    explicit FakeOrderRepository(FakeCartRepository& carts) : carts_(carts) {}

    std::map<std::int64_t, FakeProduct> products;
    int place_failures_to_inject = 0;  // place() throws this many times first
    int expired_query_failures_to_inject = 0;
    std::vector<std::string> placed_numbers;

    Result<domain::Order> place(const domain::OrderDraft& draft) override {
        std::lock_guard lock(mutex_);
        placed_numbers.push_back(draft.order_no);
        if (place_failures_to_inject > 0) {
            --place_failures_to_inject;
            throw std::runtime_error("UNIQUE constraint failed: orders.order_no");
        }
        for (const auto& line : draft.lines) {
            auto it = products.find(line.product_id);
            if (it == products.end()) {
                return make_error(ErrorCode::kProductNotFound, "no product");
            }
            if (!it->second.on_sale) {
                return make_error(ErrorCode::kProductUnavailable, "off shelf");
            }
            if (it->second.stock < line.quantity) {
                return make_error(ErrorCode::kInsufficientStock, "sold out", std::to_string(line.product_id));
            }
        }
        domain::Order order;
        order.id = static_cast<std::int64_t>(orders_.size()) + 1;
        order.order_no = draft.order_no;
        order.user_id = draft.user_id;
        for (const auto& line : draft.lines) {
            auto& product = products[line.product_id];
            product.stock -= line.quantity;
            order.items.push_back({line.product_id, product.name, "", line.quantity, product.price});
            order.quantity += line.quantity;
            order.total_price += product.price * line.quantity;
            if (draft.remove_from_cart) {
                carts_.remove(draft.user_id, line.product_id);
            }
        }
        order.product_id = order.items.front().product_id;
        order.product_name = order.items.front().product_name;
        order.status = OrderStatus::kAwaitingPayment;
        order.created_at = order.updated_at = draft.now;
        order.expires_at = draft.expires_at;
        orders_[order.order_no] = order;
        return order;
    }
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override {
        std::lock_guard lock(mutex_);
        auto it = orders_.find(order_no);
        if (it == orders_.end() || (user_id != 0 && it->second.user_id != user_id)) {
            return std::nullopt;
        }
        return it->second;
    }
    domain::Page<domain::Order> list(const domain::OrderQuery& query) override {
        std::lock_guard lock(mutex_);
        domain::Page<domain::Order> page;
        for (const auto& [no, order] : orders_) {
            if ((query.user_id == 0 || order.user_id == query.user_id) &&
                (!query.status || order.status == *query.status)) {
                page.items.push_back(order);
            }
        }
        page.total = static_cast<std::int64_t>(page.items.size());
        return page;
    }
    bool mark_paid(const std::string& order_no, domain::PayType pay_type, TimePoint now) override {
        std::lock_guard lock(mutex_);
        auto& order = orders_.at(order_no);
        if (order.status != OrderStatus::kAwaitingPayment) {
            return false;
        }
        order.status = OrderStatus::kPaid;
        order.pay_type = pay_type;
        order.paid_at = now;
        return true;
    }
    bool cancel(const std::string& order_no, TimePoint now) override {
        std::lock_guard lock(mutex_);
        auto& order = orders_.at(order_no);
        if (order.status != OrderStatus::kAwaitingPayment && order.status != OrderStatus::kProcessing) {
            return false;
        }
        order.status = OrderStatus::kCancelled;
        order.updated_at = now;
        for (const auto& item : order.items) {
            products[item.product_id].stock += item.quantity;
        }
        return true;
    }
    std::vector<std::string> expired_unpaid(TimePoint now, int limit) override {
        std::lock_guard lock(mutex_);
        if (expired_query_failures_to_inject > 0) {
            --expired_query_failures_to_inject;
            throw std::runtime_error("database is locked");
        }
        std::vector<std::string> out;
        for (const auto& [no, order] : orders_) {
            if (order.status == OrderStatus::kAwaitingPayment && order.expires_at < now &&
                static_cast<int>(out.size()) < limit) {
                out.push_back(no);
            }
        }
        return out;
    }

    std::int64_t stock(std::int64_t product_id) {
        std::lock_guard lock(mutex_);
        return products[product_id].stock;
    }
    OrderStatus status(const std::string& order_no) {
        std::lock_guard lock(mutex_);
        return orders_.at(order_no).status;
    }

private:
    FakeCartRepository& carts_;
    std::mutex mutex_;
    std::map<std::string, domain::Order> orders_;
};

constexpr std::int64_t kAlice = 1;
constexpr std::int64_t kBob = 2;
constexpr std::int64_t kPhone = 10;
constexpr std::int64_t kBook = 11;
constexpr std::int64_t kPen = 12;

class OrderServiceTest : public ::testing::Test {
protected:
    OrderServiceTest() {
        orders_repo_.products[kPhone] = {"phone", 599900, 10, true};
        orders_repo_.products[kBook] = {"book", 4550, 10, true};
        orders_repo_.products[kPen] = {"pen", 300, 10, true};
    }

    OrderService make_service(OrderSettings settings) {
        return OrderService(orders_repo_, carts_, numbers_, clock_, settings);
    }

    std::string buy(std::int64_t user, std::int64_t product, int quantity = 1) {
        auto order = service_.create(user, product, quantity);
        EXPECT_TRUE(order.ok()) << (order.ok() ? "" : order.error().message);
        return order.ok() ? order->order_no : std::string{};
    }

    ManualClock clock_;
    FakeCartRepository carts_;
    FakeOrderRepository orders_repo_{carts_};
    OrderNumberGenerator numbers_{1, clock_};
    OrderService service_{orders_repo_, carts_, numbers_, clock_, OrderSettings{900s, true}};
};

TEST_F(OrderServiceTest, CreatedOrderAwaitsPaymentUntilTheTimeout) {
    const auto order = service_.create(kAlice, kPhone, 2);
    ASSERT_TRUE(order.ok());
    EXPECT_EQ(order->status, OrderStatus::kAwaitingPayment);
    EXPECT_EQ(order->total_price, 2 * 599900);
    EXPECT_EQ(order->expires_at, clock_.now() + 900s);
    EXPECT_EQ(order->order_no.size(), OrderNumberGenerator::kLength);
    EXPECT_EQ(orders_repo_.stock(kPhone), 8);
}

TEST_F(OrderServiceTest, CreateRejectsQuantityOutsideOneTo99) {
    EXPECT_EQ(service_.create(kAlice, kPhone, 0).error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(service_.create(kAlice, kPhone, 100).error().field, "quantity");
}

TEST_F(OrderServiceTest, RepositoryBusinessFailuresPassThrough) {
    EXPECT_EQ(service_.create(kAlice, kPhone, 11).error().code, ErrorCode::kInsufficientStock);
    EXPECT_EQ(service_.create(kAlice, 999, 1).error().code, ErrorCode::kProductNotFound);
}

TEST_F(OrderServiceTest, DirectPayMarksTheOrderPaidWithTheDemoPayType) {
    const auto no = buy(kAlice, kPhone);
    const auto paid = service_.pay(kAlice, no);
    ASSERT_TRUE(paid.ok());
    EXPECT_EQ(paid->status, OrderStatus::kPaid);
    EXPECT_EQ(paid->pay_type, domain::PayType::kDemo);
    ASSERT_TRUE(paid->paid_at);
}

TEST_F(OrderServiceTest, DirectPayIsRefusedWhenDisabled) {
    auto service = make_service(OrderSettings{900s, false});
    const auto no = buy(kAlice, kPhone);
    const auto refused = service.pay(kAlice, no);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kDirectPayDisabled);
    EXPECT_EQ(refused.error().message, "direct payment is disabled; use a payment provider");
    EXPECT_EQ(orders_repo_.status(no), OrderStatus::kAwaitingPayment);
}

TEST_F(OrderServiceTest, PayingTwiceIsAStatusConflict) {
    const auto no = buy(kAlice, kPhone);
    ASSERT_TRUE(service_.pay(kAlice, no).ok());
    EXPECT_EQ(service_.pay(kAlice, no).error().code, ErrorCode::kOrderStatusConflict);
}

TEST_F(OrderServiceTest, CancelReturnsStockAndASecondCancelConflicts) {
    const auto no = buy(kAlice, kPhone, 3);
    EXPECT_EQ(orders_repo_.stock(kPhone), 7);
    const auto cancelled = service_.cancel(kAlice, no);
    ASSERT_TRUE(cancelled.ok());
    EXPECT_EQ(cancelled->status, OrderStatus::kCancelled);
    EXPECT_EQ(orders_repo_.stock(kPhone), 10);
    EXPECT_EQ(service_.cancel(kAlice, no).error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(orders_repo_.stock(kPhone), 10);
}

TEST_F(OrderServiceTest, PayAfterCancelConflicts) {
    const auto no = buy(kAlice, kPhone);
    ASSERT_TRUE(service_.cancel(kAlice, no).ok());
    EXPECT_EQ(service_.pay(kAlice, no).error().code, ErrorCode::kOrderStatusConflict);
}

TEST_F(OrderServiceTest, PaidOrderCannotBeCancelled) {
    const auto no = buy(kAlice, kPhone);
    ASSERT_TRUE(service_.pay(kAlice, no).ok());
    EXPECT_EQ(service_.cancel(kAlice, no).error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(orders_repo_.status(no), OrderStatus::kPaid);
}

TEST_F(OrderServiceTest, AnotherUsersOrderIsNotFound) {
    const auto no = buy(kAlice, kPhone);
    EXPECT_EQ(service_.get(kBob, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(service_.pay(kBob, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(service_.cancel(kBob, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(orders_repo_.status(no), OrderStatus::kAwaitingPayment);
    EXPECT_TRUE(service_.get(kAlice, no).ok());
    EXPECT_TRUE(service_.get_any(no).ok());
    EXPECT_EQ(service_.get(kAlice, "ORD-nope").error().code, ErrorCode::kOrderNotFound);
}

TEST_F(OrderServiceTest, ListsOnlyTheUsersOwnOrdersButAdminSeesAll) {
    buy(kAlice, kPhone);
    buy(kAlice, kBook);
    buy(kBob, kPen);
    EXPECT_EQ(service_.list(kAlice, std::nullopt, 1, 20).total, 2);
    EXPECT_EQ(service_.list(kBob, std::nullopt, 1, 20).total, 1);
    EXPECT_EQ(service_.list(0, std::nullopt, 1, 20).total, 0);
    EXPECT_EQ(service_.list_all(std::nullopt, 1, 20).total, 3);
    EXPECT_EQ(service_.list_all(OrderStatus::kPaid, 1, 20).total, 0);
}

TEST_F(OrderServiceTest, CheckoutOfASelectionBuysOnlyThoseLinesAndLeavesTheRest) {
    carts_.lines[{kAlice, kPhone}] = 1;
    carts_.lines[{kAlice, kBook}] = 2;
    carts_.lines[{kAlice, kPen}] = 5;
    carts_.lines[{kBob, kPen}] = 1;
    // kPen is selected but is Bob's line only for Bob; 999 is in nobody's cart.
    const auto order = service_.checkout(kAlice, std::vector<std::int64_t>{kPhone, kBook, kBook, 999});
    ASSERT_TRUE(order.ok()) << order.error().message;
    ASSERT_EQ(order->items.size(), 2U);
    EXPECT_EQ(order->quantity, 3);
    EXPECT_EQ(order->total_price, 599900 + 2 * 4550);
    EXPECT_EQ(carts_.lines.size(), 2U);
    EXPECT_EQ(carts_.lines.count({kAlice, kPen}), 1U);
    EXPECT_EQ(carts_.lines.count({kBob, kPen}), 1U);
}

TEST_F(OrderServiceTest, CheckoutWithoutSelectionBuysTheWholeCart) {
    carts_.lines[{kAlice, kPhone}] = 1;
    carts_.lines[{kAlice, kPen}] = 2;
    const auto order = service_.checkout(kAlice, std::nullopt);
    ASSERT_TRUE(order.ok());
    EXPECT_EQ(order->items.size(), 2U);
    EXPECT_TRUE(carts_.list(kAlice).empty());
}

TEST_F(OrderServiceTest, NothingToCheckOut) {
    EXPECT_EQ(service_.checkout(kAlice, std::nullopt).error().code, ErrorCode::kNothingToCheckout);
    carts_.lines[{kAlice, kPhone}] = 1;
    EXPECT_EQ(service_.checkout(kAlice, std::vector<std::int64_t>{}).error().code, ErrorCode::kNothingToCheckout);
    EXPECT_EQ(service_.checkout(kAlice, std::vector<std::int64_t>{kBook}).error().code, ErrorCode::kNothingToCheckout);
    EXPECT_EQ(carts_.lines.size(), 1U);
}

TEST_F(OrderServiceTest, FailedCheckoutKeepsTheCart) {
    carts_.lines[{kAlice, kPhone}] = 1;
    carts_.lines[{kAlice, kBook}] = 50;  // more than in stock
    const auto order = service_.checkout(kAlice, std::nullopt);
    ASSERT_FALSE(order.ok());
    EXPECT_EQ(order.error().code, ErrorCode::kInsufficientStock);
    EXPECT_EQ(carts_.lines.size(), 2U);
    EXPECT_EQ(orders_repo_.stock(kPhone), 10);
}

TEST_F(OrderServiceTest, ExpiredUnpaidOrderIsCancelledInsteadOfPaid) {
    const auto no = buy(kAlice, kPhone);
    clock_.advance(901s);
    const auto refused = service_.pay(kAlice, no);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(orders_repo_.status(no), OrderStatus::kCancelled);
    EXPECT_EQ(orders_repo_.stock(kPhone), 10);
}

TEST_F(OrderServiceTest, CancelExpiredCancelsOnlyOverdueUnpaidOrders) {
    const auto old_unpaid = buy(kAlice, kPhone);
    const auto old_paid = buy(kAlice, kBook);
    ASSERT_TRUE(service_.pay(kAlice, old_paid).ok());
    clock_.advance(600s);
    const auto recent = buy(kBob, kPen);
    clock_.advance(301s);
    EXPECT_EQ(service_.cancel_expired(100), 1);
    EXPECT_EQ(orders_repo_.status(old_unpaid), OrderStatus::kCancelled);
    EXPECT_EQ(orders_repo_.status(old_paid), OrderStatus::kPaid);
    EXPECT_EQ(orders_repo_.status(recent), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(service_.cancel_expired(100), 0);
}

TEST_F(OrderServiceTest, OrderNumberCollisionIsRetriedOnceWithANewNumber) {
    orders_repo_.place_failures_to_inject = 1;
    const auto order = service_.create(kAlice, kPhone, 1);
    ASSERT_TRUE(order.ok());
    ASSERT_EQ(orders_repo_.placed_numbers.size(), 2U);
    EXPECT_NE(orders_repo_.placed_numbers[0], orders_repo_.placed_numbers[1]);
    EXPECT_EQ(order->order_no, orders_repo_.placed_numbers[1]);
}

TEST_F(OrderServiceTest, SecondPlacementFailurePropagates) {
    orders_repo_.place_failures_to_inject = 2;
    EXPECT_THROW(service_.create(kAlice, kPhone, 1), std::runtime_error);
    EXPECT_EQ(orders_repo_.placed_numbers.size(), 2U);
}

// --- UnpaidOrderCanceller ---

bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return condition();
}

TEST_F(OrderServiceTest, CancellerSweepsExpiredOrdersInBatchesUntilNoneAreLeft) {
    std::vector<std::string> numbers;
    for (int i = 0; i < 5; ++i) {
        numbers.push_back(buy(kAlice, kPen));
    }
    clock_.advance(901s);
    UnpaidOrderCanceller canceller(service_, 1h, 2);
    EXPECT_EQ(canceller.sweep(), 5);
    for (const auto& no : numbers) {
        EXPECT_EQ(orders_repo_.status(no), OrderStatus::kCancelled);
    }
    EXPECT_EQ(orders_repo_.stock(kPen), 10);
}

TEST_F(OrderServiceTest, CancellerWorkerCancelsOrdersThatExpireWhileItRuns) {
    UnpaidOrderCanceller canceller(service_, 10ms);
    canceller.start();
    canceller.start();  // no second thread
    const auto no = buy(kAlice, kPhone);
    clock_.advance(901s);
    EXPECT_TRUE(eventually([&] { return orders_repo_.status(no) == OrderStatus::kCancelled; }));
    canceller.stop();
    canceller.stop();
}

TEST_F(OrderServiceTest, CancellerSurvivesAFailingSweep) {
    orders_repo_.expired_query_failures_to_inject = 2;
    const auto no = buy(kAlice, kPhone);
    clock_.advance(901s);
    UnpaidOrderCanceller canceller(service_, 10ms);
    canceller.start();
    EXPECT_TRUE(eventually([&] { return orders_repo_.status(no) == OrderStatus::kCancelled; }));
}

TEST_F(OrderServiceTest, CancellerStopsAtOnceDespiteALongInterval) {
    UnpaidOrderCanceller canceller(service_, 1h);
    canceller.start();
    std::this_thread::sleep_for(20ms);  // let it reach the wait
    const auto started = std::chrono::steady_clock::now();
    canceller.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(OrderServiceTest, CancellerCanBeRestartedAfterStop) {
    UnpaidOrderCanceller canceller(service_, 10ms);
    canceller.start();
    canceller.stop();
    canceller.start();
    const auto no = buy(kAlice, kPhone);
    clock_.advance(901s);
    EXPECT_TRUE(eventually([&] { return orders_repo_.status(no) == OrderStatus::kCancelled; }));
}

}  // namespace
}  // namespace gomall::services
