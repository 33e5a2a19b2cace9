// The reconciler's repairs, one pass at a time, against in-memory ports: rebuilding an activity the
// gate lost, settling or republishing reservations stuck in flight, correcting a drifted count.
#include "services/seckill_reconciler.hpp"

#include <map>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "services/local_purchase_rate_limiter.hpp"
#include "services/product_lookups.hpp"
#include "unit/services/seckill_fakes.hpp"

namespace gomall::services {
namespace {

using namespace seckill_fakes;

/// The gate's in-flight view, set by each test.
class FakeLedger final : public ports::StockLedger {
public:
    std::map<std::int64_t, ports::LedgerSnapshot> snapshots;
    std::vector<std::pair<std::int64_t, std::int64_t>> corrections;  // (activity, corrected)
    std::vector<std::int64_t> forgotten;

    std::optional<ports::LedgerSnapshot> snapshot(std::int64_t activity_id) override {
        const auto it = snapshots.find(activity_id);
        return it == snapshots.end() ? std::nullopt : std::optional<ports::LedgerSnapshot>(it->second);
    }
    bool correct_available(std::int64_t activity_id, std::int64_t seen, std::int64_t corrected) override {
        auto& snap = snapshots.at(activity_id);
        if (snap.available != seen || !snap.in_flight.empty()) {
            return false;
        }
        snap.available = corrected;
        corrections.emplace_back(activity_id, corrected);
        return true;
    }
    void forget(std::int64_t activity_id) override {
        snapshots.erase(activity_id);
        forgotten.push_back(activity_id);
    }
};

constexpr std::int64_t kProduct = 7;
constexpr std::int64_t kShopper = 501;

class SeckillReconcilerTest : public ::testing::Test {
protected:
    SeckillReconcilerTest() {
        domain::Product phone;
        phone.id = kProduct;
        phone.name = "Phone";
        phone.price = 599900;
        products.products[kProduct] = phone;
        gate.in_flight_tracking = true;
        worker = std::thread([this] { io.run(); });
        NewActivity request;
        request.product_id = kProduct;
        request.stock = 10;
        request.price = 99900;
        auto created = service.admin().init(request);
        EXPECT_TRUE(created.ok());
        activity = created.value().activity;
    }

    ~SeckillReconcilerTest() override {
        work.reset();
        worker.join();
    }

    ReconcileReport pass() { return reconciler.run_once(); }

    ManualClock clock;
    FakeProductRepository products;
    StoredProductLookup product_lookup{products};
    FakeSeckillRepository repository{products};
    FakeStockGate gate;
    FakeReservationQueue queue;
    FakeLedger ledger;
    LocalPurchaseRateLimiter limiter{clock, RateLimitSettings{5.0, 10.0, 1000}};
    FakeSeckillTokenStore tokens;
    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{io.get_executor()};
    std::thread worker;
    SeckillService service{
        repository, product_lookup, gate, queue, limiter, tokens, clock, SeckillSettings{}, io.get_executor()};
    ReconcilerSettings settings{std::chrono::milliseconds(1000), std::chrono::milliseconds(5000)};
    SeckillReconciler reconciler{service, repository, gate, ledger, queue, clock, io.get_executor(), settings};
    domain::SeckillActivity activity;
};

TEST_F(SeckillReconcilerTest, AnActivityTheGateLostIsRebuiltFromTheDatabase) {
    const int loads_before = gate.loads;
    const auto report = pass();  // the ledger knows nothing: as after FLUSHALL
    EXPECT_EQ(report.activities, 1);
    EXPECT_EQ(report.rebuilt, 1);
    EXPECT_EQ(gate.loads, loads_before + 1);
}

TEST_F(SeckillReconcilerTest, AStuckReservationWithAnOrderIsSettledAndKeepsItsUnit) {
    const TimePoint reserved = clock.now();
    ledger.snapshots[activity.id] = {9, {{kShopper, 1, reserved, ""}}};
    domain::Reservation row;
    row.id = "r1";
    row.activity_id = activity.id;
    row.user_id = kShopper;
    row.seq = 1;
    row.status = ReservationStatus::kSucceeded;
    row.order_no = "ORD1";
    repository.stored.push_back(row);

    EXPECT_EQ(pass().settled, 0);  // within the grace period: a consumer may be about to settle it
    clock.advance(6s);
    const auto report = pass();
    EXPECT_EQ(report.settled, 1);
    EXPECT_EQ(report.republished, 0);
    ASSERT_EQ(gate.settled.size(), 1U);
    EXPECT_EQ(gate.settled[0].user_id, kShopper);
    EXPECT_EQ(gate.settled[0].seq, 1);
    EXPECT_FALSE(gate.settled[0].returned);
}

TEST_F(SeckillReconcilerTest, AStuckFailedReservationReturnsItsUnit) {
    ledger.snapshots[activity.id] = {9, {{kShopper, 2, clock.now(), ""}}};
    domain::Reservation row;
    row.activity_id = activity.id;
    row.user_id = kShopper;
    row.seq = 2;
    row.status = ReservationStatus::kFailed;
    repository.stored.push_back(row);
    clock.advance(6s);
    EXPECT_EQ(pass().settled, 1);
    ASSERT_EQ(gate.settled.size(), 1U);
    EXPECT_TRUE(gate.settled[0].returned);
}

TEST_F(SeckillReconcilerTest, AReservationThatNeverReachedTheBrokerIsPublishedAgain) {
    const TimePoint reserved = clock.now();
    ledger.snapshots[activity.id] = {9, {{kShopper, 3, reserved, ""}}};
    clock.advance(6s);
    const auto report = pass();
    EXPECT_EQ(report.republished, 1);
    ASSERT_EQ(queue.published.size(), 1U);
    const auto& again = queue.published[0];
    EXPECT_EQ(again.activity_id, activity.id);
    EXPECT_EQ(again.product_id, kProduct);
    EXPECT_EQ(again.user_id, kShopper);
    EXPECT_EQ(again.seq, 3);  // the same (activity, user, seq): a duplicate of a queued copy is harmless
    EXPECT_EQ(again.price, 99900);
    EXPECT_EQ(again.reserved_at, reserved);
    EXPECT_EQ(again.id.size(), 32U) << "a gate that kept no id: a fresh one";
}

TEST_F(SeckillReconcilerTest, AReservationPublishedAgainKeepsTheIdTheShopperWasGiven) {
    ledger.snapshots[activity.id] = {9, {{kShopper, 4, clock.now(), "the-id-the-shopper-holds"}}};
    clock.advance(6s);
    EXPECT_EQ(pass().republished, 1);
    ASSERT_EQ(queue.published.size(), 1U);
    EXPECT_EQ(queue.published[0].id, "the-id-the-shopper-holds");
    EXPECT_EQ(queue.published[0].seq, 4);
}

TEST_F(SeckillReconcilerTest, ADriftedCountIsCorrectedOnlyWithNothingInFlight) {
    repository.activities.at(activity.id).sold = 4;  // the database: 4 orders, so 6 left
    ledger.snapshots[activity.id] = {5, {{kShopper, 1, clock.now(), ""}}};
    EXPECT_EQ(pass().corrected, 0);  // one reservation in flight: its order may be about to land
    ledger.snapshots[activity.id].in_flight.clear();
    EXPECT_EQ(pass().corrected, 1);
    ASSERT_EQ(ledger.corrections.size(), 1U);
    EXPECT_EQ(ledger.corrections[0].second, 6);
    EXPECT_EQ(pass().corrected, 0);  // consistent now
}

TEST_F(SeckillReconcilerTest, AnEndedSaleLeavesTheStoreOnceItsKeepTimeHasPassed) {
    ledger.snapshots[activity.id] = {10, {}};
    auto& stored = repository.activities.at(activity.id);
    stored.end_time = clock.now() + 1s;
    clock.advance(2s);
    auto report = pass();  // just ended: kept (a late result or an admin look still finds it)
    EXPECT_EQ(report.activities, 0);
    EXPECT_EQ(report.forgotten, 0);
    EXPECT_TRUE(ledger.forgotten.empty());

    clock.advance(settings.keep_after_end);
    EXPECT_EQ(pass().forgotten, 1);
    EXPECT_EQ(ledger.forgotten, std::vector<std::int64_t>{activity.id});
    EXPECT_EQ(pass().forgotten, 0);  // once

    // Reset for a new sale: it is served again, and forgotten again after that sale ends.
    stored.end_time = clock.now() + 10s;
    EXPECT_EQ(pass().activities, 1);
    clock.advance(10s + settings.keep_after_end);
    EXPECT_EQ(pass().forgotten, 1);
    EXPECT_EQ(ledger.forgotten.size(), 2U);
}

TEST_F(SeckillReconcilerTest, ResultsQueuedHereAreCompletedFromAnotherInstancesOrders) {
    ledger.snapshots[activity.id] = {10, {}};
    auto bought = run_sync(service.purchases().purchase(kShopper, kProduct));
    ASSERT_TRUE(bought.ok());
    EXPECT_EQ(service.results().cached_result(kShopper, activity.id)->status, "queued");
    // Another instance's consumer wrote the order; this instance's queue never reported it.
    domain::Reservation row = bought.value();
    row.status = ReservationStatus::kSucceeded;
    row.order_no = "ORD-ELSEWHERE";
    repository.stored.push_back(row);
    clock.advance(1s);
    pass();
    const auto now_known = service.results().cached_result(kShopper, activity.id);
    ASSERT_TRUE(now_known);
    EXPECT_EQ(now_known->status, "success");
    EXPECT_EQ(now_known->reservations.front().order_no, "ORD-ELSEWHERE");
}

}  // namespace
}  // namespace gomall::services
