#include "emulator/trade_store.hpp"

#include "adapters/wechatpay/crypto.hpp"
#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

// A shop stuck in a retry loop would otherwise grow one log without bound.
constexpr std::size_t kMaxDeliveriesPerTrade = 100;
constexpr std::size_t kTokenLength = 16;

bool expired(const Trade& trade, TimePoint now) {
    return trade.expires_at && now > *trade.expires_at;
}

}  // namespace

std::string_view protocol_name(Protocol p) {
    return p == Protocol::kV3 ? "v3" : "v2";
}

std::string_view trade_state_name(TradeState s) {
    switch (s) {
        case TradeState::kNotPay:
            return "NOTPAY";
        case TradeState::kSuccess:
            return "SUCCESS";
        case TradeState::kClosed:
            return "CLOSED";
        case TradeState::kRefund:
            return "REFUND";
    }
    return "NOTPAY";
}

std::string_view trade_state_desc(TradeState s) {
    switch (s) {
        case TradeState::kNotPay:
            return "订单未支付";
        case TradeState::kSuccess:
            return "支付成功";
        case TradeState::kClosed:
            return "订单已关闭";
        case TradeState::kRefund:
            return "转入退款";
    }
    return "";
}

Outcome<Trade> TradeStore::create(Trade draft) {
    const std::lock_guard lock(mutex_);
    if (auto it = trades_.find(draft.out_trade_no); it != trades_.end()) {
        const Trade& existing = it->second;
        switch (existing.state) {
            case TradeState::kSuccess:
            case TradeState::kRefund:
                return TradeProblem::kPaid;
            case TradeState::kClosed:
                return TradeProblem::kClosed;
            case TradeState::kNotPay:
                break;
        }
        if (existing.total != draft.total) {
            return TradeProblem::kAmountMismatch;
        }
        if (expired(existing, draft.created_at)) {
            return TradeProblem::kExpired;
        }
        return existing;  // WeChat answers a repeated order with the code it gave the first time
    }
    if (trades_.size() >= max_trades_) {
        return TradeProblem::kFull;
    }
    draft.state = TradeState::kNotPay;
    draft.code_token = wechatpay::random_nonce(kTokenLength);
    draft.prepay_id = new_prepay_id(draft.created_at);
    draft.transaction_id.clear();
    draft.payer_total = 0;
    draft.refunded = 0;
    by_token_[draft.code_token] = draft.out_trade_no;
    auto [it, inserted] = trades_.emplace(draft.out_trade_no, std::move(draft));
    return it->second;
}

std::optional<Trade> TradeStore::find(std::string_view out_trade_no) const {
    const std::lock_guard lock(mutex_);
    if (auto it = trades_.find(out_trade_no); it != trades_.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::optional<Trade> TradeStore::find_by_token(std::string_view token) const {
    const std::lock_guard lock(mutex_);
    auto key = by_token_.find(token);
    if (key == by_token_.end()) {
        return std::nullopt;
    }
    return trades_.at(key->second);
}

std::optional<Trade> TradeStore::find_by_transaction_id(std::string_view transaction_id) const {
    const std::lock_guard lock(mutex_);
    auto key = by_transaction_.find(transaction_id);
    if (key == by_transaction_.end()) {
        return std::nullopt;
    }
    return trades_.at(key->second);
}

Outcome<Trade> TradeStore::close(std::string_view out_trade_no) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Trade& trade = it->second;
    if (trade.state == TradeState::kSuccess || trade.state == TradeState::kRefund) {
        return TradeProblem::kPaid;
    }
    trade.state = TradeState::kClosed;
    return trade;
}

Outcome<Trade> TradeStore::pay(std::string_view out_trade_no, TimePoint now, const PayOptions& options) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Trade& trade = it->second;
    if (trade.state == TradeState::kSuccess || trade.state == TradeState::kRefund) {
        return TradeProblem::kPaid;
    }
    if (!options.ignore_closed) {
        if (trade.state == TradeState::kClosed) {
            return TradeProblem::kClosed;
        }
        if (expired(trade, now)) {
            return TradeProblem::kExpired;
        }
    }
    trade.state = TradeState::kSuccess;
    trade.transaction_id = new_transaction_id();
    trade.openid = new_openid();
    trade.success_time = now;
    trade.payer_total = options.amount.value_or(trade.total);
    by_transaction_[trade.transaction_id] = trade.out_trade_no;
    return trade;
}

Outcome<RefundOutcome> TradeStore::refund(const NewRefund& request, TimePoint now) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(request.out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Trade& trade = it->second;
    if (auto done = refunds_.find(request.out_refund_no); done != refunds_.end()) {
        if (done->second.out_trade_no != trade.out_trade_no) {
            return TradeProblem::kRefundNoTaken;
        }
        return RefundOutcome{done->second, trade, false};
    }
    if (trade.state != TradeState::kSuccess && trade.state != TradeState::kRefund) {
        return TradeProblem::kNotPaid;
    }
    if (request.total != trade.total) {
        return TradeProblem::kTotalMismatch;
    }
    if (request.refund > trade.payer_total - trade.refunded) {
        return TradeProblem::kNotEnough;
    }
    RefundRecord record;
    record.out_refund_no = request.out_refund_no;
    record.refund_id = new_refund_id();
    record.out_trade_no = trade.out_trade_no;
    record.transaction_id = trade.transaction_id;
    record.reason = request.reason;
    record.notify_url = request.notify_url;
    record.refund = request.refund;
    record.total = trade.total;
    record.payer_total = trade.payer_total;
    record.currency = trade.currency;
    record.created_at = now;
    record.success_time = now;
    trade.refunded += request.refund;
    trade.refund_nos.push_back(request.out_refund_no);
    if (trade.refunded >= trade.payer_total) {
        trade.state = TradeState::kRefund;
    }
    refunds_.emplace(record.out_refund_no, record);
    return RefundOutcome{std::move(record), trade, true};
}

std::optional<RefundRecord> TradeStore::find_refund(std::string_view out_refund_no) const {
    const std::lock_guard lock(mutex_);
    if (auto it = refunds_.find(out_refund_no); it != refunds_.end()) {
        return it->second;
    }
    return std::nullopt;
}

std::vector<RefundRecord> TradeStore::refunds_of(std::string_view out_trade_no) const {
    const std::lock_guard lock(mutex_);
    std::vector<RefundRecord> out;
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end()) {
        return out;
    }
    for (const auto& no : it->second.refund_nos) {
        out.push_back(refunds_.at(no));
    }
    return out;
}

void TradeStore::record_delivery(const std::string& out_trade_no, DeliveryRecord record) {
    const std::lock_guard lock(mutex_);
    auto it = deliveries_.find(out_trade_no);
    if (it == deliveries_.end()) {
        if (deliveries_.size() >= max_trades_) {
            return;
        }
        it = deliveries_.emplace(out_trade_no, std::vector<DeliveryRecord>{}).first;
    }
    if (it->second.size() < kMaxDeliveriesPerTrade) {
        it->second.push_back(std::move(record));
    }
}

std::vector<DeliveryRecord> TradeStore::deliveries(std::string_view out_trade_no) const {
    const std::lock_guard lock(mutex_);
    if (auto it = deliveries_.find(out_trade_no); it != deliveries_.end()) {
        return it->second;
    }
    return {};
}

}  // namespace gomall::emulator
