#include "domain/seckill.hpp"

namespace gomall::domain {

const char* activity_state_name(ActivityState state) {
    switch (state) {
        case ActivityState::kUpcoming:
            return "upcoming";
        case ActivityState::kActive:
            return "active";
        case ActivityState::kSoldOut:
            return "sold_out";
        case ActivityState::kEnded:
            return "ended";
    }
    return "ended";
}

}  // namespace gomall::domain
