// APIv2 signatures against the worked example of WeChat Pay's "安全规范" (signature algorithm)
// page, pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=4_3.
#include "adapters/wechatpay/v2_sign.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gomall::wechatpay {
namespace {

constexpr std::string_view kDocKey = "192006250b4c09247ec02edce69f6a2d";

FlatXml doc_fields() {
    return {
        {"appid", "wxd930ea5d5a258f4f"},
        {"mch_id", "10000100"},
        {"device_info", "1000"},
        {"body", "test"},
        {"nonce_str", "ibuaiVcKdpRxkhJA"},
    };
}

TEST(V2SignTest, BuildsTheDocumentedSignString) {
    EXPECT_EQ(
        v2_sign_string(doc_fields(), kDocKey),
        "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
        "&key=192006250b4c09247ec02edce69f6a2d"
    );
}

TEST(V2SignTest, MatchesTheDocumentedSignatures) {
    EXPECT_EQ(v2_sign(doc_fields(), kDocKey, V2SignType::kMd5), "9A0A8659F005D6984697E2CA0A9CF3B7");
    EXPECT_EQ(
        v2_sign(doc_fields(), kDocKey, V2SignType::kHmacSha256),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
}

TEST(V2SignTest, LeavesOutEmptyFieldsAndSign) {
    FlatXml fields = doc_fields();
    fields["sign"] = "ANYTHING";
    fields["attach"] = "";
    fields["sign_type"] = "";
    EXPECT_EQ(v2_sign_string(fields, kDocKey), v2_sign_string(doc_fields(), kDocKey));
    EXPECT_EQ(v2_sign(fields, kDocKey, V2SignType::kMd5), "9A0A8659F005D6984697E2CA0A9CF3B7");
    // A field that is present and non-empty does count, sign_type included.
    fields["sign_type"] = "MD5";
    EXPECT_NE(v2_sign(fields, kDocKey, V2SignType::kMd5), "9A0A8659F005D6984697E2CA0A9CF3B7");
}

TEST(V2SignTest, SortsNamesByAsciiAndKeepsValuesVerbatim) {
    const FlatXml fields{{"b", "2"}, {"B", "1"}, {"a_b", "x y&z=中"}, {"a", "0"}};
    EXPECT_EQ(v2_sign_string(fields, "k"), "B=1&a=0&a_b=x y&z=中&b=2&key=k");
    EXPECT_EQ(v2_sign_string({}, "k"), "key=k");
}

TEST(V2SignTest, VerifyAcceptsTheRightSignatureOnly) {
    FlatXml fields = doc_fields();
    fields["sign"] = "9A0A8659F005D6984697E2CA0A9CF3B7";
    EXPECT_TRUE(v2_verify(fields, kDocKey, V2SignType::kMd5));
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kHmacSha256));
    EXPECT_FALSE(v2_verify(fields, "192006250b4c09247ec02edce69f6a2e", V2SignType::kMd5));

    fields["sign"] = "9a0a8659f005d6984697e2ca0a9cf3b7";  // WeChat sends upper case
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kMd5));
    fields["sign"] = "9A0A8659F005D6984697E2CA0A9CF3B";
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kMd5));
    fields["sign"] = "";
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kMd5));
    fields.erase("sign");
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kMd5));

    fields["sign"] = "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6";
    EXPECT_TRUE(v2_verify(fields, kDocKey, V2SignType::kHmacSha256));
    fields["body"] = "test2";
    EXPECT_FALSE(v2_verify(fields, kDocKey, V2SignType::kHmacSha256));
}

TEST(V2SignTest, SignAndVerifyRoundTrip) {
    FlatXml fields{{"return_code", "SUCCESS"}, {"out_trade_no", "202401010001"}, {"total_fee", "1"}};
    for (const V2SignType type : {V2SignType::kMd5, V2SignType::kHmacSha256}) {
        fields["sign"] = v2_sign(fields, "key", type);
        EXPECT_TRUE(v2_verify(fields, "key", type));
    }
}

TEST(V2SignTest, ParsesAndNamesSignTypes) {
    EXPECT_EQ(parse_v2_sign_type("MD5"), V2SignType::kMd5);
    EXPECT_EQ(parse_v2_sign_type("HMAC-SHA256"), V2SignType::kHmacSha256);
    for (const std::string_view bad : {"", "md5", "hmac-sha256", "HMAC_SHA256", "SHA256", "MD5 ", "RSA"}) {
        EXPECT_FALSE(parse_v2_sign_type(bad).has_value()) << bad;
    }
    EXPECT_EQ(v2_sign_type_name(V2SignType::kMd5), "MD5");
    EXPECT_EQ(v2_sign_type_name(V2SignType::kHmacSha256), "HMAC-SHA256");
    for (const V2SignType type : {V2SignType::kMd5, V2SignType::kHmacSha256}) {
        EXPECT_EQ(parse_v2_sign_type(v2_sign_type_name(type)), type);
    }
}

}  // namespace
}  // namespace gomall::wechatpay
