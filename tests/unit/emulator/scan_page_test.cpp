// The payer's page: what it shows, escaping, paying with the form, and the refusals.
#include <string>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "adapters/wechatpay/china_time.hpp"
#include "unit/emulator/emulator_harness.hpp"

namespace gomall::emulator::test {
namespace {

class ScanPageTest : public EmulatorTest {
protected:
    static std::string token_of(const std::string& code_url) { return code_url.substr(code_url.find("pr=") + 3); }

    wechatpay::HttpResponse pay_form(const std::string& token) const {
        return post("/pay/scan", "pr=" + token, "application/x-www-form-urlencoded");
    }
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

TEST_F(ScanPageTest, ShowsTheOrderEscapedAndPaysWithTheForm) {
    NotifyReceiver shop;
    boost::json::object body{
        {"appid", kAppId},
        {"mchid", kMchId},
        {"description", "<script>alert('x')</script> & \"tea\""},
        {"out_trade_no", "SC20240001"},
        {"notify_url", shop.url()},
        {"amount", boost::json::object{{"total", 123}}},
    };
    auto created = v3("POST", "/v3/pay/transactions/native", boost::json::serialize(body));
    ASSERT_EQ(created.status, 200) << created.body;
    const auto token = token_of(str(json_of(created).at("code_url")));

    auto page = get("/pay/scan?pr=" + token);
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.headers["content-type"].rfind("text/html", 0), 0U);
    EXPECT_FALSE(contains(page.body, "<script>"));
    EXPECT_TRUE(contains(page.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;tea&quot;"));
    EXPECT_TRUE(contains(page.body, "data-testid=\"pay-amount\">¥1.23<"));
    EXPECT_TRUE(contains(page.body, "data-testid=\"pay-button\""));
    EXPECT_TRUE(contains(page.body, "data-state=\"NOTPAY\""));
    EXPECT_TRUE(contains(page.body, kMchId));
    EXPECT_FALSE(contains(page.body, "src=")) << "nothing is loaded from elsewhere";

    auto paid = pay_form(token);
    ASSERT_EQ(paid.status, 200) << paid.body;
    EXPECT_TRUE(contains(paid.body, "Payment complete"));
    EXPECT_TRUE(contains(paid.body, "data-testid=\"pay-status\" data-state=\"SUCCESS\""));
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; })) << "the payment is notified";
    EXPECT_EQ(str(transaction_log("SC20240001").at("trade_state")), "SUCCESS");

    auto after = get("/pay/scan?pr=" + token);
    EXPECT_TRUE(contains(after.body, "data-state=\"SUCCESS\""));
    EXPECT_FALSE(contains(after.body, "pay-button"));
    auto twice = pay_form(token);
    EXPECT_EQ(twice.status, 409);
    EXPECT_TRUE(contains(twice.body, "already paid"));
    EXPECT_EQ(shop.count(), 1U);
}

TEST_F(ScanPageTest, AnExpiredPaymentCannotBePaid) {
    boost::json::object body{
        {"appid", kAppId},
        {"mchid", kMchId},
        {"description", "tea"},
        {"out_trade_no", "SC20240002"},
        {"notify_url", "http://127.0.0.1:9/n"},
        {"time_expire", wechatpay::format_rfc3339_china(clock_.now() + std::chrono::seconds(60))},
        {"amount", boost::json::object{{"total", 1}}},
    };
    auto created = v3("POST", "/v3/pay/transactions/native", boost::json::serialize(body));
    ASSERT_EQ(created.status, 200) << created.body;
    const auto token = token_of(str(json_of(created).at("code_url")));
    clock_.advance(std::chrono::seconds(120));

    auto page = get("/pay/scan?pr=" + token);
    EXPECT_TRUE(contains(page.body, "data-state=\"EXPIRED\""));
    EXPECT_FALSE(contains(page.body, "pay-button"));
    auto refused = pay_form(token);
    EXPECT_EQ(refused.status, 409);
    EXPECT_TRUE(contains(refused.body, "expired"));
    EXPECT_EQ(str(transaction_log("SC20240002").at("trade_state")), "NOTPAY");
}

TEST_F(ScanPageTest, AClosedPaymentCannotBePaid) {
    const auto token = token_of(create_v3("SC20240003", 5));
    ASSERT_EQ(
        v3("POST", "/v3/pay/transactions/out-trade-no/SC20240003/close", R"({"mchid":"1900000109"})").status, 204
    );
    auto page = get("/pay/scan?pr=" + token);
    EXPECT_TRUE(contains(page.body, "data-state=\"CLOSED\""));
    EXPECT_FALSE(contains(page.body, "pay-button"));
    auto refused = pay_form(token);
    EXPECT_EQ(refused.status, 409);
    EXPECT_TRUE(contains(refused.body, "closed"));
}

TEST_F(ScanPageTest, AnUnknownCodeIsNotFound) {
    EXPECT_EQ(get("/pay/scan?pr=nosuchtoken").status, 404);
    EXPECT_EQ(get("/pay/scan").status, 404);
    EXPECT_EQ(pay_form("nosuchtoken").status, 404);
    EXPECT_EQ(post("/pay/scan", "%%%", "application/x-www-form-urlencoded").status, 404);
}

TEST_F(ScanPageTest, TheTestApiShowsTheScanUrlAndHealth) {
    const auto code_url = create_v3("SC20240004", 5);
    auto log = transaction_log("SC20240004");
    EXPECT_EQ(str(log.at("code_url")), code_url);
    EXPECT_EQ(str(log.at("scan_url")), server_->base_url() + "/pay/scan?pr=" + token_of(code_url));
    auto health = get("/emulator/health");
    ASSERT_EQ(health.status, 200);
    EXPECT_EQ(str(json_of(health).at("status")), "ok");
}

}  // namespace
}  // namespace gomall::emulator::test
