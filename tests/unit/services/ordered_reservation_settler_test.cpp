// The settler gathers the reservations that became orders while a batch is on its way and sends
// them per activity in one call.
#include "services/ordered_reservation_settler.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "unit/services/seckill_fakes.hpp"

namespace gomall::services {
namespace {

TEST(OrderedReservationSettlerTest, OrdersReportedBeforeTheDrainRunsGoInOneCallPerActivity) {
    boost::asio::io_context io;
    seckill_fakes::FakeStockGate gate;
    OrderedReservationSettler settler(gate, io.get_executor());
    for (int user = 1; user <= 5; ++user) {
        settler.ordered(1, user, 1);
    }
    settler.ordered(2, 9, 3);
    EXPECT_TRUE(gate.ordered_batches.empty());  // nothing is sent from the caller's thread
    io.run();
    EXPECT_EQ(gate.ordered_batches, (std::vector<std::size_t>{5, 1}));
    ASSERT_EQ(gate.settled.size(), 6U);
    for (const auto& settled : gate.settled) {
        EXPECT_FALSE(settled.returned);
    }
    EXPECT_EQ(gate.settled.back().activity_id, 2);
    EXPECT_EQ(gate.settled.back().seq, 3);

    // Once drained, the next order starts a new batch.
    settler.ordered(1, 6, 1);
    io.restart();
    io.run();
    EXPECT_EQ(gate.ordered_batches, (std::vector<std::size_t>{5, 1, 1}));
}

}  // namespace
}  // namespace gomall::services
