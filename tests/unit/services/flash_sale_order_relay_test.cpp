// The outbox relay of a seckill instance: what it sends, when, what it deletes, and what it leaves
// for later, against an outbox and an order service in memory.
#include "services/flash_sale_order_relay.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

/// Rows by order number, each with the time it was written.
class MemoryOutbox final : public ports::FlashSaleOrderOutbox {
public:
    void add(const domain::Order& order) {
        const std::lock_guard lock(mutex_);
        rows_[order.order_no] = order;
    }

    std::vector<domain::Order> find(const std::vector<std::string>& order_nos) override {
        const std::lock_guard lock(mutex_);
        fail_if_down();
        std::vector<domain::Order> out;
        for (const auto& n : order_nos) {
            if (auto it = rows_.find(n); it != rows_.end() && !aside_.contains(n)) {
                out.push_back(it->second);
            }
        }
        return out;
    }
    std::vector<domain::Order> oldest(TimePoint written_before, int limit) override {
        const std::lock_guard lock(mutex_);
        fail_if_down();
        std::vector<domain::Order> out;
        for (const auto& [n, order] : rows_) {
            if (order.created_at < written_before && !aside_.contains(n) && static_cast<int>(out.size()) < limit) {
                out.push_back(order);
            }
        }
        return out;
    }
    void remove(const std::vector<std::string>& order_nos) override {
        const std::lock_guard lock(mutex_);
        fail_if_down();
        for (const auto& n : order_nos) {
            rows_.erase(n);
        }
    }
    void set_aside(const std::string& order_no, const std::string& reason, TimePoint) override {
        const std::lock_guard lock(mutex_);
        fail_if_down();
        if (rows_.contains(order_no)) {
            aside_[order_no] = reason;
        }
    }
    std::int64_t waiting() override {
        const std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(rows_.size() - aside_.size());
    }
    std::int64_t set_aside_count() override {
        const std::lock_guard lock(mutex_);
        return static_cast<std::int64_t>(aside_.size());
    }
    std::string reason_set_aside(const std::string& order_no) {
        const std::lock_guard lock(mutex_);
        auto it = aside_.find(order_no);
        return it == aside_.end() ? std::string() : it->second;
    }
    void set_down(bool down) {
        const std::lock_guard lock(mutex_);
        down_ = down;
    }

private:
    void fail_if_down() const {
        if (down_) {
            throw std::runtime_error("database down");
        }
    }
    std::mutex mutex_;
    std::map<std::string, domain::Order> rows_;
    std::map<std::string, std::string> aside_;  // order number -> the refusal
    bool down_ = false;
};

/// The order service: takes each order once, or answers what the test set.
class MemoryIntake final : public ports::FlashSaleOrderIntake {
public:
    Result<int> accept(const std::vector<domain::Order>& orders) override {
        const std::lock_guard lock(mutex_);
        calls.push_back(orders.size());
        if (away || (away_after_calls >= 0 && static_cast<int>(calls.size()) > away_after_calls)) {
            return make_error(ErrorCode::kUnavailable, "the order service is unavailable");
        }
        for (const auto& o : orders) {  // a batch is taken whole or not at all, as the real intake does
            if (refused.contains(o.order_no)) {
                return make_error(ErrorCode::kBadRequest, "must be 1-32 printable ASCII characters", "order_no");
            }
        }
        int created = 0;
        for (const auto& o : orders) {
            created += taken.emplace(o.order_no, o).second ? 1 : 0;
        }
        return created;
    }
    std::size_t count() {
        const std::lock_guard lock(mutex_);
        return taken.size();
    }

    std::mutex mutex_;
    std::map<std::string, domain::Order> taken;
    std::vector<std::size_t> calls;
    bool away = false;
    std::set<std::string> refused;  // orders the intake answers BAD_REQUEST for
    int away_after_calls = -1;      // when set: unavailable once this many calls were answered
};

class FlashSaleOrderRelayTest : public ::testing::Test {
protected:
    /// An order written by a batch `age` before the clock's time; the reservation the writer reports.
    domain::Reservation write(int n, std::chrono::seconds age = 0s) {
        domain::Reservation won;
        won.activity_id = 7;
        won.user_id = 100 + n;
        won.product_id = 3;
        won.price = 990;
        won.order_no = "ORD" + std::to_string(n);
        won.status = domain::ReservationStatus::kSucceeded;
        outbox_.add(domain::flash_sale_order(won, "lamp", "", clock_.now() - age, clock_.now() + 15min));
        return won;
    }

    std::vector<std::string> numbers(int first, int last) {
        std::vector<std::string> out;
        for (int n = first; n < last; ++n) {
            out.push_back("ORD" + std::to_string(n));
        }
        return out;
    }

    AdvancingClock clock_;
    MemoryOutbox outbox_;
    MemoryIntake intake_;
};

TEST_F(FlashSaleOrderRelayTest, WrittenOrdersAreHandedOverInBatchesAndTheirRowsDeleted) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 2});
    for (int n = 0; n < 5; ++n) {
        write(n);
    }
    EXPECT_TRUE(relay.send_written(numbers(0, 5)).empty());
    EXPECT_EQ(intake_.count(), 5U);
    EXPECT_EQ((intake_.calls), (std::vector<std::size_t>{2, 2, 1}));
    EXPECT_EQ(outbox_.waiting(), 0);
    EXPECT_EQ(relay.counters().handed_over.load(), 5U);
    // Numbers no longer in the outbox (another relay sent them) cost no call.
    EXPECT_TRUE(relay.send_written(numbers(0, 2)).empty());
    EXPECT_EQ(intake_.calls.size(), 3U);
}

TEST_F(FlashSaleOrderRelayTest, OrdersTheOrderServiceDidNotTakeWaitAndTheSweepSendsThemLater) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 10});
    write(1);
    write(2);
    intake_.away = true;
    EXPECT_EQ(relay.send_written(numbers(1, 3)), numbers(1, 3));
    EXPECT_EQ(outbox_.waiting(), 2);
    EXPECT_EQ(relay.counters().failed_calls.load(), 1U);

    intake_.away = false;
    // Too young: their own relay may still be sending them.
    EXPECT_EQ(relay.sweep(), 0U);
    EXPECT_EQ(outbox_.waiting(), 2);
    clock_.advance(6s);
    write(3);  // young again
    EXPECT_EQ(relay.sweep(), 2U);
    EXPECT_EQ(outbox_.waiting(), 1);
    EXPECT_EQ(intake_.count(), 2U);
}

TEST_F(FlashSaleOrderRelayTest, TheSweepDrainsABacklogBatchAfterBatchAndStopsAtAFailure) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 3});
    for (int n = 0; n < 10; ++n) {
        write(n);
    }
    clock_.advance(10s);
    EXPECT_EQ(relay.sweep(), 10U);
    EXPECT_EQ((intake_.calls), (std::vector<std::size_t>{3, 3, 3, 1}));
    EXPECT_EQ(outbox_.waiting(), 0);

    for (int n = 10; n < 16; ++n) {
        write(n);
    }
    clock_.advance(10s);
    intake_.away = true;
    EXPECT_EQ(relay.sweep(), 0U);
    EXPECT_EQ(intake_.calls.size(), 5U) << "one refused call ends the sweep";
    EXPECT_EQ(outbox_.waiting(), 6);
}

TEST_F(FlashSaleOrderRelayTest, TheWritersHandOverLeavesSuccessOnlyWhereTheOrderServiceTookTheOrder) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 2});
    domain::Reservation failed;
    failed.user_id = 9;
    failed.status = domain::ReservationStatus::kFailed;
    failed.fail_reason = "sold out";

    std::vector<domain::Reservation> batch{write(1), failed, write(2), write(3)};
    relay.hand_over(batch);
    EXPECT_EQ(batch[0].status, domain::ReservationStatus::kSucceeded);
    EXPECT_EQ(batch[0].order_no, "ORD1");
    EXPECT_EQ(batch[1].status, domain::ReservationStatus::kFailed);
    EXPECT_EQ(batch[3].order_no, "ORD3");
    EXPECT_EQ(intake_.count(), 3U);
    EXPECT_EQ(outbox_.waiting(), 0);

    // The order service away: the granted units stay granted, their results say "queued".
    intake_.away = true;
    batch = {write(4), failed, write(5)};
    relay.hand_over(batch);
    EXPECT_EQ(batch[0].status, domain::ReservationStatus::kPending);
    EXPECT_TRUE(batch[0].order_no.empty());
    EXPECT_EQ(batch[1].status, domain::ReservationStatus::kFailed);
    EXPECT_EQ(batch[2].status, domain::ReservationStatus::kPending);
    EXPECT_EQ(outbox_.waiting(), 2);

    // The outbox's database away: nothing is known, nothing thrown.
    intake_.away = false;
    outbox_.set_down(true);
    batch = {write(6)};
    EXPECT_NO_THROW(relay.hand_over(batch));
    EXPECT_EQ(batch[0].status, domain::ReservationStatus::kPending);
    outbox_.set_down(false);
}

TEST_F(FlashSaleOrderRelayTest, TheWorkerSweepsWhatWasLeftBehindAndSurvivesADatabaseOutage) {
    write(1, 10s);
    write(2);  // too young for the sweep
    outbox_.set_down(true);
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {20ms, 5s, 100});
    relay.start();
    std::this_thread::sleep_for(60ms);
    EXPECT_GE(relay.counters().failed_calls.load(), 1U);
    EXPECT_EQ(intake_.count(), 0U);
    outbox_.set_down(false);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (intake_.count() < 1 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(5ms);
    }
    relay.stop();
    relay.stop();  // twice is fine
    EXPECT_EQ(intake_.count(), 1U);
    EXPECT_EQ(outbox_.waiting(), 1);
}

TEST_F(FlashSaleOrderRelayTest, AnOrderTheOrderServiceRefusesIsSetAsideAndTheRestGoOn) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 10});
    for (int n = 0; n < 25; ++n) {
        write(n, 10s);
    }
    intake_.refused = {"ORD3", "ORD17"};
    // The first batch is refused whole; one at a time finds ORD3, the other nine go through; the
    // second batch the same with ORD17; the last goes through at once.
    EXPECT_EQ(relay.sweep(), 23U);
    EXPECT_EQ(intake_.count(), 23U);
    EXPECT_EQ(outbox_.waiting(), 0);
    EXPECT_EQ(outbox_.set_aside_count(), 2);
    EXPECT_EQ(outbox_.reason_set_aside("ORD3"), "order_no: must be 1-32 printable ASCII characters");
    EXPECT_EQ(relay.counters().set_aside.load(), 2U);
    EXPECT_EQ(relay.counters().failed_calls.load(), 0U);  // the service answered every call
    EXPECT_EQ(intake_.calls.size(), 1U + 10U + 1U + 10U + 1U);

    // Set aside, they are not sent again: the next sweep has nothing to do.
    intake_.calls.clear();
    EXPECT_EQ(relay.sweep(), 0U);
    EXPECT_TRUE(intake_.calls.empty());
}

TEST_F(FlashSaleOrderRelayTest, TheWritersHandOverReportsARefusedOrderAsStillQueued) {
    FlashSaleOrderRelay relay(outbox_, intake_, clock_, {1s, 5s, 10});
    std::vector<domain::Reservation> batch{write(1), write(2), write(3)};
    intake_.refused = {"ORD2"};
    relay.hand_over(batch);
    EXPECT_EQ(batch[0].status, domain::ReservationStatus::kSucceeded);
    EXPECT_EQ(batch[1].status, domain::ReservationStatus::kPending);  // not at the order service
    EXPECT_TRUE(batch[1].order_no.empty());
    EXPECT_EQ(batch[2].status, domain::ReservationStatus::kSucceeded);
    EXPECT_EQ(outbox_.set_aside_count(), 1);

    // The order service gone in the middle of the one-at-a-time search: the batch is refused, ORD4
    // alone is refused and set aside, then no answer: ORD5 and ORD6 wait, reported as queued.
    std::vector<domain::Reservation> next{write(4), write(5), write(6)};
    intake_.refused = {"ORD4"};
    intake_.calls.clear();
    intake_.away_after_calls = 2;
    relay.hand_over(next);
    for (const auto& r : next) {
        EXPECT_EQ(r.status, domain::ReservationStatus::kPending) << r.user_id;
    }
    EXPECT_EQ(outbox_.set_aside_count(), 2);
    EXPECT_EQ(outbox_.waiting(), 2);  // ORD5 and ORD6, for the sweep
    EXPECT_EQ(intake_.count(), 2U);   // ORD1 and ORD3 from the first batch
}

}  // namespace
}  // namespace gomall::services
