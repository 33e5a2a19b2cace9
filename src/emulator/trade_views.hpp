// Payments and refunds in WeChat's shapes: the APIv3 JSON objects (query answers and notification
// plaintexts) and the APIv2 fields of an order or refund query.
#pragma once

#include <vector>

#include <boost/json/object.hpp>

#include "adapters/wechatpay/flat_xml.hpp"
#include "emulator/trade_store.hpp"

namespace gomall::emulator {

/// GET /v3/pay/transactions/out-trade-no/{no}, and the TRANSACTION.SUCCESS plaintext.
boost::json::object v3_transaction_json(const Trade& trade);
/// POST /v3/refund/domestic/refunds and GET .../refunds/{out_refund_no}.
boost::json::object v3_refund_json(const RefundRecord& refund);
/// The REFUND.SUCCESS plaintext.
boost::json::object v3_refund_notification_json(const RefundRecord& refund, const std::string& mch_id);

/// The business fields of /pay/orderquery for `trade` (no return_code, appid, sign...).
wechatpay::FlatXml v2_order_fields(const Trade& trade);
/// The business fields of /pay/refundquery: the payment's and one indexed group per refund.
wechatpay::FlatXml v2_refund_query_fields(const Trade& trade, const std::vector<RefundRecord>& refunds);

}  // namespace gomall::emulator
