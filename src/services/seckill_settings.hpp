// The flash sale's settings (seckill.* in the config), shared by the parts of the sale.
#pragma once

#include <chrono>

namespace gomall::services {

struct SeckillSettings {
    /// Anti-bot gate: purchases need a single-use token fetched once the sale has started.
    bool token_required = false;
    std::chrono::seconds token_ttl{120};
    /// Length of an activity created without an end time.
    std::chrono::seconds default_duration{3600};
    /// How many activities (newest first) recovery and the admin read; older ones are long over.
    int recover_limit = 1000;
    /// How long a result poll waits for a shared gate's in-flight answer before it answers from the
    /// database and memory alone (Redis slow or down).
    std::chrono::milliseconds in_flight_lookup_timeout{500};
};

}  // namespace gomall::services
