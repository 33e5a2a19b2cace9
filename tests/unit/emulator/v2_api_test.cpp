// APIv2 against the running emulator: both signature types, the refusals WeChat gives, and the
// order and refund calls.
#include <string>

#include <gtest/gtest.h>

#include "unit/emulator/emulator_harness.hpp"

namespace gomall::emulator::test {
namespace {

using wechatpay::FlatXml;
using wechatpay::V2SignType;

class V2ApiTest : public EmulatorTest {
protected:
    static FlatXml order(const std::string& out_trade_no, const std::string& total_fee) {
        return {
            {"body", "GoMall order"},
            {"out_trade_no", out_trade_no},
            {"total_fee", total_fee},
            {"spbill_create_ip", "127.0.0.1"},
            {"notify_url", "http://127.0.0.1:9/notify"},
            {"trade_type", "NATIVE"},
            {"product_id", "42"},
        };
    }

    /// The answer's fields, after checking its signature with `type`.
    static FlatXml signed_fields(const wechatpay::HttpResponse& res, V2SignType type) {
        EXPECT_EQ(res.status, 200);
        auto fields = xml_of(res);
        EXPECT_TRUE(wechatpay::v2_verify(fields, kApiV2Key, type)) << res.body;
        return fields;
    }
};

TEST_F(V2ApiTest, UnifiedOrderWithMd5AnswersAPrepayIdAndCodeUrlSignedWithMd5) {
    auto fields = signed_fields(v2("/pay/unifiedorder", order("V2ORDER001", "88")), V2SignType::kMd5);
    EXPECT_EQ(fields["return_code"], "SUCCESS");
    EXPECT_EQ(fields["result_code"], "SUCCESS");
    EXPECT_EQ(fields["trade_type"], "NATIVE");
    EXPECT_EQ(fields["prepay_id"].rfind("wx", 0), 0U);
    EXPECT_EQ(fields["code_url"].rfind("weixin://wxpay/bizpayurl?pr=", 0), 0U);
    EXPECT_EQ(fields["appid"], kAppId);
    EXPECT_EQ(fields["mch_id"], kMchId);

    // Repeated with the same amount: the same prepay; another amount: refused.
    auto again = signed_fields(v2("/pay/unifiedorder", order("V2ORDER001", "88")), V2SignType::kMd5);
    EXPECT_EQ(again["prepay_id"], fields["prepay_id"]);
    auto other = signed_fields(v2("/pay/unifiedorder", order("V2ORDER001", "89")), V2SignType::kMd5);
    EXPECT_EQ(other["result_code"], "FAIL");
    EXPECT_FALSE(other["err_code"].empty());
}

TEST_F(V2ApiTest, UnifiedOrderWithHmacSha256IsAnsweredWithHmacSha256) {
    auto res = v2("/pay/unifiedorder", order("V2ORDER002", "100"), V2SignType::kHmacSha256);
    auto fields = signed_fields(res, V2SignType::kHmacSha256);
    EXPECT_EQ(fields["result_code"], "SUCCESS");
    EXPECT_FALSE(wechatpay::v2_verify(fields, kApiV2Key, V2SignType::kMd5));
}

TEST_F(V2ApiTest, BadSignaturesAndBadXmlAreReturnCodeFail) {
    auto wrong_key = xml_of(v2("/pay/unifiedorder", order("V2ORDER003", "1"), V2SignType::kMd5, "another key"));
    EXPECT_EQ(wrong_key["return_code"], "FAIL");
    EXPECT_EQ(wrong_key["return_msg"], "签名错误");
    EXPECT_EQ(wrong_key.count("sign"), 0U);

    // Signed as MD5 but claiming HMAC-SHA256.
    auto fields = order("V2ORDER003", "1");
    fields["appid"] = kAppId;
    fields["mch_id"] = kMchId;
    fields["nonce_str"] = "abc";
    fields["sign"] = wechatpay::v2_sign(fields, kApiV2Key, V2SignType::kMd5);
    fields["sign_type"] = "HMAC-SHA256";
    auto claimed = xml_of(post("/pay/unifiedorder", wechatpay::write_flat_xml(fields), "text/xml"));
    EXPECT_EQ(claimed["return_code"], "FAIL");

    for (const std::string& body : {
             std::string("not xml"),
             std::string("<xml><a>1</a><a>2</a></xml>"),
             std::string("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><xml><a>&e;</a></xml>"),
             std::string("<xml><a><b>1</b></a></xml>"),
         }) {
        auto res = post("/pay/unifiedorder", body, "text/xml");
        EXPECT_EQ(res.status, 200);
        auto answer = xml_of(res);
        EXPECT_EQ(answer["return_code"], "FAIL") << body;
        EXPECT_FALSE(answer["return_msg"].empty());
    }
    EXPECT_EQ(xml_of(v2("/pay/orderquery", {{"out_trade_no", "V2ORDER003"}}))["err_code"], "ORDERNOTEXIST")
        << "nothing was created";
}

TEST_F(V2ApiTest, OrderQueryFollowsThePayment) {
    auto unknown = signed_fields(v2("/pay/orderquery", {{"out_trade_no", "V2NOSUCH01"}}), V2SignType::kMd5);
    EXPECT_EQ(unknown["return_code"], "SUCCESS");
    EXPECT_EQ(unknown["result_code"], "FAIL");
    EXPECT_EQ(unknown["err_code"], "ORDERNOTEXIST");

    signed_fields(v2("/pay/unifiedorder", order("V2ORDER004", "250")), V2SignType::kMd5);
    auto before = signed_fields(v2("/pay/orderquery", {{"out_trade_no", "V2ORDER004"}}), V2SignType::kMd5);
    EXPECT_EQ(before["trade_state"], "NOTPAY");
    ASSERT_EQ(pay("V2ORDER004"), 200);
    auto after = signed_fields(v2("/pay/orderquery", {{"out_trade_no", "V2ORDER004"}}), V2SignType::kMd5);
    EXPECT_EQ(after["trade_state"], "SUCCESS");
    EXPECT_EQ(after["total_fee"], "250");
    EXPECT_EQ(after["cash_fee"], "250");
    EXPECT_EQ(after["fee_type"], "CNY");
    EXPECT_EQ(after["transaction_id"].size(), 28U);
    EXPECT_EQ(after["time_end"].size(), 14U);
    EXPECT_FALSE(after["trade_state_desc"].empty());
}

TEST_F(V2ApiTest, CloseOrderSucceedsUnlessPaid) {
    signed_fields(v2("/pay/unifiedorder", order("V2ORDER005", "1")), V2SignType::kMd5);
    auto closed = signed_fields(v2("/pay/closeorder", {{"out_trade_no", "V2ORDER005"}}), V2SignType::kMd5);
    EXPECT_EQ(closed["result_code"], "SUCCESS");
    EXPECT_EQ(
        signed_fields(v2("/pay/orderquery", {{"out_trade_no", "V2ORDER005"}}), V2SignType::kMd5)["trade_state"],
        "CLOSED"
    );

    signed_fields(v2("/pay/unifiedorder", order("V2ORDER006", "1")), V2SignType::kMd5);
    ASSERT_EQ(pay("V2ORDER006"), 200);
    auto paid = signed_fields(v2("/pay/closeorder", {{"out_trade_no", "V2ORDER006"}}), V2SignType::kMd5);
    EXPECT_EQ(paid["result_code"], "FAIL");
    EXPECT_EQ(paid["err_code"], "ORDERPAID");
}

TEST_F(V2ApiTest, RefundAndRefundQuery) {
    signed_fields(v2("/pay/unifiedorder", order("V2ORDER007", "500")), V2SignType::kMd5);
    ASSERT_EQ(pay("V2ORDER007"), 200);
    FlatXml refund{
        {"out_trade_no", "V2ORDER007"}, {"out_refund_no", "V2RF0001"}, {"total_fee", "500"}, {"refund_fee", "200"}};
    auto done = signed_fields(v2("/secapi/pay/refund", refund, V2SignType::kHmacSha256), V2SignType::kHmacSha256);
    EXPECT_EQ(done["result_code"], "SUCCESS");
    EXPECT_EQ(done["refund_fee"], "200");
    EXPECT_FALSE(done["refund_id"].empty());

    auto again = signed_fields(v2("/secapi/pay/refund", refund), V2SignType::kMd5);
    EXPECT_EQ(again["refund_id"], done["refund_id"]);

    refund["out_refund_no"] = "V2RF0002";
    refund["refund_fee"] = "301";
    auto too_much = signed_fields(v2("/secapi/pay/refund", refund), V2SignType::kMd5);
    EXPECT_EQ(too_much["result_code"], "FAIL");
    EXPECT_EQ(too_much["err_code"], "NOTENOUGH");

    auto query = signed_fields(v2("/pay/refundquery", {{"out_refund_no", "V2RF0001"}}), V2SignType::kMd5);
    EXPECT_EQ(query["result_code"], "SUCCESS");
    EXPECT_EQ(query["refund_count"], "1");
    EXPECT_EQ(query["out_refund_no_0"], "V2RF0001");
    EXPECT_EQ(query["refund_id_0"], done["refund_id"]);
    EXPECT_EQ(query["refund_fee_0"], "200");
    EXPECT_EQ(query["refund_status_0"], "SUCCESS");

    auto unknown = signed_fields(v2("/pay/refundquery", {{"out_refund_no", "V2RF9999"}}), V2SignType::kMd5);
    EXPECT_EQ(unknown["err_code"], "REFUNDNOTEXIST");
}

}  // namespace
}  // namespace gomall::emulator::test
