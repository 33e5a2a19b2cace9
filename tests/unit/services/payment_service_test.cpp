// Unit tests of PaymentService: starting, querying, closing and refunding WeChat Pay payments,
// verified notifications (idempotent, checked against the attempt), crash recovery, automatic
// refunds of money that arrives for a cancelled order or one paid by another trade (or the demo
// button), the background retry of refunds left processing, and the payment view.
#include "services/payment_service.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "unit/services/advancing_clock.hpp"

namespace gomall::services {
namespace {

using namespace std::chrono_literals;
using domain::AttemptStatus;
using domain::OrderStatus;
using domain::PayType;
using domain::RefundStatus;
using ports::GatewayError;
using ports::GatewayFailure;
using ports::RefundState;
using ports::TradeState;

/// Orders in memory with the status guards of the SQL adapter (only what the payment service uses).
class FakeOrderRepository final : public ports::OrderRepository {
public:
    std::map<std::string, domain::Order> orders;

    Result<domain::Order> place(const domain::OrderDraft&) override {
        throw std::logic_error("place() is not used by the payment service");
    }
    std::optional<domain::Order> find(const std::string& order_no, std::int64_t user_id) override {
        auto it = orders.find(order_no);
        if (it == orders.end() || (user_id != 0 && it->second.user_id != user_id)) {
            return std::nullopt;
        }
        return it->second;
    }
    domain::Page<domain::Order> list(const domain::OrderQuery&) override { return {}; }
    /// Only the demo button (the tests press it): the payment service pays an order through
    /// PaymentRepository::mark_order_paid, which also names the trade that paid it.
    bool mark_paid(const std::string& order_no, PayType pay_type, TimePoint now) override {
        if (pay_type != PayType::kDemo) {
            throw std::logic_error("OrderRepository::mark_paid is only the demo button");
        }
        auto& order = orders.at(order_no);
        if (order.status != OrderStatus::kAwaitingPayment) {
            return false;
        }
        order.status = OrderStatus::kPaid;
        order.pay_type = pay_type;
        order.paid_at = now;
        order.updated_at = now;
        return true;
    }
    bool cancel(const std::string& order_no, TimePoint now) override {
        auto& order = orders.at(order_no);
        if (order.status != OrderStatus::kAwaitingPayment && order.status != OrderStatus::kProcessing) {
            return false;
        }
        order.status = OrderStatus::kCancelled;
        order.updated_at = now;
        return true;
    }
    std::vector<std::string> expired_unpaid(TimePoint, int) override { return {}; }
};

bool paid_like(OrderStatus s) {
    return s == OrderStatus::kPaid || s == OrderStatus::kShipped || s == OrderStatus::kCompleted;
}

/// Attempts, refunds and records in memory, honouring every guard the port promises. The orders'
/// refunded totals and paying trades live here; their status and total come from the order fake,
/// whose status mark_order_paid changes as the SQL adapter's single UPDATE of the orders row does.
class FakePaymentRepository final : public ports::PaymentRepository {
public:
    explicit FakePaymentRepository(FakeOrderRepository& orders) : orders_(orders) {}

    std::vector<domain::PaymentAttempt> attempts;
    std::vector<domain::RefundEntry> refunds;
    std::vector<domain::PaymentRecord> records;      // oldest first
    std::map<std::string, Cents> refunded;           // the orders' refunded totals
    std::map<std::string, std::string> paid_trades;  // the orders' paid_trade_no
    /// Runs once inside the next insert_attempt, before its guard: a concurrent request's insert.
    std::function<void(const domain::PaymentAttempt&)> before_insert;
    bool fail_appends = false;

    bool insert_attempt(const domain::PaymentAttempt& attempt) override {
        if (before_insert) {
            auto hook = std::exchange(before_insert, nullptr);
            hook(attempt);
        }
        const bool taken = std::any_of(attempts.begin(), attempts.end(), [&](const auto& a) {
            return a.out_trade_no == attempt.out_trade_no ||
                   (a.order_no == attempt.order_no && a.attempt_no == attempt.attempt_no);
        });
        if (taken) {
            return false;
        }
        attempts.push_back(attempt);
        attempts.back().id = static_cast<std::int64_t>(attempts.size());
        return true;
    }
    std::optional<domain::PaymentAttempt> find_attempt(const std::string& out_trade_no) override {
        if (auto* a = stored_attempt(out_trade_no)) {
            return *a;
        }
        return std::nullopt;
    }
    std::vector<domain::PaymentAttempt> attempts_of(const std::string& order_no) override {
        std::vector<domain::PaymentAttempt> out;
        std::copy_if(attempts.begin(), attempts.end(), std::back_inserter(out), [&](const auto& a) {
            return a.order_no == order_no;
        });
        std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
            return x.attempt_no < y.attempt_no;
        });
        return out;
    }
    bool open_attempt(
        const std::string& out_trade_no, const std::string& code_url, const std::string& prepay_id, TimePoint now
    ) override {
        auto* a = stored_attempt(out_trade_no);
        if (a == nullptr || a->status != AttemptStatus::kCreating) {
            return false;
        }
        a->status = AttemptStatus::kOpen;
        a->code_url = code_url;
        a->prepay_id = prepay_id;
        a->updated_at = now;
        return true;
    }
    bool end_attempt(const std::string& out_trade_no, AttemptStatus status, TimePoint now) override {
        auto* a = stored_attempt(out_trade_no);
        if (a == nullptr || (a->status != AttemptStatus::kCreating && a->status != AttemptStatus::kOpen)) {
            return false;
        }
        a->status = status;
        a->updated_at = now;
        return true;
    }
    bool claim_attempt_paid(
        const std::string& out_trade_no, const std::string& transaction_id, TimePoint paid_at, TimePoint now
    ) override {
        auto* a = stored_attempt(out_trade_no);
        if (a == nullptr || a->status == AttemptStatus::kPaid) {
            return false;
        }
        a->status = AttemptStatus::kPaid;
        a->transaction_id = transaction_id;
        a->paid_at = paid_at;
        a->updated_at = now;
        return true;
    }

    bool mark_order_paid(const std::string& order_no, const std::string& out_trade_no, TimePoint now) override {
        auto order = orders_.orders.find(order_no);
        if (order == orders_.orders.end() || (order->second.status != OrderStatus::kAwaitingPayment &&
                                              order->second.status != OrderStatus::kProcessing)) {
            return false;
        }
        order->second.status = OrderStatus::kPaid;
        order->second.pay_type = PayType::kWechat;
        order->second.paid_at = now;
        order->second.updated_at = now;
        paid_trades[order_no] = out_trade_no;
        return true;
    }
    std::string paid_trade_no(const std::string& order_no) override {
        auto it = paid_trades.find(order_no);
        return it == paid_trades.end() ? std::string() : it->second;
    }

    bool reserve_refund(const std::string& order_no, Cents amount, TimePoint) override {
        auto order = orders_.orders.find(order_no);
        if (order == orders_.orders.end() || !paid_like(order->second.status) ||
            refunded[order_no] + amount > order->second.total_price) {
            return false;
        }
        refunded[order_no] += amount;
        return true;
    }
    void release_refund(const std::string& order_no, Cents amount, TimePoint) override {
        if (refunded[order_no] >= amount) {
            refunded[order_no] -= amount;
        }
    }
    Cents refunded_total(const std::string& order_no) override {
        auto it = refunded.find(order_no);
        return it == refunded.end() ? 0 : it->second;
    }

    bool insert_refund(const domain::RefundEntry& refund) override {
        if (stored_refund(refund.out_refund_no) != nullptr) {
            return false;
        }
        refunds.push_back(refund);
        refunds.back().id = static_cast<std::int64_t>(refunds.size());
        return true;
    }
    std::optional<domain::RefundEntry> find_refund(const std::string& out_refund_no) override {
        if (auto* r = stored_refund(out_refund_no)) {
            return *r;
        }
        return std::nullopt;
    }
    std::vector<domain::RefundEntry> refunds_of(const std::string& order_no) override {
        std::vector<domain::RefundEntry> out;
        std::copy_if(refunds.begin(), refunds.end(), std::back_inserter(out), [&](const auto& r) {
            return r.order_no == order_no;
        });
        return out;
    }
    std::vector<domain::RefundEntry> processing_refunds(TimePoint before, int limit) override {
        std::vector<domain::RefundEntry> out;  // by id, as the SQL adapter orders them
        for (const auto& r : refunds) {
            if (static_cast<int>(out.size()) >= limit) {
                break;
            }
            if (r.status == RefundStatus::kProcessing && r.created_at < before) {
                out.push_back(r);
            }
        }
        return out;
    }
    bool settle_refund(
        const std::string& out_refund_no, RefundStatus status, const std::string& refund_id, TimePoint now
    ) override {
        auto* r = stored_refund(out_refund_no);
        if (r == nullptr || r->status != RefundStatus::kProcessing) {
            return false;
        }
        r->status = status;
        r->refund_id = refund_id;
        r->updated_at = now;
        return true;
    }
    bool mark_order_refunded_if_complete(const std::string& order_no, TimePoint now) override {
        auto order = orders_.orders.find(order_no);
        if (order == orders_.orders.end() || !paid_like(order->second.status) ||
            refunded_total(order_no) < order->second.total_price) {
            return false;
        }
        const bool shopper_refund_processing = std::any_of(refunds.begin(), refunds.end(), [&](const auto& r) {
            return r.order_no == order_no && !r.automatic && r.status == RefundStatus::kProcessing;
        });
        if (shopper_refund_processing) {
            return false;
        }
        order->second.status = OrderStatus::kRefunded;
        order->second.updated_at = now;
        return true;
    }

    void append_record(const domain::PaymentRecord& record) override {
        if (fail_appends) {
            throw std::runtime_error("disk full");
        }
        records.push_back(record);
        records.back().id = static_cast<std::int64_t>(records.size());
    }
    std::vector<domain::PaymentRecord> records_of(const std::string& order_no, int limit) override {
        std::vector<domain::PaymentRecord> out;
        for (auto it = records.rbegin(); it != records.rend() && static_cast<int>(out.size()) < std::max(1, limit);
             ++it) {
            if (it->order_no == order_no) {
                out.push_back(*it);
            }
        }
        return out;
    }

    domain::PaymentAttempt* stored_attempt(const std::string& out_trade_no) {
        auto it = std::find_if(attempts.begin(), attempts.end(), [&](const auto& a) {
            return a.out_trade_no == out_trade_no;
        });
        return it == attempts.end() ? nullptr : &*it;
    }
    domain::RefundEntry* stored_refund(const std::string& out_refund_no) {
        auto it = std::find_if(refunds.begin(), refunds.end(), [&](const auto& r) {
            return r.out_refund_no == out_refund_no;
        });
        return it == refunds.end() ? nullptr : &*it;
    }
    /// The records of one kind, oldest first.
    std::vector<domain::PaymentRecord> records_of_kind(const std::string& kind) const {
        std::vector<domain::PaymentRecord> out;
        std::copy_if(records.begin(), records.end(), std::back_inserter(out), [&](const auto& r) {
            return r.kind == kind;
        });
        return out;
    }

private:
    FakeOrderRepository& orders_;
};

/// A provider whose answers the test scripts per call; it records every call. Unscripted
/// create, close and refund succeed; an unscripted query or refund query is a test error.
class FakeGateway final : public ports::PaymentGateway {
public:
    std::deque<ports::GatewayResult<ports::NativePayment>> create_answers;
    std::deque<ports::GatewayResult<ports::Transaction>> query_answers;
    std::deque<ports::GatewayResult<std::monostate>> close_answers;
    std::deque<ports::GatewayResult<ports::Refund>> refund_answers;
    std::deque<ports::GatewayResult<ports::Refund>> refund_query_answers;
    Result<ports::VerifiedNotification> verified = make_error(ErrorCode::kUnauthorized, "nothing scripted");
    /// Runs once inside the next create_native, while the service waits for the provider.
    std::function<void(const ports::NativePaymentRequest&)> while_creating;

    std::vector<ports::NativePaymentRequest> creates;
    std::vector<std::string> queries;
    std::vector<std::string> closes;
    std::vector<ports::RefundRequest> refunds;
    std::vector<std::string> refund_queries;
    std::vector<ports::IncomingNotification> notifications;
    mutable std::vector<std::pair<bool, std::string>> answers;

    std::string provider() const override { return "wechat_v3"; }

    ports::GatewayResult<ports::NativePayment> create_native(const ports::NativePaymentRequest& request) override {
        creates.push_back(request);
        if (while_creating) {
            auto hook = std::exchange(while_creating, nullptr);
            hook(request);
        }
        if (create_answers.empty()) {
            return ports::NativePayment{"weixin://wxpay/bizpayurl?pr=code" + std::to_string(creates.size()), ""};
        }
        return next(create_answers);
    }
    ports::GatewayResult<ports::Transaction> query(const std::string& out_trade_no) override {
        queries.push_back(out_trade_no);
        if (query_answers.empty()) {
            throw std::logic_error("unscripted query of " + out_trade_no);
        }
        return next(query_answers);
    }
    ports::GatewayResult<std::monostate> close(const std::string& out_trade_no) override {
        closes.push_back(out_trade_no);
        return close_answers.empty() ? std::monostate{} : next(close_answers);
    }
    ports::GatewayResult<ports::Refund> refund(const ports::RefundRequest& request) override {
        refunds.push_back(request);
        if (refund_answers.empty()) {
            ports::Refund done;
            done.out_trade_no = request.out_trade_no;
            done.out_refund_no = request.out_refund_no;
            done.refund_id = "RF-" + request.out_refund_no;
            done.state = RefundState::kSuccess;
            done.state_text = "SUCCESS";
            done.refund = request.refund;
            done.total = request.total;
            return done;
        }
        return next(refund_answers);
    }
    ports::GatewayResult<ports::Refund> query_refund(const std::string& out_refund_no) override {
        refund_queries.push_back(out_refund_no);
        if (refund_query_answers.empty()) {
            throw std::logic_error("unscripted refund query of " + out_refund_no);
        }
        return next(refund_query_answers);
    }
    Result<ports::VerifiedNotification> verify_notification(const ports::IncomingNotification& notification) override {
        notifications.push_back(notification);
        return verified;
    }
    ports::NotificationAnswer answer_notification(bool accepted, const std::string& reason) const override {
        answers.emplace_back(accepted, reason);
        return {accepted ? 200 : 400, "application/json", reason};
    }

private:
    template <class T>
    static T next(std::deque<T>& queue) {
        T answer = std::move(queue.front());
        queue.pop_front();
        return answer;
    }
};

constexpr std::int64_t kAlice = 1;
constexpr std::int64_t kBob = 2;
constexpr Cents kTotal = 12'345;
constexpr const char* kScanPage = "http://127.0.0.1:8090/pay/scan";
constexpr const char* kTxId = "4200000001";

GatewayError gateway_error(GatewayFailure failure, const std::string& code) {
    return GatewayError{failure, code, "fake " + code};
}

ports::Refund refund_answer(const std::string& out_refund_no, RefundState state, Cents amount) {
    ports::Refund r;
    r.out_refund_no = out_refund_no;
    r.refund_id = "RF-" + out_refund_no;
    r.state = state;
    r.state_text = state == RefundState::kSuccess      ? "SUCCESS"
                   : state == RefundState::kClosed     ? "CLOSED"
                   : state == RefundState::kProcessing ? "PROCESSING"
                                                       : "ABNORMAL";
    r.refund = amount;
    r.total = kTotal;
    return r;
}

class PaymentServiceTest : public ::testing::Test {
protected:
    std::string add_order(std::int64_t user = kAlice, Cents total = kTotal) {
        domain::Order order;
        order.id = static_cast<std::int64_t>(orders_.orders.size()) + 1;
        order.order_no = "2026111512000000" + std::to_string(1000 + order.id);
        order.user_id = user;
        order.product_name = "phone";
        order.quantity = 1;
        order.total_price = total;
        order.status = OrderStatus::kAwaitingPayment;
        order.created_at = order.updated_at = clock_.now();
        order.expires_at = clock_.now() + 900s;
        orders_.orders[order.order_no] = order;
        return order.order_no;
    }

    /// Starts Alice's payment of `order_no`; its out_trade_no.
    std::string start(const std::string& order_no) {
        auto started = service_.start(kAlice, order_no, "203.0.113.7");
        EXPECT_TRUE(started.ok()) << started.error().message;
        return started.ok() ? started->attempt.out_trade_no : std::string{};
    }

    ports::Transaction trade(const std::string& out_trade_no, TradeState state, Cents total = kTotal) {
        ports::Transaction tx;
        tx.app_id = "wx0000000000000001";
        tx.mch_id = "1900000001";
        tx.out_trade_no = out_trade_no;
        tx.transaction_id = state == TradeState::kSuccess || state == TradeState::kRefund ? kTxId : "";
        tx.state = state;
        tx.state_text = trade_state_text(state);
        tx.total = total;
        tx.payer_total = total;
        tx.currency = "CNY";
        if (state == TradeState::kSuccess) {
            tx.success_time = clock_.now() - 2s;
        }
        return tx;
    }
    ports::Transaction success(const std::string& out_trade_no, Cents total = kTotal) {
        return trade(out_trade_no, TradeState::kSuccess, total);
    }

    /// Delivers a notification the gateway verifies as `event`.
    ports::NotificationAnswer notify(std::variant<ports::Transaction, ports::Refund> event) {
        gateway_.verified = ports::VerifiedNotification{"evt-1", std::move(event)};
        return service_.handle_notification({{{"wechatpay-signature", "sig"}}, R"({"id":"evt-1"})"});
    }

    /// Starts Alice's payment and has the provider report it paid; its out_trade_no.
    std::string pay(const std::string& order_no) {
        const auto out_trade_no = start(order_no);
        EXPECT_EQ(notify(success(out_trade_no)).status, 200);
        EXPECT_EQ(status(order_no), OrderStatus::kPaid);
        return out_trade_no;
    }

    /// An attempt left "creating" (a request still asking the provider, or one that died doing so).
    std::string leave_creating(const std::string& order_no, int attempt_no = 1) {
        domain::PaymentAttempt a;
        a.order_no = order_no;
        a.user_id = kAlice;
        a.attempt_no = attempt_no;
        a.out_trade_no = order_no + "-" + std::to_string(attempt_no);
        a.provider = "wechat_v3";
        a.amount = kTotal;
        a.status = AttemptStatus::kCreating;
        a.expires_at = orders_.orders.at(order_no).expires_at;
        a.created_at = a.updated_at = clock_.now();
        EXPECT_TRUE(payments_.insert_attempt(a));
        return a.out_trade_no;
    }

    /// Pays Alice's order and has her refund all of it without an answer from the provider: the
    /// refund (<order>-R1) stays processing with its amount reserved.
    std::string pay_and_lose_a_refund(const std::string& order_no) {
        pay(order_no);
        gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
        const auto pending = service_.refund(kAlice, order_no, kTotal);
        EXPECT_TRUE(pending.ok());
        EXPECT_EQ(payments_.stored_refund(order_no + "-R1")->status, RefundStatus::kProcessing);
        return order_no + "-R1";
    }

    OrderStatus status(const std::string& order_no) { return orders_.orders.at(order_no).status; }
    AttemptStatus attempt_status(const std::string& out_trade_no) {
        auto* attempt = payments_.stored_attempt(out_trade_no);
        EXPECT_NE(attempt, nullptr) << out_trade_no;
        return attempt == nullptr ? AttemptStatus::kFailed : attempt->status;
    }
    std::vector<std::string> statuses_of(const std::string& kind) {
        std::vector<std::string> out;
        for (const auto& r : payments_.records_of_kind(kind)) {
            out.push_back(r.status);
        }
        return out;
    }

    AdvancingClock clock_;
    FakeOrderRepository orders_;
    FakePaymentRepository payments_{orders_};
    FakeGateway gateway_;
    PaymentService service_{orders_, payments_, &gateway_, clock_, PaymentSettings{5, kScanPage, 100}};
};

// --- start ---

TEST_F(PaymentServiceTest, StartCreatesANativePaymentOfTheOrderTotalUntilItsDeadline) {
    const auto no = add_order();
    clock_.advance(10s);
    const auto started = service_.start(kAlice, no, "203.0.113.7");
    ASSERT_TRUE(started.ok()) << started.error().message;
    EXPECT_EQ(started->order.order_no, no);
    EXPECT_EQ(started->attempt.out_trade_no, no + "-1");
    EXPECT_EQ(started->attempt.status, AttemptStatus::kOpen);
    EXPECT_EQ(started->attempt.amount, kTotal);
    EXPECT_EQ(started->attempt.code_url, "weixin://wxpay/bizpayurl?pr=code1");
    EXPECT_EQ(started->scan_url, std::string(kScanPage) + "?pr=code1");

    ASSERT_EQ(gateway_.creates.size(), 1U);
    const auto& request = gateway_.creates[0];
    EXPECT_EQ(request.out_trade_no, no + "-1");
    EXPECT_EQ(request.total, kTotal);
    EXPECT_EQ(request.expires_at, orders_.orders.at(no).expires_at);
    EXPECT_EQ(request.client_ip, "203.0.113.7");
    EXPECT_EQ(request.description, "phone");

    const auto* stored = payments_.stored_attempt(no + "-1");
    ASSERT_NE(stored, nullptr);
    EXPECT_EQ(stored->status, AttemptStatus::kOpen);
    EXPECT_EQ(stored->code_url, "weixin://wxpay/bizpayurl?pr=code1");
    EXPECT_EQ(stored->provider, "wechat_v3");
    EXPECT_EQ(stored->user_id, kAlice);
    EXPECT_EQ(stored->attempt_no, 1);
    EXPECT_EQ(statuses_of("attempt"), std::vector<std::string>{"NOTPAY"});
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
}

TEST_F(PaymentServiceTest, StartAnswersTheSameAttemptWhileItIsOpen) {
    const auto no = add_order();
    const auto first = service_.start(kAlice, no, "203.0.113.7");
    const auto again = service_.start(kAlice, no, "203.0.113.8");
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->attempt.out_trade_no, first->attempt.out_trade_no);
    EXPECT_EQ(again->attempt.code_url, first->attempt.code_url);
    EXPECT_EQ(again->scan_url, first->scan_url);
    EXPECT_EQ(gateway_.creates.size(), 1U);
    EXPECT_EQ(payments_.attempts.size(), 1U);
}

TEST_F(PaymentServiceTest, StartAfterACloseUsesTheNextTradeNumber) {
    const auto no = add_order();
    EXPECT_EQ(start(no), no + "-1");
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    EXPECT_EQ(attempt_status(no + "-1"), AttemptStatus::kClosed);
    EXPECT_EQ(start(no), no + "-2");
    ASSERT_EQ(gateway_.creates.size(), 2U);
    EXPECT_EQ(gateway_.creates[1].out_trade_no, no + "-2");
    EXPECT_EQ(attempt_status(no + "-2"), AttemptStatus::kOpen);
}

TEST_F(PaymentServiceTest, StartRefusesMoreThanMaxAttempts) {
    PaymentService service(orders_, payments_, &gateway_, clock_, PaymentSettings{2, "", 100});
    const auto no = add_order();
    ASSERT_TRUE(service.start(kAlice, no, "").ok());
    ASSERT_TRUE(service.close(kAlice, no).ok());
    ASSERT_TRUE(service.start(kAlice, no, "").ok());
    ASSERT_TRUE(service.close(kAlice, no).ok());
    const auto third = service.start(kAlice, no, "");
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().code, ErrorCode::kPaymentAttemptsExhausted);
    EXPECT_EQ(gateway_.creates.size(), 2U);
    EXPECT_EQ(payments_.attempts.size(), 2U);
}

TEST_F(PaymentServiceTest, StartRefusesAnOrderThatIsNotAwaitingPayment) {
    const auto paid = add_order();
    pay(paid);
    const auto cancelled = add_order();
    ASSERT_TRUE(orders_.cancel(cancelled, clock_.now()));
    const auto demo = add_order();
    ASSERT_TRUE(orders_.mark_paid(demo, PayType::kDemo, clock_.now()));
    for (const auto& no : {paid, cancelled, demo}) {
        const auto refused = service_.start(kAlice, no, "");
        ASSERT_FALSE(refused.ok()) << no;
        EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusConflict) << no;
    }
    EXPECT_EQ(gateway_.creates.size(), 1U);  // the one that paid `paid`
}

TEST_F(PaymentServiceTest, StartRefusesAnOrderAtOrPastItsDeadlineEvenWithAnOpenAttempt) {
    const auto open = add_order();
    const auto fresh = add_order();
    clock_.advance(899s);
    start(open);
    clock_.advance(1s);  // exactly the deadline
    for (const auto& no : {open, fresh}) {
        const auto refused = service_.start(kAlice, no, "");
        ASSERT_FALSE(refused.ok()) << no;
        EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusConflict) << no;
    }
    EXPECT_EQ(gateway_.creates.size(), 1U);
}

TEST_F(PaymentServiceTest, AnotherShoppersOrderIsNotFound) {
    const auto no = add_order(kAlice);
    for (const std::int64_t user : {kBob, std::int64_t{0}, std::int64_t{-1}}) {
        EXPECT_EQ(service_.start(user, no, "").error().code, ErrorCode::kOrderNotFound) << user;
        EXPECT_EQ(service_.query(user, no).error().code, ErrorCode::kOrderNotFound) << user;
        EXPECT_EQ(service_.close(user, no).error().code, ErrorCode::kOrderNotFound) << user;
        EXPECT_EQ(service_.refund(user, no, 1).error().code, ErrorCode::kOrderNotFound) << user;
    }
    EXPECT_EQ(service_.start(kAlice, "20261115000000009999", "").error().code, ErrorCode::kOrderNotFound);
    EXPECT_TRUE(gateway_.creates.empty());
    EXPECT_TRUE(payments_.attempts.empty());
}

TEST_F(PaymentServiceTest, WithoutAGatewayEveryCallAnswersNotConfigured) {
    PaymentService service(orders_, payments_, nullptr, clock_, PaymentSettings{});
    const auto no = add_order();
    EXPECT_FALSE(service.configured());
    EXPECT_TRUE(service_.configured());
    EXPECT_EQ(service.start(kAlice, no, "").error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(service.query(kAlice, no).error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(service.close(kAlice, no).error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(service.refund(kAlice, no, 1).error().code, ErrorCode::kPaymentNotConfigured);
    EXPECT_EQ(service.handle_notification({{}, "{}"}).status, 503);
    EXPECT_TRUE(service.close_before_cancel(no));
    EXPECT_TRUE(payments_.attempts.empty());
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
}

TEST_F(PaymentServiceTest, UnreachableProviderOnCreateAnswersUnavailableAndEndsTheAttempt) {
    const auto no = add_order();
    gateway_.create_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    const auto failed = service_.start(kAlice, no, "");
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kPaymentUnavailable);
    EXPECT_EQ(attempt_status(no + "-1"), AttemptStatus::kClosed);
    EXPECT_EQ(statuses_of("attempt"), std::vector<std::string>{"failed: timeout"});
    // The number the provider may know is not reused.
    EXPECT_EQ(start(no), no + "-2");
}

TEST_F(PaymentServiceTest, RefusedCreateAnswersRejectedAndMarksTheAttemptFailed) {
    const auto no = add_order();
    gateway_.create_answers.push_back(gateway_error(GatewayFailure::kRejected, "PARAM_ERROR"));
    const auto failed = service_.start(kAlice, no, "");
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kPaymentRejected);
    EXPECT_NE(failed.error().message.find("PARAM_ERROR"), std::string::npos) << failed.error().message;
    EXPECT_EQ(attempt_status(no + "-1"), AttemptStatus::kFailed);
    EXPECT_EQ(statuses_of("attempt"), std::vector<std::string>{"failed: PARAM_ERROR"});
    EXPECT_EQ(start(no), no + "-2");
}

TEST_F(PaymentServiceTest, StartThatLosesTheInsertRaceAnswersTheOtherRequestsAttempt) {
    const auto no = add_order();
    const auto concurrent = [&](AttemptStatus s) {
        payments_.before_insert = [this, s](const domain::PaymentAttempt& mine) {
            domain::PaymentAttempt theirs = mine;
            theirs.status = s;
            theirs.code_url = s == AttemptStatus::kOpen ? "weixin://wxpay/bizpayurl?pr=theirs" : "";
            payments_.attempts.push_back(theirs);
        };
    };
    concurrent(AttemptStatus::kCreating);
    const auto busy = service_.start(kAlice, no, "");
    ASSERT_FALSE(busy.ok());
    EXPECT_EQ(busy.error().code, ErrorCode::kPaymentUnavailable);

    payments_.attempts.clear();
    concurrent(AttemptStatus::kOpen);
    const auto theirs = service_.start(kAlice, no, "");
    ASSERT_TRUE(theirs.ok()) << theirs.error().message;
    EXPECT_EQ(theirs->attempt.code_url, "weixin://wxpay/bizpayurl?pr=theirs");
    EXPECT_EQ(theirs->scan_url, std::string(kScanPage) + "?pr=theirs");
    EXPECT_TRUE(gateway_.creates.empty());
    EXPECT_EQ(payments_.attempts.size(), 1U);
}

TEST_F(PaymentServiceTest, StartWaitsForAYoungCreatingAttemptAndReplacesOneOlderThanTheGrace) {
    const auto no = add_order();
    const auto stuck = leave_creating(no);
    // Another request may be asking the provider right now: a second trade would give the payer
    // two codes to pay.
    for (const auto wait : {0s, 29s}) {
        clock_.advance(wait);
        const auto busy = service_.start(kAlice, no, "");
        ASSERT_FALSE(busy.ok()) << wait.count();
        EXPECT_EQ(busy.error().code, ErrorCode::kPaymentUnavailable) << wait.count();
    }
    EXPECT_TRUE(gateway_.creates.empty());
    EXPECT_TRUE(gateway_.closes.empty());
    EXPECT_EQ(attempt_status(stuck), AttemptStatus::kCreating);

    // 30 s (the default creating_grace) after it was created it counts as left by a crash: closed
    // at the provider (which may have created it), ended, and the next number is started.
    clock_.advance(1s);
    EXPECT_EQ(start(no), no + "-2");
    EXPECT_EQ(gateway_.closes, std::vector<std::string>{stuck});
    EXPECT_EQ(attempt_status(stuck), AttemptStatus::kClosed);
    ASSERT_EQ(gateway_.creates.size(), 1U);
    EXPECT_EQ(gateway_.creates[0].out_trade_no, no + "-2");
    EXPECT_EQ(attempt_status(no + "-2"), AttemptStatus::kOpen);
}

TEST_F(PaymentServiceTest, CreatingGraceIsASetting) {
    PaymentService service(orders_, payments_, &gateway_, clock_, PaymentSettings{5, kScanPage, 100, 5s});
    const auto no = add_order();
    const auto stuck = leave_creating(no);
    clock_.advance(4s);
    EXPECT_EQ(service.start(kAlice, no, "").error().code, ErrorCode::kPaymentUnavailable);
    clock_.advance(1s);
    const auto started = service.start(kAlice, no, "");
    ASSERT_TRUE(started.ok()) << started.error().message;
    EXPECT_EQ(started->attempt.out_trade_no, no + "-2");
    EXPECT_EQ(attempt_status(stuck), AttemptStatus::kClosed);
}

TEST_F(PaymentServiceTest, StartWhoseAttemptIsClosedWhileTheProviderIsAskedGivesNoCode) {
    const auto no = add_order();
    // The shopper cancels while the provider creates the trade: OrderService closes the attempt
    // (still creating) first, then cancels the order.
    gateway_.while_creating = [&](const ports::NativePaymentRequest&) {
        EXPECT_TRUE(service_.close_before_cancel(no));
        EXPECT_TRUE(orders_.cancel(no, clock_.now()));
    };
    const auto started = service_.start(kAlice, no, "");
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_NE(started.error().message.find("cancelled"), std::string::npos) << started.error().message;
    // Closed by the cancel, and once more after the provider's answer, which created the trade.
    EXPECT_EQ(gateway_.closes, (std::vector<std::string>{no + "-1", no + "-1"}));
    EXPECT_EQ(attempt_status(no + "-1"), AttemptStatus::kClosed);
    EXPECT_EQ(payments_.stored_attempt(no + "-1")->code_url, "");
    EXPECT_TRUE(statuses_of("attempt").empty());  // no NOTPAY: the code never reached the payer
    EXPECT_EQ(status(no), OrderStatus::kCancelled);

    // Only the attempt ended (the order still awaits payment): a conflict, and the next start
    // takes the next number.
    const auto other = add_order();
    gateway_.while_creating = [&](const ports::NativePaymentRequest& request) {
        EXPECT_TRUE(payments_.end_attempt(request.out_trade_no, AttemptStatus::kClosed, clock_.now()));
    };
    const auto again = service_.start(kAlice, other, "");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(gateway_.closes.back(), other + "-1");
    EXPECT_EQ(start(other), other + "-2");
}

TEST_F(PaymentServiceTest, ScanUrlOnlyForAPlainPrTokenAndOnlyWhenConfigured) {
    const auto odd = add_order();
    gateway_.create_answers.push_back(ports::NativePayment{"weixin://wxpay/bizpayurl?pr=a/b", ""});
    const auto started = service_.start(kAlice, odd, "");
    ASSERT_TRUE(started.ok());
    EXPECT_EQ(started->scan_url, "");

    PaymentService no_page(orders_, payments_, &gateway_, clock_, PaymentSettings{});
    const auto plain = no_page.start(kAlice, add_order(), "");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->attempt.code_url, "weixin://wxpay/bizpayurl?pr=code2");
    EXPECT_EQ(plain->scan_url, "");
}

// --- notifications ---

TEST_F(PaymentServiceTest, VerifiedSuccessMarksTheOrderPaidOnceAndARepeatChangesNothing) {
    const auto no = add_order();
    const auto out = start(no);
    clock_.advance(5s);
    const auto tx = success(out);
    const auto answer = notify(tx);
    EXPECT_EQ(answer.status, 200);
    ASSERT_EQ(gateway_.answers.size(), 1U);
    EXPECT_TRUE(gateway_.answers[0].first);
    ASSERT_EQ(gateway_.notifications.size(), 1U);
    EXPECT_EQ(gateway_.notifications[0].headers.at("wechatpay-signature"), "sig");

    const auto& order = orders_.orders.at(no);
    EXPECT_EQ(order.status, OrderStatus::kPaid);
    EXPECT_EQ(order.pay_type, PayType::kWechat);
    EXPECT_EQ(payments_.paid_trade_no(no), out);  // recorded with the status change
    ASSERT_TRUE(order.paid_at);
    const TimePoint order_paid_at = *order.paid_at;
    const auto* attempt = payments_.stored_attempt(out);
    ASSERT_NE(attempt, nullptr);
    EXPECT_EQ(attempt->status, AttemptStatus::kPaid);
    EXPECT_EQ(attempt->transaction_id, kTxId);
    EXPECT_EQ(attempt->paid_at, tx.success_time);

    clock_.advance(30s);
    auto later = tx;
    later.transaction_id = "4200000999";
    later.success_time = clock_.now();
    EXPECT_EQ(notify(later).status, 200);
    EXPECT_EQ(orders_.orders.at(no).paid_at, order_paid_at);
    EXPECT_EQ(payments_.stored_attempt(out)->transaction_id, kTxId);
    EXPECT_EQ(payments_.stored_attempt(out)->paid_at, tx.success_time);
    EXPECT_TRUE(gateway_.refunds.empty());  // the trade that paid the order is never refunded
    // Repeats write nothing, so replays cannot grow the record.
    EXPECT_EQ(statuses_of("notification"), std::vector<std::string>{"SUCCESS"});
    const auto records = payments_.records_of_kind("notification");
    EXPECT_EQ(records[0].order_no, no);
    EXPECT_EQ(records[0].transaction_id, kTxId);
    EXPECT_EQ(records[0].provider, "wechat_v3");
}

class PaymentRefusedNotificationTest : public PaymentServiceTest {
protected:
    void expect_refused_and_nothing_changed(const ports::Transaction& tx) {
        const auto no = add_order();
        const auto out = start(no);
        auto sent = tx;
        sent.out_trade_no = out;
        EXPECT_EQ(notify(sent).status, 400);
        ASSERT_EQ(gateway_.answers.size(), 1U);
        EXPECT_FALSE(gateway_.answers[0].first);
        EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
        EXPECT_FALSE(orders_.orders.at(no).paid_at);
        EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
        EXPECT_EQ(payments_.stored_attempt(out)->transaction_id, "");
        EXPECT_TRUE(gateway_.refunds.empty());
        EXPECT_EQ(statuses_of("notification"), std::vector<std::string>{"rejected: mismatch"});
    }
};

TEST_F(PaymentRefusedNotificationTest, PaymentNotificationWithAWrongAmountIsRefused) {
    expect_refused_and_nothing_changed(success("", kTotal - 1));
}

TEST_F(PaymentRefusedNotificationTest, PaymentNotificationWithAnotherCurrencyIsRefused) {
    auto tx = success("");
    tx.currency = "USD";
    expect_refused_and_nothing_changed(tx);
}

TEST_F(PaymentRefusedNotificationTest, PaymentNotificationWithoutATransactionIdIsRefused) {
    auto tx = success("");
    tx.transaction_id.clear();
    expect_refused_and_nothing_changed(tx);
}

TEST_F(PaymentServiceTest, NotificationWithoutACurrencyIsTakenAsYuan) {
    const auto no = add_order();
    auto tx = success(start(no));
    tx.currency.clear();
    EXPECT_EQ(notify(tx).status, 200);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
}

TEST_F(PaymentServiceTest, NotificationOfAnUnknownTradeIsRefused) {
    const auto no = add_order();
    const auto out = start(no);
    EXPECT_EQ(notify(success("20261115000000009999-1")).status, 400);
    ASSERT_EQ(gateway_.answers.size(), 1U);
    EXPECT_EQ(gateway_.answers[0], std::make_pair(false, std::string("unknown out_trade_no")));
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    const auto records = payments_.records_of_kind("notification");
    ASSERT_EQ(records.size(), 1U);
    EXPECT_EQ(records[0].order_no, "");
    EXPECT_EQ(records[0].out_trade_no, "20261115000000009999-1");
    EXPECT_EQ(records[0].status, "rejected: unknown order");
}

TEST_F(PaymentServiceTest, UnverifiedNotificationIsRefusedAndNotStored) {
    const auto no = add_order();
    start(no);
    gateway_.verified = make_error(ErrorCode::kUnauthorized, "signature does not verify");
    const auto answer = service_.handle_notification({{}, R"({"out_trade_no":")" + no + R"(-1"})"});
    EXPECT_EQ(answer.status, 400);
    ASSERT_EQ(gateway_.answers.size(), 1U);
    EXPECT_EQ(gateway_.answers[0], std::make_pair(false, std::string("signature does not verify")));
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    // Anyone can send one: a forged request must not be able to fill the database.
    EXPECT_TRUE(payments_.records_of_kind("notification").empty());
}

TEST_F(PaymentServiceTest, NotificationOfAnUnpaidStateIsAcceptedAndOnlyRecorded) {
    const auto no = add_order();
    const auto out = start(no);
    EXPECT_EQ(notify(trade(out, TradeState::kPayError)).status, 200);
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    EXPECT_EQ(statuses_of("notification"), std::vector<std::string>{"PAYERROR"});
}

TEST_F(PaymentServiceTest, AFailingRecordWriteDoesNotUndoAPayment) {
    const auto no = add_order();
    const auto out = start(no);
    payments_.fail_appends = true;
    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kPaid);
}

// --- crash recovery and automatic refunds ---

TEST_F(PaymentServiceTest, ARepeatedNotificationFinishesAnOrderWhoseTradeWasClaimedBeforeACrash) {
    const auto no = add_order();
    const auto out = start(no);
    // The first delivery claimed the trade, then the process died before marking the order.
    ASSERT_TRUE(payments_.claim_attempt_paid(out, kTxId, clock_.now(), clock_.now()));
    const auto restart = service_.start(kAlice, no, "");
    ASSERT_FALSE(restart.ok());
    EXPECT_EQ(restart.error().code, ErrorCode::kOrderStatusConflict);  // no second trade for a paid one
    EXPECT_EQ(gateway_.creates.size(), 1U);

    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(orders_.orders.at(no).pay_type, PayType::kWechat);
    EXPECT_EQ(payments_.paid_trade_no(no), out);
    EXPECT_TRUE(gateway_.refunds.empty());
    EXPECT_TRUE(statuses_of("notification").empty());  // the claim was stored before the crash
}

TEST_F(PaymentServiceTest, PaymentOfACancelledOrderIsRefundedAutomaticallyOnceEvenWhenDeliveredTwice) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(notify(success(out)).status, 200);

    ASSERT_EQ(gateway_.refunds.size(), 1U);
    const auto& request = gateway_.refunds[0];
    EXPECT_EQ(request.out_refund_no, out + "-AR");
    EXPECT_EQ(request.out_trade_no, out);
    EXPECT_EQ(request.transaction_id, kTxId);
    EXPECT_EQ(request.refund, kTotal);
    EXPECT_EQ(request.total, kTotal);
    ASSERT_EQ(payments_.refunds.size(), 1U);
    const auto& entry = payments_.refunds[0];
    EXPECT_EQ(entry.out_refund_no, out + "-AR");
    EXPECT_EQ(entry.order_no, no);
    EXPECT_TRUE(entry.automatic);
    EXPECT_EQ(entry.amount, kTotal);
    EXPECT_EQ(entry.status, RefundStatus::kSuccess);
    EXPECT_EQ(entry.refund_id, "RF-" + out + "-AR");
    EXPECT_EQ(status(no), OrderStatus::kCancelled);
    EXPECT_EQ(payments_.refunded_total(no), 0);  // not the shopper's refund: nothing reserved
    EXPECT_EQ(statuses_of("auto_refund"), std::vector<std::string>{"SUCCESS"});
}

TEST_F(PaymentServiceTest, ProcessingAutomaticRefundIsSettledByOneRefundQuery) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    gateway_.refund_answers.push_back(refund_answer(out + "-AR", RefundState::kProcessing, kTotal));
    gateway_.refund_query_answers.push_back(refund_answer(out + "-AR", RefundState::kSuccess, kTotal));
    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(gateway_.refund_queries, std::vector<std::string>{out + "-AR"});
    ASSERT_NE(payments_.stored_refund(out + "-AR"), nullptr);
    EXPECT_EQ(payments_.stored_refund(out + "-AR")->status, RefundStatus::kSuccess);
    EXPECT_EQ(payments_.stored_refund(out + "-AR")->refund_id, "RF-" + out + "-AR");

    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(gateway_.refund_queries.size(), 1U);
}

TEST_F(PaymentServiceTest, FailedAutomaticRefundIsRetriedWithTheSameNumberOnTheNextDelivery) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    notify(success(out));
    ASSERT_NE(payments_.stored_refund(out + "-AR"), nullptr);
    EXPECT_EQ(payments_.stored_refund(out + "-AR")->status, RefundStatus::kProcessing);
    EXPECT_EQ(statuses_of("auto_refund"), std::vector<std::string>{"failed: timeout"});

    notify(success(out));
    ASSERT_EQ(gateway_.refunds.size(), 2U);
    EXPECT_EQ(gateway_.refunds[1].out_refund_no, gateway_.refunds[0].out_refund_no);
    EXPECT_EQ(payments_.stored_refund(out + "-AR")->status, RefundStatus::kSuccess);
    EXPECT_EQ(payments_.refunds.size(), 1U);
}

TEST_F(PaymentServiceTest, SecondTradeOfAnAlreadyPaidOrderIsRefundedAutomatically) {
    const auto no = add_order();
    const auto first = start(no);
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    const auto second = start(no);
    // The payer paid the first QR code just before it was closed, then the second one too.
    EXPECT_EQ(notify(success(first)).status, 200);
    auto again = success(second);
    again.transaction_id = "4200000002";
    EXPECT_EQ(notify(again).status, 200);

    ASSERT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(gateway_.refunds[0].out_refund_no, second + "-AR");
    EXPECT_EQ(gateway_.refunds[0].out_trade_no, second);
    EXPECT_EQ(gateway_.refunds[0].transaction_id, "4200000002");
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(payments_.paid_trade_no(no), first);
    ASSERT_NE(payments_.stored_refund(second + "-AR"), nullptr);
    EXPECT_TRUE(payments_.stored_refund(second + "-AR")->automatic);

    // The winning trade stays, and the shopper can still refund all of it.
    EXPECT_EQ(notify(success(first)).status, 200);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    const auto view = service_.view(kAlice, no);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->paid, kTotal);
    EXPECT_EQ(view->refundable, kTotal);
}

TEST_F(PaymentServiceTest, LatePaymentOfAnOlderTradeAfterANewerOnePaidTheOrderIsRefundedAutomatically) {
    const auto no = add_order();
    const auto first = start(no);
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    const auto second = start(no);
    // The newer trade pays the order; the payment of the first one (paid just before its close)
    // is reported later. The order's payment is the trade recorded with it, not the lowest number.
    EXPECT_EQ(notify(success(second)).status, 200);
    EXPECT_EQ(payments_.paid_trade_no(no), second);
    auto late = success(first);
    late.transaction_id = "4200000002";
    EXPECT_EQ(notify(late).status, 200);

    ASSERT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(gateway_.refunds[0].out_refund_no, first + "-AR");
    EXPECT_EQ(gateway_.refunds[0].out_trade_no, first);
    EXPECT_EQ(gateway_.refunds[0].transaction_id, "4200000002");
    EXPECT_EQ(gateway_.refunds[0].refund, kTotal);
    ASSERT_NE(payments_.stored_refund(first + "-AR"), nullptr);
    EXPECT_TRUE(payments_.stored_refund(first + "-AR")->automatic);
    EXPECT_EQ(payments_.stored_refund(first + "-AR")->status, RefundStatus::kSuccess);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(payments_.paid_trade_no(no), second);
    EXPECT_EQ(payments_.refunded_total(no), 0);

    // A repeat of either changes nothing more.
    EXPECT_EQ(notify(late).status, 200);
    EXPECT_EQ(notify(success(second)).status, 200);
    EXPECT_EQ(gateway_.refunds.size(), 1U);

    // The shopper's refund and the query are about the trade that paid.
    const auto view = service_.view(kAlice, no);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->paid, kTotal);
    EXPECT_EQ(view->refundable, kTotal);
    const auto refunded = service_.refund(kAlice, no, 100);
    ASSERT_TRUE(refunded.ok()) << refunded.error().message;
    ASSERT_EQ(gateway_.refunds.size(), 2U);
    EXPECT_EQ(gateway_.refunds[1].out_trade_no, second);
    EXPECT_EQ(gateway_.refunds[1].transaction_id, kTxId);
    gateway_.query_answers.push_back(trade(second, TradeState::kRefund));
    ASSERT_TRUE(service_.query(kAlice, no).ok());
    EXPECT_EQ(gateway_.queries, std::vector<std::string>{second});
}

TEST_F(PaymentServiceTest, WeChatPaymentOfAnOrderPaidByTheDemoButtonIsRefundedAutomatically) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.mark_paid(no, PayType::kDemo, clock_.now()));  // while the QR code was open
    EXPECT_EQ(notify(success(out)).status, 200);
    EXPECT_EQ(notify(success(out)).status, 200);

    ASSERT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(gateway_.refunds[0].out_refund_no, out + "-AR");
    EXPECT_EQ(gateway_.refunds[0].out_trade_no, out);
    EXPECT_EQ(gateway_.refunds[0].transaction_id, kTxId);
    EXPECT_EQ(gateway_.refunds[0].refund, kTotal);
    ASSERT_NE(payments_.stored_refund(out + "-AR"), nullptr);
    EXPECT_TRUE(payments_.stored_refund(out + "-AR")->automatic);
    EXPECT_EQ(payments_.stored_refund(out + "-AR")->status, RefundStatus::kSuccess);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kPaid);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(orders_.orders.at(no).pay_type, PayType::kDemo);
    EXPECT_EQ(payments_.paid_trade_no(no), "");

    // Its trade was returned: not the shopper's to refund again.
    const auto refused = service_.refund(kAlice, no, 100);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(payments_.refunds.size(), 1U);
    EXPECT_EQ(payments_.refunded_total(no), 0);
    const auto view = service_.view(kAlice, no);
    ASSERT_TRUE(view.ok());
    EXPECT_EQ(view->paid, kTotal);
    EXPECT_EQ(view->refundable, 0);
    EXPECT_EQ(view->trade_state, "REFUND");
}

TEST_F(PaymentServiceTest, SettledAutomaticRefundsLeaveTheShoppersRefundBookkeepingAlone) {
    const auto no = add_order();
    const auto first = start(no);
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    const auto second = start(no);
    EXPECT_EQ(notify(success(first)).status, 200);
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    ASSERT_TRUE(service_.refund(kAlice, no, kTotal).ok());  // the shopper's refund, still processing
    ASSERT_EQ(payments_.refunded_total(no), kTotal);

    // The second trade's automatic refund closes at the provider: the shopper's reservation stays.
    gateway_.refund_answers.push_back(refund_answer(second + "-AR", RefundState::kProcessing, kTotal));
    gateway_.refund_query_answers.push_back(refund_answer(second + "-AR", RefundState::kClosed, kTotal));
    auto again = success(second);
    again.transaction_id = "4200000002";
    EXPECT_EQ(notify(again).status, 200);
    EXPECT_EQ(payments_.stored_refund(second + "-AR")->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_.refunded_total(no), kTotal);
    EXPECT_EQ(status(no), OrderStatus::kPaid);

    EXPECT_EQ(notify(refund_answer(no + "-R1", RefundState::kSuccess, kTotal)).status, 200);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
}

// --- refunds ---

TEST_F(PaymentServiceTest, RefundAmountMustBePositiveAndWithinWhatIsLeft) {
    const auto no = add_order();
    pay(no);
    for (const Cents amount : {Cents{0}, Cents{-5}}) {
        const auto bad = service_.refund(kAlice, no, amount);
        ASSERT_FALSE(bad.ok()) << amount;
        EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest) << amount;
        EXPECT_EQ(bad.error().field, "refund_fee") << amount;
    }
    const auto too_large = service_.refund(kAlice, no, kTotal + 1);
    ASSERT_FALSE(too_large.ok());
    EXPECT_EQ(too_large.error().code, ErrorCode::kRefundTooLarge);
    EXPECT_EQ(too_large.error().field, "refund_fee");
    EXPECT_NE(too_large.error().message.find("at most 12345 fen"), std::string::npos) << too_large.error().message;
    EXPECT_TRUE(gateway_.refunds.empty());
    EXPECT_TRUE(payments_.refunds.empty());
    EXPECT_EQ(payments_.refunded_total(no), 0);

    ASSERT_TRUE(service_.refund(kAlice, no, 5000).ok());
    const auto over_the_rest = service_.refund(kAlice, no, kTotal - 5000 + 1);
    ASSERT_FALSE(over_the_rest.ok());
    EXPECT_EQ(over_the_rest.error().code, ErrorCode::kRefundTooLarge);
    EXPECT_NE(over_the_rest.error().message.find("at most 7345 fen"), std::string::npos)
        << over_the_rest.error().message;
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(payments_.refunded_total(no), 5000);
}

TEST_F(PaymentServiceTest, PartialThenFullRefundMakesTheOrderRefunded) {
    const auto no = add_order();
    const auto out = pay(no);
    const auto first = service_.refund(kAlice, no, 5000);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first->refund.out_refund_no, no + "-R1");
    EXPECT_EQ(first->refund.status, RefundStatus::kSuccess);
    EXPECT_FALSE(first->refund.automatic);
    EXPECT_EQ(first->refunded, 5000);
    EXPECT_EQ(first->refundable, kTotal - 5000);
    EXPECT_EQ(first->order.status, OrderStatus::kPaid);
    ASSERT_EQ(gateway_.refunds.size(), 1U);
    EXPECT_EQ(gateway_.refunds[0].out_trade_no, out);
    EXPECT_EQ(gateway_.refunds[0].transaction_id, kTxId);
    EXPECT_EQ(gateway_.refunds[0].out_refund_no, no + "-R1");
    EXPECT_EQ(gateway_.refunds[0].refund, 5000);
    EXPECT_EQ(gateway_.refunds[0].total, kTotal);
    EXPECT_EQ(status(no), OrderStatus::kPaid);

    const auto rest = service_.refund(kAlice, no, kTotal - 5000);
    ASSERT_TRUE(rest.ok()) << rest.error().message;
    EXPECT_EQ(rest->refund.out_refund_no, no + "-R2");
    EXPECT_EQ(rest->refunded, kTotal);
    EXPECT_EQ(rest->refundable, 0);
    EXPECT_EQ(rest->order.status, OrderStatus::kRefunded);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);

    const auto more = service_.refund(kAlice, no, 1);
    ASSERT_FALSE(more.ok());
    EXPECT_EQ(more.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(gateway_.refunds.size(), 2U);
}

TEST_F(PaymentServiceTest, ARefundThatSucceedsAtOnceIsRecordedOnce) {
    const auto no = add_order();
    const auto out = pay(no);
    ASSERT_TRUE(service_.refund(kAlice, no, 5000).ok());
    const auto records = payments_.records_of_kind("refund");
    ASSERT_EQ(records.size(), 1U);
    EXPECT_EQ(records[0].status, "SUCCESS");
    EXPECT_EQ(records[0].order_no, no);
    EXPECT_EQ(records[0].out_trade_no, out);
    EXPECT_EQ(records[0].out_refund_no, no + "-R1");
    EXPECT_EQ(records[0].refund_id, "RF-" + no + "-R1");
    EXPECT_EQ(records[0].amount, 5000);

    // One still processing is recorded as such, and its outcome by the query that settled it.
    gateway_.refund_answers.push_back(refund_answer(no + "-R2", RefundState::kProcessing, 100));
    gateway_.refund_query_answers.push_back(refund_answer(no + "-R2", RefundState::kSuccess, 100));
    ASSERT_TRUE(service_.refund(kAlice, no, 100).ok());
    EXPECT_EQ(statuses_of("refund"), (std::vector<std::string>{"SUCCESS", "PROCESSING"}));
    EXPECT_EQ(statuses_of("query"), std::vector<std::string>{"SUCCESS"});
}

TEST_F(PaymentServiceTest, ShopperRefundNumbersCountOnlyShopperRefunds) {
    const auto no = add_order();
    const auto first = start(no);
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    const auto second = start(no);
    EXPECT_EQ(notify(success(first)).status, 200);
    auto again = success(second);
    again.transaction_id = "4200000002";
    EXPECT_EQ(notify(again).status, 200);
    ASSERT_NE(payments_.stored_refund(second + "-AR"), nullptr);  // the automatic one

    const auto one = service_.refund(kAlice, no, 100);
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_EQ(one->refund.out_refund_no, no + "-R1");
    const auto two = service_.refund(kAlice, no, 100);
    ASSERT_TRUE(two.ok()) << two.error().message;
    EXPECT_EQ(two->refund.out_refund_no, no + "-R2");
    ASSERT_EQ(gateway_.refunds.size(), 3U);
    EXPECT_EQ(gateway_.refunds[1].out_refund_no, no + "-R1");
    EXPECT_EQ(gateway_.refunds[2].out_refund_no, no + "-R2");
}

TEST_F(PaymentServiceTest, ShippedAndCompletedOrdersCanBeRefunded) {
    for (const auto s : {OrderStatus::kShipped, OrderStatus::kCompleted}) {
        const auto no = add_order();
        pay(no);
        orders_.orders.at(no).status = s;
        const auto refunded = service_.refund(kAlice, no, kTotal);
        ASSERT_TRUE(refunded.ok()) << refunded.error().message;
        EXPECT_EQ(status(no), OrderStatus::kRefunded);
    }
}

TEST_F(PaymentServiceTest, RefundTheProviderRefusesReleasesTheReservation) {
    const auto no = add_order();
    pay(no);
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kRejected, "NOTENOUGH"));
    const auto refused = service_.refund(kAlice, no, kTotal);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kPaymentRejected);
    ASSERT_NE(payments_.stored_refund(no + "-R1"), nullptr);
    EXPECT_EQ(payments_.stored_refund(no + "-R1")->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_.refunded_total(no), 0);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(statuses_of("refund"), std::vector<std::string>{"rejected: NOTENOUGH"});

    const auto again = service_.refund(kAlice, no, kTotal);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->refund.out_refund_no, no + "-R2");
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
}

TEST_F(PaymentServiceTest, RefundWithoutAnAnswerStaysProcessingUntilAQuerySettlesIt) {
    const auto no = add_order();
    const auto out = pay(no);
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    const auto pending = service_.refund(kAlice, no, kTotal);
    ASSERT_TRUE(pending.ok()) << pending.error().message;
    EXPECT_EQ(pending->refund.status, RefundStatus::kProcessing);
    EXPECT_EQ(pending->refunded, kTotal);
    EXPECT_EQ(pending->refundable, 0);
    EXPECT_EQ(status(no), OrderStatus::kPaid);  // not refunded while the refund is processing
    EXPECT_EQ(service_.refund(kAlice, no, 1).error().code, ErrorCode::kRefundTooLarge);  // still reserved
    EXPECT_EQ(statuses_of("refund"), std::vector<std::string>{"PROCESSING"});

    gateway_.query_answers.push_back(trade(out, TradeState::kRefund));
    gateway_.refund_query_answers.push_back(refund_answer(no + "-R1", RefundState::kSuccess, kTotal));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok()) << queried.error().message;
    EXPECT_EQ(gateway_.refund_queries, std::vector<std::string>{no + "-R1"});
    EXPECT_EQ(payments_.stored_refund(no + "-R1")->status, RefundStatus::kSuccess);
    EXPECT_EQ(queried->order.status, OrderStatus::kRefunded);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
}

TEST_F(PaymentServiceTest, ProcessingRefundAnswerIsAskedAboutOnceMore) {
    const auto no = add_order();
    pay(no);
    gateway_.refund_answers.push_back(refund_answer(no + "-R1", RefundState::kProcessing, 100));
    gateway_.refund_query_answers.push_back(refund_answer(no + "-R1", RefundState::kSuccess, 100));
    const auto done = service_.refund(kAlice, no, 100);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->refund.status, RefundStatus::kSuccess);
    EXPECT_EQ(gateway_.refund_queries, std::vector<std::string>{no + "-R1"});

    gateway_.refund_answers.push_back(refund_answer(no + "-R2", RefundState::kProcessing, kTotal - 100));
    gateway_.refund_query_answers.push_back(refund_answer(no + "-R2", RefundState::kProcessing, kTotal - 100));
    const auto pending = service_.refund(kAlice, no, kTotal - 100);
    ASSERT_TRUE(pending.ok());
    EXPECT_EQ(pending->refund.status, RefundStatus::kProcessing);
    EXPECT_EQ(gateway_.refund_queries.size(), 2U);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
}

TEST_F(PaymentServiceTest, RefundNotificationsSettleProcessingRefunds) {
    const auto no = add_order();
    pay(no);
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    ASSERT_TRUE(service_.refund(kAlice, no, kTotal).ok());

    // Closed: the money stayed with the shop and may be refunded again.
    EXPECT_EQ(notify(refund_answer(no + "-R1", RefundState::kClosed, kTotal)).status, 200);
    EXPECT_EQ(payments_.stored_refund(no + "-R1")->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_.refunded_total(no), 0);
    EXPECT_EQ(status(no), OrderStatus::kPaid);

    ASSERT_TRUE(service_.refund(kAlice, no, kTotal).ok());
    EXPECT_EQ(notify(refund_answer(no + "-R2", RefundState::kSuccess, kTotal)).status, 200);
    EXPECT_EQ(payments_.stored_refund(no + "-R2")->status, RefundStatus::kSuccess);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
    // A repeat changes nothing; the first closed refund stays closed.
    EXPECT_EQ(notify(refund_answer(no + "-R1", RefundState::kSuccess, kTotal)).status, 200);
    EXPECT_EQ(payments_.stored_refund(no + "-R1")->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_.refunded_total(no), kTotal);

    EXPECT_EQ(notify(refund_answer(no + "-R9", RefundState::kSuccess, kTotal)).status, 400);
    EXPECT_EQ(gateway_.answers.back(), std::make_pair(false, std::string("unknown refund")));
}

TEST_F(PaymentServiceTest, AnOrderNotPaidThroughWeChatPayCannotBeRefunded) {
    const auto demo = add_order();
    ASSERT_TRUE(orders_.mark_paid(demo, PayType::kDemo, clock_.now()));
    const auto refused = service_.refund(kAlice, demo, 100);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kOrderStatusConflict);

    const auto unpaid = add_order();
    start(unpaid);
    EXPECT_EQ(service_.refund(kAlice, unpaid, 100).error().code, ErrorCode::kOrderStatusConflict);

    EXPECT_TRUE(gateway_.refunds.empty());
    EXPECT_TRUE(payments_.refunds.empty());
    EXPECT_EQ(payments_.refunded_total(demo), 0);
    EXPECT_EQ(status(demo), OrderStatus::kPaid);
}

// --- retry_processing_refunds ---

TEST_F(PaymentServiceTest, RetryAsksAboutAProcessingRefundOnceItIsOlderThanTheRetryDelay) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(notify(success(out)).status, 200);
    const auto ar = out + "-AR";
    ASSERT_EQ(payments_.stored_refund(ar)->status, RefundStatus::kProcessing);

    clock_.advance(29s);  // younger than refund_retry_after (30 s): its own call may still answer
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    EXPECT_TRUE(gateway_.refund_queries.empty());

    clock_.advance(2s);
    gateway_.refund_query_answers.push_back(refund_answer(ar, RefundState::kSuccess, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(10), 1);
    EXPECT_EQ(gateway_.refund_queries, std::vector<std::string>{ar});
    EXPECT_EQ(payments_.stored_refund(ar)->status, RefundStatus::kSuccess);
    EXPECT_EQ(payments_.stored_refund(ar)->refund_id, "RF-" + ar);
    EXPECT_EQ(gateway_.refunds.size(), 1U);  // known to the provider: not sent again
    EXPECT_EQ(statuses_of("query"), std::vector<std::string>{"SUCCESS"});
    EXPECT_EQ(status(no), OrderStatus::kCancelled);
    EXPECT_EQ(payments_.refunded_total(no), 0);

    // Settled: nothing left to ask about.
    clock_.advance(60s);
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    EXPECT_EQ(gateway_.refund_queries.size(), 1U);
}

TEST_F(PaymentServiceTest, RetryResendsARefundTheProviderNeverGotWithTheSameNumber) {
    const auto no = add_order();
    const auto r1 = pay_and_lose_a_refund(no);
    clock_.advance(31s);
    gateway_.refund_query_answers.push_back(gateway_error(GatewayFailure::kNotFound, "RESOURCE_NOT_EXISTS"));
    EXPECT_EQ(service_.retry_processing_refunds(10), 1);

    ASSERT_EQ(gateway_.refunds.size(), 2U);
    const auto& resent = gateway_.refunds[1];
    EXPECT_EQ(resent.out_refund_no, r1);
    EXPECT_EQ(resent.out_trade_no, no + "-1");
    EXPECT_EQ(resent.transaction_id, kTxId);
    EXPECT_EQ(resent.refund, kTotal);
    EXPECT_EQ(resent.total, kTotal);
    EXPECT_EQ(resent.reason, gateway_.refunds[0].reason);
    EXPECT_EQ(payments_.stored_refund(r1)->status, RefundStatus::kSuccess);
    EXPECT_EQ(payments_.stored_refund(r1)->refund_id, "RF-" + r1);
    EXPECT_EQ(payments_.refunds.size(), 1U);
    EXPECT_EQ(payments_.refunded_total(no), kTotal);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
    EXPECT_EQ(statuses_of("refund"), (std::vector<std::string>{"PROCESSING", "SUCCESS"}));
}

TEST_F(PaymentServiceTest, RetryResendsALostAutomaticRefundAndAsksAgainWhileItIsProcessing) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(notify(success(out)).status, 200);
    const auto ar = out + "-AR";

    clock_.advance(31s);
    gateway_.refund_query_answers.push_back(gateway_error(GatewayFailure::kNotFound, "RESOURCE_NOT_EXISTS"));
    gateway_.refund_answers.push_back(refund_answer(ar, RefundState::kProcessing, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    ASSERT_EQ(gateway_.refunds.size(), 2U);
    EXPECT_EQ(gateway_.refunds[1].out_refund_no, ar);
    EXPECT_EQ(gateway_.refunds[1].transaction_id, kTxId);
    EXPECT_EQ(gateway_.refunds[1].refund, kTotal);
    EXPECT_EQ(payments_.stored_refund(ar)->status, RefundStatus::kProcessing);

    gateway_.refund_query_answers.push_back(refund_answer(ar, RefundState::kSuccess, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(10), 1);
    EXPECT_EQ(gateway_.refund_queries, (std::vector<std::string>{ar, ar}));
    EXPECT_EQ(payments_.stored_refund(ar)->status, RefundStatus::kSuccess);
    EXPECT_EQ(gateway_.refunds.size(), 2U);
    EXPECT_EQ(status(no), OrderStatus::kCancelled);
    EXPECT_EQ(payments_.refunded_total(no), 0);
}

TEST_F(PaymentServiceTest, RetryClosesARefundTheProviderRefusesOnResendAndReleasesItsReservation) {
    const auto no = add_order();
    const auto r1 = pay_and_lose_a_refund(no);
    ASSERT_EQ(payments_.refunded_total(no), kTotal);
    clock_.advance(31s);
    gateway_.refund_query_answers.push_back(gateway_error(GatewayFailure::kNotFound, "RESOURCE_NOT_EXISTS"));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kRejected, "NOTENOUGH"));
    EXPECT_EQ(service_.retry_processing_refunds(10), 1);

    EXPECT_EQ(gateway_.refunds.size(), 2U);
    EXPECT_EQ(payments_.stored_refund(r1)->status, RefundStatus::kClosed);
    EXPECT_EQ(payments_.refunded_total(no), 0);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    const auto records = payments_.records_of_kind("refund");
    ASSERT_EQ(records.size(), 2U);
    EXPECT_EQ(records[1].out_refund_no, r1);
    EXPECT_NE(records[1].status.find("NOTENOUGH"), std::string::npos) << records[1].status;

    // The money stayed with the shop: the shopper may refund it again.
    const auto again = service_.refund(kAlice, no, kTotal);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->refund.out_refund_no, no + "-R2");
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
}

TEST_F(PaymentServiceTest, RetryLeavesARefundProcessingWhileTheProviderCannotSettleIt) {
    const auto no = add_order();
    const auto r1 = pay_and_lose_a_refund(no);
    clock_.advance(31s);
    const auto still_processing = [&] {
        EXPECT_EQ(payments_.stored_refund(r1)->status, RefundStatus::kProcessing);
        EXPECT_EQ(payments_.refunded_total(no), kTotal);
        EXPECT_EQ(status(no), OrderStatus::kPaid);
    };

    // The query cannot reach the provider: nothing is resent.
    gateway_.refund_query_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    still_processing();

    // The provider says it is processing.
    gateway_.refund_query_answers.push_back(refund_answer(r1, RefundState::kProcessing, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    EXPECT_EQ(gateway_.refunds.size(), 1U);
    still_processing();

    // Never received, and the resend gets no answer either.
    gateway_.refund_query_answers.push_back(gateway_error(GatewayFailure::kNotFound, "RESOURCE_NOT_EXISTS"));
    gateway_.refund_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(service_.retry_processing_refunds(10), 0);
    EXPECT_EQ(gateway_.refunds.size(), 2U);
    still_processing();

    gateway_.refund_query_answers.push_back(refund_answer(r1, RefundState::kSuccess, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(10), 1);
    EXPECT_EQ(gateway_.refund_queries.size(), 4U);
    EXPECT_EQ(status(no), OrderStatus::kRefunded);
}

TEST_F(PaymentServiceTest, RetryTakesTheOldestProcessingRefundsUpToTheLimit) {
    const auto older = add_order();
    const auto r_older = pay_and_lose_a_refund(older);
    clock_.advance(10s);
    const auto newer = add_order();
    const auto r_newer = pay_and_lose_a_refund(newer);
    clock_.advance(31s);

    gateway_.refund_query_answers.push_back(refund_answer(r_older, RefundState::kSuccess, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(1), 1);
    EXPECT_EQ(gateway_.refund_queries, std::vector<std::string>{r_older});
    EXPECT_EQ(payments_.stored_refund(r_newer)->status, RefundStatus::kProcessing);

    gateway_.refund_query_answers.push_back(refund_answer(r_newer, RefundState::kSuccess, kTotal));
    EXPECT_EQ(service_.retry_processing_refunds(1), 1);
    EXPECT_EQ(gateway_.refund_queries, (std::vector<std::string>{r_older, r_newer}));
    EXPECT_EQ(status(older), OrderStatus::kRefunded);
    EXPECT_EQ(status(newer), OrderStatus::kRefunded);

    PaymentService unconfigured(orders_, payments_, nullptr, clock_, PaymentSettings{});
    EXPECT_EQ(unconfigured.retry_processing_refunds(10), 0);
}

// --- query ---

TEST_F(PaymentServiceTest, QueryThatAnswersSuccessMarksTheOrderPaid) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.query_answers.push_back(success(out));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok()) << queried.error().message;
    EXPECT_EQ(gateway_.queries, std::vector<std::string>{out});
    EXPECT_EQ(queried->transaction.state, TradeState::kSuccess);
    EXPECT_EQ(queried->order.status, OrderStatus::kPaid);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(orders_.orders.at(no).pay_type, PayType::kWechat);
    EXPECT_EQ(payments_.paid_trade_no(no), out);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kPaid);
    EXPECT_EQ(statuses_of("query"), std::vector<std::string>{"SUCCESS"});
}

TEST_F(PaymentServiceTest, QueryThatAnswersNotPayChangesNothing) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.query_answers.push_back(trade(out, TradeState::kNotPay));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok());
    EXPECT_EQ(queried->transaction.state_text, "NOTPAY");
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
}

TEST_F(PaymentServiceTest, QueryThatAnswersClosedEndsTheAttempt) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.query_answers.push_back(trade(out, TradeState::kClosed));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok());
    EXPECT_EQ(queried->transaction.state, TradeState::kClosed);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kClosed);
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(statuses_of("query"), std::vector<std::string>{"CLOSED"});
    EXPECT_EQ(start(no), no + "-2");
}

TEST_F(PaymentServiceTest, QueryOfATradeTheProviderDoesNotKnowAnswersNotPay) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.query_answers.push_back(gateway_error(GatewayFailure::kNotFound, "ORDER_NOT_EXIST"));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok()) << queried.error().message;
    EXPECT_EQ(queried->transaction.state, TradeState::kNotPay);
    EXPECT_EQ(queried->transaction.state_text, "NOTPAY");
    EXPECT_EQ(queried->transaction.out_trade_no, out);
    EXPECT_EQ(queried->transaction.total, kTotal);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
}

TEST_F(PaymentServiceTest, QueryWithoutAnAttemptIsNotStarted) {
    const auto no = add_order();
    const auto queried = service_.query(kAlice, no);
    ASSERT_FALSE(queried.ok());
    EXPECT_EQ(queried.error().code, ErrorCode::kPaymentNotStarted);
    EXPECT_TRUE(gateway_.queries.empty());
}

TEST_F(PaymentServiceTest, QueryFailuresAndAnswersAboutAnotherTradeChangeNothing) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.query_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(service_.query(kAlice, no).error().code, ErrorCode::kPaymentUnavailable);
    gateway_.query_answers.push_back(success(out + "0"));
    EXPECT_EQ(service_.query(kAlice, no).error().code, ErrorCode::kPaymentUnavailable);
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    EXPECT_EQ(gateway_.queries.size(), 2U);
}

TEST_F(PaymentServiceTest, QueryAsksAboutTheClaimedTradeAndFinishesItsOrder) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(payments_.claim_attempt_paid(out, kTxId, clock_.now(), clock_.now()));  // then a crash
    gateway_.query_answers.push_back(success(out));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok());
    EXPECT_EQ(gateway_.queries, std::vector<std::string>{out});
    EXPECT_EQ(status(no), OrderStatus::kPaid);
}

TEST_F(PaymentServiceTest, QueryAsksAboutTheTradeThatPaidTheOrderRatherThanTheNewest) {
    const auto no = add_order();
    const auto first = start(no);
    ASSERT_TRUE(service_.close(kAlice, no).ok());
    start(no);
    EXPECT_EQ(notify(success(first)).status, 200);
    gateway_.query_answers.push_back(success(first));
    const auto queried = service_.query(kAlice, no);
    ASSERT_TRUE(queried.ok()) << queried.error().message;
    EXPECT_EQ(gateway_.queries, std::vector<std::string>{first});
    EXPECT_EQ(queried->transaction.out_trade_no, first);
}

// --- close_before_cancel and close ---

TEST_F(PaymentServiceTest, CloseBeforeCancelClosesOpenAttempts) {
    const auto no = add_order();
    const auto out = start(no);
    EXPECT_TRUE(service_.close_before_cancel(no));
    EXPECT_EQ(gateway_.closes, std::vector<std::string>{out});
    EXPECT_EQ(attempt_status(out), AttemptStatus::kClosed);
    EXPECT_EQ(statuses_of("close"), std::vector<std::string>{"CLOSED"});
    // Nothing open any more: nothing asked.
    EXPECT_TRUE(service_.close_before_cancel(no));
    EXPECT_EQ(gateway_.closes.size(), 1U);
    EXPECT_TRUE(service_.close_before_cancel(add_order()));
    EXPECT_EQ(gateway_.closes.size(), 1U);
}

TEST_F(PaymentServiceTest, CloseBeforeCancelRefusesTheCancelAndMarksTheOrderPaidWhenTheTradeWasPaid) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.close_answers.push_back(gateway_error(GatewayFailure::kAlreadyPaid, "ORDERPAID"));
    gateway_.query_answers.push_back(success(out));
    EXPECT_FALSE(service_.close_before_cancel(no));
    EXPECT_EQ(gateway_.queries, std::vector<std::string>{out});
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    EXPECT_EQ(orders_.orders.at(no).pay_type, PayType::kWechat);
    EXPECT_EQ(payments_.paid_trade_no(no), out);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kPaid);
    EXPECT_TRUE(gateway_.refunds.empty());
}

TEST_F(PaymentServiceTest, CloseBeforeCancelAllowsTheCancelWhenTheProviderIsUnavailable) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.close_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_TRUE(service_.close_before_cancel(no));
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    EXPECT_EQ(statuses_of("close"), std::vector<std::string>{"failed: timeout"});
    EXPECT_EQ(status(no), OrderStatus::kAwaitingPayment);
}

TEST_F(PaymentServiceTest, CloseBeforeCancelEndsATradeTheProviderNoLongerKnows) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.close_answers.push_back(gateway_error(GatewayFailure::kNotFound, "ORDER_NOT_EXIST"));
    EXPECT_TRUE(service_.close_before_cancel(no));
    EXPECT_EQ(attempt_status(out), AttemptStatus::kClosed);
}

TEST_F(PaymentServiceTest, CloseWithNothingOpenIsNotStarted) {
    const auto no = add_order();
    EXPECT_EQ(service_.close(kAlice, no).error().code, ErrorCode::kPaymentNotStarted);
    start(no);
    const auto closed = service_.close(kAlice, no);
    ASSERT_TRUE(closed.ok()) << closed.error().message;
    EXPECT_EQ(closed->status, OrderStatus::kAwaitingPayment);
    EXPECT_EQ(service_.close(kAlice, no).error().code, ErrorCode::kPaymentNotStarted);
    EXPECT_EQ(gateway_.closes.size(), 1U);
}

TEST_F(PaymentServiceTest, CloseOfATradePaidMeanwhileIsAStatusConflictAndPaysTheOrder) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.close_answers.push_back(gateway_error(GatewayFailure::kAlreadyPaid, "ORDERPAID"));
    gateway_.query_answers.push_back(success(out));
    const auto closed = service_.close(kAlice, no);
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(status(no), OrderStatus::kPaid);
    // A paid order cannot be closed at all.
    EXPECT_EQ(service_.close(kAlice, no).error().code, ErrorCode::kOrderStatusConflict);
    EXPECT_EQ(gateway_.closes.size(), 1U);
}

TEST_F(PaymentServiceTest, CloseWhileTheProviderIsUnavailableKeepsTheAttemptOpen) {
    const auto no = add_order();
    const auto out = start(no);
    gateway_.close_answers.push_back(gateway_error(GatewayFailure::kUnavailable, "timeout"));
    EXPECT_EQ(service_.close(kAlice, no).error().code, ErrorCode::kPaymentUnavailable);
    EXPECT_EQ(attempt_status(out), AttemptStatus::kOpen);
    EXPECT_EQ(start(no), out);  // the same QR code again
}

// --- view ---

TEST_F(PaymentServiceTest, ViewFollowsThePaymentFromStartToFullRefund) {
    const auto no = add_order();
    auto v = service_.view(kAlice, no);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->trade_state, "");
    EXPECT_FALSE(v->latest);
    EXPECT_EQ(v->paid, 0);
    EXPECT_EQ(v->refundable, 0);

    const auto out = start(no);
    v = service_.view(kAlice, no);
    EXPECT_EQ(v->trade_state, "NOTPAY");
    ASSERT_TRUE(v->latest);
    EXPECT_EQ(v->latest->out_trade_no, out);
    EXPECT_EQ(v->scan_url, std::string(kScanPage) + "?pr=code1");
    EXPECT_EQ(v->paid, 0);

    EXPECT_EQ(notify(success(out)).status, 200);
    v = service_.view(kAlice, no);
    EXPECT_EQ(v->trade_state, "SUCCESS");
    EXPECT_EQ(v->scan_url, "");
    EXPECT_EQ(v->paid, kTotal);
    EXPECT_EQ(v->refunded, 0);
    EXPECT_EQ(v->refundable, kTotal);

    ASSERT_TRUE(service_.refund(kAlice, no, 2345).ok());
    v = service_.view(kAlice, no);
    EXPECT_EQ(v->trade_state, "REFUND");
    EXPECT_EQ(v->paid, kTotal);
    EXPECT_EQ(v->refunded, 2345);
    EXPECT_EQ(v->refundable, kTotal - 2345);
    ASSERT_EQ(v->refunds.size(), 1U);
    ASSERT_FALSE(v->records.empty());
    EXPECT_EQ(v->records.front().kind, "refund");  // newest first

    ASSERT_TRUE(service_.refund(kAlice, no, kTotal - 2345).ok());
    v = service_.view(kAlice, no);
    EXPECT_EQ(v->order.status, OrderStatus::kRefunded);
    EXPECT_EQ(v->trade_state, "REFUND");
    EXPECT_EQ(v->refunded, kTotal);
    EXPECT_EQ(v->refundable, 0);
    EXPECT_EQ(v->refunds.size(), 2U);

    EXPECT_EQ(service_.view(kBob, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_EQ(service_.view(-1, no).error().code, ErrorCode::kOrderNotFound);
    EXPECT_TRUE(service_.view(0, no).ok());  // admin
}

TEST_F(PaymentServiceTest, ViewOfACancelledOrderWhosePaymentWasReturnedShowsItRefundedAndNothingPaid) {
    const auto no = add_order();
    const auto out = start(no);
    ASSERT_TRUE(orders_.cancel(no, clock_.now()));
    EXPECT_EQ(notify(success(out)).status, 200);
    ASSERT_EQ(payments_.stored_refund(out + "-AR")->status, RefundStatus::kSuccess);

    const auto v = service_.view(kAlice, no);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->order.status, OrderStatus::kCancelled);
    EXPECT_EQ(v->trade_state, "REFUND");
    EXPECT_EQ(v->paid, 0);
    EXPECT_EQ(v->refunded, 0);
    EXPECT_EQ(v->refundable, 0);
    EXPECT_EQ(v->scan_url, "");
    ASSERT_EQ(v->refunds.size(), 1U);
    EXPECT_TRUE(v->refunds[0].automatic);
}

TEST_F(PaymentServiceTest, ViewOfADemoPaidOrderShowsItPaidButNotRefundable) {
    const auto no = add_order();
    ASSERT_TRUE(orders_.mark_paid(no, PayType::kDemo, clock_.now()));
    const auto v = service_.view(kAlice, no);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->paid, kTotal);
    EXPECT_EQ(v->refundable, 0);
    EXPECT_EQ(v->trade_state, "");
}

TEST_F(PaymentServiceTest, ViewShowsClosedAndFailedAttemptsAndAtMostTheConfiguredRecords) {
    PaymentService service(orders_, payments_, &gateway_, clock_, PaymentSettings{5, kScanPage, 2});
    const auto no = add_order();
    ASSERT_TRUE(service.start(kAlice, no, "").ok());
    ASSERT_TRUE(service.close(kAlice, no).ok());
    auto v = service.view(kAlice, no);
    EXPECT_EQ(v->trade_state, "CLOSED");
    EXPECT_EQ(v->scan_url, "");

    gateway_.create_answers.push_back(gateway_error(GatewayFailure::kRejected, "PARAM_ERROR"));
    ASSERT_FALSE(service.start(kAlice, no, "").ok());
    v = service.view(kAlice, no);
    EXPECT_EQ(v->trade_state, "PAYERROR");
    EXPECT_EQ(v->records.size(), 2U);  // of three: attempt, close, failed attempt
    EXPECT_EQ(v->records.front().status, "failed: PARAM_ERROR");
}

}  // namespace
}  // namespace gomall::services
