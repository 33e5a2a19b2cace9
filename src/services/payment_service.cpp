// Payment rules. The provider is asked over the network and the database is changed with guarded
// updates, so every step can be repeated: a notification retried, a query racing a notification,
// a crash between two writes. Each handler re-derives what is left to do from the stored state.
#include "services/payment_service.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "services/order_errors.hpp"

namespace gomall::services {
namespace {

using domain::AttemptStatus;
using domain::OrderStatus;
using ports::GatewayError;
using ports::GatewayFailure;

constexpr const char* kCurrency = "CNY";

Error not_configured() {
    return make_error(ErrorCode::kPaymentNotConfigured, "no payment provider is configured on this server");
}

Error from_gateway(const GatewayError& e, std::string_view action) {
    if (e.failure == GatewayFailure::kUnavailable) {
        Error error = make_error(
            ErrorCode::kPaymentUnavailable,
            "the payment provider could not be reached to " + std::string(action) + "; try again in a moment"
        );
        error.retry_after = e.retry_after;
        return error;
    }
    return make_error(
        ErrorCode::kPaymentRejected,
        "the payment provider refused to " + std::string(action) + (e.code.empty() ? "" : " (" + e.code + ")")
    );
}

bool refundable_status(OrderStatus s) {
    return s == OrderStatus::kPaid || s == OrderStatus::kShipped || s == OrderStatus::kCompleted;
}

std::string out_trade_no_for(const std::string& order_no, int attempt_no) {
    return order_no + "-" + std::to_string(attempt_no);
}

bool is_open(AttemptStatus s) {
    return s == AttemptStatus::kCreating || s == AttemptStatus::kOpen;
}

domain::RefundStatus to_refund_status(ports::RefundState s) {
    switch (s) {
        case ports::RefundState::kSuccess:
            return domain::RefundStatus::kSuccess;
        case ports::RefundState::kClosed:
            return domain::RefundStatus::kClosed;
        case ports::RefundState::kAbnormal:
            return domain::RefundStatus::kAbnormal;
        case ports::RefundState::kProcessing:
        case ports::RefundState::kUnknown:
            break;
    }
    return domain::RefundStatus::kProcessing;
}

}  // namespace

std::string trade_state_text(ports::TradeState state) {
    switch (state) {
        case ports::TradeState::kNotPay:
            return "NOTPAY";
        case ports::TradeState::kSuccess:
            return "SUCCESS";
        case ports::TradeState::kClosed:
            return "CLOSED";
        case ports::TradeState::kRefund:
            return "REFUND";
        case ports::TradeState::kRevoked:
            return "REVOKED";
        case ports::TradeState::kUserPaying:
            return "USERPAYING";
        case ports::TradeState::kPayError:
            return "PAYERROR";
        case ports::TradeState::kUnknown:
            break;
    }
    return "UNKNOWN";
}

PaymentService::PaymentService(
    ports::OrderRepository& orders,
    ports::PaymentRepository& payments,
    ports::PaymentGateway* gateway,
    const ports::Clock& clock,
    PaymentSettings settings
)
    : orders_(orders), payments_(payments), gateway_(gateway), clock_(clock), settings_(std::move(settings)) {}

Result<domain::Order> PaymentService::own_order(std::int64_t user_id, const std::string& order_no) {
    // user_id 0 means "any user" to the repository; shoppers never reach that.
    if (user_id <= 0) {
        return order_not_found(order_no);
    }
    auto order = orders_.find(order_no, user_id);
    if (!order) {
        return order_not_found(order_no);
    }
    return std::move(*order);
}

Result<domain::Order> PaymentService::payable_order(std::int64_t user_id, const std::string& order_no) {
    if (gateway_ == nullptr) {
        return not_configured();
    }
    return own_order(user_id, order_no);
}

domain::PaymentRecord PaymentService::record_line(
    std::string order_no, std::string kind, std::string out_trade_no, Cents amount, std::string status
) {
    domain::PaymentRecord r;
    r.order_no = std::move(order_no);
    r.kind = std::move(kind);
    r.out_trade_no = std::move(out_trade_no);
    r.amount = amount;
    r.status = std::move(status);
    return r;
}

void PaymentService::record(domain::PaymentRecord r) {
    r.created_at = clock_.now();
    if (r.provider.empty() && gateway_ != nullptr) {
        r.provider = gateway_->provider();
    }
    try {
        payments_.append_record(r);
    } catch (const std::exception& e) {
        // The record is the audit trail, not the state: a failed append must not undo a payment.
        spdlog::error("payment record for order {} ({}) not written: {}", r.order_no, r.kind, e.what());
    }
}

std::string PaymentService::scan_url_for(const std::string& code_url) const {
    if (settings_.scan_page_url.empty()) {
        return {};
    }
    const auto pr = code_url.find("pr=");
    if (pr == std::string::npos) {
        return {};
    }
    std::string token = code_url.substr(pr + 3);
    token = token.substr(0, token.find('&'));
    const bool token_plain = std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    if (token.empty() || !token_plain) {
        return {};
    }
    return settings_.scan_page_url + "?pr=" + token;
}

Result<PaymentStarted> PaymentService::start(
    std::int64_t user_id, const std::string& order_no, const std::string& client_ip
) {
    auto found = payable_order(user_id, order_no);
    if (!found.ok()) {
        return found.error();
    }
    const domain::Order& order = found.value();
    if (order.status != OrderStatus::kAwaitingPayment) {
        return order_status_conflict(order, "paid");
    }
    const TimePoint now = clock_.now();
    if (order.expires_at <= now) {
        return make_error(ErrorCode::kOrderStatusConflict, "order " + order_no + " is past its payment deadline");
    }

    auto attempts = payments_.attempts_of(order_no);
    if (!attempts.empty()) {
        const domain::PaymentAttempt& last = attempts.back();
        // The same QR code while it is open: a reload of the payment page must not start a second
        // trade the payer could pay as well.
        if (last.status == AttemptStatus::kOpen && last.provider == gateway_->provider()) {
            return PaymentStarted{order, last, scan_url_for(last.code_url)};
        }
        if (last.status == AttemptStatus::kPaid) {
            return make_error(
                ErrorCode::kOrderStatusConflict, "order " + order_no + " has been paid; its status is updating"
            );
        }
        if (last.status == AttemptStatus::kCreating) {
            // Another request is asking the provider right now; a second trade would give the payer
            // two codes to pay. Only one left behind by a crash (older than any call can take) is
            // closed and replaced.
            if (now - last.created_at < settings_.creating_grace) {
                return make_error(
                    ErrorCode::kPaymentUnavailable, "the payment of this order is being started; try again in a moment"
                );
            }
            gateway_->close(last.out_trade_no);
            payments_.end_attempt(last.out_trade_no, AttemptStatus::kClosed, now);
        }
    }
    if (const auto wait = gateway_->unavailable_for()) {
        // Known to fail unanswered: asking now would only use up one of the order's attempts.
        Error error = make_error(
            ErrorCode::kPaymentUnavailable, "the payment provider cannot be reached right now; try again in a moment"
        );
        error.retry_after = *wait;
        return error;
    }
    const int attempt_no = attempts.empty() ? 1 : attempts.back().attempt_no + 1;
    if (attempt_no > settings_.max_attempts) {
        return make_error(
            ErrorCode::kPaymentAttemptsExhausted,
            "order " + order_no + " has had " + std::to_string(settings_.max_attempts) +
                " payment attempts; "
                "place a new order"
        );
    }
    domain::PaymentAttempt attempt;
    attempt.order_no = order_no;
    attempt.user_id = order.user_id;
    attempt.attempt_no = attempt_no;
    attempt.out_trade_no = out_trade_no_for(order_no, attempt_no);
    attempt.provider = gateway_->provider();
    attempt.amount = order.total_price;
    attempt.status = AttemptStatus::kCreating;
    attempt.expires_at = order.expires_at;
    attempt.created_at = now;
    attempt.updated_at = now;
    if (!payments_.insert_attempt(attempt)) {
        // Another request of the same shopper got there first; answer with what it created.
        auto other = payments_.find_attempt(attempt.out_trade_no);
        if (other && other->status == AttemptStatus::kOpen) {
            return PaymentStarted{order, *other, scan_url_for(other->code_url)};
        }
        return make_error(ErrorCode::kPaymentUnavailable, "a payment of this order is being started; try again");
    }

    ports::NativePaymentRequest request;
    request.out_trade_no = attempt.out_trade_no;
    request.description = order.product_name.empty() ? "GoMall order " + order_no : order.product_name;
    request.total = order.total_price;
    request.expires_at = order.expires_at;
    request.client_ip = client_ip;
    auto created = gateway_->create_native(request);
    if (const auto* error = std::get_if<GatewayError>(&created)) {
        // A refusal is final for this trade number; a lost answer leaves it "creating", and the
        // next start() must not reuse a number the provider may know: it is closed either way.
        payments_.end_attempt(
            attempt.out_trade_no,
            error->failure == GatewayFailure::kUnavailable ? AttemptStatus::kClosed : AttemptStatus::kFailed,
            now
        );
        {
            auto r = record_line(order_no, "attempt", attempt.out_trade_no, attempt.amount, "failed: " + error->code);
            r.detail = error->message;
            record(std::move(r));
        }
        spdlog::warn("payment of order {} not started: {} {}", order_no, error->code, error->message);
        return from_gateway(*error, "start the payment");
    }
    const auto& native = std::get<ports::NativePayment>(created);
    if (!payments_.open_attempt(attempt.out_trade_no, native.code_url, native.prepay_id, clock_.now())) {
        // Closed while the provider was asked (the shopper cancelled, the deadline passed): the
        // code must not reach the payer, and the provider's trade is closed again.
        gateway_->close(attempt.out_trade_no);
        auto current = own_order(user_id, order_no);
        if (!current.ok()) {
            return current.error();
        }
        return order_status_conflict(current.value(), "paid");
    }
    attempt.status = AttemptStatus::kOpen;
    attempt.code_url = native.code_url;
    attempt.prepay_id = native.prepay_id;
    {
        auto r = record_line(order_no, "attempt", attempt.out_trade_no, attempt.amount, "NOTPAY");
        r.detail = native.prepay_id.empty() ? "" : "prepay_id " + native.prepay_id;
        record(std::move(r));
    }
    return PaymentStarted{order, attempt, scan_url_for(attempt.code_url)};
}

std::optional<domain::PaymentAttempt> PaymentService::paying_attempt(const std::string& order_no) {
    const std::string trade = payments_.paid_trade_no(order_no);
    if (trade.empty()) {
        return std::nullopt;
    }
    return payments_.find_attempt(trade);
}

bool PaymentService::settle_paid(
    const domain::PaymentAttempt& attempt, const ports::Transaction& tx, const std::string& source
) {
    const std::string currency = tx.currency.empty() ? kCurrency : tx.currency;
    if (tx.total != attempt.amount || currency != kCurrency || tx.transaction_id.empty()) {
        {
            domain::PaymentRecord r;
            r.order_no = attempt.order_no;
            r.kind = source;
            r.out_trade_no = attempt.out_trade_no;
            r.transaction_id = tx.transaction_id;
            r.amount = tx.total;
            r.status = "rejected: mismatch";
            r.detail = "expected " + std::to_string(attempt.amount) + " " + kCurrency + ", got " +
                       std::to_string(tx.total) + " " + currency;
            record(std::move(r));
        }
        spdlog::warn(
            "payment {} reported paid with {} {} but the order asks {} {}: ignored",
            attempt.out_trade_no,
            tx.total,
            currency,
            attempt.amount,
            kCurrency
        );
        return false;
    }
    const TimePoint now = clock_.now();
    // A repeat of what is already stored (WeChat's retries, a replay inside the timestamp window)
    // writes nothing: no claim, no record, so repeats cannot grow the tables.
    const bool known = attempt.status == AttemptStatus::kPaid && attempt.transaction_id == tx.transaction_id;
    if (!known &&
        payments_.claim_attempt_paid(attempt.out_trade_no, tx.transaction_id, tx.success_time.value_or(now), now)) {
        domain::PaymentRecord r;
        r.order_no = attempt.order_no;
        r.kind = source;
        r.out_trade_no = attempt.out_trade_no;
        r.transaction_id = tx.transaction_id;
        r.amount = tx.total;
        r.status = "SUCCESS";
        record(std::move(r));
    }

    // Whether or not this call made the claim, finish what the claim implies: a crash after the
    // claim must not leave a paid trade on an unpaid order.
    auto order = orders_.find(attempt.order_no, 0);
    if (!order) {
        spdlog::error(
            "payment {} succeeded for order {} that no longer exists", attempt.out_trade_no, attempt.order_no
        );
        return true;
    }
    if (order->status == OrderStatus::kAwaitingPayment || order->status == OrderStatus::kProcessing) {
        if (payments_.mark_order_paid(attempt.order_no, attempt.out_trade_no, now)) {
            count(counters_.paid);
            spdlog::info("order {} paid ({} via {})", attempt.order_no, attempt.out_trade_no, source);
            return true;
        }
        order = orders_.find(attempt.order_no, 0);
        if (!order) {
            return true;
        }
    }
    if (order->status == OrderStatus::kCancelled) {
        auto_refund(attempt, tx, "the order was cancelled before the payment arrived");
        return true;
    }
    // Paid (or further along): this trade is the order's payment only if it is the one recorded
    // with the status change; money of any other trade, or on an order paid another way, goes back.
    const std::string winner = payments_.paid_trade_no(attempt.order_no);
    if (winner != attempt.out_trade_no) {
        auto_refund(
            attempt, tx, winner.empty() ? "the order was paid another way" : "the order was already paid by " + winner
        );
    }
    return true;
}

void PaymentService::auto_refund(
    const domain::PaymentAttempt& attempt, const ports::Transaction& tx, const std::string& why
) {
    const TimePoint now = clock_.now();
    domain::RefundEntry entry;
    // One automatic refund per trade, whatever number of notifications announce it.
    entry.out_refund_no = attempt.out_trade_no + "-AR";
    entry.order_no = attempt.order_no;
    entry.out_trade_no = attempt.out_trade_no;
    entry.provider = attempt.provider;
    entry.amount = tx.total;
    entry.automatic = true;
    entry.created_at = now;
    entry.updated_at = now;
    payments_.insert_refund(entry);
    auto stored = payments_.find_refund(entry.out_refund_no);
    if (!stored || stored->status != domain::RefundStatus::kProcessing) {
        return;  // already settled by an earlier delivery
    }
    spdlog::warn("payment {} of order {}: refunding automatically, {}", attempt.out_trade_no, attempt.order_no, why);
    ports::RefundRequest request;
    request.out_trade_no = attempt.out_trade_no;
    request.transaction_id = tx.transaction_id;
    request.out_refund_no = entry.out_refund_no;
    request.refund = stored->amount;
    request.total = tx.total;
    request.reason = "GoMall: order cancelled before payment";
    auto result = gateway_->refund(request);
    if (const auto* error = std::get_if<GatewayError>(&result)) {
        // Stays processing: retry_processing_refunds() asks again later with the same
        // out_refund_no, which the provider treats as the same refund.
        {
            auto r = record_line(
                attempt.order_no, "auto_refund", attempt.out_trade_no, stored->amount, "failed: " + error->code
            );
            r.transaction_id = tx.transaction_id;
            r.out_refund_no = entry.out_refund_no;
            r.detail = why + "; " + error->message;
            record(std::move(r));
        }
        return;
    }
    const auto& refund = std::get<ports::Refund>(result);
    {
        auto r = record_line(attempt.order_no, "auto_refund", attempt.out_trade_no, stored->amount, refund.state_text);
        r.transaction_id = tx.transaction_id;
        r.out_refund_no = entry.out_refund_no;
        r.refund_id = refund.refund_id;
        r.detail = why;
        record(std::move(r));
    }
    if (refund.state != ports::RefundState::kProcessing && refund.state != ports::RefundState::kUnknown) {
        payments_.settle_refund(entry.out_refund_no, to_refund_status(refund.state), refund.refund_id, clock_.now());
        return;
    }
    // APIv2 only accepts a refund; asking once settles most at once, the rest on a later query.
    auto again = gateway_->query_refund(entry.out_refund_no);
    if (const auto* later = std::get_if<ports::Refund>(&again)) {
        settle_refund(*later, "query");
    }
}

bool PaymentService::settle_refund(const ports::Refund& refund, const std::string& source, bool record_it) {
    auto stored = payments_.find_refund(refund.out_refund_no);
    if (!stored) {
        return false;
    }
    const domain::RefundStatus status = to_refund_status(refund.state);
    if (status == domain::RefundStatus::kProcessing) {
        return true;
    }
    const TimePoint now = clock_.now();
    if (!payments_.settle_refund(refund.out_refund_no, status, refund.refund_id, now)) {
        // Settled before (a repeated notification, or the refund call's own answer racing its
        // notification). The order's completion is repeated: it is idempotent, and whoever settled
        // may not have reached it yet (or crashed before it), while this caller is about to read
        // the order.
        if (!stored->automatic && status == domain::RefundStatus::kSuccess) {
            if (payments_.mark_order_refunded_if_complete(stored->order_no, now)) {
                count(counters_.refunded);
            }
        }
        return true;
    }
    if (record_it) {
        domain::PaymentRecord r;
        r.order_no = stored->order_no;
        r.kind = source;
        r.out_trade_no = stored->out_trade_no;
        r.out_refund_no = stored->out_refund_no;
        r.refund_id = refund.refund_id;
        r.amount = stored->amount;
        r.status = refund.state_text;
        record(std::move(r));
    }
    if (stored->automatic) {
        return true;
    }
    if (status == domain::RefundStatus::kClosed) {
        // The money stayed with the shop: it may be refunded again.
        payments_.release_refund(stored->order_no, stored->amount, now);
    } else if (status == domain::RefundStatus::kSuccess) {
        if (payments_.mark_order_refunded_if_complete(stored->order_no, now)) {
            count(counters_.refunded);
        }
    }
    // kAbnormal keeps its reservation: the provider could not pay the money out (a closed bank
    // card) and an operator settles it by hand in the merchant platform.
    return true;
}

void PaymentService::refresh_processing_refunds(const std::string& order_no) {
    for (const auto& r : payments_.refunds_of(order_no)) {
        if (r.status != domain::RefundStatus::kProcessing) {
            continue;
        }
        auto result = gateway_->query_refund(r.out_refund_no);
        if (const auto* refund = std::get_if<ports::Refund>(&result)) {
            settle_refund(*refund, "query");
        }
    }
}

Result<QueryOutcome> PaymentService::query(std::int64_t user_id, const std::string& order_no) {
    auto found = payable_order(user_id, order_no);
    if (!found.ok()) {
        return found.error();
    }
    auto attempts = payments_.attempts_of(order_no);
    if (attempts.empty()) {
        return make_error(ErrorCode::kPaymentNotStarted, "no payment was started for order " + order_no);
    }
    // The trade that paid the order, if any, else the newest.
    const domain::PaymentAttempt attempt = paying_attempt(order_no).value_or(attempts.back());
    auto answer = gateway_->query(attempt.out_trade_no);
    ports::Transaction tx;
    if (const auto* error = std::get_if<GatewayError>(&answer)) {
        if (error->failure != GatewayFailure::kNotFound) {
            return from_gateway(*error, "report on the payment");
        }
        // Never created at the provider (the create call's answer was lost): nothing was paid.
        tx.out_trade_no = attempt.out_trade_no;
        tx.state = ports::TradeState::kNotPay;
        tx.state_text = "NOTPAY";
        tx.total = attempt.amount;
    } else {
        tx = std::get<ports::Transaction>(answer);
        if (tx.out_trade_no != attempt.out_trade_no) {
            return make_error(ErrorCode::kPaymentUnavailable, "the payment provider answered about another payment");
        }
        if (tx.state == ports::TradeState::kSuccess || tx.state == ports::TradeState::kRefund) {
            settle_paid(attempt, tx, "query");
        } else if (tx.state == ports::TradeState::kClosed || tx.state == ports::TradeState::kRevoked) {
            if (payments_.end_attempt(attempt.out_trade_no, AttemptStatus::kClosed, clock_.now())) {
                record(record_line(order_no, "query", attempt.out_trade_no, attempt.amount, tx.state_text));
            }
        }
    }
    refresh_processing_refunds(order_no);
    auto order = own_order(user_id, order_no);
    if (!order.ok()) {
        return order.error();
    }
    return QueryOutcome{std::move(order.value()), std::move(tx)};
}

Result<domain::Order> PaymentService::close(std::int64_t user_id, const std::string& order_no) {
    auto found = payable_order(user_id, order_no);
    if (!found.ok()) {
        return found;
    }
    if (found->status != OrderStatus::kAwaitingPayment) {
        return order_status_conflict(found.value(), "closed for payment");
    }
    auto attempts = payments_.attempts_of(order_no);
    const bool any_open =
        std::any_of(attempts.begin(), attempts.end(), [](const auto& a) { return is_open(a.status); });
    if (!any_open) {
        return make_error(ErrorCode::kPaymentNotStarted, "order " + order_no + " has no open payment to close");
    }
    if (!close_before_cancel(order_no)) {
        auto now_paid = own_order(user_id, order_no);
        if (!now_paid.ok()) {
            return now_paid;
        }
        return order_status_conflict(now_paid.value(), "closed for payment");
    }
    auto after = payments_.attempts_of(order_no);
    if (std::any_of(after.begin(), after.end(), [](const auto& a) { return is_open(a.status); })) {
        return make_error(
            ErrorCode::kPaymentUnavailable, "the payment provider could not be reached to close the payment; try again"
        );
    }
    return own_order(user_id, order_no);
}

bool PaymentService::close_before_cancel(const std::string& order_no) {
    if (gateway_ == nullptr) {
        return true;
    }
    for (const auto& attempt : payments_.attempts_of(order_no)) {
        if (!is_open(attempt.status)) {
            continue;
        }
        auto closed = gateway_->close(attempt.out_trade_no);
        if (std::holds_alternative<std::monostate>(closed)) {
            if (payments_.end_attempt(attempt.out_trade_no, AttemptStatus::kClosed, clock_.now())) {
                record(record_line(order_no, "close", attempt.out_trade_no, attempt.amount, "CLOSED"));
            }
            continue;
        }
        const auto& error = std::get<GatewayError>(closed);
        if (error.failure == GatewayFailure::kAlreadyPaid) {
            // The payer was faster than the close: the provider's own answer decides.
            auto answer = gateway_->query(attempt.out_trade_no);
            if (const auto* tx = std::get_if<ports::Transaction>(&answer);
                tx != nullptr && tx->state == ports::TradeState::kSuccess && settle_paid(attempt, *tx, "query")) {
                auto order = orders_.find(order_no, 0);
                if (order && order->status != OrderStatus::kCancelled) {
                    return false;
                }
            }
            continue;
        }
        if (error.failure == GatewayFailure::kClosed || error.failure == GatewayFailure::kNotFound) {
            payments_.end_attempt(attempt.out_trade_no, AttemptStatus::kClosed, clock_.now());
            continue;
        }
        {
            auto r = record_line(order_no, "close", attempt.out_trade_no, attempt.amount, "failed: " + error.code);
            r.detail = error.message;
            record(std::move(r));
        }
        spdlog::warn("payment {} could not be closed: {} {}", attempt.out_trade_no, error.code, error.message);
    }
    return true;
}

Result<RefundOutcome> PaymentService::refund(std::int64_t user_id, const std::string& order_no, Cents amount) {
    auto found = payable_order(user_id, order_no);
    if (!found.ok()) {
        return found.error();
    }
    const domain::Order& order = found.value();
    if (amount <= 0) {
        return make_error(ErrorCode::kBadRequest, "refund_fee: must be a positive number of fen", "refund_fee");
    }
    if (!refundable_status(order.status)) {
        return order_status_conflict(order, "refunded");
    }
    auto paid = paying_attempt(order_no);
    if (!paid) {
        return make_error(
            ErrorCode::kOrderStatusConflict,
            "order " + order_no + " was not paid through WeChat Pay and cannot be refunded here"
        );
    }
    const TimePoint now = clock_.now();
    if (!payments_.reserve_refund(order_no, amount, now)) {
        const Cents left = std::max<Cents>(0, order.total_price - payments_.refunded_total(order_no));
        return make_error(
            ErrorCode::kRefundTooLarge,
            "refund_fee: at most " + std::to_string(left) + " fen of this order can still be refunded",
            "refund_fee"
        );
    }
    domain::RefundEntry entry;
    entry.order_no = order_no;
    entry.out_trade_no = paid->out_trade_no;
    entry.provider = paid->provider;
    entry.amount = amount;
    entry.created_at = now;
    entry.updated_at = now;
    // Numbered per order; a concurrent refund that took a number makes this one take the next.
    bool inserted = false;
    const auto existing = payments_.refunds_of(order_no);
    const auto own = static_cast<std::size_t>(std::count_if(existing.begin(), existing.end(), [](const auto& r) {
        return !r.automatic;
    }));
    for (std::size_t n = own + 1; n < own + 10 && !inserted; ++n) {
        entry.out_refund_no = order_no + "-R" + std::to_string(n);
        inserted = payments_.insert_refund(entry);
    }
    if (!inserted) {
        payments_.release_refund(order_no, amount, now);
        return make_error(ErrorCode::kPaymentUnavailable, "too many refunds at once; try again");
    }

    ports::RefundRequest request;
    request.out_trade_no = paid->out_trade_no;
    request.transaction_id = paid->transaction_id;
    request.out_refund_no = entry.out_refund_no;
    request.refund = amount;
    request.total = paid->amount;
    request.reason = "GoMall refund";
    auto result = gateway_->refund(request);
    if (const auto* error = std::get_if<GatewayError>(&result)) {
        if (error->failure == GatewayFailure::kUnavailable) {
            // Unknown whether the provider took it: keep it processing, and let the next query of
            // the order ask about it by its out_refund_no.
            {
                auto r = record_line(order_no, "refund", entry.out_trade_no, amount, "PROCESSING");
                r.out_refund_no = entry.out_refund_no;
                r.detail = "no answer: " + error->message;
                record(std::move(r));
            }
        } else {
            payments_.settle_refund(entry.out_refund_no, domain::RefundStatus::kClosed, "", clock_.now());
            payments_.release_refund(order_no, amount, clock_.now());
            {
                auto r = record_line(order_no, "refund", entry.out_trade_no, amount, "rejected: " + error->code);
                r.out_refund_no = entry.out_refund_no;
                r.detail = error->message;
                record(std::move(r));
            }
            return from_gateway(*error, "refund");
        }
    } else {
        const auto& refund = std::get<ports::Refund>(result);
        // The shopper's refund call is recorded with the provider's answer; settling it below
        // records nothing more (its notification, if that came first, recorded itself).
        {
            auto r = record_line(order_no, "refund", entry.out_trade_no, amount, refund.state_text);
            r.transaction_id = paid->transaction_id;
            r.out_refund_no = entry.out_refund_no;
            r.refund_id = refund.refund_id;
            record(std::move(r));
        }
        if (refund.state == ports::RefundState::kProcessing || refund.state == ports::RefundState::kUnknown) {
            // Many refunds finish within a second; one query saves the shopper a reload.
            auto again = gateway_->query_refund(entry.out_refund_no);
            if (const auto* later = std::get_if<ports::Refund>(&again)) {
                settle_refund(*later, "query");
            }
        } else {
            settle_refund(refund, "refund", false);
        }
    }
    auto stored = payments_.find_refund(entry.out_refund_no);
    auto after = own_order(user_id, order_no);
    if (!after.ok()) {
        return after.error();
    }
    const Cents refunded = payments_.refunded_total(order_no);
    return RefundOutcome{
        std::move(after.value()), stored.value_or(entry), refunded, std::max<Cents>(0, order.total_price - refunded)};
}

Result<PaymentView> PaymentService::view(std::int64_t user_id, const std::string& order_no) {
    auto order =
        user_id == 0 ? orders_.find(order_no, 0) : (user_id > 0 ? orders_.find(order_no, user_id) : std::nullopt);
    if (!order) {
        return order_not_found(order_no);
    }
    PaymentView v;
    v.order = std::move(*order);
    auto attempts = payments_.attempts_of(order_no);
    v.refunds = payments_.refunds_of(order_no);
    v.records = payments_.records_of(order_no, settings_.records_shown);
    v.refunded = payments_.refunded_total(order_no);
    const auto paying = paying_attempt(order_no);
    if (paying) {
        v.paid = paying->amount;
    } else if (v.order.paid_at && v.order.status != OrderStatus::kAwaitingPayment && v.order.status != OrderStatus::kCancelled) {
        v.paid = v.order.total_price;  // paid another way (the demo button): not refundable here
    }
    if (paying && refundable_status(v.order.status)) {
        v.refundable = std::max<Cents>(0, v.paid - v.refunded);
    }
    if (!attempts.empty()) {
        const domain::PaymentAttempt& latest = attempts.back();
        v.latest = latest;
        const bool returned = std::any_of(v.refunds.begin(), v.refunds.end(), [&](const domain::RefundEntry& r) {
            return r.out_trade_no == latest.out_trade_no && r.status == domain::RefundStatus::kSuccess;
        });
        switch (latest.status) {
            case AttemptStatus::kCreating:
            case AttemptStatus::kOpen:
                v.trade_state = "NOTPAY";
                if (v.order.status == OrderStatus::kAwaitingPayment) {
                    v.scan_url = scan_url_for(latest.code_url);
                }
                break;
            case AttemptStatus::kPaid:
                // WeChat's trade_state turns REFUND once any refund of the trade succeeded.
                v.trade_state = returned ? "REFUND" : "SUCCESS";
                break;
            case AttemptStatus::kClosed:
                v.trade_state = "CLOSED";
                break;
            case AttemptStatus::kFailed:
                v.trade_state = "PAYERROR";
                break;
        }
    }
    return v;
}

int PaymentService::retry_processing_refunds(int limit) {
    if (gateway_ == nullptr) {
        return 0;
    }
    int settled = 0;
    const TimePoint now = clock_.now();
    for (const auto& entry : payments_.processing_refunds(now - settings_.refund_retry_after, limit)) {
        auto answer = gateway_->query_refund(entry.out_refund_no);
        if (const auto* refund = std::get_if<ports::Refund>(&answer)) {
            settled += settle_refund(*refund, "query") && refund->state != ports::RefundState::kProcessing ? 1 : 0;
            continue;
        }
        if (std::get<GatewayError>(answer).failure != GatewayFailure::kNotFound) {
            continue;  // the provider is unreachable: the next round asks again
        }
        // The provider never received it (the first call's request was lost): send it again, with
        // the same out_refund_no so a request that did arrive meanwhile is not refunded twice.
        auto attempt = payments_.find_attempt(entry.out_trade_no);
        if (!attempt || attempt->transaction_id.empty()) {
            continue;
        }
        ports::RefundRequest request;
        request.out_trade_no = attempt->out_trade_no;
        request.transaction_id = attempt->transaction_id;
        request.out_refund_no = entry.out_refund_no;
        request.refund = entry.amount;
        request.total = attempt->amount;
        request.reason = entry.automatic ? "GoMall: order cancelled before payment" : "GoMall refund";
        auto resent = gateway_->refund(request);
        if (const auto* refund = std::get_if<ports::Refund>(&resent)) {
            if (refund->state == ports::RefundState::kProcessing || refund->state == ports::RefundState::kUnknown) {
                continue;  // asked about again next round
            }
            settled += settle_refund(*refund, entry.automatic ? "auto_refund" : "refund") ? 1 : 0;
        } else if (const auto& error = std::get<GatewayError>(resent); error.failure == GatewayFailure::kRejected) {
            // Refused for good (the money was already returned another way, a closed account):
            // record it and give a shopper refund's reservation back.
            ports::Refund closed;
            closed.out_refund_no = entry.out_refund_no;
            closed.state = ports::RefundState::kClosed;
            closed.state_text = "CLOSED: " + error.code;
            settled += settle_refund(closed, entry.automatic ? "auto_refund" : "refund") ? 1 : 0;
        }
    }
    return settled;
}

ports::NotificationAnswer PaymentService::accepted_answer() {
    count(counters_.notifications_accepted);
    return gateway_->answer_notification(true, "");
}

ports::NotificationAnswer PaymentService::refused_answer(const std::string& reason) {
    count(counters_.notifications_rejected);
    return gateway_->answer_notification(false, reason);
}

ports::NotificationAnswer PaymentService::handle_notification(const ports::IncomingNotification& notification) {
    if (gateway_ == nullptr) {
        return ports::NotificationAnswer{503, "application/json", R"({"code":"FAIL","message":"not configured"})"};
    }
    auto verified = gateway_->verify_notification(notification);
    if (!verified.ok()) {
        // Nothing in an unverified body is trusted, not even the order number it names, and anyone
        // can send one: it is logged, not stored, so forged requests cannot fill the database.
        count(counters_.notifications_rejected);
        spdlog::warn("payment notification rejected: {}", verified.error().message);
        return gateway_->answer_notification(false, verified.error().message);
    }
    const auto& event = verified.value().event;
    if (const auto* refund = std::get_if<ports::Refund>(&event)) {
        if (!settle_refund(*refund, "notification")) {
            {
                auto r =
                    record_line({}, "notification", refund->out_trade_no, refund->refund, "rejected: unknown refund");
                r.out_refund_no = refund->out_refund_no;
                r.refund_id = refund->refund_id;
                record(std::move(r));
            }
            return refused_answer("unknown refund");
        }
        return accepted_answer();
    }
    const auto& tx = std::get<ports::Transaction>(event);
    auto attempt = payments_.find_attempt(tx.out_trade_no);
    if (!attempt) {
        {
            auto r = record_line({}, "notification", tx.out_trade_no, tx.total, "rejected: unknown order");
            r.transaction_id = tx.transaction_id;
            record(std::move(r));
        }
        spdlog::warn("payment notification for unknown trade {}", tx.out_trade_no);
        return refused_answer("unknown out_trade_no");
    }
    if (tx.state != ports::TradeState::kSuccess) {
        {
            auto r = record_line(attempt->order_no, "notification", tx.out_trade_no, tx.total, tx.state_text);
            r.transaction_id = tx.transaction_id;
            record(std::move(r));
        }
        return accepted_answer();
    }
    if (!settle_paid(*attempt, tx, "notification")) {
        return refused_answer("amount or currency does not match the order");
    }
    return accepted_answer();
}

}  // namespace gomall::services
