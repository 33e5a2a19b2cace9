// Turns durable flash-sale reservations into orders. The queues own delivery (a group commit in
// embedded mode, RabbitMQ consumers in full mode); what an order is, when it expires and what
// becomes of a reservation that cannot be written is decided behind this port, once.
#pragma once

#include <vector>

#include "domain/seckill.hpp"

namespace gomall::ports {

class ReservationWriter {
public:
    virtual ~ReservationWriter() = default;

    /// Writes the batch in one database transaction, idempotently on (activity_id, user_id, seq):
    /// returns it with status, order_no and fail_reason filled in, same size and order. Throws when
    /// the database cannot be reached or refuses the batch (nothing of it is written). Called on
    /// the queues' writer threads, possibly from several at once.
    virtual std::vector<domain::Reservation> write(std::vector<domain::Reservation> batch) = 0;

    /// A reservation whose write kept failing (`failed` comes marked kFailed with a reason): records
    /// the failure where every instance sees it and returns the stored state (a reservation written
    /// meanwhile comes back succeeded). Throws while the database cannot be reached, so the caller
    /// keeps the reservation: an outage never turns queued reservations into failures.
    virtual domain::Reservation give_up(const domain::Reservation& failed) = 0;
};

}  // namespace gomall::ports
