// The gateway's copy of the flash-sale listing: replaced by each background refresh, with this
// gateway's own admin changes laid over any answer that was asked for before them (such an answer
// may predate the change and must not undo it for up to one refresh).
#pragma once

#include <chrono>
#include <utility>
#include <vector>

#include "services/flash_sale_api.hpp"

namespace gomall::rpc {

/// Not thread-safe: the client guards it with its mutex.
class MirroredListing {
public:
    using Clock = std::chrono::steady_clock;

    /// An admin change made through this gateway at `at`: shown at once.
    void remember(const services::ActivityView& view, Clock::time_point at);
    /// A refresh asked for at `asked_at` answered `fresh`.
    void replace(std::vector<services::ActivityView> fresh, Clock::time_point asked_at);

    const std::vector<services::ActivityView>& views() const { return views_; }

private:
    std::vector<services::ActivityView> views_;
    std::vector<std::pair<Clock::time_point, services::ActivityView>> changes_;  // oldest first
};

}  // namespace gomall::rpc
