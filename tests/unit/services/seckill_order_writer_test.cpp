// The flash sale's order writer: the expiry it gives orders, the order numbers it hands the
// repository, the size check, and how a reservation is given up (stored, given up without a row,
// or kept while the database is down).
#include "services/seckill_order_writer.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using domain::Reservation;
using domain::ReservationStatus;
using std::chrono::seconds;
using ::testing::_;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::Throw;

class MockSeckillRepository : public ports::SeckillRepository {
public:
    MOCK_METHOD(std::int64_t, create_activity, (const domain::SeckillActivity&, TimePoint), (override));
    MOCK_METHOD(bool, update_activity, (const domain::SeckillActivity&, TimePoint), (override));
    MOCK_METHOD(std::optional<domain::SeckillActivity>, find_activity, (std::int64_t), (override));
    MOCK_METHOD(std::vector<domain::SeckillActivity>, list_activities, (TimePoint, int), (override));
    MOCK_METHOD(
        std::vector<Reservation>,
        fulfil,
        (std::vector<Reservation>, TimePoint, TimePoint, const std::function<std::string()>&),
        (override)
    );
    MOCK_METHOD(Reservation, record_failed, (Reservation, TimePoint), (override));
    MOCK_METHOD(std::optional<Reservation>, release_order, (const std::string&, TimePoint), (override));
    MOCK_METHOD(ports::ActivityTally, tally, (std::int64_t), (override));
    MOCK_METHOD(std::vector<Reservation>, reservations_of, (std::int64_t, std::int64_t), (override));
    MOCK_METHOD(std::int64_t, sold, (std::int64_t), (override));
};

class FixedClock final : public ports::Clock {
public:
    TimePoint now() const override { return TimePoint(seconds(1'800'000'000)); }
};

Reservation reservation(const std::string& id, int seq) {
    Reservation r;
    r.id = id;
    r.activity_id = 7;
    r.user_id = 42;
    r.seq = seq;
    return r;
}

class SeckillOrderWriterTest : public ::testing::Test {
protected:
    ::testing::StrictMock<MockSeckillRepository> repository;
    FixedClock clock;
    int numbered = 0;
    SeckillOrderWriter writer{repository, clock, seconds(900), [this] {
                                  return "ORD" + std::to_string(++numbered);
                              }};
};

TEST_F(SeckillOrderWriterTest, WritesABatchWithOrdersExpiringAfterTheUnpaidTimeout) {
    EXPECT_CALL(repository, fulfil(_, clock.now(), clock.now() + seconds(900), _))
        .WillOnce(Invoke([](std::vector<Reservation> batch, TimePoint, TimePoint, const auto& next_order_no) {
            for (auto& r : batch) {
                r.status = ReservationStatus::kSucceeded;
                r.order_no = next_order_no();
            }
            return batch;
        }));
    const auto out = writer.write({reservation("a", 1), reservation("b", 2)});
    ASSERT_EQ(out.size(), 2U);
    EXPECT_EQ(out[0].order_no, "ORD1");
    EXPECT_EQ(out[1].order_no, "ORD2");
}

TEST_F(SeckillOrderWriterTest, ARepositoryAnsweringForAnotherBatchSizeIsAnError) {
    EXPECT_CALL(repository, fulfil(_, _, _, _)).WillOnce(Return(std::vector<Reservation>{reservation("a", 1)}));
    EXPECT_THROW(writer.write({reservation("a", 1), reservation("b", 2)}), std::logic_error);
}

TEST_F(SeckillOrderWriterTest, GivingUpStoresTheFailureAndReturnsWhatWasStored) {
    Reservation failed = reservation("a", 1);
    failed.status = ReservationStatus::kFailed;
    failed.fail_reason = "order could not be written";
    Reservation written_meanwhile = reservation("a", 1);
    written_meanwhile.status = ReservationStatus::kSucceeded;
    written_meanwhile.order_no = "ORD9";
    EXPECT_CALL(repository, record_failed(_, clock.now())).WillOnce(Return(written_meanwhile));
    EXPECT_EQ(writer.give_up(failed).order_no, "ORD9");
}

TEST_F(SeckillOrderWriterTest, ARowTheDatabaseRefusesIsGivenUpWithoutOne) {
    Reservation failed = reservation("a", 1);
    failed.status = ReservationStatus::kFailed;
    EXPECT_CALL(repository, record_failed(_, _)).WillOnce(Throw(std::runtime_error("constraint")));
    EXPECT_CALL(repository, sold(7)).WillOnce(Return(3));  // the database answers
    const auto out = writer.give_up(failed);
    EXPECT_EQ(out.status, ReservationStatus::kFailed);
    EXPECT_EQ(out.id, "a");
}

TEST_F(SeckillOrderWriterTest, WhileTheDatabaseIsDownGivingUpThrowsSoTheReservationIsKept) {
    EXPECT_CALL(repository, record_failed(_, _)).WillOnce(Throw(std::runtime_error("connection lost")));
    EXPECT_CALL(repository, sold(7)).WillOnce(Throw(std::runtime_error("connection lost")));
    EXPECT_THROW(writer.give_up(reservation("a", 1)), std::runtime_error);
}

}  // namespace
}  // namespace gomall::services
