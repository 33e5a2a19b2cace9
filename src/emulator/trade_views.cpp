#include "emulator/trade_views.hpp"

#include "emulator/wire_format.hpp"

namespace gomall::emulator {
namespace {

bool paid(const Trade& trade) {
    return trade.state == TradeState::kSuccess || trade.state == TradeState::kRefund;
}

}  // namespace

boost::json::object v3_transaction_json(const Trade& trade) {
    boost::json::object out;
    out["appid"] = trade.app_id;
    out["mchid"] = trade.mch_id;
    out["out_trade_no"] = trade.out_trade_no;
    out["trade_type"] = "NATIVE";
    out["trade_state"] = trade_state_name(trade.state);
    out["trade_state_desc"] = trade_state_desc(trade.state);
    out["attach"] = "";
    if (paid(trade)) {
        out["transaction_id"] = trade.transaction_id;
        out["bank_type"] = "OTHERS";
        if (trade.success_time) {
            out["success_time"] = format_rfc3339_china(*trade.success_time);
        }
        out["payer"] = boost::json::object{{"openid", trade.openid}};
    }
    out["amount"] = boost::json::object{
        {"total", trade.total},
        {"payer_total", paid(trade) ? trade.payer_total : 0},
        {"currency", trade.currency},
        {"payer_currency", trade.currency},
    };
    return out;
}

boost::json::object v3_refund_json(const RefundRecord& refund) {
    boost::json::object out;
    out["refund_id"] = refund.refund_id;
    out["out_refund_no"] = refund.out_refund_no;
    out["transaction_id"] = refund.transaction_id;
    out["out_trade_no"] = refund.out_trade_no;
    out["channel"] = "ORIGINAL";
    out["user_received_account"] = "支付用户零钱";
    out["success_time"] = format_rfc3339_china(refund.success_time);
    out["create_time"] = format_rfc3339_china(refund.created_at);
    out["status"] = "SUCCESS";
    out["funds_account"] = "AVAILABLE";
    out["amount"] = boost::json::object{
        {"total", refund.total},
        {"refund", refund.refund},
        {"payer_total", refund.payer_total},
        {"payer_refund", refund.refund},
        {"settlement_total", refund.total},
        {"settlement_refund", refund.refund},
        {"discount_refund", 0},
        {"refund_fee", 0},
        {"currency", refund.currency},
    };
    out["promotion_detail"] = boost::json::array{};
    return out;
}

boost::json::object v3_refund_notification_json(const RefundRecord& refund, const std::string& mch_id) {
    boost::json::object out;
    out["mchid"] = mch_id;
    out["out_trade_no"] = refund.out_trade_no;
    out["transaction_id"] = refund.transaction_id;
    out["out_refund_no"] = refund.out_refund_no;
    out["refund_id"] = refund.refund_id;
    out["refund_status"] = "SUCCESS";
    out["success_time"] = format_rfc3339_china(refund.success_time);
    out["user_received_account"] = "支付用户零钱";
    out["amount"] = boost::json::object{
        {"total", refund.total},
        {"refund", refund.refund},
        {"payer_total", refund.payer_total},
        {"payer_refund", refund.refund},
    };
    return out;
}

wechatpay::FlatXml v2_order_fields(const Trade& trade) {
    wechatpay::FlatXml out;
    out["out_trade_no"] = trade.out_trade_no;
    out["trade_state"] = std::string(trade_state_name(trade.state));
    out["trade_state_desc"] = std::string(trade_state_desc(trade.state));
    out["total_fee"] = std::to_string(trade.total);
    out["fee_type"] = trade.currency;
    out["trade_type"] = "NATIVE";
    if (paid(trade)) {
        out["transaction_id"] = trade.transaction_id;
        out["openid"] = trade.openid;
        out["is_subscribe"] = "N";
        out["bank_type"] = "OTHERS";
        out["cash_fee"] = std::to_string(trade.payer_total);
        out["cash_fee_type"] = trade.currency;
        if (trade.success_time) {
            out["time_end"] = format_compact_china(*trade.success_time);
        }
    }
    return out;
}

wechatpay::FlatXml v2_refund_query_fields(const Trade& trade, const std::vector<RefundRecord>& refunds) {
    wechatpay::FlatXml out;
    out["transaction_id"] = trade.transaction_id;
    out["out_trade_no"] = trade.out_trade_no;
    out["total_fee"] = std::to_string(trade.total);
    out["cash_fee"] = std::to_string(trade.payer_total);
    out["fee_type"] = trade.currency;
    out["refund_count"] = std::to_string(refunds.size());
    for (std::size_t i = 0; i < refunds.size(); ++i) {
        const auto& r = refunds[i];
        const std::string n = "_" + std::to_string(i);
        out["out_refund_no" + n] = r.out_refund_no;
        out["refund_id" + n] = r.refund_id;
        out["refund_channel" + n] = "ORIGINAL";
        out["refund_fee" + n] = std::to_string(r.refund);
        out["settlement_refund_fee" + n] = std::to_string(r.refund);
        out["refund_status" + n] = "SUCCESS";
        out["refund_account" + n] = "REFUND_SOURCE_UNSETTLED_FUNDS";
        out["refund_recv_accout" + n] = "支付用户的零钱";  // sic: WeChat's own spelling
        out["refund_success_time" + n] = format_datetime_china(r.success_time);
    }
    return out;
}

}  // namespace gomall::emulator
