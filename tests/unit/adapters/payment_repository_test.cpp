// Contract tests of SqlPaymentRepository (payment attempts, refunds, the payment record and the
// refund bookkeeping on orders), on SQLite (a temporary file) and, when
// GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE are set, on MariaDB.
#include "adapters/sql/payment_repository.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "adapters/sql/database.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/user_repository.hpp"
#include "core/time.hpp"
#include "domain/order.hpp"
#include "domain/payment.hpp"
#include "unit/adapters/sql_test_database.hpp"

namespace gomall::adapters::sql {
namespace {

using namespace std::chrono_literals;
using domain::AttemptStatus;
using domain::OrderStatus;
using domain::PaymentAttempt;
using domain::PaymentRecord;
using domain::RefundEntry;
using domain::RefundStatus;
using testing::Backend;
using testing::backend_name;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

// The shared test database helper empties only the tables it knows, and the payment tables are
// not among them: on MariaDB rows of another run (same order numbers) must be removed here.
void empty_payment_tables(Database& db) {
    SessionLease session = db.lease();
    *session << "DELETE FROM payment_records";
    *session << "DELETE FROM payment_refunds";
    *session << "DELETE FROM payment_attempts";
}

// True when `text` is well-formed UTF-8 (no sequence cut short, no stray continuation byte).
bool valid_utf8(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        if (lead < 0x80U) {
            extra = 0;
        } else if ((lead & 0xE0U) == 0xC0U) {
            extra = 1;
        } else if ((lead & 0xF0U) == 0xE0U) {
            extra = 2;
        } else if ((lead & 0xF8U) == 0xF0U) {
            extra = 3;
        } else {
            return false;
        }
        if (i + extra >= text.size()) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0U) != 0x80U) {
                return false;
            }
        }
        i += extra + 1;
    }
    return true;
}

class PaymentSqlTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        // Eight connections: the concurrency test holds one lease per thread.
        if (!test_db_.open(GetParam(), 8)) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
        db_ = test_db_.get();
        if (GetParam() == Backend::kMysql) {
            empty_payment_tables(*db_);
        }
        payments_ = std::make_unique<SqlPaymentRepository>(*db_);
        orders_ = std::make_unique<SqlOrderRepository>(*db_);
    }

    void TearDown() override {
        if (db_ && GetParam() == Backend::kMysql) {
            empty_payment_tables(*db_);
        }
        payments_.reset();
        orders_.reset();
        test_db_.close();
    }

    struct PlacedOrder {
        std::string order_no;
        std::int64_t user_id = 0;
    };

    // An order of one product costing `total`, awaiting payment.
    PlacedOrder unpaid_order(const std::string& order_no, Cents total) {
        const std::string name = "payer" + std::to_string(user_seq_++);
        SqlUserRepository users(*db_);
        auto uid = users.create({name, name + "@example.com", "", "hash", domain::Role::kShopper}, kNow);
        EXPECT_TRUE(uid.has_value());
        SqlProductRepository products(*db_);
        const auto pid = products.create(
            {"item of " + order_no, "about it", total, 10, 0, "/images/x.svg", domain::ProductStatus::kOnSale}, kNow
        );
        auto placed = orders_->place({order_no, uid.value_or(0), {{pid, 1}}, kNow, kNow + 15min, false});
        EXPECT_TRUE(placed) << (placed ? "" : placed.error().message);
        return {order_no, uid.value_or(0)};
    }

    PlacedOrder paid_order(const std::string& order_no, Cents total) {
        PlacedOrder o = unpaid_order(order_no, total);
        EXPECT_TRUE(orders_->mark_paid(order_no, domain::PayType::kWechat, kNow));
        return o;
    }

    // Shipped and completed have no repository call here; the status column is set directly.
    void set_order_status(const std::string& order_no, OrderStatus status) {
        SessionLease session = db_->lease();
        int value = static_cast<int>(status);
        std::string no = order_no;
        *session << "UPDATE orders SET status = :s WHERE order_no = :o", soci::use(value), soci::use(no);
    }

    OrderStatus order_status(const PlacedOrder& o) {
        auto found = orders_->find(o.order_no, o.user_id);
        EXPECT_TRUE(found.has_value());
        return found ? found->status : OrderStatus::kProcessing;
    }

    static PaymentAttempt attempt(const PlacedOrder& o, int attempt_no, const std::string& out_trade_no) {
        PaymentAttempt a;
        a.order_no = o.order_no;
        a.user_id = o.user_id;
        a.attempt_no = attempt_no;
        a.out_trade_no = out_trade_no;
        a.provider = "wechat_v3";
        a.amount = 1000;
        a.status = AttemptStatus::kCreating;
        a.expires_at = kNow + 15min;
        a.created_at = kNow;
        a.updated_at = kNow;
        return a;
    }

    static RefundEntry refund(
        const std::string& out_refund_no, const std::string& order_no, Cents amount, bool automatic = false
    ) {
        RefundEntry r;
        r.out_refund_no = out_refund_no;
        r.order_no = order_no;
        r.out_trade_no = order_no + "-1";
        r.provider = "wechat_v3";
        r.amount = amount;
        r.status = RefundStatus::kProcessing;
        r.automatic = automatic;
        r.created_at = kNow;
        r.updated_at = kNow;
        return r;
    }

    static PaymentRecord record(const std::string& order_no, const std::string& kind, TimePoint at) {
        PaymentRecord r;
        r.order_no = order_no;
        r.kind = kind;
        r.provider = "wechat_v3";
        r.out_trade_no = order_no + "-1";
        r.status = "SUCCESS";
        r.created_at = at;
        return r;
    }

    AttemptStatus attempt_status(const std::string& out_trade_no) {
        auto found = payments_->find_attempt(out_trade_no);
        EXPECT_TRUE(found.has_value()) << out_trade_no;
        return found ? found->status : AttemptStatus::kCreating;
    }

    testing::TestDatabase test_db_;
    Database* db_ = nullptr;
    std::unique_ptr<SqlPaymentRepository> payments_;
    std::unique_ptr<SqlOrderRepository> orders_;
    int user_seq_ = 0;
};

// ------------------------------------------------------------------ attempts

using PaymentAttemptTest = PaymentSqlTest;

TEST_P(PaymentAttemptTest, SecondAttemptWithTheSameNumberOrTradeNumberIsRefused) {
    const auto o = unpaid_order("PAY1", 1000);
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 1, "PAY1-1")));
    // Same (order, attempt_no), another trade number.
    EXPECT_FALSE(payments_->insert_attempt(attempt(o, 1, "PAY1-X")));
    // Same trade number, another attempt number.
    EXPECT_FALSE(payments_->insert_attempt(attempt(o, 2, "PAY1-1")));
    // Same trade number on another order.
    const auto other = unpaid_order("PAY2", 1000);
    EXPECT_FALSE(payments_->insert_attempt(attempt(other, 1, "PAY1-1")));

    EXPECT_FALSE(payments_->find_attempt("PAY1-X"));
    ASSERT_EQ(payments_->attempts_of("PAY1").size(), 1U);
    EXPECT_EQ(payments_->attempts_of("PAY1")[0].attempt_no, 1);
    EXPECT_TRUE(payments_->attempts_of("PAY2").empty());

    EXPECT_TRUE(payments_->insert_attempt(attempt(o, 2, "PAY1-2")));
    EXPECT_EQ(payments_->attempts_of("PAY1").size(), 2U);
}

TEST_P(PaymentAttemptTest, EveryFieldSurvivesTheRoundTripWithTimesToTheSecond) {
    const auto o = unpaid_order("PAY3", 2345);
    PaymentAttempt a = attempt(o, 1, "PAY3-1");
    a.provider = "wechat_v2";
    a.amount = 2345;
    a.expires_at = kNow + 15min + 999ms;  // stored to the second
    a.created_at = kNow + 250ms;
    ASSERT_TRUE(payments_->insert_attempt(a));

    auto found = payments_->find_attempt("PAY3-1");
    ASSERT_TRUE(found);
    EXPECT_GT(found->id, 0);
    EXPECT_EQ(found->order_no, "PAY3");
    EXPECT_EQ(found->user_id, o.user_id);
    EXPECT_EQ(found->attempt_no, 1);
    EXPECT_EQ(found->out_trade_no, "PAY3-1");
    EXPECT_EQ(found->provider, "wechat_v2");
    EXPECT_EQ(found->amount, 2345);
    EXPECT_EQ(found->status, AttemptStatus::kCreating);
    EXPECT_EQ(found->code_url, "");
    EXPECT_EQ(found->prepay_id, "");
    EXPECT_EQ(found->transaction_id, "");
    EXPECT_EQ(found->expires_at, kNow + 15min);
    EXPECT_FALSE(found->paid_at.has_value());
    EXPECT_EQ(found->created_at, kNow);
    EXPECT_EQ(found->updated_at, kNow);  // written from created_at

    ASSERT_TRUE(payments_->open_attempt("PAY3-1", "weixin://wxpay/bizpayurl?pr=abc", "wx_prepay_1", kNow + 1s));
    ASSERT_TRUE(payments_->claim_attempt_paid("PAY3-1", "4200000001", kNow + 30s + 500ms, kNow + 31s));
    found = payments_->find_attempt("PAY3-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, AttemptStatus::kPaid);
    EXPECT_EQ(found->code_url, "weixin://wxpay/bizpayurl?pr=abc");
    EXPECT_EQ(found->prepay_id, "wx_prepay_1");
    EXPECT_EQ(found->transaction_id, "4200000001");
    ASSERT_TRUE(found->paid_at.has_value());
    EXPECT_EQ(*found->paid_at, kNow + 30s);
    EXPECT_EQ(found->created_at, kNow);
    EXPECT_EQ(found->updated_at, kNow + 31s);
    EXPECT_EQ(found->expires_at, kNow + 15min);

    // attempts_of gives the same rows, by attempt number; an inserted status is kept.
    PaymentAttempt second = attempt(o, 2, "PAY3-2");
    second.status = AttemptStatus::kOpen;
    second.created_at = kNow + 1min;
    ASSERT_TRUE(payments_->insert_attempt(second));
    const auto all = payments_->attempts_of("PAY3");
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].out_trade_no, "PAY3-1");
    EXPECT_EQ(all[0].id, found->id);
    EXPECT_EQ(all[0].transaction_id, "4200000001");
    ASSERT_TRUE(all[0].paid_at.has_value());
    EXPECT_EQ(*all[0].paid_at, kNow + 30s);
    EXPECT_EQ(all[1].out_trade_no, "PAY3-2");
    EXPECT_EQ(all[1].attempt_no, 2);
    EXPECT_EQ(all[1].status, AttemptStatus::kOpen);
    EXPECT_EQ(all[1].user_id, o.user_id);
    EXPECT_EQ(all[1].amount, 1000);
    EXPECT_EQ(all[1].provider, "wechat_v3");
    EXPECT_FALSE(all[1].paid_at.has_value());
    EXPECT_EQ(all[1].created_at, kNow + 1min);
    EXPECT_EQ(all[1].updated_at, kNow + 1min);
    EXPECT_GT(all[1].id, all[0].id);

    EXPECT_FALSE(payments_->find_attempt("PAY3-3"));
    EXPECT_TRUE(payments_->attempts_of("NOPE").empty());
}

TEST_P(PaymentAttemptTest, OpeningWorksOnlyFromCreating) {
    const auto o = unpaid_order("PAY4", 1000);
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 1, "PAY4-1")));
    EXPECT_TRUE(payments_->open_attempt("PAY4-1", "weixin://first", "prepay1", kNow + 1s));
    EXPECT_EQ(attempt_status("PAY4-1"), AttemptStatus::kOpen);
    // Already open: the first code_url stays.
    EXPECT_FALSE(payments_->open_attempt("PAY4-1", "weixin://second", "prepay2", kNow + 2s));
    auto found = payments_->find_attempt("PAY4-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->code_url, "weixin://first");
    EXPECT_EQ(found->prepay_id, "prepay1");
    EXPECT_EQ(found->updated_at, kNow + 1s);

    // Closed, failed and paid attempts cannot be (re)opened.
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 2, "PAY4-2")));
    ASSERT_TRUE(payments_->end_attempt("PAY4-2", AttemptStatus::kClosed, kNow));
    EXPECT_FALSE(payments_->open_attempt("PAY4-2", "weixin://x", "p", kNow));
    EXPECT_EQ(attempt_status("PAY4-2"), AttemptStatus::kClosed);

    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 3, "PAY4-3")));
    ASSERT_TRUE(payments_->end_attempt("PAY4-3", AttemptStatus::kFailed, kNow));
    EXPECT_FALSE(payments_->open_attempt("PAY4-3", "weixin://x", "p", kNow));
    EXPECT_EQ(attempt_status("PAY4-3"), AttemptStatus::kFailed);

    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 4, "PAY4-4")));
    ASSERT_TRUE(payments_->claim_attempt_paid("PAY4-4", "tx", kNow, kNow));
    EXPECT_FALSE(payments_->open_attempt("PAY4-4", "weixin://x", "p", kNow));
    EXPECT_EQ(attempt_status("PAY4-4"), AttemptStatus::kPaid);

    EXPECT_FALSE(payments_->open_attempt("PAY4-9", "weixin://x", "p", kNow));
}

TEST_P(PaymentAttemptTest, EndingWorksOnlyFromCreatingOrOpen) {
    const auto o = unpaid_order("PAY5", 1000);
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 1, "PAY5-1")));
    EXPECT_TRUE(payments_->end_attempt("PAY5-1", AttemptStatus::kClosed, kNow + 5s));
    auto found = payments_->find_attempt("PAY5-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, AttemptStatus::kClosed);
    EXPECT_EQ(found->updated_at, kNow + 5s);
    // Ended already: neither another close nor a failure applies.
    EXPECT_FALSE(payments_->end_attempt("PAY5-1", AttemptStatus::kFailed, kNow + 6s));
    EXPECT_FALSE(payments_->end_attempt("PAY5-1", AttemptStatus::kClosed, kNow + 6s));
    EXPECT_EQ(attempt_status("PAY5-1"), AttemptStatus::kClosed);

    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 2, "PAY5-2")));
    ASSERT_TRUE(payments_->open_attempt("PAY5-2", "weixin://x", "p", kNow));
    EXPECT_TRUE(payments_->end_attempt("PAY5-2", AttemptStatus::kFailed, kNow + 1s));
    EXPECT_EQ(attempt_status("PAY5-2"), AttemptStatus::kFailed);
    EXPECT_FALSE(payments_->end_attempt("PAY5-2", AttemptStatus::kClosed, kNow + 2s));
    EXPECT_EQ(attempt_status("PAY5-2"), AttemptStatus::kFailed);

    // A paid attempt is never closed.
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 3, "PAY5-3")));
    ASSERT_TRUE(payments_->open_attempt("PAY5-3", "weixin://x", "p", kNow));
    ASSERT_TRUE(payments_->claim_attempt_paid("PAY5-3", "tx3", kNow + 1s, kNow + 1s));
    EXPECT_FALSE(payments_->end_attempt("PAY5-3", AttemptStatus::kClosed, kNow + 2s));
    found = payments_->find_attempt("PAY5-3");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, AttemptStatus::kPaid);
    EXPECT_EQ(found->updated_at, kNow + 1s);

    EXPECT_FALSE(payments_->end_attempt("PAY5-9", AttemptStatus::kClosed, kNow));
}

TEST_P(PaymentAttemptTest, PaymentIsClaimedOnceAndKeepsTheFirstTransaction) {
    const auto o = unpaid_order("PAY6", 1000);
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 1, "PAY6-1")));
    ASSERT_TRUE(payments_->open_attempt("PAY6-1", "weixin://x", "p", kNow));
    EXPECT_TRUE(payments_->claim_attempt_paid("PAY6-1", "4200000006", kNow + 10s, kNow + 11s));
    // A duplicate notification (even one naming another transaction) changes nothing.
    EXPECT_FALSE(payments_->claim_attempt_paid("PAY6-1", "4200000006", kNow + 10s, kNow + 20s));
    EXPECT_FALSE(payments_->claim_attempt_paid("PAY6-1", "4299999999", kNow + 50s, kNow + 51s));
    auto found = payments_->find_attempt("PAY6-1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, AttemptStatus::kPaid);
    EXPECT_EQ(found->transaction_id, "4200000006");
    ASSERT_TRUE(found->paid_at.has_value());
    EXPECT_EQ(*found->paid_at, kNow + 10s);
    EXPECT_EQ(found->updated_at, kNow + 11s);

    // Money can arrive for an attempt we closed or that never opened: it is still claimed once.
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 2, "PAY6-2")));
    ASSERT_TRUE(payments_->end_attempt("PAY6-2", AttemptStatus::kClosed, kNow));
    EXPECT_TRUE(payments_->claim_attempt_paid("PAY6-2", "4200000007", kNow + 1min, kNow + 1min));
    EXPECT_FALSE(payments_->claim_attempt_paid("PAY6-2", "4200000007", kNow + 1min, kNow + 1min));
    ASSERT_TRUE(payments_->insert_attempt(attempt(o, 3, "PAY6-3")));
    EXPECT_TRUE(payments_->claim_attempt_paid("PAY6-3", "4200000008", kNow + 2min, kNow + 2min));
    EXPECT_EQ(attempt_status("PAY6-3"), AttemptStatus::kPaid);

    EXPECT_FALSE(payments_->claim_attempt_paid("PAY6-9", "tx", kNow, kNow));
}

INSTANTIATE_TEST_SUITE_P(
    Backends, PaymentAttemptTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ refunds

using PaymentRefundTest = PaymentSqlTest;

TEST_P(PaymentRefundTest, ReservationsAddUpWithinTheTotalAndReleasesGiveBack) {
    const auto o = paid_order("REF1", 1000);
    EXPECT_EQ(payments_->refunded_total("REF1"), 0);
    EXPECT_TRUE(payments_->reserve_refund("REF1", 400, kNow));
    EXPECT_EQ(payments_->refunded_total("REF1"), 400);
    EXPECT_FALSE(payments_->reserve_refund("REF1", 601, kNow));  // 1001 > 1000
    EXPECT_EQ(payments_->refunded_total("REF1"), 400);
    EXPECT_TRUE(payments_->reserve_refund("REF1", 600, kNow));  // exactly the total
    EXPECT_EQ(payments_->refunded_total("REF1"), 1000);
    EXPECT_FALSE(payments_->reserve_refund("REF1", 1, kNow));
    EXPECT_EQ(payments_->refunded_total("REF1"), 1000);

    payments_->release_refund("REF1", 300, kNow + 1s);
    EXPECT_EQ(payments_->refunded_total("REF1"), 700);
    EXPECT_FALSE(payments_->reserve_refund("REF1", 301, kNow));
    EXPECT_TRUE(payments_->reserve_refund("REF1", 300, kNow));
    EXPECT_EQ(payments_->refunded_total("REF1"), 1000);

    // Releasing more than is reserved changes nothing (never below zero).
    payments_->release_refund("REF1", 1000, kNow);
    EXPECT_EQ(payments_->refunded_total("REF1"), 0);
    payments_->release_refund("REF1", 1, kNow);
    EXPECT_EQ(payments_->refunded_total("REF1"), 0);

    // Reserving money changes neither the order's status nor its total.
    auto stored = orders_->find("REF1", o.user_id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, OrderStatus::kPaid);
    EXPECT_EQ(stored->total_price, 1000);

    // Unknown orders have nothing to reserve from.
    EXPECT_FALSE(payments_->reserve_refund("NOPE", 1, kNow));
    EXPECT_EQ(payments_->refunded_total("NOPE"), 0);
}

TEST_P(PaymentRefundTest, OnlyPaidShippedOrCompletedOrdersCanBeRefunded) {
    const auto unpaid = unpaid_order("REF2", 1000);
    EXPECT_FALSE(payments_->reserve_refund("REF2", 100, kNow));
    EXPECT_EQ(payments_->refunded_total("REF2"), 0);
    EXPECT_EQ(order_status(unpaid), OrderStatus::kAwaitingPayment);

    const auto cancelled = unpaid_order("REF3", 1000);
    ASSERT_TRUE(orders_->cancel("REF3", kNow));
    EXPECT_FALSE(payments_->reserve_refund("REF3", 100, kNow));
    EXPECT_EQ(payments_->refunded_total("REF3"), 0);

    paid_order("REF4", 1000);
    set_order_status("REF4", OrderStatus::kShipped);
    EXPECT_TRUE(payments_->reserve_refund("REF4", 100, kNow));
    EXPECT_EQ(payments_->refunded_total("REF4"), 100);

    paid_order("REF5", 1000);
    set_order_status("REF5", OrderStatus::kCompleted);
    EXPECT_TRUE(payments_->reserve_refund("REF5", 1000, kNow));
    EXPECT_EQ(payments_->refunded_total("REF5"), 1000);

    paid_order("REF6", 1000);
    set_order_status("REF6", OrderStatus::kRefunded);
    EXPECT_FALSE(payments_->reserve_refund("REF6", 100, kNow));

    paid_order("REF7", 1000);
    set_order_status("REF7", OrderStatus::kProcessing);
    EXPECT_FALSE(payments_->reserve_refund("REF7", 100, kNow));
    EXPECT_EQ(payments_->refunded_total("REF7"), 0);
}

TEST_P(PaymentRefundTest, RefundEntriesAreUniqueByOutRefundNoAndRoundTrip) {
    paid_order("REF8", 1000);
    RefundEntry r = refund("REF8-R1", "REF8", 300);
    r.created_at = kNow + 1s + 700ms;
    ASSERT_TRUE(payments_->insert_refund(r));
    // Same out_refund_no, whatever else differs: refused, the first one kept.
    RefundEntry dup = refund("REF8-R1", "REF8", 999, true);
    EXPECT_FALSE(payments_->insert_refund(dup));

    auto found = payments_->find_refund("REF8-R1");
    ASSERT_TRUE(found);
    EXPECT_GT(found->id, 0);
    EXPECT_EQ(found->out_refund_no, "REF8-R1");
    EXPECT_EQ(found->order_no, "REF8");
    EXPECT_EQ(found->out_trade_no, "REF8-1");
    EXPECT_EQ(found->provider, "wechat_v3");
    EXPECT_EQ(found->amount, 300);
    EXPECT_EQ(found->status, RefundStatus::kProcessing);
    EXPECT_EQ(found->refund_id, "");
    EXPECT_FALSE(found->automatic);
    EXPECT_EQ(found->created_at, kNow + 1s);
    EXPECT_EQ(found->updated_at, kNow + 1s);

    ASSERT_TRUE(payments_->insert_refund(refund("REF8-A1", "REF8", 50, true)));
    const auto all = payments_->refunds_of("REF8");
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].out_refund_no, "REF8-R1");
    EXPECT_EQ(all[0].amount, 300);
    EXPECT_EQ(all[1].out_refund_no, "REF8-A1");
    EXPECT_TRUE(all[1].automatic);
    EXPECT_EQ(all[1].amount, 50);

    EXPECT_FALSE(payments_->find_refund("REF8-R2"));
    EXPECT_TRUE(payments_->refunds_of("NOPE").empty());
}

TEST_P(PaymentRefundTest, AnOrderIsPaidByOneTradeOnceAndRemembersWhichOne) {
    const PlacedOrder o = unpaid_order("PAY1", 1000);
    EXPECT_EQ(payments_->paid_trade_no("PAY1"), "");
    ASSERT_TRUE(payments_->mark_order_paid("PAY1", "PAY1-2", kNow + 1min));
    // A second trade (or the same one again) does not pay it twice nor take its place.
    EXPECT_FALSE(payments_->mark_order_paid("PAY1", "PAY1-1", kNow + 2min));
    EXPECT_FALSE(payments_->mark_order_paid("PAY1", "PAY1-2", kNow + 2min));
    EXPECT_EQ(payments_->paid_trade_no("PAY1"), "PAY1-2");
    auto found = orders_->find("PAY1", o.user_id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, OrderStatus::kPaid);
    EXPECT_EQ(found->pay_type, domain::PayType::kWechat);
    ASSERT_TRUE(found->paid_at);
    EXPECT_EQ(*found->paid_at, kNow + 1min);
    // Paid another way: no paying trade, and a cancelled order cannot be paid.
    paid_order("PAY2", 1000);
    EXPECT_EQ(payments_->paid_trade_no("PAY2"), "");
    unpaid_order("PAY3", 1000);
    ASSERT_TRUE(orders_->cancel("PAY3", kNow));
    EXPECT_FALSE(payments_->mark_order_paid("PAY3", "PAY3-1", kNow));
    EXPECT_EQ(payments_->paid_trade_no("NOPE"), "");
}

TEST_P(PaymentRefundTest, ProcessingRefundsAreListedOldestFirstOnceOldEnough) {
    paid_order("RTY1", 1000);
    RefundEntry first = refund("RTY1-R1", "RTY1", 100);
    RefundEntry second = refund("RTY1-R2", "RTY1", 100, true);
    second.created_at = kNow + 1min;
    RefundEntry done = refund("RTY1-R3", "RTY1", 100);
    ASSERT_TRUE(payments_->insert_refund(first));
    ASSERT_TRUE(payments_->insert_refund(second));
    ASSERT_TRUE(payments_->insert_refund(done));
    ASSERT_TRUE(payments_->settle_refund("RTY1-R3", RefundStatus::kSuccess, "id", kNow));
    EXPECT_TRUE(payments_->processing_refunds(kNow, 10).empty());  // none created before kNow
    auto old = payments_->processing_refunds(kNow + 30s, 10);
    ASSERT_EQ(old.size(), 1U);
    EXPECT_EQ(old[0].out_refund_no, "RTY1-R1");
    auto all = payments_->processing_refunds(kNow + 2min, 10);
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].out_refund_no, "RTY1-R1");
    EXPECT_EQ(all[1].out_refund_no, "RTY1-R2");
    EXPECT_TRUE(all[1].automatic);
    EXPECT_EQ(payments_->processing_refunds(kNow + 2min, 1).size(), 1U);
    EXPECT_TRUE(payments_->processing_refunds(kNow + 2min, 0).empty());
}

TEST_P(PaymentRefundTest, SettlingWorksOnlyFromProcessing) {
    paid_order("REF9", 1000);
    ASSERT_TRUE(payments_->insert_refund(refund("REF9-R1", "REF9", 100)));
    EXPECT_TRUE(payments_->settle_refund("REF9-R1", RefundStatus::kSuccess, "50300000001", kNow + 1min));
    auto found = payments_->find_refund("REF9-R1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, RefundStatus::kSuccess);
    EXPECT_EQ(found->refund_id, "50300000001");
    EXPECT_EQ(found->updated_at, kNow + 1min);
    EXPECT_EQ(found->created_at, kNow);
    // Settled already: a late or repeated answer changes nothing.
    EXPECT_FALSE(payments_->settle_refund("REF9-R1", RefundStatus::kClosed, "50300000002", kNow + 2min));
    EXPECT_FALSE(payments_->settle_refund("REF9-R1", RefundStatus::kSuccess, "50300000001", kNow + 2min));
    found = payments_->find_refund("REF9-R1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, RefundStatus::kSuccess);
    EXPECT_EQ(found->refund_id, "50300000001");
    EXPECT_EQ(found->updated_at, kNow + 1min);

    ASSERT_TRUE(payments_->insert_refund(refund("REF9-R2", "REF9", 100)));
    EXPECT_TRUE(payments_->settle_refund("REF9-R2", RefundStatus::kClosed, "", kNow));
    EXPECT_FALSE(payments_->settle_refund("REF9-R2", RefundStatus::kSuccess, "x", kNow));
    ASSERT_TRUE(payments_->insert_refund(refund("REF9-R3", "REF9", 100)));
    EXPECT_TRUE(payments_->settle_refund("REF9-R3", RefundStatus::kAbnormal, "50300000003", kNow));
    EXPECT_FALSE(payments_->settle_refund("REF9-R3", RefundStatus::kSuccess, "50300000003", kNow));
    EXPECT_EQ(payments_->find_refund("REF9-R2")->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_->find_refund("REF9-R3")->status, RefundStatus::kAbnormal);

    EXPECT_FALSE(payments_->settle_refund("REF9-R9", RefundStatus::kSuccess, "x", kNow));
}

TEST_P(PaymentRefundTest, OrderBecomesRefundedOnceFullyRefundedWithNoShopperRefundProcessing) {
    const auto o = paid_order("REF10", 1000);
    // Nothing refunded yet.
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF10", kNow));

    ASSERT_TRUE(payments_->reserve_refund("REF10", 600, kNow));
    ASSERT_TRUE(payments_->insert_refund(refund("REF10-R1", "REF10", 600)));
    ASSERT_TRUE(payments_->settle_refund("REF10-R1", RefundStatus::kSuccess, "r1", kNow));
    // 600 < 1000.
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF10", kNow));
    EXPECT_EQ(order_status(o), OrderStatus::kPaid);

    ASSERT_TRUE(payments_->reserve_refund("REF10", 400, kNow));
    ASSERT_TRUE(payments_->insert_refund(refund("REF10-R2", "REF10", 400)));
    // Fully reserved, but the shopper's second refund is still processing.
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF10", kNow));
    EXPECT_EQ(order_status(o), OrderStatus::kPaid);

    // Processing refunds that do not block: the shop's own (automatic) and other orders'.
    ASSERT_TRUE(payments_->insert_refund(refund("REF10-A1", "REF10", 1000, true)));
    paid_order("REF11", 500);
    ASSERT_TRUE(payments_->insert_refund(refund("REF11-R1", "REF11", 500)));

    ASSERT_TRUE(payments_->settle_refund("REF10-R2", RefundStatus::kSuccess, "r2", kNow));
    EXPECT_TRUE(payments_->mark_order_refunded_if_complete("REF10", kNow + 1min));
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF10", kNow + 2min));
    auto stored = orders_->find("REF10", o.user_id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, OrderStatus::kRefunded);
    EXPECT_EQ(static_cast<int>(stored->status), 6);
    EXPECT_EQ(stored->updated_at, kNow + 1min);
    EXPECT_EQ(payments_->refunded_total("REF10"), 1000);
    // A refunded order takes no further reservations.
    payments_->release_refund("REF10", 100, kNow);
    EXPECT_FALSE(payments_->reserve_refund("REF10", 100, kNow));

    // The other order is untouched.
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF11", kNow));
}

TEST_P(PaymentRefundTest, ShippedOrCompletedOrdersBecomeRefundedButUnpaidOnesNever) {
    const auto shipped = paid_order("REF12", 700);
    set_order_status("REF12", OrderStatus::kShipped);
    ASSERT_TRUE(payments_->reserve_refund("REF12", 700, kNow));
    EXPECT_TRUE(payments_->mark_order_refunded_if_complete("REF12", kNow));
    EXPECT_EQ(order_status(shipped), OrderStatus::kRefunded);

    const auto completed = paid_order("REF13", 700);
    set_order_status("REF13", OrderStatus::kCompleted);
    ASSERT_TRUE(payments_->reserve_refund("REF13", 700, kNow));
    EXPECT_TRUE(payments_->mark_order_refunded_if_complete("REF13", kNow));
    EXPECT_EQ(order_status(completed), OrderStatus::kRefunded);

    // An unpaid order holds no money, whatever its (never reserved) refunded total says.
    const auto unpaid = unpaid_order("REF14", 700);
    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("REF14", kNow));
    EXPECT_EQ(order_status(unpaid), OrderStatus::kAwaitingPayment);

    EXPECT_FALSE(payments_->mark_order_refunded_if_complete("NOPE", kNow));
}

TEST_P(PaymentRefundTest, EightConcurrentReservationsOfThreeHundredOnAThousandGrantExactlyThree) {
    paid_order("REF20", 1000);
    constexpr int kThreads = 8;
    std::atomic<int> granted{0};
    std::atomic<int> failed{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&] {
            start.arrive_and_wait();  // all at once, each on its own pooled connection
            try {
                if (payments_->reserve_refund("REF20", 300, kNow)) {
                    granted++;
                }
            } catch (const std::exception&) {
                failed++;
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(granted.load(), 3);
    EXPECT_EQ(payments_->refunded_total("REF20"), 900);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, PaymentRefundTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

// ------------------------------------------------------------------ records

using PaymentRecordTest = PaymentSqlTest;

TEST_P(PaymentRecordTest, RecordsComeBackNewestFirstUpToTheLimit) {
    paid_order("REC1", 1000);
    PaymentRecord full = record("REC1", "refund", kNow + 4s);
    full.transaction_id = "4200000001";
    full.out_refund_no = "REC1-R1";
    full.refund_id = "50300000001";
    full.amount = 1000;
    full.status = "PROCESSING";
    full.detail = "refund accepted by the provider";
    const char* kinds[] = {"attempt", "query", "notification", "close"};
    for (int i = 0; i < 4; ++i) {
        payments_->append_record(record("REC1", kinds[i], kNow + std::chrono::seconds(i)));
    }
    payments_->append_record(full);
    payments_->append_record(record("REC2", "attempt", kNow + 10s));  // another order's

    const auto newest = payments_->records_of("REC1", 3);
    ASSERT_EQ(newest.size(), 3U);
    EXPECT_EQ(newest[0].kind, "refund");
    EXPECT_EQ(newest[1].kind, "close");
    EXPECT_EQ(newest[2].kind, "notification");
    EXPECT_GT(newest[0].id, newest[1].id);
    EXPECT_GT(newest[1].id, newest[2].id);

    const PaymentRecord& got = newest[0];
    EXPECT_GT(got.id, 0);
    EXPECT_EQ(got.order_no, "REC1");
    EXPECT_EQ(got.provider, "wechat_v3");
    EXPECT_EQ(got.out_trade_no, "REC1-1");
    EXPECT_EQ(got.transaction_id, "4200000001");
    EXPECT_EQ(got.out_refund_no, "REC1-R1");
    EXPECT_EQ(got.refund_id, "50300000001");
    EXPECT_EQ(got.amount, 1000);
    EXPECT_EQ(got.status, "PROCESSING");
    EXPECT_EQ(got.detail, "refund accepted by the provider");
    EXPECT_EQ(got.created_at, kNow + 4s);

    const auto all = payments_->records_of("REC1", 100);
    ASSERT_EQ(all.size(), 5U);
    EXPECT_EQ(all[4].kind, "attempt");
    EXPECT_EQ(all[4].created_at, kNow);
    EXPECT_EQ(all[4].detail, "");
    EXPECT_EQ(all[4].amount, 0);
    EXPECT_EQ(payments_->records_of("REC2", 100).size(), 1U);
    EXPECT_TRUE(payments_->records_of("NOPE", 100).empty());
}

TEST_P(PaymentRecordTest, RecordsNeedNoOrderAndNoKnownOrder) {
    // A notification naming no known order is still recorded, under an empty order number.
    PaymentRecord r = record("", "notification", kNow);
    r.status = "rejected: bad signature";
    payments_->append_record(r);
    const auto got = payments_->records_of("", 10);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].status, "rejected: bad signature");
    EXPECT_EQ(got[0].order_no, "");
}

TEST_P(PaymentRecordTest, LongDetailIsClippedWithoutSplittingACharacter) {
    paid_order("REC3", 1000);
    // 499 ASCII bytes, then a two-byte character across the 500-byte limit.
    const std::string two_byte = std::string(499, 'a') + "\xC3\xA9" + std::string(100, 'b');  // é
    // 498 bytes, then a four-byte emoji across the limit (needs utf8mb4 on MariaDB).
    const std::string four_byte = std::string(498, 'c') + "\xF0\x9F\x98\x80" + "tail";  // 😀
    // Three-byte characters only: 200 of them (600 bytes); 166 fit whole in 500 bytes.
    std::string three_byte;
    for (int i = 0; i < 200; ++i) {
        three_byte += "\xE4\xB8\xAD";  // 中
    }
    // Exactly 500 bytes, ending in a whole multi-byte character: kept as is.
    const std::string exact = std::string(497, 'd') + "\xE4\xB8\xAD";

    const std::string details[] = {two_byte, four_byte, three_byte, exact};
    for (int i = 0; i < 4; ++i) {
        PaymentRecord r = record("REC3", "notification", kNow + std::chrono::seconds(i));
        r.detail = details[i];
        ASSERT_NO_THROW(payments_->append_record(r)) << "detail " << i;
    }

    const auto got = payments_->records_of("REC3", 10);
    ASSERT_EQ(got.size(), 4U);
    // Newest first: exact, three_byte, four_byte, two_byte.
    EXPECT_EQ(got[3].detail, std::string(499, 'a'));
    EXPECT_EQ(got[2].detail, std::string(498, 'c'));
    std::string three_expected;
    for (int i = 0; i < 166; ++i) {
        three_expected += "\xE4\xB8\xAD";
    }
    EXPECT_EQ(got[1].detail, three_expected);
    EXPECT_EQ(got[0].detail, exact);
    for (const auto& r : got) {
        EXPECT_LE(r.detail.size(), 500U);
        EXPECT_TRUE(valid_utf8(r.detail));
    }
}

TEST_P(PaymentRecordTest, ShortMultiByteDetailIsKeptWhole) {
    paid_order("REC4", 1000);
    PaymentRecord r = record("REC4", "notification", kNow);
    r.detail = "支付成功 \xF0\x9F\x98\x80 paid";
    payments_->append_record(r);
    const auto got = payments_->records_of("REC4", 1);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].detail, r.detail);
}

// A forged notification's text reaches the record's detail; MariaDB refuses bytes that are not
// UTF-8, so they are replaced rather than losing the record.
TEST_P(PaymentRecordTest, InvalidUtf8InADetailBecomesQuestionMarks) {
    PaymentRecord r = record("REC4", "notification", kNow);
    r.detail = "serial \xff\xfe, then \xe4\xb8 cut, then \xed\xa0\x80 surrogate, kept \xe4\xb8\xad";
    r.status = "rejected: \xc0\xaf";
    ASSERT_NO_THROW(payments_->append_record(r));
    const auto got = payments_->records_of("REC4", 10);
    ASSERT_EQ(got.size(), 1U);
    EXPECT_EQ(got[0].detail, "serial ??, then ?? cut, then ??? surrogate, kept \xe4\xb8\xad");
    EXPECT_EQ(got[0].status, "rejected: ??");
}

TEST_P(PaymentRecordTest, ALimitOfZeroOrLessReturnsNothing) {
    payments_->append_record(record("REC5", "attempt", kNow));
    EXPECT_TRUE(payments_->records_of("REC5", 0).empty());
    EXPECT_TRUE(payments_->records_of("REC5", -1).empty());
    EXPECT_EQ(payments_->records_of("REC5", 1).size(), 1U);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, PaymentRecordTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

}  // namespace
}  // namespace gomall::adapters::sql
