// Writing orders and giving reservations up.
#include "services/seckill_order_writer.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

namespace gomall::services {

SeckillOrderWriter::SeckillOrderWriter(
    ports::SeckillRepository& repository,
    const ports::Clock& clock,
    std::chrono::seconds unpaid_timeout,
    std::function<std::string()> next_order_no,
    AfterWrite after_write
)
    : repository_(repository),
      clock_(clock),
      unpaid_timeout_(unpaid_timeout),
      next_order_no_(std::move(next_order_no)),
      after_write_(std::move(after_write)) {}

std::vector<domain::Reservation> SeckillOrderWriter::write(std::vector<domain::Reservation> batch) {
    const std::size_t size = batch.size();
    const TimePoint now = clock_.now();
    auto outcomes = repository_.fulfil(std::move(batch), now, now + unpaid_timeout_, next_order_no_);
    if (outcomes.size() != size) {
        throw std::logic_error("SeckillRepository::fulfil returned a batch of another size");
    }
    if (after_write_) {
        after_write_(outcomes);
    }
    return outcomes;
}

domain::Reservation SeckillOrderWriter::give_up(const domain::Reservation& failed) {
    try {
        return repository_.record_failed(failed, clock_.now());
    } catch (const std::exception& e) {
        // Reachable but refusing the row, or not reachable at all? A cheap read tells them apart:
        // it throws on its own while the database is down, and the reservation is kept.
        repository_.sold(failed.activity_id);
        spdlog::error(
            "flash sale {}: reservation {} cannot be stored as failed ({}); giving it up without a row",
            failed.activity_id,
            failed.id,
            e.what()
        );
        return failed;
    }
}

}  // namespace gomall::services
