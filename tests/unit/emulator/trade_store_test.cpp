// The trade store's bounds: which trades it forgets first, which it never forgets, when it refuses
// new ones, and that its memory (counted in trades, refunds and log records) stays bounded.
#include "emulator/trade_store.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace gomall::emulator {
namespace {

const TimePoint kNow = std::chrono::system_clock::now();

Trade draft(const std::string& out_trade_no, Cents total = 100) {
    Trade t;
    t.out_trade_no = out_trade_no;
    t.notify_url = "http://127.0.0.1:9/notify";
    t.total = total;
    t.created_at = kNow;
    return t;
}

TradeStoreLimits limits(std::size_t max_trades, std::size_t max_refunds = 100) {
    TradeStoreLimits l;
    l.max_trades = max_trades;
    l.max_refunds = max_refunds;
    return l;
}

bool created(const Outcome<Trade>& outcome) {
    return std::holds_alternative<Trade>(outcome);
}

TradeProblem problem(const Outcome<Trade>& outcome) {
    return std::get<TradeProblem>(outcome);
}

PayOptions notified(int notifications) {
    PayOptions o;
    o.notifications = notifications;
    return o;
}

DeliveryRecord attempt(int n, bool delivered = false) {
    DeliveryRecord d;
    d.attempt = n;
    d.status = delivered ? 200 : 500;
    d.delivered = delivered;
    d.event = "TRANSACTION.SUCCESS";
    return d;
}

/// Creates and pays `no` with one notification, then delivers it: a final trade.
void paid_and_notified(TradeStore& store, const std::string& no) {
    ASSERT_TRUE(created(store.create(draft(no))));
    ASSERT_TRUE(created(store.pay(no, kNow, notified(1))));
    store.record_delivery(no, attempt(1, true));
    store.notification_finished(no);
}

TEST(TradeStoreTest, LimitsBelowOneAreRefused) {
    for (auto broken :
         {&TradeStoreLimits::max_trades,
          &TradeStoreLimits::max_refunds,
          &TradeStoreLimits::max_refunds_per_trade,
          &TradeStoreLimits::deliveries_per_trade,
          &TradeStoreLimits::untracked_logs}) {
        TradeStoreLimits l;
        l.*broken = 0;
        EXPECT_THROW(TradeStore{l}, std::invalid_argument);
    }
}

TEST(TradeStoreTest, TheOldestFinalTradeIsForgottenFirst) {
    TradeStore store(limits(3));
    paid_and_notified(store, "ORDER-A");
    paid_and_notified(store, "ORDER-B");
    paid_and_notified(store, "ORDER-C");

    ASSERT_TRUE(created(store.create(draft("ORDER-D"))));
    EXPECT_FALSE(store.find("ORDER-A")) << "the oldest went first";
    EXPECT_TRUE(store.find("ORDER-B"));
    EXPECT_TRUE(store.find("ORDER-C"));

    ASSERT_TRUE(created(store.create(draft("ORDER-E"))));
    EXPECT_FALSE(store.find("ORDER-B"));
    EXPECT_TRUE(store.find("ORDER-C"));
    EXPECT_EQ(store.counts().trades, 3U);
    EXPECT_EQ(store.counts().evicted, 2U);
}

TEST(TradeStoreTest, AnOlderLiveTradeIsSkippedForAYoungerFinalOne) {
    TradeStore store(limits(3));
    ASSERT_TRUE(created(store.create(draft("UNPAID-1"))));  // oldest, still payable
    paid_and_notified(store, "PAID-2");
    ASSERT_TRUE(created(store.create(draft("CLOSED-3"))));
    ASSERT_TRUE(created(store.close("CLOSED-3")));

    ASSERT_TRUE(created(store.create(draft("NEW-4"))));
    EXPECT_TRUE(store.find("UNPAID-1"));
    EXPECT_FALSE(store.find("PAID-2"));
    EXPECT_TRUE(store.find("CLOSED-3"));

    ASSERT_TRUE(created(store.create(draft("NEW-5"))));
    EXPECT_TRUE(store.find("UNPAID-1"));
    EXPECT_FALSE(store.find("CLOSED-3")) << "closed is final";
}

TEST(TradeStoreTest, LiveTradesAreNeverForgottenAndNewOnesAreRefusedWhenAllAreLive) {
    TradeStore store(limits(3));
    ASSERT_TRUE(created(store.create(draft("UNPAID"))));
    ASSERT_TRUE(created(store.create(draft("NOTIFYING"))));
    ASSERT_TRUE(created(store.pay("NOTIFYING", kNow, notified(1))));
    ASSERT_TRUE(created(store.create(draft("TWICE"))));
    ASSERT_TRUE(created(store.pay("TWICE", kNow, notified(2))));  // a duplicate notification: two owed
    EXPECT_EQ(store.counts().live, 3U);

    EXPECT_EQ(problem(store.create(draft("REFUSED-1"))), TradeProblem::kFull);
    for (const char* no : {"UNPAID", "NOTIFYING", "TWICE"}) {
        EXPECT_TRUE(store.find(no)) << no;
    }
    EXPECT_FALSE(store.find("REFUSED-1"));

    // Failed attempts that are not the last keep the trade live.
    store.record_delivery("NOTIFYING", attempt(1));
    EXPECT_EQ(problem(store.create(draft("REFUSED-2"))), TradeProblem::kFull);

    // One of TWICE's two notifications finishing is not enough.
    store.notification_finished("TWICE");
    EXPECT_EQ(problem(store.create(draft("REFUSED-3"))), TradeProblem::kFull);
    store.notification_finished("TWICE");
    ASSERT_TRUE(created(store.create(draft("ADMITTED"))));
    EXPECT_FALSE(store.find("TWICE"));
    EXPECT_TRUE(store.find("UNPAID"));
    EXPECT_TRUE(store.find("NOTIFYING"));

    // Finished without delivery (attempts used up) is final too: nothing will change it.
    store.notification_finished("NOTIFYING");
    ASSERT_TRUE(created(store.create(draft("ADMITTED-2"))));
    EXPECT_FALSE(store.find("NOTIFYING"));
    EXPECT_TRUE(store.find("UNPAID")) << "a payable trade is never forgotten";
}

TEST(TradeStoreTest, ARepeatedOrderIsAnsweredEvenWhenFull) {
    TradeStore store(limits(1));
    ASSERT_TRUE(created(store.create(draft("ONLY"))));
    EXPECT_TRUE(created(store.create(draft("ONLY"))));  // the same order again: no room needed
    EXPECT_EQ(problem(store.create(draft("OTHER"))), TradeProblem::kFull);
}

TEST(TradeStoreTest, AForgottenTradeIsUnknownByEveryKey) {
    TradeStore store(limits(1));
    ASSERT_TRUE(created(store.create(draft("OLD-ORDER"))));
    const auto paid = std::get<Trade>(store.pay("OLD-ORDER", kNow, notified(0)));
    NewRefund r;
    r.out_trade_no = "OLD-ORDER";
    r.out_refund_no = "OLD-REFUND";
    r.refund = 40;
    r.total = 100;
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(store.refund(r, kNow)));
    store.record_delivery("OLD-ORDER", attempt(1, true));

    ASSERT_TRUE(created(store.create(draft("NEW-ORDER"))));
    EXPECT_FALSE(store.find("OLD-ORDER"));
    EXPECT_FALSE(store.find_by_token(paid.code_token));
    EXPECT_FALSE(store.find_by_transaction_id(paid.transaction_id));
    EXPECT_FALSE(store.find_refund("OLD-REFUND"));
    EXPECT_TRUE(store.refunds_of("OLD-ORDER").empty());
    EXPECT_TRUE(store.deliveries("OLD-ORDER").empty());
    EXPECT_EQ(problem(store.pay("OLD-ORDER", kNow, {})), TradeProblem::kNotFound);
    EXPECT_EQ(problem(store.close("OLD-ORDER")), TradeProblem::kNotFound);
    EXPECT_EQ(std::get<TradeProblem>(store.refund(r, kNow)), TradeProblem::kNotFound);
    const auto counts = store.counts();
    EXPECT_EQ(counts.refunds, 0U);
    EXPECT_EQ(counts.delivery_records, 0U);
}

TEST(TradeStoreTest, ARefundWithANotifyUrlKeepsItsTradeUntilNotified) {
    TradeStore store(limits(1));
    ASSERT_TRUE(created(store.create(draft("REFUNDED"))));
    ASSERT_TRUE(created(store.pay("REFUNDED", kNow, notified(0))));
    NewRefund r;
    r.out_trade_no = "REFUNDED";
    r.out_refund_no = "R-1";
    r.notify_url = "http://127.0.0.1:9/refund-notify";
    r.refund = 100;
    r.total = 100;
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(store.refund(r, kNow)));

    EXPECT_EQ(problem(store.create(draft("WAITS"))), TradeProblem::kFull);
    EXPECT_TRUE(std::holds_alternative<RefundOutcome>(store.refund(r, kNow))) << "the same refund again";
    EXPECT_EQ(problem(store.create(draft("WAITS"))), TradeProblem::kFull) << "a repeat owes no new notification";
    store.notification_finished("REFUNDED");
    EXPECT_TRUE(created(store.create(draft("WAITS"))));
    EXPECT_FALSE(store.find("REFUNDED"));
}

TEST(TradeStoreTest, AFinishedNotificationIsCountedOnlyOnce) {
    TradeStore store(limits(2));
    ASSERT_TRUE(created(store.create(draft("PAID"))));
    ASSERT_TRUE(created(store.pay("PAID", kNow, notified(1))));
    store.notification_finished("PAID");
    store.notification_finished("PAID");    // repeated: no effect
    store.notification_finished("NOBODY");  // unknown: no effect
    ASSERT_TRUE(created(store.create(draft("UNPAID"))));
    EXPECT_EQ(store.counts().live, 1U);
}

TEST(TradeStoreTest, RefundsAreBoundedPerTradeAndInTotal) {
    TradeStoreLimits l = limits(10, 3);
    l.max_refunds_per_trade = 2;
    TradeStore store(l);
    auto refund = [&store](const std::string& trade, const std::string& no) {
        NewRefund r;
        r.out_trade_no = trade;
        r.out_refund_no = no;
        r.refund = 1;
        r.total = 100;
        return store.refund(r, kNow);
    };
    auto problem_of = [](const Outcome<RefundOutcome>& o) {
        return std::get<TradeProblem>(o);
    };
    for (const char* no : {"T1", "T2"}) {
        ASSERT_TRUE(created(store.create(draft(no))));
        ASSERT_TRUE(created(store.pay(no, kNow, notified(0))));
    }
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(refund("T1", "T1-R1")));
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(refund("T1", "T1-R2")));
    EXPECT_EQ(problem_of(refund("T1", "T1-R3")), TradeProblem::kRefundLimit);
    EXPECT_TRUE(std::holds_alternative<RefundOutcome>(refund("T1", "T1-R2"))) << "a repeat is still answered";

    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(refund("T2", "T2-R1")));
    EXPECT_EQ(store.counts().refunds, 3U);
    // The total is reached: T1 (older, final) is forgotten with its refunds to make room; T2, the
    // trade being refunded, is kept although it is final too.
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(refund("T2", "T2-R2")));
    EXPECT_FALSE(store.find("T1"));
    EXPECT_FALSE(store.find_refund("T1-R1"));
    EXPECT_TRUE(store.find_refund("T2-R1"));
    EXPECT_EQ(store.counts().refunds, 2U);
}

TEST(TradeStoreTest, ARefundIsRefusedWhenEveryRefundBelongsToALiveTrade) {
    TradeStore store(limits(10, 1));
    for (const char* no : {"LIVE", "FINAL"}) {
        ASSERT_TRUE(created(store.create(draft(no))));
        ASSERT_TRUE(created(store.pay(no, kNow, notified(0))));
    }
    NewRefund r;
    r.out_trade_no = "LIVE";
    r.out_refund_no = "LIVE-R1";
    r.notify_url = "http://127.0.0.1:9/refund-notify";  // owes a notification: LIVE stays live
    r.refund = 1;
    r.total = 100;
    ASSERT_TRUE(std::holds_alternative<RefundOutcome>(store.refund(r, kNow)));
    r.out_trade_no = "FINAL";
    r.out_refund_no = "FINAL-R1";
    EXPECT_EQ(std::get<TradeProblem>(store.refund(r, kNow)), TradeProblem::kFull);
    EXPECT_TRUE(store.find_refund("LIVE-R1"));
    EXPECT_TRUE(store.find("FINAL")) << "the refused refund's own trade is not forgotten";
}

TEST(TradeStoreTest, TheDeliveryLogKeepsTheLastAttemptsPerOrder) {
    TradeStoreLimits l = limits(10);
    l.deliveries_per_trade = 3;
    TradeStore store(l);
    ASSERT_TRUE(created(store.create(draft("LOGGED"))));
    for (int n = 1; n <= 10; ++n) {
        store.record_delivery("LOGGED", attempt(n));
    }
    const auto log = store.deliveries("LOGGED");
    ASSERT_EQ(log.size(), 3U);
    EXPECT_EQ(log.front().attempt, 8);
    EXPECT_EQ(log.back().attempt, 10);
    EXPECT_EQ(store.counts().delivery_records, 3U);
}

TEST(TradeStoreTest, LogsOfOrdersNotHeldAreBoundedOldestFirst) {
    TradeStoreLimits l = limits(10);
    l.deliveries_per_trade = 2;
    l.untracked_logs = 3;
    TradeStore store(l);
    for (int i = 0; i < 1000; ++i) {
        for (int n = 1; n <= 5; ++n) {
            store.record_delivery("STRANGER-" + std::to_string(i), attempt(n));
        }
    }
    const auto counts = store.counts();
    EXPECT_EQ(counts.untracked_logs, 3U);
    EXPECT_EQ(counts.delivery_records, 6U);
    EXPECT_TRUE(store.deliveries("STRANGER-996").empty());
    EXPECT_EQ(store.deliveries("STRANGER-999").size(), 2U);

    // A log of a number that then becomes an order moves in with it (and leaves the untracked ones).
    ASSERT_TRUE(created(store.create(draft("STRANGER-999"))));
    EXPECT_EQ(store.deliveries("STRANGER-999").size(), 2U);
    EXPECT_EQ(store.counts().untracked_logs, 2U);
    EXPECT_EQ(store.counts().delivery_records, 6U);
}

TEST(TradeStoreTest, MemoryStaysBoundedAfterAHundredThousandPaidAndNotifiedTrades) {
    TradeStoreLimits l = limits(1000, 1000);
    l.deliveries_per_trade = 4;
    l.untracked_logs = 10;
    TradeStore store(l);
    constexpr int kTrades = 100000;
    for (int i = 0; i < kTrades; ++i) {
        const std::string no = "SOAK" + std::to_string(i);
        ASSERT_TRUE(created(store.create(draft(no)))) << i;
        ASSERT_TRUE(created(store.pay(no, kNow, notified(1))));
        if (i % 10 == 0) {
            NewRefund r;
            r.out_trade_no = no;
            r.out_refund_no = no + "-R";
            r.refund = 100;
            r.total = 100;
            ASSERT_TRUE(std::holds_alternative<RefundOutcome>(store.refund(r, kNow)));
        }
        store.record_delivery(no, attempt(1));
        store.record_delivery(no, attempt(2, true));
        store.notification_finished(no);
        store.record_delivery("UNKNOWN" + std::to_string(i), attempt(1));
    }
    const auto counts = store.counts();
    EXPECT_EQ(counts.trades, 1000U);
    EXPECT_EQ(counts.live, 0U);
    EXPECT_LE(counts.refunds, 1000U);
    EXPECT_EQ(counts.untracked_logs, 10U);
    EXPECT_LE(counts.delivery_records, 1000U * 4 + 10U * 4);
    EXPECT_EQ(counts.evicted, static_cast<std::size_t>(kTrades) - 1000U);
    EXPECT_TRUE(store.find("SOAK99999"));
    EXPECT_FALSE(store.find("SOAK0"));
}

}  // namespace
}  // namespace gomall::emulator
