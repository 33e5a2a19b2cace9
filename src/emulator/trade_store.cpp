#include "emulator/trade_store.hpp"

#include <algorithm>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "adapters/wechatpay/crypto.hpp"
#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

constexpr std::size_t kTokenLength = 16;

bool expired(const Trade& trade, TimePoint now) {
    return trade.expires_at && now > *trade.expires_at;
}

TradeStoreLimits checked(TradeStoreLimits limits) {
    if (limits.max_trades < 1 || limits.max_refunds < 1 || limits.max_refunds_per_trade < 1 ||
        limits.deliveries_per_trade < 1 || limits.untracked_logs < 1) {
        throw std::invalid_argument("wechatpay emulator: every trade store limit must be at least 1");
    }
    return limits;
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

TradeStore::TradeStore(TradeStoreLimits limits) : limits_(checked(limits)) {}

bool TradeStore::live(const Held& held) {
    return held.trade.state == TradeState::kNotPay || held.notifications > 0;
}

void TradeStore::refile(const Held& held) {
    if (live(held)) {
        final_.erase(held.seq);
    } else {
        final_.emplace(held.seq, held.trade.out_trade_no);
    }
}

bool TradeStore::evict_oldest(std::uint64_t keep) {
    auto victim = final_.begin();
    if (victim != final_.end() && victim->first == keep) {
        ++victim;
    }
    if (victim == final_.end()) {
        return false;
    }
    auto it = trades_.find(victim->second);
    final_.erase(victim);
    if (it == trades_.end()) {
        return true;  // cannot happen: final_ only names held trades
    }
    const Trade& trade = it->second.trade;
    by_token_.erase(trade.code_token);
    if (!trade.transaction_id.empty()) {
        by_transaction_.erase(trade.transaction_id);
    }
    for (const auto& no : trade.refund_nos) {
        refunds_.erase(no);
    }
    delivery_records_ -= it->second.deliveries.size();
    trades_.erase(it);
    ++evicted_;
    return true;
}

void TradeStore::refusing(std::string_view what, std::size_t held) {
    if (!refusing_) {  // once per spell: a runaway client would otherwise flood the log
        spdlog::warn(
            "emulator: refusing new {} until a trade is finished: the {} held all belong to trades still "
            "payable or being notified",
            what,
            held
        );
    }
    refusing_ = true;
}

void TradeStore::append(std::deque<DeliveryRecord>& log, DeliveryRecord record) {
    // A shop stuck in a retry loop, or many notifications about one order, keep only the latest.
    if (log.size() >= limits_.deliveries_per_trade) {
        log.pop_front();
        --delivery_records_;
    }
    log.push_back(std::move(record));
    ++delivery_records_;
}

Outcome<Trade> TradeStore::create(Trade draft) {
    const std::lock_guard lock(mutex_);
    if (auto it = trades_.find(draft.out_trade_no); it != trades_.end()) {
        const Trade& existing = it->second.trade;
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
    while (trades_.size() >= limits_.max_trades) {
        if (!evict_oldest(0)) {
            refusing("orders", trades_.size());
            return TradeProblem::kFull;
        }
    }
    refusing_ = false;
    draft.state = TradeState::kNotPay;
    draft.code_token = wechatpay::random_nonce(kTokenLength);
    draft.prepay_id = new_prepay_id(draft.created_at);
    draft.transaction_id.clear();
    draft.payer_total = 0;
    draft.refunded = 0;
    draft.refund_nos.clear();
    Held held;
    held.seq = next_seq_++;
    if (auto untracked = untracked_.find(draft.out_trade_no); untracked != untracked_.end()) {
        // Notifications about this number came before the order: its log moves in with it.
        held.deliveries = std::move(untracked->second.deliveries);
        untracked_order_.erase(untracked->second.seq);
        untracked_.erase(untracked);
    }
    by_token_[draft.code_token] = draft.out_trade_no;
    held.trade = std::move(draft);
    auto [it, inserted] = trades_.emplace(held.trade.out_trade_no, std::move(held));
    return it->second.trade;
}

std::optional<Trade> TradeStore::find(std::string_view out_trade_no) const {
    const std::lock_guard lock(mutex_);
    if (auto it = trades_.find(out_trade_no); it != trades_.end()) {
        return it->second.trade;
    }
    return std::nullopt;
}

std::optional<Trade> TradeStore::find_by_token(std::string_view token) const {
    const std::lock_guard lock(mutex_);
    auto key = by_token_.find(token);
    if (key == by_token_.end()) {
        return std::nullopt;
    }
    return trades_.at(key->second).trade;
}

std::optional<Trade> TradeStore::find_by_transaction_id(std::string_view transaction_id) const {
    const std::lock_guard lock(mutex_);
    auto key = by_transaction_.find(transaction_id);
    if (key == by_transaction_.end()) {
        return std::nullopt;
    }
    return trades_.at(key->second).trade;
}

Outcome<Trade> TradeStore::close(std::string_view out_trade_no) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Trade& trade = it->second.trade;
    if (trade.state == TradeState::kSuccess || trade.state == TradeState::kRefund) {
        return TradeProblem::kPaid;
    }
    trade.state = TradeState::kClosed;
    refile(it->second);
    return trade;
}

Outcome<Trade> TradeStore::pay(std::string_view out_trade_no, TimePoint now, const PayOptions& options) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Trade& trade = it->second.trade;
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
    it->second.notifications += std::max(options.notifications, 0);
    refile(it->second);
    return trade;
}

Outcome<RefundOutcome> TradeStore::refund(const NewRefund& request, TimePoint now) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(request.out_trade_no);
    if (it == trades_.end()) {
        return TradeProblem::kNotFound;
    }
    Held& held = it->second;
    Trade& trade = held.trade;
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
    if (trade.refund_nos.size() >= limits_.max_refunds_per_trade) {
        return TradeProblem::kRefundLimit;
    }
    while (refunds_.size() >= limits_.max_refunds) {
        if (!evict_oldest(held.seq)) {  // never the trade being refunded
            refusing("refunds", refunds_.size());
            return TradeProblem::kFull;
        }
    }
    refusing_ = false;
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
    if (!record.notify_url.empty()) {
        ++held.notifications;
    }
    refile(held);
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
    for (const auto& no : it->second.trade.refund_nos) {
        out.push_back(refunds_.at(no));
    }
    return out;
}

void TradeStore::notification_finished(std::string_view out_trade_no) {
    const std::lock_guard lock(mutex_);
    auto it = trades_.find(out_trade_no);
    if (it == trades_.end() || it->second.notifications <= 0) {
        return;
    }
    --it->second.notifications;
    refile(it->second);
}

void TradeStore::record_delivery(const std::string& out_trade_no, DeliveryRecord record) {
    const std::lock_guard lock(mutex_);
    if (auto held = trades_.find(out_trade_no); held != trades_.end()) {
        append(held->second.deliveries, std::move(record));
        return;
    }
    auto it = untracked_.find(out_trade_no);
    if (it == untracked_.end()) {
        while (untracked_.size() >= limits_.untracked_logs && !untracked_order_.empty()) {
            auto oldest = untracked_order_.begin();
            auto log = untracked_.find(oldest->second);
            if (log != untracked_.end()) {
                delivery_records_ -= log->second.deliveries.size();
                untracked_.erase(log);
            }
            untracked_order_.erase(oldest);
        }
        const std::uint64_t seq = next_seq_++;
        untracked_order_.emplace(seq, out_trade_no);
        it = untracked_.emplace(out_trade_no, UntrackedLog{seq, {}}).first;
    }
    append(it->second.deliveries, std::move(record));
}

std::vector<DeliveryRecord> TradeStore::deliveries(std::string_view out_trade_no) const {
    const std::lock_guard lock(mutex_);
    if (auto held = trades_.find(out_trade_no); held != trades_.end()) {
        return {held->second.deliveries.begin(), held->second.deliveries.end()};
    }
    if (auto it = untracked_.find(out_trade_no); it != untracked_.end()) {
        return {it->second.deliveries.begin(), it->second.deliveries.end()};
    }
    return {};
}

TradeStoreCounts TradeStore::counts() const {
    const std::lock_guard lock(mutex_);
    TradeStoreCounts c;
    c.trades = trades_.size();
    c.live = trades_.size() - final_.size();
    c.refunds = refunds_.size();
    c.delivery_records = delivery_records_;
    c.untracked_logs = untracked_.size();
    c.evicted = evicted_;
    return c;
}

}  // namespace gomall::emulator
