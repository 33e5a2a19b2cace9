// Unit tests of SeckillService (admin rules, the purchase path and its refusals, outcomes, returning
// units, the anti-bot token) with in-memory fakes of its ports, and of OrderService's cancel listener.
#include "services/seckill_service.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "services/local_purchase_rate_limiter.hpp"
#include "services/order_service.hpp"
#include "services/product_lookups.hpp"
#include "unit/services/seckill_fakes.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using domain::ReservationStatus;
using domain::ReserveOutcome;

using namespace seckill_fakes;

constexpr std::int64_t kProduct = 7;
constexpr std::int64_t kAlice = 101;
constexpr std::int64_t kBob = 102;

/// The catalogue as the activity admin sees it: the products' repository, or away (services mode,
/// the catalogue service down).
class CatalogueLookup final : public ports::ProductLookup {
public:
    explicit CatalogueLookup(FakeProductRepository& products) : stored_(products) {}
    Result<domain::Product> product(std::int64_t id) override {
        if (away) {
            return make_error(ErrorCode::kUnavailable, "the catalogue service is not answering");
        }
        return stored_.product(id);
    }
    bool away = false;

private:
    StoredProductLookup stored_;
};

class SeckillServiceTest : public ::testing::Test {
protected:
    SeckillServiceTest() {
        domain::Product phone;
        phone.id = kProduct;
        phone.name = "Phone";
        phone.price = 599900;
        products.products[kProduct] = phone;
        make_service({});
    }

    void make_service(SeckillSettings settings) {
        service.reset();
        service = std::make_unique<SeckillService>(
            repository, product_lookup, gate, queue, limiter, tokens, clock, settings, io.get_executor()
        );
    }

    Result<domain::Reservation> buy(std::int64_t user, std::int64_t product = kProduct, std::string token = {}) {
        return run_sync(service->purchases().purchase(user, product, std::move(token)));
    }

    Result<std::string> issue(std::int64_t user, std::int64_t product = kProduct) {
        return run_sync(service->purchases().issue_token(user, product));
    }

    /// Runs the releases the service spawned on its executor.
    void drain() {
        io.restart();
        io.run();
    }

    ActivityView init(std::int64_t stock, NewActivity request = {}) {
        request.product_id = kProduct;
        request.stock = stock;
        auto result = service->admin().init(request);
        EXPECT_TRUE(result.ok()) << result.error().message;
        return result.value();
    }

    ManualClock clock;
    FakeProductRepository products;
    CatalogueLookup product_lookup{products};
    FakeSeckillRepository repository{products};
    FakeStockGate gate;
    FakeReservationQueue queue;
    LocalPurchaseRateLimiter limiter{clock, RateLimitSettings{5.0, 10.0, 1000}};
    FakeSeckillTokenStore tokens;
    boost::asio::io_context io;
    std::unique_ptr<SeckillService> service;
};

// ------------------------------------------------------------------------------------------ admin

TEST_F(SeckillServiceTest, InitDefaultsToProductPriceOneHourFromNowAndLimitOne) {
    const auto view = init(5);
    EXPECT_EQ(view.activity.price, 599900);
    EXPECT_EQ(view.activity.original_price, 599900);
    EXPECT_EQ(view.activity.product_name, "Phone");
    EXPECT_EQ(view.activity.start_time, clock.now());
    EXPECT_EQ(view.activity.end_time, clock.now() + 1h);
    EXPECT_EQ(view.activity.per_user_limit, 1);
    EXPECT_EQ(view.remaining, 5);
    EXPECT_EQ(view.sold, 0);
    EXPECT_EQ(view.state, domain::ActivityState::kActive);
    EXPECT_EQ(gate.available(view.activity.id), 5);
    EXPECT_EQ(service->index().current_activity_id(kProduct), view.activity.id);
}

TEST_F(SeckillServiceTest, AnActivityKeepsItsProductAsItWasAndNeedsTheCatalogueToBeMade) {
    const auto view = init(5);
    products.products[kProduct].name = "Phone 2";  // renamed in the catalogue afterwards
    products.products[kProduct].price = 1;
    const auto stored = service->admin().get(view.activity.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored.value().activity.product_name, "Phone");
    EXPECT_EQ(stored.value().activity.original_price, 599900);
    EXPECT_EQ(repository.activities.at(view.activity.id).product_name, "Phone");

    // The catalogue away: no activity, and the admin is told to come back (503), not "not found".
    service->admin().end(view.activity.id);
    product_lookup.away = true;
    NewActivity request;
    request.product_id = kProduct;
    request.stock = 5;
    EXPECT_EQ(service->admin().init(request).error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(repository.activities.size(), 1U);
}

TEST_F(SeckillServiceTest, AnUpcomingSaleChangedTakesTheProductAsItIsNowUnlessItWasDeletedOrTheCatalogueIsAway) {
    NewActivity request;
    request.start_time = clock.now() + 1h;
    const auto id = init(5, request).activity.id;
    products.products[kProduct].name = "Phone 2";
    products.products[kProduct].price = 650000;
    ActivityPatch patch;
    patch.stock = 6;
    const auto updated = service->admin().update(id, patch);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    EXPECT_EQ(updated->activity.product_name, "Phone 2");
    EXPECT_EQ(updated->activity.original_price, 650000);
    EXPECT_EQ(repository.activities.at(id).product_name, "Phone 2");

    // The catalogue away: the change is refused (503) and nothing changes.
    product_lookup.away = true;
    patch.stock = 7;
    EXPECT_EQ(service->admin().update(id, patch).error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(repository.activities.at(id).total_stock, 6);

    // The product deleted since: the sale keeps its snapshot and the change goes through.
    product_lookup.away = false;
    products.products.erase(kProduct);
    const auto kept = service->admin().update(id, patch);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_EQ(kept->activity.product_name, "Phone 2");
    EXPECT_EQ(kept->activity.total_stock, 7);
}

TEST_F(SeckillServiceTest, InitRejectsUnknownProductAndBadWindows) {
    NewActivity request;
    request.product_id = 999;
    request.stock = 5;
    EXPECT_EQ(service->admin().init(request).error().code, ErrorCode::kProductNotFound);

    request.product_id = kProduct;
    request.start_time = clock.now() + 2h;
    request.end_time = clock.now() + 1h;
    EXPECT_EQ(service->admin().init(request).error().code, ErrorCode::kInvalidActivityWindow);
    request.end_time = request.start_time;
    EXPECT_EQ(service->admin().init(request).error().code, ErrorCode::kInvalidActivityWindow);
    request.start_time.reset();
    request.end_time = clock.now() - 1h;
    EXPECT_EQ(service->admin().init(request).error().code, ErrorCode::kInvalidActivityWindow);

    request.end_time.reset();
    request.per_user_limit = 0;
    const auto limit = service->admin().init(request);
    EXPECT_EQ(limit.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(limit.error().field, "per_user_limit");
    EXPECT_TRUE(repository.activities.empty());
}

TEST_F(SeckillServiceTest, InitIsRefusedWhileTheProductsActivityRunsAndAllowedAfterEnding) {
    const auto first = init(3);
    NewActivity again;
    again.product_id = kProduct;
    again.stock = 4;
    const auto refused = service->admin().init(again);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kActivityRunning);

    ASSERT_TRUE(service->admin().end(first.activity.id).ok());
    clock.advance(1s);
    const auto second = service->admin().init(again);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(service->index().current_activity_id(kProduct), second->activity.id);
    const auto bought = buy(kAlice);
    ASSERT_TRUE(bought.ok()) << bought.error().message;
    EXPECT_EQ(bought->activity_id, second->activity.id);
}

TEST_F(SeckillServiceTest, UpdateOnlyBeforeStartAndReloadsTheGate) {
    NewActivity request;
    request.start_time = clock.now() + 1h;
    const auto view = init(5, request);
    const auto id = view.activity.id;
    EXPECT_EQ(view.state, domain::ActivityState::kUpcoming);

    ActivityPatch patch;
    patch.stock = 30;
    patch.price = 550;
    patch.per_user_limit = 3;
    const auto updated = service->admin().update(id, patch);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
    EXPECT_EQ(updated->activity.total_stock, 30);
    EXPECT_EQ(updated->activity.price, 550);
    EXPECT_EQ(updated->remaining, 30);
    EXPECT_EQ(gate.available(id), 30);
    EXPECT_EQ(gate.slots.at(id).activity.per_user_limit, 3);

    ActivityPatch bad_window;
    bad_window.end_time = clock.now() + 30min;  // before the start
    EXPECT_EQ(service->admin().update(id, bad_window).error().code, ErrorCode::kInvalidActivityWindow);
    EXPECT_EQ(service->admin().update(999, patch).error().code, ErrorCode::kActivityNotFound);

    clock.advance(1h);
    const auto running = service->admin().update(id, patch);
    ASSERT_FALSE(running.ok());
    EXPECT_EQ(running.error().code, ErrorCode::kActivityRunning);
}

TEST_F(SeckillServiceTest, EndClosesTheSaleAndCannotBeRepeated) {
    const auto view = init(5);
    ASSERT_TRUE(buy(kAlice).ok());
    clock.advance(1s);
    const auto ended = service->admin().end(view.activity.id);
    ASSERT_TRUE(ended.ok());
    EXPECT_EQ(ended->state, domain::ActivityState::kEnded);
    EXPECT_EQ(ended->activity.end_time, clock.now());

    const auto late = buy(kBob);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, ErrorCode::kEnded);
    EXPECT_EQ(service->admin().end(view.activity.id).error().code, ErrorCode::kEnded);
    EXPECT_EQ(service->admin().end(999).error().code, ErrorCode::kActivityNotFound);
    EXPECT_TRUE(service->index().listing().empty());
}

TEST_F(SeckillServiceTest, ARefreshReadBeforeAnotherInstancesChangeDoesNotUndoIt) {
    const auto sale = init(5);
    // Another instance ends the sale just after this instance's refresh read the rows, and its
    // notice is applied before the refresh indexes what it read.
    repository.after_listing = [&] {
        auto ended = repository.activities.at(sale.activity.id);
        ended.end_time = clock.now();
        repository.activities[sale.activity.id] = ended;
        service->recovery().changed_elsewhere(sale.activity.id);
    };
    clock.advance(1s);
    service->recovery().refresh();
    ASSERT_FALSE(repository.after_listing);
    const auto seen = service->index().cached(sale.activity.id);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->state, domain::ActivityState::kEnded) << "the stale row read by the refresh was not indexed";
    const auto refused = buy(kAlice);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kEnded);

    // A later refresh indexes what it reads again.
    repository.activities[sale.activity.id].price = 1;
    service->recovery().refresh();
    EXPECT_EQ(service->index().cached(sale.activity.id)->activity.price, 1);
}

TEST_F(SeckillServiceTest, RecoverLoadsLiveActivitiesFromTheTally) {
    domain::SeckillActivity live;
    live.id = 0;
    live.product_id = kProduct;
    live.price = 100;
    live.total_stock = 10;
    live.start_time = clock.now() - 10min;
    live.end_time = clock.now() + 10min;
    const auto live_id = repository.create_activity(live, clock.now());
    auto old = live;
    old.end_time = clock.now() - 1min;
    old.start_time = clock.now() - 1h;
    const auto old_id = repository.create_activity(old, clock.now());
    repository.tallies[live_id] = ports::ActivityTally{4, {ports::ShopperTally{kAlice, 1, 2}}};

    service->recovery().recover();
    EXPECT_EQ(gate.available(live_id), 6);
    EXPECT_FALSE(gate.available(old_id).has_value());
    const auto listing = service->index().listing();
    ASSERT_EQ(listing.size(), 1U);
    EXPECT_EQ(listing[0].sold, 4);
    EXPECT_EQ(listing[0].remaining, 6);

    const auto again = buy(kAlice);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kLimitReached);
    const auto bob = buy(kBob);
    ASSERT_TRUE(bob.ok());
    EXPECT_EQ(bob->seq, 1);
}

// ------------------------------------------------------------------------------------------ purchase

TEST_F(SeckillServiceTest, PurchaseQueuesWithoutTouchingTheDatabase) {
    NewActivity request;
    request.price = 990;
    const auto view = init(5, request);
    const int reads_before = repository.reads;

    const auto bought = buy(kAlice);
    ASSERT_TRUE(bought.ok()) << bought.error().message;
    EXPECT_EQ(repository.reads, reads_before);
    EXPECT_EQ(bought->activity_id, view.activity.id);
    EXPECT_EQ(bought->product_id, kProduct);
    EXPECT_EQ(bought->user_id, kAlice);
    EXPECT_EQ(bought->seq, 1);
    EXPECT_EQ(bought->price, 990);
    EXPECT_EQ(bought->id.size(), 32U);
    ASSERT_EQ(queue.published.size(), 1U);
    EXPECT_EQ(queue.published[0].id, bought->id);
    EXPECT_EQ(gate.available(view.activity.id), 4);

    auto cached = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, "queued");

    queue.succeed(queue.published[0], "ORD1");
    cached = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, "success");
    EXPECT_EQ(cached->reservations.at(0).order_no, "ORD1");
    EXPECT_FALSE(service->results().cached_result(kBob, view.activity.id));
    EXPECT_EQ(service->index().listing().at(0).sold, 1);
}

TEST_F(SeckillServiceTest, AnOutcomeReportedBeforePublishReturnsIsNotOverwrittenByQueued) {
    const auto view = init(5);
    queue.succeed_immediately = true;
    ASSERT_TRUE(buy(kAlice).ok());
    const auto cached = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, "success");
}

TEST_F(SeckillServiceTest, RefusalsMapToTheirCodes) {
    const auto none = buy(kAlice, 999);
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, ErrorCode::kActivityNotFound);

    NewActivity request;
    request.start_time = clock.now() + 1h;
    const auto view = init(2, request);
    const auto early = buy(kAlice);
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().code, ErrorCode::kNotStarted);
    EXPECT_NE(early.error().message.find(format_iso8601(view.activity.start_time)), std::string::npos)
        << early.error().message;

    clock.advance(1h);
    ASSERT_TRUE(buy(kAlice).ok());
    const auto limit = buy(kAlice);
    ASSERT_FALSE(limit.ok());
    EXPECT_EQ(limit.error().code, ErrorCode::kLimitReached);
    EXPECT_NE(limit.error().message.find("limit of 1"), std::string::npos);
    ASSERT_TRUE(buy(kBob).ok());
    // Once the gate is empty the crowd hears "sold out" from memory, before any per-shopper check.
    EXPECT_EQ(buy(kAlice).error().code, ErrorCode::kSoldOut);
    const auto sold_out = buy(kBob + 1);
    ASSERT_FALSE(sold_out.ok());
    EXPECT_EQ(sold_out.error().code, ErrorCode::kSoldOut);
    EXPECT_EQ(service->index().listing().at(0).state, domain::ActivityState::kSoldOut);

    clock.advance(1h);
    const auto late = buy(kBob);
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, ErrorCode::kEnded);
}

TEST_F(SeckillServiceTest, PerUserLimitAllowsThatManyThenRefuses) {
    NewActivity request;
    request.per_user_limit = 2;
    init(10, request);
    const auto first = buy(kAlice);
    const auto second = buy(kAlice);
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->seq, 2);
    EXPECT_EQ(buy(kAlice).error().code, ErrorCode::kLimitReached);
}

TEST_F(SeckillServiceTest, BusyQueueReturnsTheUnitAndTheShopperMayRetry) {
    const auto view = init(1);
    queue.failures_to_inject = 1;
    const auto busy = buy(kAlice);
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, ErrorCode::kSeckillBusy);
    EXPECT_EQ(gate.available(view.activity.id), 1);
    EXPECT_EQ(gate.releases, 1);
    EXPECT_FALSE(service->results().cached_result(kAlice, view.activity.id));

    const auto retry = buy(kAlice);
    ASSERT_TRUE(retry.ok()) << retry.error().message;
    EXPECT_EQ(retry->seq, 2);  // seq is never rewound: the failed one may not reuse its number
}

TEST_F(SeckillServiceTest, RateLimitPerShopper) {
    NewActivity request;
    request.per_user_limit = 100;
    init(1000, request);
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(buy(kAlice).ok()) << i;
    }
    const auto limited = buy(kAlice);
    ASSERT_FALSE(limited.ok());
    EXPECT_EQ(limited.error().code, ErrorCode::kSeckillRateLimited);
    EXPECT_TRUE(buy(kBob).ok());
    clock.advance(1s);
    EXPECT_TRUE(buy(kAlice).ok());
}

// ------------------------------------------------------------------------------------------ outcomes

TEST_F(SeckillServiceTest, FailedOutcomeReturnsTheUnitOnceEvenWhenRedelivered) {
    const auto view = init(1);
    ASSERT_TRUE(buy(kAlice).ok());
    queue.fail(queue.published[0], "sold out");
    queue.fail(queue.published[0], "sold out");
    drain();
    EXPECT_EQ(gate.releases, 1);
    EXPECT_EQ(gate.available(view.activity.id), 1);
    const auto cached = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, "failed");
    EXPECT_EQ(cached->reservations.at(0).fail_reason, "sold out");
}

TEST_F(SeckillServiceTest, CancelledOrderReturnsTheUnitAndFreesTheShopper) {
    const auto view = init(1);
    ASSERT_TRUE(buy(kAlice).ok());
    queue.succeed(queue.published[0], "ORD1");
    EXPECT_EQ(buy(kBob).error().code, ErrorCode::kSoldOut);

    service->results().order_cancelled(view.activity.id, kAlice, "ORD1");
    drain();
    EXPECT_EQ(gate.available(view.activity.id), 1);
    const auto cached = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->status, "none");
    EXPECT_EQ(cached->reservations.at(0).status, ReservationStatus::kReleased);

    const auto again = buy(kAlice);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->seq, 2);
    EXPECT_EQ(service->results().cached_result(kAlice, view.activity.id)->status, "queued");
    EXPECT_EQ(gate.releases, 1);
}

TEST_F(SeckillServiceTest, ResultMergesTheDatabaseWithQueuedReservations) {
    EXPECT_EQ(service->results().result(kAlice, kProduct).error().code, ErrorCode::kActivityNotFound);
    const auto view = init(5);
    const auto empty = service->results().result(kAlice, kProduct);
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->status, "none");
    EXPECT_TRUE(empty->reservations.empty());

    // An older, stored reservation (e.g. from before a restart) and a queued one only memory knows.
    domain::Reservation old;
    old.id = "old";
    old.activity_id = view.activity.id;
    old.product_id = kProduct;
    old.user_id = kAlice;
    old.seq = 1;
    old.status = ReservationStatus::kReleased;
    old.order_no = "ORD0";
    repository.stored.push_back(old);
    gate.load(view.activity, 5, {ports::ShopperTally{kAlice, 0, 1}});
    const auto bought = buy(kAlice);
    ASSERT_TRUE(bought.ok());

    const auto merged = service->results().result(kAlice, kProduct);
    ASSERT_TRUE(merged.ok());
    EXPECT_EQ(merged->status, "queued");
    ASSERT_EQ(merged->reservations.size(), 2U);
    EXPECT_EQ(merged->reservations[0].id, bought->id);
    EXPECT_EQ(merged->reservations[1].id, "old");
    EXPECT_EQ(merged->activity_id, view.activity.id);
    EXPECT_EQ(merged->product_id, kProduct);
    EXPECT_TRUE(service->results().result(kBob, kProduct)->reservations.empty());
}

TEST_F(SeckillServiceTest, ResultReportsReservationsAnotherInstanceHoldsInFlightAsQueued) {
    gate.in_flight_tracking = true;
    const auto view = init(5);
    // The executor answers the gate's lookups from a thread of its own, as the I/O threads do.
    auto work = boost::asio::make_work_guard(io);
    std::thread runner([this] { io.run(); });

    // Another instance reserved seq 3 (its order is not written yet); seq 2 is an order already.
    domain::Reservation stored;
    stored.id = "ordered";
    stored.activity_id = view.activity.id;
    stored.product_id = kProduct;
    stored.user_id = kAlice;
    stored.seq = 2;
    stored.status = ReservationStatus::kSucceeded;
    stored.order_no = "ORD2";
    repository.stored.push_back(stored);
    gate.in_flight[{view.activity.id, kAlice}] = {
        ports::InFlightReservation{kAlice, 3, clock.now(), "elsewhere"},
        ports::InFlightReservation{kAlice, 2, clock.now(), "ordered"},  // settled late: the database wins
    };
    const auto queued = service->results().result(kAlice, kProduct);
    ASSERT_TRUE(queued.ok());
    EXPECT_EQ(queued->status, "queued");
    ASSERT_EQ(queued->reservations.size(), 2U);
    EXPECT_EQ(queued->reservations[0].id, "elsewhere");
    EXPECT_EQ(queued->reservations[0].price, view.activity.price);
    EXPECT_EQ(queued->reservations[1].id, "ordered");
    EXPECT_EQ(queued->reservations[1].status, ReservationStatus::kSucceeded);
    EXPECT_TRUE(service->results().result(kBob, kProduct)->reservations.empty());

    // Memory keeps it as queued, so this instance's event stream follows it.
    const auto streamed = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(streamed.has_value());
    EXPECT_EQ(streamed->status, "queued");

    // Its order is written on the other instance: the periodic sync reads the database.
    clock.advance(1s);
    gate.in_flight.clear();
    domain::Reservation written = stored;
    written.id = "elsewhere";
    written.seq = 3;
    written.order_no = "ORD3";
    repository.stored.push_back(written);
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);
    EXPECT_EQ(service->results().cached_result(kAlice, view.activity.id)->reservations[0].order_no, "ORD3");

    // Another one was returned before becoming an order (never written): once the gate no longer
    // holds it, the sync forgets it instead of reporting "queued" for ever.
    gate.in_flight[{view.activity.id, kAlice}] = {ports::InFlightReservation{kAlice, 4, clock.now(), "returned"}};
    EXPECT_EQ(service->results().result(kAlice, kProduct)->status, "queued");
    clock.advance(1s);
    gate.in_flight.clear();
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);
    EXPECT_EQ(service->results().result(kAlice, kProduct)->status, "success");
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 0U);

    // A gate that cannot answer leaves what the database and memory know.
    gate.in_flight[{view.activity.id, kAlice}] = {ports::InFlightReservation{kAlice, 5, clock.now(), "x"}};
    gate.in_flight_fails = true;
    EXPECT_EQ(service->results().result(kAlice, kProduct)->status, "success");

    work.reset();
    io.stop();
    runner.join();
}

TEST_F(SeckillServiceTest, AReservationWhoseOrderWaitsForTheOrderServiceStaysQueuedUntilTheOrderIsThere) {
    gate.in_flight_tracking = true;
    const auto view = init(5);
    auto work = boost::asio::make_work_guard(io);
    std::thread runner([this] { io.run(); });

    // Services mode: the unit is taken and settled in the gate, but the order still waits in the
    // outbox, so the database reads the reservation as pending.
    domain::Reservation waiting;
    waiting.id = "waiting";
    waiting.activity_id = view.activity.id;
    waiting.product_id = kProduct;
    waiting.user_id = kAlice;
    waiting.seq = 1;
    waiting.reserved_at = clock.now();
    waiting.status = ReservationStatus::kPending;
    repository.stored.push_back(waiting);
    EXPECT_EQ(service->results().result(kAlice, kProduct)->status, "queued");

    // Not held by the gate any more, but stored: the sync keeps it (it has not vanished).
    clock.advance(1s);
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);
    const auto kept = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->status, "queued");

    // The relay handed the order over: the next sync turns it to success.
    repository.stored.back().status = ReservationStatus::kSucceeded;
    repository.stored.back().order_no = "ORD9";
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);
    EXPECT_EQ(service->results().cached_result(kAlice, view.activity.id)->status, "success");
    EXPECT_EQ(service->results().cached_result(kAlice, view.activity.id)->reservations[0].order_no, "ORD9");
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 0U);

    work.reset();
    io.stop();
    runner.join();
}

TEST_F(SeckillServiceTest, AWatchedResultIsReadBackFromTheDatabaseWhoeverMadeThePurchase) {
    const auto view = init(5);
    service->results().watch_result(kAlice, view.activity.id);
    service->results().watch_result(kAlice, view.activity.id);  // two tabs
    EXPECT_FALSE(service->results().cached_result(kAlice, view.activity.id).has_value());
    // Another instance sold and wrote the order; nothing of it passed through this one.
    domain::Reservation written;
    written.id = "elsewhere";
    written.activity_id = view.activity.id;
    written.product_id = kProduct;
    written.user_id = kAlice;
    written.seq = 1;
    written.status = ReservationStatus::kSucceeded;
    written.order_no = "ORD1";
    repository.stored.push_back(written);
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);
    const auto streamed = service->results().cached_result(kAlice, view.activity.id);
    ASSERT_TRUE(streamed.has_value());
    EXPECT_EQ(streamed->status, "success");
    EXPECT_EQ(streamed->reservations[0].order_no, "ORD1");

    service->results().unwatch_result(kAlice, view.activity.id);
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 1U);  // the other tab still watches
    service->results().unwatch_result(kAlice, view.activity.id);
    EXPECT_EQ(service->results().sync_unresolved(500ms, 100), 0U);
}

// ------------------------------------------------------------------------------------------ token gate

TEST_F(SeckillServiceTest, TokenGateRequiresAFreshSingleUseToken) {
    SeckillSettings settings;
    settings.token_required = true;
    settings.token_ttl = 60s;
    make_service(settings);
    NewActivity request;
    request.start_time = clock.now() + 10min;
    request.per_user_limit = 5;
    init(10, request);

    EXPECT_EQ(issue(kAlice).error().code, ErrorCode::kNotStarted);
    EXPECT_EQ(issue(kAlice, 999).error().code, ErrorCode::kActivityNotFound);
    clock.advance(10min);

    EXPECT_EQ(buy(kAlice).error().code, ErrorCode::kSeckillTokenRequired);
    EXPECT_EQ(tokens.consumes, 0);  // no token at all is refused without asking the store
    const auto token = issue(kAlice);
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(token->size(), 32U);
    EXPECT_EQ(buy(kBob, kProduct, token.value()).error().code, ErrorCode::kSeckillTokenRequired);
    EXPECT_EQ(buy(kAlice, kProduct, "guess").error().code, ErrorCode::kSeckillTokenRequired);
    ASSERT_TRUE(buy(kAlice, kProduct, token.value()).ok());
    EXPECT_EQ(buy(kAlice, kProduct, token.value()).error().code, ErrorCode::kSeckillTokenRequired);

    const auto replaced = issue(kAlice);
    const auto current = issue(kAlice);
    ASSERT_TRUE(replaced.ok());
    ASSERT_TRUE(current.ok());
    EXPECT_EQ(buy(kAlice, kProduct, replaced.value()).error().code, ErrorCode::kSeckillTokenRequired);
    ASSERT_TRUE(buy(kAlice, kProduct, current.value()).ok());

    const auto stale = issue(kAlice);
    ASSERT_TRUE(stale.ok());
    clock.advance(61s);
    EXPECT_EQ(buy(kAlice, kProduct, stale.value()).error().code, ErrorCode::kSeckillTokenRequired);
}

TEST_F(SeckillServiceTest, AnUnreachableTokenStoreAnswersBusyAndTakesNoUnit) {
    SeckillSettings settings;
    settings.token_required = true;
    make_service(settings);
    const auto view = init(3);
    const auto token = issue(kAlice);
    ASSERT_TRUE(token.ok());

    tokens.unreachable = true;
    EXPECT_EQ(issue(kBob).error().code, ErrorCode::kSeckillBusy);
    EXPECT_EQ(buy(kAlice, kProduct, token.value()).error().code, ErrorCode::kSeckillBusy);
    EXPECT_EQ(gate.available(view.activity.id), 3);
    EXPECT_TRUE(queue.published.empty());

    // Back again: the token that could not be checked was not spent.
    tokens.unreachable = false;
    EXPECT_TRUE(buy(kAlice, kProduct, token.value()).ok());
}

TEST_F(SeckillServiceTest, WithoutTheTokenGateNoTokenIsNeeded) {
    init(1);
    EXPECT_FALSE(service->purchases().token_required());
    EXPECT_TRUE(buy(kAlice).ok());
}

// ------------------------------------------------------------------------------------------ OrderService listener

/// Just enough of an order store for cancel, pay-after-expiry and the expiry sweep.
class FakeOrderRepository final : public ports::OrderRepository {
public:
    std::map<std::string, domain::Order> orders;

    Result<domain::Order> place(const domain::OrderDraft&) override {
        return make_error(ErrorCode::kInternal, "not used");
    }
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override {
        const auto it = orders.find(order_no);
        if (it == orders.end() || (user_id != 0 && it->second.user_id != user_id)) {
            return std::nullopt;
        }
        return it->second;
    }
    domain::Page<domain::Order> list(const domain::OrderQuery&) override { return {}; }
    bool mark_paid(const std::string&, domain::PayType, TimePoint) override { return false; }
    bool cancel(const std::string& order_no, TimePoint) override {
        auto& order = orders.at(order_no);
        if (order.status != domain::OrderStatus::kAwaitingPayment) {
            return false;
        }
        order.status = domain::OrderStatus::kCancelled;
        return true;
    }
    std::vector<std::string> expired_unpaid(TimePoint now, int) override {
        std::vector<std::string> out;
        for (const auto& [no, order] : orders) {
            if (order.status == domain::OrderStatus::kAwaitingPayment && order.expires_at <= now) {
                out.push_back(no);
            }
        }
        return out;
    }
};

class NoCart final : public ports::CartLines {
public:
    std::vector<domain::CartItem> list(std::int64_t) override { return {}; }
};

/// What the order side told the flash sale.
class RecordedReturns final : public ports::FlashSaleReturns {
public:
    struct Returned {
        std::int64_t activity_id;
        std::int64_t user_id;
        std::string order_no;
    };
    void order_cancelled(std::int64_t activity_id, std::int64_t user_id, const std::string& order_no) override {
        seen.push_back({activity_id, user_id, order_no});
    }
    std::vector<Returned> seen;
};

TEST(FlashSaleReturns, ToldOnceForEachWayAFlashSaleOrderIsCancelledAndNeverForOrdinaryOnes) {
    ManualClock clock;
    FakeOrderRepository orders;
    NoCart carts;
    OrderNumberGenerator numbers(1, clock);
    OrderService service(orders, carts, numbers, clock, OrderSettings{});
    RecordedReturns returns;
    service.return_flash_sale_units_to(returns);
    auto& seen = returns.seen;

    for (const auto* no : {"A", "B", "C", "D"}) {
        domain::Order order;
        order.order_no = no;
        order.user_id = kAlice;
        order.seckill_activity_id = 3;
        order.status = domain::OrderStatus::kAwaitingPayment;
        order.expires_at = clock.now() + 15min;
        orders.orders[no] = order;
    }
    orders.orders["D"].expires_at = clock.now() + 60min;

    ASSERT_TRUE(service.cancel(kAlice, "A").ok());
    EXPECT_EQ(service.cancel(kAlice, "A").error().code, ErrorCode::kOrderStatusConflict);
    ASSERT_EQ(seen.size(), 1U);
    EXPECT_EQ(seen[0].order_no, "A");
    EXPECT_EQ(seen[0].activity_id, 3);

    clock.advance(16min);
    EXPECT_EQ(service.pay(kAlice, "B").error().code, ErrorCode::kOrderStatusConflict);  // expired: cancelled instead
    ASSERT_EQ(seen.size(), 2U);
    EXPECT_EQ(seen[1].order_no, "B");

    EXPECT_EQ(service.cancel_expired(10), 1);  // C; D has not expired
    ASSERT_EQ(seen.size(), 3U);
    EXPECT_EQ(seen[2].order_no, "C");
    EXPECT_EQ(seen[2].user_id, kAlice);

    domain::Order plain;  // not from a flash sale: its stock came back in the cancel's transaction
    plain.order_no = "E";
    plain.user_id = kAlice;
    plain.status = domain::OrderStatus::kAwaitingPayment;
    plain.expires_at = clock.now() + 15min;
    orders.orders["E"] = plain;
    ASSERT_TRUE(service.cancel(kAlice, "E").ok());
    EXPECT_EQ(seen.size(), 3U);
}

}  // namespace
}  // namespace gomall::services
