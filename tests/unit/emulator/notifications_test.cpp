// Notifications reaching a small HTTP server that plays the shop: APIv3 signed and encrypted,
// APIv2 signed XML, retries on a doubling schedule, and each tamper option doing what it says.
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "emulator/notifier.hpp"
#include "unit/emulator/emulator_harness.hpp"

namespace gomall::emulator::test {
namespace {

using NotificationTest = EmulatorTest;

/// What the shop would do with an APIv3 notification: check the signature, then decrypt.
struct OpenedV3 {
    bool signature_ok = false;
    std::int64_t timestamp = 0;
    boost::json::object envelope;
    std::optional<std::string> plaintext;
};

OpenedV3 open_v3(const NotifyReceiver::Received& n) {
    OpenedV3 out;
    auto header = [&n](const char* name) {
        auto it = n.headers.find(name);
        return it == n.headers.end() ? std::string{} : it->second;
    };
    out.signature_ok =
        header("wechatpay-serial") == kPlatformSerial &&
        keys().platform_public.verify_sha256(
            wechatpay::v3_response_message(header("wechatpay-timestamp"), header("wechatpay-nonce"), n.body),
            header("wechatpay-signature")
        );
    out.timestamp = std::stoll(header("wechatpay-timestamp"));
    out.envelope = boost::json::parse(n.body).as_object();
    const auto& resource = out.envelope.at("resource").as_object();
    out.plaintext = wechatpay::aes256gcm_decrypt_base64(
        kApiV3Key, str(resource.at("nonce")), str(resource.at("associated_data")), str(resource.at("ciphertext"))
    );
    return out;
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST_F(NotificationTest, APaymentIsNotifiedSignedAndEncryptedAsWeChatDoes) {
    NotifyReceiver shop([](int) { return NotifyReceiver::Answer{204, "", "text/plain"}; });
    create_v3("NT20240001", 4200, shop.url());
    ASSERT_EQ(pay("NT20240001"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));

    const auto received = shop.received().front();
    EXPECT_EQ(received.headers.at("content-type"), "application/json");
    auto opened = open_v3(received);
    EXPECT_TRUE(opened.signature_ok);
    EXPECT_LE(std::abs(opened.timestamp - unix_now()), 5);
    const auto& envelope = opened.envelope;
    EXPECT_FALSE(str(envelope.at("id")).empty());
    EXPECT_EQ(str(envelope.at("event_type")), "TRANSACTION.SUCCESS");
    EXPECT_EQ(str(envelope.at("resource_type")), "encrypt-resource");
    EXPECT_FALSE(str(envelope.at("summary")).empty());
    EXPECT_EQ(str(envelope.at("create_time")).substr(19), "+08:00");
    const auto& resource = envelope.at("resource").as_object();
    EXPECT_EQ(str(resource.at("algorithm")), "AEAD_AES_256_GCM");
    EXPECT_EQ(str(resource.at("original_type")), "transaction");
    EXPECT_EQ(str(resource.at("associated_data")), "transaction");
    EXPECT_EQ(str(resource.at("nonce")).size(), 12U);

    ASSERT_TRUE(opened.plaintext) << "decrypts with the APIv3 key";
    auto transaction = boost::json::parse(*opened.plaintext).as_object();
    EXPECT_EQ(str(transaction.at("out_trade_no")), "NT20240001");
    EXPECT_EQ(str(transaction.at("trade_state")), "SUCCESS");
    EXPECT_EQ(str(transaction.at("mchid")), kMchId);
    EXPECT_EQ(str(transaction.at("appid")), kAppId);
    EXPECT_EQ(transaction.at("amount").at("total").as_int64(), 4200);
    // The same document the query answers.
    auto queried = json_of(v3("GET", "/v3/pay/transactions/out-trade-no/NT20240001?mchid=1900000109"));
    EXPECT_EQ(transaction, queried);

    ASSERT_TRUE(wait_until([&] { return !transaction_log("NT20240001").at("deliveries").as_array().empty(); }));
    auto log = transaction_log("NT20240001");
    const auto& delivery = log.at("deliveries").as_array().at(0).as_object();
    EXPECT_EQ(delivery.at("attempt").as_int64(), 1);
    EXPECT_EQ(delivery.at("status").as_int64(), 204);
    EXPECT_TRUE(delivery.at("delivered").as_bool());
    EXPECT_EQ(str(log.at("trade_state")), "SUCCESS");
}

TEST_F(NotificationTest, AFailedDeliveryIsRetriedUntilTheShopAccepts) {
    NotifyReceiver shop([](int n) {
        return n < 2 ? NotifyReceiver::Answer{500, "busy", "text/plain"}
                     : NotifyReceiver::Answer{200, R"({"code":"SUCCESS"})", "application/json"};
    });
    create_v3("NT20240002", 100, shop.url());
    ASSERT_EQ(pay("NT20240002"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 3; }));
    ASSERT_TRUE(wait_until([&] { return server_->emulator().pending_notifications() == 0; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the next retry, were there one
    EXPECT_EQ(shop.count(), 3U);

    auto received = shop.received();
    EXPECT_EQ(str(open_v3(received[0]).envelope.at("id")), str(open_v3(received[2]).envelope.at("id")))
        << "a retry is the same event";
    const auto deliveries = transaction_log("NT20240002").at("deliveries").as_array();
    ASSERT_EQ(deliveries.size(), 3U);
    EXPECT_EQ(deliveries[0].at("status").as_int64(), 500);
    EXPECT_EQ(str(deliveries[0].at("answer")), "busy");
    EXPECT_FALSE(deliveries[0].at("delivered").as_bool());
    EXPECT_EQ(deliveries[2].at("attempt").as_int64(), 3);
    EXPECT_TRUE(deliveries[2].at("delivered").as_bool());
}

TEST_F(NotificationTest, DeliveriesStopAfterMaxDeliveries) {
    NotifyReceiver shop([](int) { return NotifyReceiver::Answer{503, "down", "text/plain"}; });
    create_v3("NT20240003", 100, shop.url());
    ASSERT_EQ(pay("NT20240003"), 200);
    ASSERT_TRUE(wait_until([&] { return server_->emulator().pending_notifications() == 0 && shop.count() > 0; }));
    EXPECT_EQ(shop.count(), 4U) << "max_deliveries is 4 in these tests";
}

TEST_F(NotificationTest, AShopThatDoesNotListenIsLoggedAndRetried) {
    create_v3("NT20240008", 100, "http://127.0.0.1:1/notify");
    ASSERT_EQ(pay("NT20240008"), 200);
    ASSERT_TRUE(wait_until([&] { return transaction_log("NT20240008").at("deliveries").as_array().size() == 4; }));
    const auto first = transaction_log("NT20240008").at("deliveries").as_array().at(0).as_object();
    EXPECT_EQ(first.at("status").as_int64(), 0);
    EXPECT_FALSE(str(first.at("answer")).empty()) << "curl's reason";
    EXPECT_FALSE(first.at("delivered").as_bool());
}

TEST(RetryScheduleTest, DoublesFromTheBaseUpToTheCap) {
    const RetrySchedule schedule{std::chrono::milliseconds(1000), std::chrono::milliseconds(30000)};
    EXPECT_EQ(Notifier::delay_after(1, schedule).count(), 1000);
    EXPECT_EQ(Notifier::delay_after(2, schedule).count(), 2000);
    EXPECT_EQ(Notifier::delay_after(5, schedule).count(), 16000);
    EXPECT_EQ(Notifier::delay_after(6, schedule).count(), 30000);
    EXPECT_EQ(Notifier::delay_after(14, schedule).count(), 30000);
}

TEST_F(NotificationTest, AnApiV2PaymentIsNotifiedInSignedXmlWithItsSignType) {
    NotifyReceiver shop([](int) {
        return NotifyReceiver::Answer{
            200, "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg>OK</return_msg></xml>", "text/xml"};
    });
    wechatpay::FlatXml order{
        {"body", "GoMall order"},
        {"out_trade_no", "NT2V0001"},
        {"total_fee", "321"},
        {"spbill_create_ip", "127.0.0.1"},
        {"notify_url", shop.url()},
        {"trade_type", "NATIVE"},
        {"product_id", "1"},
    };
    ASSERT_EQ(xml_of(v2("/pay/unifiedorder", order, wechatpay::V2SignType::kHmacSha256))["result_code"], "SUCCESS");
    ASSERT_EQ(pay("NT2V0001"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));

    auto fields = xml_of(wechatpay::HttpResponse{200, {}, shop.received().front().body});
    EXPECT_TRUE(wechatpay::v2_verify(fields, kApiV2Key, wechatpay::V2SignType::kHmacSha256));
    EXPECT_EQ(fields["return_code"], "SUCCESS");
    EXPECT_EQ(fields["result_code"], "SUCCESS");
    EXPECT_EQ(fields["appid"], kAppId);
    EXPECT_EQ(fields["mch_id"], kMchId);
    EXPECT_EQ(fields["out_trade_no"], "NT2V0001");
    EXPECT_EQ(fields["total_fee"], "321");
    EXPECT_EQ(fields["cash_fee"], "321");
    EXPECT_EQ(fields["fee_type"], "CNY");
    EXPECT_EQ(fields["trade_type"], "NATIVE");
    EXPECT_EQ(fields["transaction_id"].size(), 28U);
    EXPECT_EQ(fields["time_end"].size(), 14U);
    EXPECT_FALSE(fields["openid"].empty());
    EXPECT_FALSE(fields["bank_type"].empty());

    ASSERT_TRUE(wait_until([&] { return server_->emulator().pending_notifications() == 0; }));
    EXPECT_EQ(shop.count(), 1U);
    const auto deliveries = transaction_log("NT2V0001").at("deliveries").as_array();
    ASSERT_EQ(deliveries.size(), 1U);
    EXPECT_TRUE(deliveries[0].at("delivered").as_bool());
}

TEST_F(NotificationTest, AnApiV2AnswerWithoutSuccessIsRetried) {
    NotifyReceiver shop([](int n) {
        return NotifyReceiver::Answer{
            200,
            n == 0 ? "<xml><return_code>FAIL</return_code></xml>" : "<xml><return_code>SUCCESS</return_code></xml>",
            "text/xml"};
    });
    wechatpay::FlatXml order{
        {"body", "b"},
        {"out_trade_no", "NT2V0002"},
        {"total_fee", "1"},
        {"spbill_create_ip", "127.0.0.1"},
        {"notify_url", shop.url()},
        {"trade_type", "NATIVE"},
        {"product_id", "1"},
    };
    ASSERT_EQ(xml_of(v2("/pay/unifiedorder", order))["result_code"], "SUCCESS");
    ASSERT_EQ(pay("NT2V0002"), 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 2; }));
    auto fields = xml_of(wechatpay::HttpResponse{200, {}, shop.received().back().body});
    EXPECT_TRUE(wechatpay::v2_verify(fields, kApiV2Key, wechatpay::V2SignType::kMd5));
}

class TamperTest : public NotificationTest {
protected:
    /// Pays a fresh order with `tamper` while the shop answers 500, and returns what arrived.
    std::vector<NotifyReceiver::Received> tampered(const std::string& no, const std::string& tamper) {
        NotifyReceiver shop([](int) { return NotifyReceiver::Answer{500, "no", "text/plain"}; });
        create_v3(no, 700, shop.url());
        auto res = post_json("/emulator/pay", {{"out_trade_no", no}, {"tamper", tamper}});
        EXPECT_EQ(res.status, 200) << res.body;
        EXPECT_TRUE(wait_until([&] { return server_->emulator().pending_notifications() == 0 && shop.count() > 0; }));
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        return shop.received();
    }
};

TEST_F(TamperTest, BadSignatureIsDeliveredOnceAndDoesNotVerify) {
    auto received = tampered("TP20240001", "bad_signature");
    ASSERT_EQ(received.size(), 1U) << "a tampered notification is not retried";
    auto opened = open_v3(received[0]);
    EXPECT_FALSE(opened.signature_ok);
    EXPECT_TRUE(opened.plaintext) << "only the signature is spoiled";
}

TEST_F(TamperTest, WrongMchidAppidAndCurrencyAreSignedButSayTheWrongThing) {
    auto mchid = open_v3(tampered("TP20240002", "wrong_mchid").at(0));
    EXPECT_TRUE(mchid.signature_ok);
    ASSERT_TRUE(mchid.plaintext);
    EXPECT_NE(str(boost::json::parse(*mchid.plaintext).at("mchid")), kMchId);

    auto appid = open_v3(tampered("TP20240003", "wrong_appid").at(0));
    ASSERT_TRUE(appid.plaintext);
    EXPECT_NE(str(boost::json::parse(*appid.plaintext).at("appid")), kAppId);

    auto currency = open_v3(tampered("TP20240004", "wrong_currency").at(0));
    ASSERT_TRUE(currency.plaintext);
    EXPECT_NE(str(boost::json::parse(*currency.plaintext).at("amount").at("currency")), "CNY");
}

TEST_F(TamperTest, StaleTimestampIsSignedTenMinutesAgo) {
    auto opened = open_v3(tampered("TP20240005", "stale_timestamp").at(0));
    EXPECT_TRUE(opened.signature_ok);
    EXPECT_LT(opened.timestamp, unix_now() - 300);
}

TEST_F(TamperTest, TruncatedCiphertextDoesNotDecrypt) {
    auto opened = open_v3(tampered("TP20240006", "truncated_ciphertext").at(0));
    EXPECT_TRUE(opened.signature_ok);
    EXPECT_FALSE(opened.plaintext);
}

TEST_F(NotificationTest, TheTestApiRefusesUnknownTampersAndOnesApiV2CannotCarry) {
    create_v3("TP20240007", 1);
    EXPECT_EQ(post_json("/emulator/pay", {{"out_trade_no", "TP20240007"}, {"tamper", "bogus"}}).status, 400);
    auto notify = post_json(
        "/emulator/notify",
        {{"out_trade_no", "X1"},
         {"notify_url", "http://127.0.0.1:9/n"},
         {"protocol", "v2"},
         {"amount", 1},
         {"tamper", "truncated_ciphertext"}}
    );
    EXPECT_EQ(notify.status, 400);
    EXPECT_EQ(post_json("/emulator/pay", {{"out_trade_no", "NOSUCHORDER"}}).status, 404);
    EXPECT_EQ(post("/emulator/pay", "{bad", "application/json").status, 400);
}

TEST_F(NotificationTest, DuplicateDeliversTheSameEventTwice) {
    NotifyReceiver shop;
    create_v3("NT20240004", 100, shop.url());
    ASSERT_EQ(post_json("/emulator/pay", {{"out_trade_no", "NT20240004"}, {"duplicate", true}}).status, 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 2; }));
    auto received = shop.received();
    EXPECT_EQ(str(open_v3(received[0]).envelope.at("id")), str(open_v3(received[1]).envelope.at("id")));
}

TEST_F(NotificationTest, IgnoreClosedPaysAClosedOrder) {
    NotifyReceiver shop;
    create_v3("NT20240005", 100, shop.url());
    ASSERT_EQ(
        v3("POST", "/v3/pay/transactions/out-trade-no/NT20240005/close", R"({"mchid":"1900000109"})").status, 204
    );
    EXPECT_EQ(pay("NT20240005"), 409);
    ASSERT_EQ(post_json("/emulator/pay", {{"out_trade_no", "NT20240005"}, {"ignore_closed", true}}).status, 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));
    EXPECT_EQ(str(transaction_log("NT20240005").at("trade_state")), "SUCCESS");
}

TEST_F(NotificationTest, AnAmountOverrideIsWhatTheNotificationReports) {
    NotifyReceiver shop;
    create_v3("NT20240006", 1000, shop.url());
    ASSERT_EQ(post_json("/emulator/pay", {{"out_trade_no", "NT20240006"}, {"amount", 1}}).status, 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));
    auto opened = open_v3(shop.received().front());
    ASSERT_TRUE(opened.plaintext);
    auto amount = boost::json::parse(*opened.plaintext).at("amount");
    EXPECT_EQ(amount.at("total").as_int64(), 1);
    EXPECT_EQ(amount.at("payer_total").as_int64(), 1);
}

TEST_F(NotificationTest, NotifyAboutAnOrderTheEmulatorNeverSaw) {
    NotifyReceiver shop;
    auto res = post_json(
        "/emulator/notify",
        {{"out_trade_no", "UNKNOWN0001"}, {"notify_url", shop.url()}, {"protocol", "v3"}, {"amount", 55}}
    );
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));
    auto opened = open_v3(shop.received().front());
    EXPECT_TRUE(opened.signature_ok);
    ASSERT_TRUE(opened.plaintext);
    auto transaction = boost::json::parse(*opened.plaintext).as_object();
    EXPECT_EQ(str(transaction.at("out_trade_no")), "UNKNOWN0001");
    EXPECT_EQ(transaction.at("amount").at("total").as_int64(), 55);

    ASSERT_TRUE(wait_until([&] { return server_->emulator().pending_notifications() == 0; }));
    auto log = transaction_log("UNKNOWN0001");
    EXPECT_FALSE(log.at("known").as_bool());
    EXPECT_EQ(log.at("deliveries").as_array().size(), 1U);
    EXPECT_EQ(get("/emulator/transactions/NEVERHEARD").status, 404);

    NotifyReceiver v2_shop([](int) {
        return NotifyReceiver::Answer{200, "<xml><return_code>SUCCESS</return_code></xml>", "text/xml"};
    });
    ASSERT_EQ(
        post_json(
            "/emulator/notify",
            {{"out_trade_no", "UNKNOWN0002"},
             {"notify_url", v2_shop.url()},
             {"protocol", "v2"},
             {"amount", 9},
             {"sign_type", "HMAC-SHA256"}}
        ).status,
        200
    );
    ASSERT_TRUE(wait_until([&] { return v2_shop.count() == 1; }));
    auto fields = xml_of(wechatpay::HttpResponse{200, {}, v2_shop.received().front().body});
    EXPECT_TRUE(wechatpay::v2_verify(fields, kApiV2Key, wechatpay::V2SignType::kHmacSha256));
    EXPECT_EQ(fields["total_fee"], "9");
}

TEST_F(NotificationTest, ARefundWithANotifyUrlIsNotifiedAsRefundSuccess) {
    NotifyReceiver shop;
    create_v3("NT20240007", 100);
    ASSERT_EQ(pay("NT20240007"), 200);
    boost::json::object refund{
        {"out_trade_no", "NT20240007"},
        {"out_refund_no", "NTRF0001"},
        {"notify_url", shop.url()},
        {"amount", boost::json::object{{"refund", 100}, {"total", 100}, {"currency", "CNY"}}},
    };
    ASSERT_EQ(v3("POST", "/v3/refund/domestic/refunds", boost::json::serialize(refund)).status, 200);
    ASSERT_TRUE(wait_until([&] { return shop.count() == 1; }));
    auto opened = open_v3(shop.received().front());
    EXPECT_TRUE(opened.signature_ok);
    EXPECT_EQ(str(opened.envelope.at("event_type")), "REFUND.SUCCESS");
    EXPECT_EQ(str(opened.envelope.at("resource").at("original_type")), "refund");
    ASSERT_TRUE(opened.plaintext);
    auto plain = boost::json::parse(*opened.plaintext).as_object();
    EXPECT_EQ(str(plain.at("refund_status")), "SUCCESS");
    EXPECT_EQ(str(plain.at("out_refund_no")), "NTRF0001");
    EXPECT_EQ(str(plain.at("mchid")), kMchId);
    EXPECT_EQ(plain.at("amount").at("refund").as_int64(), 100);
}

}  // namespace
}  // namespace gomall::emulator::test
