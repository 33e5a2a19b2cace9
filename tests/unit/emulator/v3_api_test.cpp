// APIv3 against the running emulator: signatures both ways, Native create, query, close, refunds,
// and hostile bodies.
#include <string>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "unit/emulator/emulator_harness.hpp"

namespace gomall::emulator::test {
namespace {

using V3ApiTest = EmulatorTest;

TEST_F(V3ApiTest, NativeCreateAnswersACodeUrlSignedByThePlatform) {
    auto res = v3("POST", "/v3/pay/transactions/native", native_body("GM20240001", 1230, "https://shop.test/notify"));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers["content-type"], "application/json");
    const auto code_url = str(json_of(res).at("code_url"));
    EXPECT_EQ(code_url.rfind("weixin://wxpay/bizpayurl?pr=", 0), 0U) << code_url;
    EXPECT_TRUE(platform_signed(res));
    EXPECT_FALSE(res.headers["request-id"].empty());

    // The same order again: the same code; another amount: refused.
    auto again = v3("POST", "/v3/pay/transactions/native", native_body("GM20240001", 1230, "https://shop.test/notify"));
    ASSERT_EQ(again.status, 200);
    EXPECT_EQ(str(json_of(again).at("code_url")), code_url);
    auto other = v3("POST", "/v3/pay/transactions/native", native_body("GM20240001", 999, "https://shop.test/notify"));
    EXPECT_EQ(other.status, 400);
    EXPECT_EQ(str(json_of(other).at("code")), "INVALID_REQUEST");
    EXPECT_TRUE(platform_signed(other));
}

TEST_F(V3ApiTest, RequestsThatAreNotTheMerchantsAreSignError) {
    const auto body = native_body("GM20240002", 100, "https://shop.test/notify");
    auto expect_sign_error = [&](const wechatpay::HttpResponse& res) {
        EXPECT_EQ(res.status, 401) << res.body;
        EXPECT_EQ(str(json_of(res).at("code")), "SIGN_ERROR");
        EXPECT_TRUE(platform_signed(res)) << "errors are signed too";
    };

    wechatpay::HttpRequest unsigned_request;
    unsigned_request.method = "POST";
    unsigned_request.url = url("/v3/pay/transactions/native");
    unsigned_request.body = body;
    expect_sign_error(send(unsigned_request));

    Signing stranger;
    stranger.key = &keys().stranger;
    expect_sign_error(v3("POST", "/v3/pay/transactions/native", body, stranger));

    Signing other_merchant;
    other_merchant.mchid = "1900000999";
    expect_sign_error(v3("POST", "/v3/pay/transactions/native", body, other_merchant));

    Signing other_serial;
    other_serial.serial = "0000";
    expect_sign_error(v3("POST", "/v3/pay/transactions/native", body, other_serial));

    Signing stale;
    stale.skew_seconds = -301;
    expect_sign_error(v3("POST", "/v3/pay/transactions/native", body, stale));

    // A valid signature over another body.
    wechatpay::HttpRequest swapped;
    swapped.method = "POST";
    swapped.url = url("/v3/pay/transactions/native");
    swapped.body = native_body("GM20240002", 1, "https://shop.test/notify");
    swapped.headers["Authorization"] = authorization("POST", "/v3/pay/transactions/native", body, Signing{});
    expect_sign_error(send(swapped));

    // Nothing was created by any of them.
    EXPECT_EQ(v3("GET", "/v3/pay/transactions/out-trade-no/GM20240002?mchid=1900000109").status, 404);
}

TEST_F(V3ApiTest, QueryShowsTheTransactionBeforeAndAfterPayment) {
    create_v3("GM20240003", 2500);
    auto before = v3("GET", "/v3/pay/transactions/out-trade-no/GM20240003?mchid=1900000109");
    ASSERT_EQ(before.status, 200) << before.body;
    EXPECT_TRUE(platform_signed(before));
    auto t = json_of(before);
    EXPECT_EQ(str(t.at("trade_state")), "NOTPAY");
    EXPECT_EQ(str(t.at("appid")), kAppId);
    EXPECT_EQ(str(t.at("mchid")), kMchId);
    EXPECT_EQ(str(t.at("trade_type")), "NATIVE");
    EXPECT_FALSE(t.contains("transaction_id"));
    EXPECT_EQ(t.at("amount").at("total").as_int64(), 2500);

    ASSERT_EQ(pay("GM20240003"), 200);
    auto after = json_of(v3("GET", "/v3/pay/transactions/out-trade-no/GM20240003?mchid=1900000109"));
    EXPECT_EQ(str(after.at("trade_state")), "SUCCESS");
    const auto transaction_id = str(after.at("transaction_id"));
    EXPECT_EQ(transaction_id.size(), 28U);
    EXPECT_EQ(transaction_id.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_EQ(after.at("amount").at("payer_total").as_int64(), 2500);
    EXPECT_EQ(str(after.at("amount").at("currency")), "CNY");
    EXPECT_FALSE(str(after.at("payer").at("openid")).empty());
    const auto success_time = str(after.at("success_time"));
    EXPECT_EQ(success_time.substr(success_time.size() - 6), "+08:00");

    // And by WeChat's id.
    auto by_id = v3("GET", "/v3/pay/transactions/id/" + transaction_id + "?mchid=1900000109");
    ASSERT_EQ(by_id.status, 200);
    EXPECT_EQ(str(json_of(by_id).at("out_trade_no")), "GM20240003");
}

TEST_F(V3ApiTest, QueryOfAnUnknownOrderIsOrderNotExist) {
    auto res = v3("GET", "/v3/pay/transactions/out-trade-no/NOSUCH0001?mchid=1900000109");
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(str(json_of(res).at("code")), "ORDER_NOT_EXIST");
    EXPECT_TRUE(platform_signed(res));

    auto no_mchid = v3("GET", "/v3/pay/transactions/out-trade-no/NOSUCH0001");
    EXPECT_EQ(no_mchid.status, 400);
    EXPECT_EQ(str(json_of(no_mchid).at("code")), "PARAM_ERROR");
}

TEST_F(V3ApiTest, CloseAnswers204AndTheOrderCanNoLongerBePaid) {
    create_v3("GM20240004", 100);
    const std::string close_body = R"({"mchid":"1900000109"})";
    auto closed = v3("POST", "/v3/pay/transactions/out-trade-no/GM20240004/close", close_body);
    EXPECT_EQ(closed.status, 204);
    EXPECT_TRUE(closed.body.empty());
    EXPECT_TRUE(platform_signed(closed));
    EXPECT_EQ(v3("POST", "/v3/pay/transactions/out-trade-no/GM20240004/close", close_body).status, 204);

    auto t = json_of(v3("GET", "/v3/pay/transactions/out-trade-no/GM20240004?mchid=1900000109"));
    EXPECT_EQ(str(t.at("trade_state")), "CLOSED");
    EXPECT_EQ(pay("GM20240004"), 409);

    auto recreate = v3("POST", "/v3/pay/transactions/native", native_body("GM20240004", 100, "https://shop.test/n"));
    EXPECT_EQ(recreate.status, 400);
    EXPECT_EQ(str(json_of(recreate).at("code")), "ORDER_CLOSED");
}

TEST_F(V3ApiTest, APaidOrderCannotBeClosedOrCreatedAgain) {
    create_v3("GM20240005", 100);
    ASSERT_EQ(pay("GM20240005"), 200);
    auto close = v3("POST", "/v3/pay/transactions/out-trade-no/GM20240005/close", R"({"mchid":"1900000109"})");
    EXPECT_EQ(close.status, 400);
    EXPECT_EQ(str(json_of(close).at("code")), "ORDERPAID");
    auto again = v3("POST", "/v3/pay/transactions/native", native_body("GM20240005", 100, "https://shop.test/n"));
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(str(json_of(again).at("code")), "ORDERPAID");
    EXPECT_EQ(pay("GM20240005"), 409);
}

std::string refund_body(const std::string& out_refund_no, std::int64_t refund, std::int64_t total) {
    return boost::json::serialize(boost::json::object{
        {"out_trade_no", "GM20240006"},
        {"out_refund_no", out_refund_no},
        {"reason", "customer asked"},
        {"amount", boost::json::object{{"refund", refund}, {"total", total}, {"currency", "CNY"}}},
    });
}

TEST_F(V3ApiTest, RefundsAreIdempotentAndNeverExceedWhatWasPaid) {
    create_v3("GM20240006", 100);
    auto unpaid = v3("POST", "/v3/refund/domestic/refunds", refund_body("RF1", 10, 100));
    EXPECT_EQ(unpaid.status, 400) << unpaid.body;
    ASSERT_EQ(pay("GM20240006"), 200);

    auto first = v3("POST", "/v3/refund/domestic/refunds", refund_body("RF1", 30, 100));
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_TRUE(platform_signed(first));
    auto r = json_of(first);
    EXPECT_EQ(str(r.at("status")), "SUCCESS");
    EXPECT_EQ(str(r.at("channel")), "ORIGINAL");
    EXPECT_EQ(str(r.at("out_refund_no")), "RF1");
    EXPECT_EQ(r.at("amount").at("refund").as_int64(), 30);
    EXPECT_EQ(r.at("amount").at("total").as_int64(), 100);
    const auto refund_id = str(r.at("refund_id"));

    auto repeated = json_of(v3("POST", "/v3/refund/domestic/refunds", refund_body("RF1", 30, 100)));
    EXPECT_EQ(str(repeated.at("refund_id")), refund_id);

    auto too_much = v3("POST", "/v3/refund/domestic/refunds", refund_body("RF2", 80, 100));
    EXPECT_EQ(too_much.status, 400);
    EXPECT_EQ(str(json_of(too_much).at("code")), "NOT_ENOUGH");
    auto wrong_total = v3("POST", "/v3/refund/domestic/refunds", refund_body("RF2", 10, 99));
    EXPECT_EQ(wrong_total.status, 400);

    auto state = json_of(v3("GET", "/v3/pay/transactions/out-trade-no/GM20240006?mchid=1900000109"));
    EXPECT_EQ(str(state.at("trade_state")), "SUCCESS") << "partly refunded";
    ASSERT_EQ(v3("POST", "/v3/refund/domestic/refunds", refund_body("RF2", 70, 100)).status, 200);
    state = json_of(v3("GET", "/v3/pay/transactions/out-trade-no/GM20240006?mchid=1900000109"));
    EXPECT_EQ(str(state.at("trade_state")), "REFUND");

    auto query = v3("GET", "/v3/refund/domestic/refunds/RF1");
    ASSERT_EQ(query.status, 200);
    EXPECT_EQ(str(json_of(query).at("refund_id")), refund_id);
    auto unknown = v3("GET", "/v3/refund/domestic/refunds/RF404");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(str(json_of(unknown).at("code")), "RESOURCE_NOT_EXISTS");
}

TEST_F(V3ApiTest, HostileBodiesAreParamErrorsInWeChatsFormat) {
    for (const std::string& body : {
             std::string("{not json"),
             std::string("[1,2]"),
             std::string(R"({"appid":"a","appid":"b"})"),
             std::string(200, '[') + std::string(200, ']'),
             std::string(R"({"appid":1})"),
         }) {
        auto res = v3("POST", "/v3/pay/transactions/native", body);
        EXPECT_EQ(res.status, 400) << body;
        EXPECT_EQ(str(json_of(res).at("code")), "PARAM_ERROR") << body;
        EXPECT_TRUE(platform_signed(res));
    }
    auto huge = v3("POST", "/v3/pay/transactions/native", std::string(std::size_t{70} * 1024, ' '));
    EXPECT_EQ(huge.status, 413);

    boost::json::object wrong_app = json_of(wechatpay::HttpResponse{200, {}, native_body("GM20240007", 1, "http://x")});
    wrong_app["appid"] = "wx0000000000000000";
    auto res = v3("POST", "/v3/pay/transactions/native", boost::json::serialize(wrong_app));
    EXPECT_EQ(res.status, 400);
    EXPECT_EQ(str(json_of(res).at("code")), "APPID_MCHID_NOT_MATCH");
}

}  // namespace
}  // namespace gomall::emulator::test
