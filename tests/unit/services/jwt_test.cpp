// Tests of HS256 token signing and every way verification must fail.
#include "services/jwt.hpp"

#include <array>
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

domain::AccessClaims sample_claims() {
    domain::AccessClaims c;
    c.user_id = 42;
    c.role = domain::Role::kAdmin;
    c.username = "alice";
    c.jti = "0123456789abcdef0123456789abcdef";
    c.session_id = "fedcba9876543210fedcba9876543210";
    c.issued_at = kNow;
    c.expires_at = kNow + 900s;
    return c;
}

// Builds a token from raw header and payload JSON, signed with HS256 under `secret`.
std::string forge(const std::string& header, const std::string& payload, const std::string& secret) {
    const std::string signing_input = base64url_encode(header) + "." + base64url_encode(payload);
    std::array<unsigned char, 32> mac{};
    unsigned int len = 0;
    HMAC(
        EVP_sha256(),
        secret.data(),
        static_cast<int>(secret.size()),
        reinterpret_cast<const unsigned char*>(signing_input.data()),
        signing_input.size(),
        mac.data(),
        &len
    );
    return signing_input + "." + base64url_encode(std::string(reinterpret_cast<const char*>(mac.data()), len));
}

const std::string kPayload =
    R"({"sub":"42","role":1,"username":"alice","jti":"abc","sid":"s1","iat":1800000000,"exp":1800000900})";

void expect_invalid(const Result<domain::AccessClaims>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kTokenInvalid);
}

TEST(JwtCodecTest, RoundTripKeepsEveryClaim) {
    const JwtCodec codec("test-secret");
    const auto claims = codec.verify(codec.sign(sample_claims()), kNow + 1s);
    ASSERT_TRUE(claims.ok()) << claims.error().message;
    EXPECT_EQ(claims->user_id, 42);
    EXPECT_EQ(claims->role, domain::Role::kAdmin);
    EXPECT_EQ(claims->username, "alice");
    EXPECT_EQ(claims->jti, sample_claims().jti);
    EXPECT_EQ(claims->session_id, sample_claims().session_id);
    EXPECT_EQ(claims->issued_at, kNow);
    EXPECT_EQ(claims->expires_at, kNow + 900s);
}

TEST(JwtCodecTest, AcceptsATokenForgedOnlyWithTheRightSecret) {
    const JwtCodec codec("test-secret");
    EXPECT_TRUE(codec.verify(forge(R"({"alg":"HS256","typ":"JWT"})", kPayload, "test-secret"), kNow).ok());
    EXPECT_TRUE(codec.verify(forge(R"({"alg":"HS256"})", kPayload, "test-secret"), kNow).ok());
}

TEST(JwtCodecTest, RejectsATamperedPayload) {
    const JwtCodec codec("test-secret");
    const std::string token = codec.sign(sample_claims());
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    domain::AccessClaims other = sample_claims();
    other.user_id = 1;
    const std::string other_token = codec.sign(other);
    const std::size_t other_first = other_token.find('.');
    const std::string other_payload =
        other_token.substr(other_first + 1, other_token.find('.', other_first + 1) - other_first - 1);
    const std::string tampered = token.substr(0, first + 1) + other_payload + token.substr(second);
    expect_invalid(codec.verify(tampered, kNow));
}

TEST(JwtCodecTest, RejectsATamperedSignatureAtEveryPosition) {
    const JwtCodec codec("test-secret");
    const std::string token = codec.sign(sample_claims());
    for (std::size_t i = token.rfind('.') + 1; i < token.size(); ++i) {
        std::string tampered = token;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        expect_invalid(codec.verify(tampered, kNow));
    }
    expect_invalid(codec.verify(token.substr(0, token.size() - 1), kNow));
    expect_invalid(codec.verify(token + "A", kNow));
}

TEST(JwtCodecTest, RejectsAlgNoneAndOtherAlgorithms) {
    const JwtCodec codec("test-secret");
    const std::string unsigned_token =
        base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(kPayload) + ".";
    expect_invalid(codec.verify(unsigned_token, kNow));
    expect_invalid(codec.verify(forge(R"({"alg":"none"})", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"({"alg":"HS512"})", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"({"alg":"hs256"})", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"({"typ":"JWT"})", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"({"alg":"HS256","crit":["x"]})", kPayload, "test-secret"), kNow));
}

TEST(JwtCodecTest, RejectsATokenSignedWithAnotherSecret) {
    const JwtCodec codec("test-secret");
    const JwtCodec other("other-secret");
    expect_invalid(codec.verify(other.sign(sample_claims()), kNow));
}

TEST(JwtCodecTest, RejectsAnExpiredTokenFromItsExpirySecondOn) {
    const JwtCodec codec("test-secret");
    const std::string token = codec.sign(sample_claims());
    EXPECT_TRUE(codec.verify(token, kNow + 899s).ok());
    const auto expired = codec.verify(token, kNow + 900s);
    expect_invalid(expired);
    EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
}

TEST(JwtCodecTest, RejectsGarbage) {
    const JwtCodec codec("test-secret");
    for (const std::string garbage : {"", "abc", "a.b", "a.b.c", "a.b.c.d", "..", "!!!.###.$$$", "Bearer x.y.z"}) {
        expect_invalid(codec.verify(garbage, kNow));
    }
    expect_invalid(codec.verify(forge("not json", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"(["HS256"])", kPayload, "test-secret"), kNow));
    expect_invalid(codec.verify(forge(R"({"alg":"HS256"})", "not json", "test-secret"), kNow));
    expect_invalid(codec.verify(std::string(5000, 'a'), kNow));
    // Standard base64 padding is not base64url.
    const std::string token = codec.sign(sample_claims());
    expect_invalid(codec.verify(token.substr(0, token.find('.')) + "=" + token.substr(token.find('.')), kNow));
}

TEST(JwtCodecTest, RejectsMissingOrMistypedClaims) {
    const JwtCodec codec("test-secret");
    const std::string header = R"({"alg":"HS256"})";
    for (const std::string payload : {
             R"({"role":1,"username":"a","jti":"j","sid":"s","iat":1800000000,"exp":1800000900})",
             R"({"sub":42,"role":1,"username":"a","jti":"j","sid":"s","iat":1800000000,"exp":1800000900})",
             R"({"sub":"42","role":3,"username":"a","jti":"j","sid":"s","iat":1800000000,"exp":1800000900})",
             R"({"sub":"42","role":1,"username":"a","jti":"","sid":"s","iat":1800000000,"exp":1800000900})",
             R"({"sub":"42","role":1,"username":"a","jti":"j","iat":1800000000,"exp":1800000900})",
             R"({"sub":"42","role":1,"username":"a","jti":"j","sid":"s","iat":1800000000})",
             R"({"sub":"42","role":1,"username":"a","jti":"j","sid":"s","iat":1800000000,"exp":"1800000900"})",
             R"({"sub":"-4","role":1,"username":"a","jti":"j","sid":"s","iat":1800000000,"exp":1800000900})",
         }) {
        expect_invalid(codec.verify(forge(header, payload, "test-secret"), kNow));
    }
}

// Found by the fuzzer (tests/fuzz/corpus/fuzz_jwt/payload-*-exp): an exp or iat after April 2262
// overflowed the clock's 64-bit nanoseconds (undefined behaviour) on the way to a TimePoint. A signed
// token can only carry one if the secret leaked, but such claims are refused, never converted.
TEST(JwtCodecTest, RefusesTimesTheClockCannotHold) {
    const JwtCodec codec("test-secret");
    const std::string header = R"({"alg":"HS256"})";
    for (const std::string payload : {
             R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":0,"exp":9223372036854775807})",
             R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":-9223372036854775807,"exp":1800000900})",
             R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":1800000000,"exp":41024448020})",
             R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":1800000000,"exp":9223372037})",
             R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":-1,"exp":1800000900})",
         }) {
        expect_invalid(codec.verify(forge(header, payload, "test-secret"), kNow));
    }
    // The clock's last whole second is still a time.
    EXPECT_TRUE(codec
                    .verify(
                        forge(
                            header,
                            R"({"sub":"7","role":1,"username":"u","jti":"j","sid":"s","iat":0,"exp":9223372036})",
                            "test-secret"
                        ),
                        kNow
                    )
                    .ok());
}

TEST(JwtCodecTest, RefusesAnEmptySecret) {
    EXPECT_THROW(JwtCodec(""), std::invalid_argument);
}

TEST(Base64UrlTest, RoundTripsEveryLengthAndRejectsNonCanonicalText) {
    std::string bytes;
    std::string decoded;
    for (int i = 0; i < 40; ++i) {
        ASSERT_TRUE(base64url_decode(base64url_encode(bytes), decoded));
        EXPECT_EQ(decoded, bytes);
        bytes += static_cast<char>(i * 37 + 200);
    }
    EXPECT_TRUE(base64url_decode("QQ", decoded));
    EXPECT_EQ(decoded, "A");
    EXPECT_FALSE(base64url_decode("QR", decoded));  // same byte, non-zero leftover bits
    EXPECT_FALSE(base64url_decode("QQ==", decoded));
    EXPECT_FALSE(base64url_decode("Q", decoded));
    EXPECT_FALSE(base64url_decode("a+b/", decoded));
}

TEST(RandomHexTest, GivesTwoHexDigitsPerByteAndNeverRepeats) {
    const std::string a = random_hex(16);
    EXPECT_EQ(a.size(), 32U);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, random_hex(16));
}

}  // namespace
}  // namespace gomall::services
