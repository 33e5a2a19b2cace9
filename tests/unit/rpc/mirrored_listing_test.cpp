// The gateway's mirror of the listing: a refresh replaces it, except for the gateway's own admin
// changes made after the refresh was asked for.
#include "rpc/mirrored_listing.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace gomall::rpc {
namespace {

using namespace std::chrono_literals;
using Clock = MirroredListing::Clock;

services::ActivityView view(std::int64_t id, domain::ActivityState state) {
    services::ActivityView v;
    v.activity.id = id;
    v.activity.product_id = 7;
    v.state = state;
    return v;
}

TEST(MirroredListingTest, AnAnswerAskedForBeforeAChangeDoesNotUndoIt) {
    MirroredListing listing;
    const auto t0 = Clock::now();
    listing.replace({view(1, domain::ActivityState::kActive)}, t0);

    // Asked at t0 + 1 s; meanwhile (t0 + 2 s) this gateway's admin ends sale 1 and starts sale 2.
    listing.remember(view(1, domain::ActivityState::kEnded), t0 + 2s);
    listing.remember(view(2, domain::ActivityState::kActive), t0 + 2s);
    ASSERT_EQ(listing.views().size(), 2U);
    EXPECT_EQ(listing.views()[0].state, domain::ActivityState::kEnded) << "shown at once";

    listing.replace({view(1, domain::ActivityState::kActive)}, t0 + 1s);  // the stale answer
    ASSERT_EQ(listing.views().size(), 2U);
    EXPECT_EQ(listing.views()[0].state, domain::ActivityState::kEnded);
    EXPECT_EQ(listing.views()[1].activity.id, 2);

    // An answer asked for after the changes is taken as it is: the service has them.
    listing.replace({view(2, domain::ActivityState::kSoldOut)}, t0 + 3s);
    ASSERT_EQ(listing.views().size(), 1U);
    EXPECT_EQ(listing.views()[0].activity.id, 2);
    EXPECT_EQ(listing.views()[0].state, domain::ActivityState::kSoldOut);

    // And the changes are not laid over later answers again.
    listing.replace({}, t0 + 4s);
    EXPECT_TRUE(listing.views().empty());
}

}  // namespace
}  // namespace gomall::rpc
