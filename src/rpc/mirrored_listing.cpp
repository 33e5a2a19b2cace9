// Which of the gateway's own changes still need laying over a refresh.
#include "rpc/mirrored_listing.hpp"

#include <algorithm>

namespace gomall::rpc {
namespace {

/// Puts `view` into the listing in place of the entry with its id, or adds it.
void put(std::vector<services::ActivityView>& listing, const services::ActivityView& view) {
    const auto id = view.activity.id;
    const auto it = std::find_if(listing.begin(), listing.end(), [id](const services::ActivityView& v) {
        return v.activity.id == id;
    });
    if (it != listing.end()) {
        *it = view;
    } else {
        listing.push_back(view);
    }
}

}  // namespace

void MirroredListing::remember(const services::ActivityView& view, Clock::time_point at) {
    put(views_, view);
    changes_.emplace_back(at, view);
}

void MirroredListing::replace(std::vector<services::ActivityView> fresh, Clock::time_point asked_at) {
    // A change made before the question is in the answer (an admin change returns once every
    // seckill instance has applied it); one made since may not be.
    std::erase_if(changes_, [asked_at](const auto& change) { return change.first < asked_at; });
    for (const auto& change : changes_) {
        put(fresh, change.second);
    }
    views_ = std::move(fresh);
}

}  // namespace gomall::rpc
