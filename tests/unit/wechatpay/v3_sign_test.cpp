// APIv3 signature messages, the Authorization header, timestamps, and RSA signatures over the
// messages (with RsaKey from crypto.hpp, as the adapters use them).
#include "adapters/wechatpay/v3_sign.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "adapters/wechatpay/crypto.hpp"
#include "unit/wechatpay/test_keys.hpp"

namespace gomall::wechatpay {
namespace {

V3Authorization sample_auth() {
    return {
        "1900009191",
        "593BEC0C930BF1AFEB40B4A08C8FB242",
        "c2ln+/bmF0dXJl==",
        "1554208460",
        "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"};
}

TEST(V3MessageTest, RequestMessageEndsEveryLineWithANewline) {
    // The walkthrough of WeChat Pay's "签名生成" page: GET /v3/certificates, empty body.
    EXPECT_EQ(
        v3_request_message("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", ""),
        test::kDocRequestMessage
    );
    EXPECT_EQ(
        v3_request_message("POST", "/v3/pay/transactions/native?x=1", "1", "n", R"({"a":1})"),
        "POST\n/v3/pay/transactions/native?x=1\n1\nn\n{\"a\":1}\n"
    );
    // A body ending in a newline still gets its own.
    EXPECT_EQ(v3_request_message("PUT", "/p", "1", "n", "b\n"), "PUT\n/p\n1\nn\nb\n\n");
}

TEST(V3MessageTest, ResponseMessageHasThreeLines) {
    EXPECT_EQ(
        v3_response_message("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", R"({"data":[]})"),
        "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[]}\n"
    );
    EXPECT_EQ(v3_response_message("1", "n", ""), "1\nn\n\n");  // 204 No Content
}

TEST(V3AuthorizationTest, FormatsTheDocumentedShape) {
    EXPECT_EQ(
        format_v3_authorization(sample_auth()),
        "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\","
        "signature=\"c2ln+/bmF0dXJl==\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\""
    );
}

TEST(V3AuthorizationTest, RoundTrips) {
    const auto parsed = parse_v3_authorization(format_v3_authorization(sample_auth()));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->mchid, "1900009191");
    EXPECT_EQ(parsed->nonce_str, "593BEC0C930BF1AFEB40B4A08C8FB242");
    EXPECT_EQ(parsed->signature, "c2ln+/bmF0dXJl==");
    EXPECT_EQ(parsed->timestamp, "1554208460");
    EXPECT_EQ(parsed->serial_no, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");
}

TEST(V3AuthorizationTest, AcceptsAnyOrderAndOptionalSpaces) {
    const auto parsed = parse_v3_authorization(
        "WECHATPAY2-SHA256-RSA2048  serial_no=\"S\", timestamp = \"1\",signature=\"sig=\" "
        ",nonce_str=\"N\",\tmchid=\"M\""
    );
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->mchid, "M");
    EXPECT_EQ(parsed->nonce_str, "N");
    EXPECT_EQ(parsed->signature, "sig=");
    EXPECT_EQ(parsed->timestamp, "1");
    EXPECT_EQ(parsed->serial_no, "S");
    // Auth schemes are case-insensitive (RFC 9110, 11.1).
    EXPECT_TRUE(
        parse_v3_authorization(
            "wechatpay2-sha256-rsa2048 mchid=\"M\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\""
        )
            .has_value()
    );
}

TEST(V3AuthorizationTest, RefusesAnythingElse) {
    const std::string ok = "mchid=\"M\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"";
    const std::string scheme = "WECHATPAY2-SHA256-RSA2048 ";
    ASSERT_TRUE(parse_v3_authorization(scheme + ok).has_value());
    for (const std::string& bad : {
             ok,                                                                      // no scheme
             "Bearer " + ok,                                                          // another scheme
             "WECHATPAY2-SHA256-RSA2048" + ok,                                        // no space after the scheme
             "WECHATPAY2-SHA256-RSA20480 " + ok,                                      // a longer scheme
             scheme,                                                                  // no fields
             std::string("WECHATPAY2-SHA256-RSA2048"),                                // scheme only
             scheme + ok + ",mchid=\"M\"",                                            // duplicate
             scheme + ok + ",extra=\"x\"",                                            // unknown field
             scheme + "mchid=\"M\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\"",  // missing
             scheme + ok + ",",                                                       // trailing comma
             scheme + "," + ok,                                                       // leading comma
             scheme + "mchid=\"M\",,nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + "mchid=M,nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",  // unquoted
             scheme + "mchid=\"M,nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + "mchid=\"\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",  // empty
             scheme + "mchid=\"M\" nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + "MCHID=\"M\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + "mchid=\"M\\\"\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + ok + "\r\nX-Injected: 1",
             scheme + "mchid=\"M\x01\",nonce_str=\"N\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"",
             scheme + ok + " " + std::string(5000, ' '),  // over the size bound
         }) {
        EXPECT_FALSE(parse_v3_authorization(bad).has_value()) << bad;
    }
}

TEST(V3AuthorizationTest, FormatRefusesValuesThatWouldBreakTheHeader) {
    V3Authorization auth = sample_auth();
    auth.signature = "a\"b";
    EXPECT_THROW((void)format_v3_authorization(auth), std::invalid_argument);
    auth = sample_auth();
    auth.mchid = "1\r\nX: y";
    EXPECT_THROW((void)format_v3_authorization(auth), std::invalid_argument);
}

TEST(V3TimestampTest, AcceptsOnlyDecimalSecondsWithinTheSkew) {
    constexpr std::int64_t kNow = 1'700'000'000;
    EXPECT_TRUE(v3_timestamp_fresh("1700000000", kNow));
    EXPECT_TRUE(v3_timestamp_fresh("1700000300", kNow));
    EXPECT_TRUE(v3_timestamp_fresh("1699999700", kNow));
    EXPECT_FALSE(v3_timestamp_fresh("1700000301", kNow));
    EXPECT_FALSE(v3_timestamp_fresh("1699999699", kNow));
    EXPECT_TRUE(v3_timestamp_fresh("1700000010", kNow, 10));
    EXPECT_FALSE(v3_timestamp_fresh("1700000011", kNow, 10));
    EXPECT_FALSE(v3_timestamp_fresh("1700000000", kNow, -1));
    for (const std::string_view bad :
         {"",
          " 1700000000",
          "1700000000 ",
          "+1700000000",
          "-1",
          "17000000.0",
          "1e9",
          "0x6553F100",
          "1700000000000000000000",
          "999999999999999999"}) {
        EXPECT_FALSE(v3_timestamp_fresh(bad, kNow)) << bad;
    }
    // Extreme clocks do not overflow the distance.
    EXPECT_FALSE(v3_timestamp_fresh("999999999999999999", std::numeric_limits<std::int64_t>::min()));
    EXPECT_FALSE(v3_timestamp_fresh("0", std::numeric_limits<std::int64_t>::max()));
    EXPECT_TRUE(v3_timestamp_fresh("0", 0, 0));
}

TEST(V3SignatureTest, RequestSignatureMatchesOpenSslForTheDocumentedMessage) {
    const RsaKey merchant = RsaKey::private_from_pem(test::kPrivateKeyPkcs8);
    const std::string message =
        v3_request_message("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", "");
    EXPECT_EQ(merchant.sign_sha256(message), test::kDocRequestSignature);
}

TEST(V3SignatureTest, RoundTripAndRefusals) {
    const RsaKey platform = RsaKey::generate();
    const RsaKey other = RsaKey::generate();
    const RsaKey platform_public = RsaKey::public_from_pem(platform.public_pem());
    const std::string body = R"({"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"})";
    const std::string message = v3_response_message("1554209980", "fdasflkja484w", body);
    const std::string signature = platform.sign_sha256(message);

    EXPECT_TRUE(platform_public.verify_sha256(message, signature));
    // Tampered body, timestamp or nonce.
    EXPECT_FALSE(
        platform_public.verify_sha256(v3_response_message("1554209980", "fdasflkja484w", body + " "), signature)
    );
    EXPECT_FALSE(platform_public.verify_sha256(v3_response_message("1554209981", "fdasflkja484w", body), signature));
    EXPECT_FALSE(platform_public.verify_sha256(v3_response_message("1554209980", "fdasflkja484x", body), signature));
    // Signed by another key.
    EXPECT_FALSE(platform_public.verify_sha256(message, other.sign_sha256(message)));
    // Bad base64.
    EXPECT_FALSE(platform_public.verify_sha256(message, signature.substr(0, signature.size() - 1)));
    EXPECT_FALSE(platform_public.verify_sha256(message, " " + signature));
    EXPECT_FALSE(platform_public.verify_sha256(message, "not base64!"));
}

TEST(V3SignatureTest, AuthorizationCarriesAVerifiableRequestSignature) {
    const RsaKey merchant = RsaKey::generate();
    const std::string body = R"({"amount":{"total":1}})";
    V3Authorization auth = sample_auth();
    auth.signature = merchant.sign_sha256(
        v3_request_message("POST", "/v3/pay/transactions/native", auth.timestamp, auth.nonce_str, body)
    );
    const auto parsed = parse_v3_authorization(format_v3_authorization(auth));
    ASSERT_TRUE(parsed.has_value());
    const RsaKey merchant_public = RsaKey::public_from_pem(merchant.public_pem());
    EXPECT_TRUE(merchant_public.verify_sha256(
        v3_request_message("POST", "/v3/pay/transactions/native", parsed->timestamp, parsed->nonce_str, body),
        parsed->signature
    ));
    EXPECT_FALSE(merchant_public.verify_sha256(
        v3_request_message("POST", "/v3/pay/transactions/jsapi", parsed->timestamp, parsed->nonce_str, body),
        parsed->signature
    ));
}

}  // namespace
}  // namespace gomall::wechatpay
