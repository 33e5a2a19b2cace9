// The running emulator at its memory bounds: WeChat's load-shedding answer in each wire format
// when every trade it holds is live, WeChat's unknown-order answer for a trade it has forgotten, and
// a trade kept while its notification is still being retried.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "unit/emulator/emulator_harness.hpp"

namespace gomall::emulator::test {
namespace {

using wechatpay::FlatXml;
using wechatpay::V2SignType;

class TradeLimitsTest : public EmulatorTest {
protected:
    void SetUp() override {
        auto s = settings();
        s.max_trades = 2;
        s.max_refunds = 2;
        start(std::move(s));
    }

    static FlatXml v2_order(const std::string& out_trade_no, const std::string& notify_url) {
        return {
            {"body", "GoMall order"},
            {"out_trade_no", out_trade_no},
            {"total_fee", "100"},
            {"spbill_create_ip", "127.0.0.1"},
            {"notify_url", notify_url},
            {"trade_type", "NATIVE"},
            {"product_id", "42"},
        };
    }

    boost::json::object health() const { return json_of(get("/emulator/health")); }

    bool notifications_done() const { return health().at("pending_notifications").to_number<std::uint64_t>() == 0; }

    wechatpay::HttpResponse query_v3(const std::string& out_trade_no) const {
        return v3("GET", "/v3/pay/transactions/out-trade-no/" + out_trade_no + "?mchid=" + kMchId);
    }
};

TEST_F(TradeLimitsTest, V3RefusesWithFrequencyLimitedWhenAllAreLiveAndForgetsTheOldestFinalOne) {
    NotifyReceiver shop([](int) { return NotifyReceiver::Answer{204, "", "text/plain"}; });
    create_v3("LIMIT0001", 100, shop.url());
    create_v3("LIMIT0002", 100, shop.url());

    auto refused = v3("POST", "/v3/pay/transactions/native", native_body("LIMIT0003", 100, shop.url()));
    EXPECT_EQ(refused.status, 429) << refused.body;
    EXPECT_EQ(str(json_of(refused).at("code")), "FREQUENCY_LIMITED");
    EXPECT_TRUE(platform_signed(refused));
    EXPECT_EQ(query_v3("LIMIT0003").status, 404) << "nothing was stored for the refused order";
    EXPECT_EQ(query_v3("LIMIT0001").status, 200) << "an unpaid trade is never forgotten";

    ASSERT_EQ(pay("LIMIT0001"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1 && notifications_done(); }));
    create_v3("LIMIT0003", 100, shop.url());

    auto forgotten = query_v3("LIMIT0001");
    EXPECT_EQ(forgotten.status, 404) << forgotten.body;
    EXPECT_EQ(str(json_of(forgotten).at("code")), "ORDER_NOT_EXIST");
    EXPECT_TRUE(platform_signed(forgotten));
    EXPECT_EQ(query_v3("LIMIT0002").status, 200);
    EXPECT_EQ(get("/emulator/transactions/LIMIT0001").status, 404);

    const auto trades = health().at("trades").as_object();
    EXPECT_EQ(trades.at("held").to_number<std::uint64_t>(), 2U);
    EXPECT_EQ(trades.at("live").to_number<std::uint64_t>(), 2U);
    EXPECT_EQ(trades.at("evicted").to_number<std::uint64_t>(), 1U);
    EXPECT_EQ(trades.at("max_trades").to_number<std::uint64_t>(), 2U);
}

TEST_F(TradeLimitsTest, V2RefusesWithSystemErrorWhenAllAreLiveAndForgetsTheOldestFinalOne) {
    NotifyReceiver shop([](int) {
        return NotifyReceiver::Answer{200, "<xml><return_code>SUCCESS</return_code></xml>", "text/xml"};
    });
    auto accepted = [](const wechatpay::HttpResponse& res) {
        return xml_of(res)["result_code"] == "SUCCESS";
    };
    ASSERT_TRUE(accepted(v2("/pay/unifiedorder", v2_order("V2LIMIT01", shop.url()))));
    ASSERT_TRUE(accepted(v2("/pay/unifiedorder", v2_order("V2LIMIT02", shop.url()))));

    auto refused = v2("/pay/unifiedorder", v2_order("V2LIMIT03", shop.url()));
    ASSERT_EQ(refused.status, 200);
    auto fields = xml_of(refused);
    EXPECT_EQ(fields["return_code"], "SUCCESS");
    EXPECT_EQ(fields["result_code"], "FAIL");
    EXPECT_EQ(fields["err_code"], "SYSTEMERROR");
    EXPECT_TRUE(wechatpay::v2_verify(fields, kApiV2Key, V2SignType::kMd5)) << refused.body;

    ASSERT_EQ(pay("V2LIMIT01"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1 && notifications_done(); }));
    ASSERT_TRUE(accepted(v2("/pay/unifiedorder", v2_order("V2LIMIT03", shop.url()))));

    auto forgotten = xml_of(v2("/pay/orderquery", {{"out_trade_no", "V2LIMIT01"}}));
    EXPECT_EQ(forgotten["result_code"], "FAIL");
    EXPECT_EQ(forgotten["err_code"], "ORDERNOTEXIST");
    auto kept = xml_of(v2("/pay/orderquery", {{"out_trade_no", "V2LIMIT02"}}));
    EXPECT_EQ(kept["trade_state"], "NOTPAY");
}

TEST_F(TradeLimitsTest, APaidTradeIsKeptWhileItsNotificationIsRetried) {
    NotifyReceiver shop([](int) { return NotifyReceiver::Answer{500, "busy", "text/plain"}; });
    create_v3("RETRY0001", 100, shop.url());
    ASSERT_EQ(pay("RETRY0001"), 200);
    create_v3("RETRY0002", 100, shop.url());

    // Attempts 1..3 of 4 fail: the paid trade is still owed its notification.
    ASSERT_TRUE(wait_until([&] { return shop.count() >= 1; }));
    auto refused = v3("POST", "/v3/pay/transactions/native", native_body("RETRY0003", 100, shop.url()));
    EXPECT_EQ(refused.status, 429) << "refused while RETRY0001 is being notified (attempts so far: " << shop.count()
                                   << ")";
    EXPECT_EQ(query_v3("RETRY0001").status, 200);

    // All attempts used up: nothing more will happen to it, so it may go.
    ASSERT_TRUE(wait_until([&] { return shop.count() == 4 && notifications_done(); }));
    create_v3("RETRY0003", 100, shop.url());
    EXPECT_EQ(query_v3("RETRY0001").status, 404);
}

TEST_F(TradeLimitsTest, HostileFloodOfNewOrdersLeavesTheStoreAtItsCap) {
    for (int i = 0; i < 50; ++i) {
        auto res =
            v3("POST",
               "/v3/pay/transactions/native",
               native_body("FLOOD" + std::to_string(1000 + i), 1, "http://127.0.0.1:9/n"));
        EXPECT_EQ(res.status, i < 2 ? 200 : 429) << i << ": " << res.body;
    }
    const auto trades = health().at("trades").as_object();
    EXPECT_EQ(trades.at("held").to_number<std::uint64_t>(), 2U);
    EXPECT_EQ(trades.at("evicted").to_number<std::uint64_t>(), 0U);
}

}  // namespace
}  // namespace gomall::emulator::test
