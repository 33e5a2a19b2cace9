// A flash-sale order's payment window counts from its arrival at the order service when it came late.
#include "services/flash_sale_order_arrivals.hpp"

#include <chrono>
#include <vector>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

/// Keeps what it is given; refuses what the test says.
class RecordingIntake final : public ports::FlashSaleOrderIntake {
public:
    Result<int> accept(const std::vector<domain::Order>& orders) override {
        if (refuse) {
            return make_error(ErrorCode::kUnavailable, "down");
        }
        received = orders;
        return static_cast<int>(orders.size());
    }
    std::vector<domain::Order> received;
    bool refuse = false;
};

domain::Order order_written_at(TimePoint created, std::chrono::seconds window) {
    domain::Order order;
    order.order_no = "ORD1";
    order.created_at = created;
    order.expires_at = created + window;
    return order;
}

TEST(FlashSaleOrderArrivals, AnOrderThatWaitedGetsItsWholeWindowFromItsArrival) {
    AdvancingClock clock;
    RecordingIntake store;
    FlashSaleOrderArrivals arrivals(store, clock);
    const TimePoint now = clock.now();

    // Written 20 minutes ago with a 15-minute window (the order service was away): 15 minutes from now.
    auto late = order_written_at(now - 20min, 15min);
    // Handed over 50 ms after it was written: 50 ms later than it said, the time it took to arrive.
    auto prompt = order_written_at(now - 50ms, 15min);
    ASSERT_EQ(arrivals.accept({late, prompt}).value(), 2);
    ASSERT_EQ(store.received.size(), 2U);
    EXPECT_EQ(store.received[0].expires_at, now + 15min);
    EXPECT_EQ(store.received[0].created_at, now - 20min);  // when the unit was won stays
    EXPECT_EQ(store.received[1].expires_at, now + 15min);
    // One not yet due keeps its own end when that is later (a clock behind the seckill side's).
    auto ahead = order_written_at(now + 1min, 15min);
    ASSERT_TRUE(arrivals.accept({ahead}).ok());
    EXPECT_EQ(store.received[0].expires_at, now + 16min);

    // A malformed window is passed on untouched, for the store to refuse; errors pass through.
    auto backwards = order_written_at(now, 15min);
    backwards.expires_at = now - 1min;
    ASSERT_TRUE(arrivals.accept({backwards}).ok());
    EXPECT_EQ(store.received[0].expires_at, now - 1min);
    store.refuse = true;
    EXPECT_EQ(arrivals.accept({prompt}).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace gomall::services
