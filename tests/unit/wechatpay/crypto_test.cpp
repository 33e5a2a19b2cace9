// Known answers for the digests and AES-256-GCM, strict base64, nonces, and RSA key handling.
#include "adapters/wechatpay/crypto.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "unit/wechatpay/test_keys.hpp"

namespace gomall::wechatpay {
namespace {

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

// --- base64 ---

TEST(Base64Test, EncodesTheRfc4648Vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string("\xfb\xff\x00", 3)), "+/8A");
}

TEST(Base64Test, DecodesWhatItEncodes) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const std::string bytes = all.substr(0, n);
        EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes) << n;
    }
    EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
    EXPECT_EQ(base64_decode(""), "");
}

TEST(Base64Test, RefusesAnythingButCanonicalPaddedStandardBase64) {
    for (const std::string_view bad : {
             "Zm9vYmE",     // no padding
             "Zm9vYg=",     // short padding
             "Zm9vYg===",   // too much padding
             "Zm9v\nYmFy",  // line break
             "Zm9\nYmFy",   // line break, length still a multiple of 4
             "Zm9 YmFy",    // space inside
             "Zm9vY===",    // three padding characters
             " Zm9vYmFy",   // leading space
             "Zm9vYmFy ",   // trailing space
             "Zm9vYm-y",    // base64url alphabet
             "Zm9vYm_y",
             "Zm=vYmFy",  // padding in the middle
             "Zm9vYg==Zm9v",
             "====",
             "Zh==",  // non-zero unused bits: a second spelling of "f"
             "Zm9=",  // likewise for "fo"
             "Z",
         }) {
        EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
    }
    EXPECT_FALSE(base64_decode(std::string_view("Zm9v\0\0\0\0", 8)).has_value());
    EXPECT_FALSE(base64_decode(std::string_view("Zm9vY\0Fy", 8)).has_value());
}

// --- digests ---

TEST(DigestTest, Md5AndSha256OfAbc) {
    EXPECT_EQ(md5_hex_upper("abc"), "900150983CD24FB0D6963F7D28E17F72");
    EXPECT_EQ(md5_hex_upper(""), "D41D8CD98F00B204E9800998ECF8427E");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, HmacSha256Rfc4231TestCase2) {
    EXPECT_EQ(
        hmac_sha256_hex_upper("Jefe", "what do ya want for nothing?"),
        "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
    );
}

TEST(DigestTest, HmacSha256AcceptsAnEmptyKeyAndMessage) {
    // RFC 2104 with an all-zero key block; value from Python's hmac module.
    EXPECT_EQ(hmac_sha256_hex_upper("", ""), "B613679A0814D9EC772F95D778C35FC5FF1697C493715653C6C712144292C5AD");
}

// --- random nonces ---

TEST(RandomNonceTest, HasTheLengthAndAlphabetAsked) {
    EXPECT_EQ(random_nonce(0), "");
    for (const std::size_t n : {1U, 12U, 32U, 200U}) {
        const std::string nonce = random_nonce(n);
        ASSERT_EQ(nonce.size(), n);
        for (const char c : nonce) {
            EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) << c;
        }
    }
}

TEST(RandomNonceTest, UsesTheWholeAlphabetAndDoesNotRepeat) {
    const std::string many = random_nonce(20000);
    const std::set<char> seen(many.begin(), many.end());
    EXPECT_EQ(seen.size(), 62U);
    EXPECT_NE(random_nonce(32), random_nonce(32));
}

// --- AES-256-GCM ---

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV,
// 60-byte plaintext, 20-byte AAD). Cross-checked with Python's `cryptography` AESGCM.
const std::string kGcmKey = from_hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
const std::string kGcmIv = from_hex("cafebabefacedbaddecaf888");
const std::string kGcmPlain = from_hex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657"
    "ba637b39"
);
const std::string kGcmAad = from_hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const std::string kGcmCipherAndTag = from_hex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0a"
    "bcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b"
);

TEST(AesGcmTest, MatchesGcmSpecTestCase16) {
    EXPECT_EQ(aes256gcm_encrypt_base64(kGcmKey, kGcmIv, kGcmAad, kGcmPlain), base64_encode(kGcmCipherAndTag));
    EXPECT_EQ(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, base64_encode(kGcmCipherAndTag)), kGcmPlain);
}

TEST(AesGcmTest, DecryptsAWeChatShapedResource) {
    // An ASCII APIv3 key and a 12-character nonce, as WeChat sends them; ciphertext made with
    // Python's `cryptography` AESGCM.
    EXPECT_EQ(
        aes256gcm_decrypt_base64(
            "0123456789abcdefghijklmnopqrstuv", "nonce1234567", "transaction", "t+IJrFzB988KjWYNSU0FRRmdZEOfGnwW"
        ),
        R"({"id":1})"
    );
}

TEST(AesGcmTest, RoundTripsIncludingEmptyPlaintextAndAad) {
    const std::string key = random_nonce(32);
    for (const std::string_view plain : {std::string_view(""), std::string_view("x"), std::string_view(kGcmPlain)}) {
        const std::string sealed = aes256gcm_encrypt_base64(key, "abcdefghijkl", "", plain);
        EXPECT_EQ(aes256gcm_decrypt_base64(key, "abcdefghijkl", "", sealed), plain);
    }
    EXPECT_EQ(base64_decode(aes256gcm_encrypt_base64(key, "abcdefghijkl", "aad", ""))->size(), 16U);
}

TEST(AesGcmTest, RefusesTheWrongKeyNonceOrAad) {
    const std::string sealed = base64_encode(kGcmCipherAndTag);
    std::string other_key = kGcmKey;
    other_key[31] = static_cast<char>(other_key[31] ^ 1);
    std::string other_iv = kGcmIv;
    other_iv[0] = static_cast<char>(other_iv[0] ^ 1);
    EXPECT_FALSE(aes256gcm_decrypt_base64(other_key, kGcmIv, kGcmAad, sealed).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, other_iv, kGcmAad, sealed).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad + "x", sealed).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, "", sealed).has_value());
}

TEST(AesGcmTest, RefusesTamperedOrTruncatedData) {
    std::string flipped = kGcmCipherAndTag;
    flipped[5] = static_cast<char>(flipped[5] ^ 0x80);
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, base64_encode(flipped)).has_value());
    std::string bad_tag = kGcmCipherAndTag;
    bad_tag.back() = static_cast<char>(bad_tag.back() ^ 1);
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, base64_encode(bad_tag)).has_value());
    // One byte cut off the end, and data shorter than the tag itself.
    const std::string cut = kGcmCipherAndTag.substr(0, kGcmCipherAndTag.size() - 1);
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, base64_encode(cut)).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, base64_encode(cut.substr(0, 15))).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, "").has_value());
}

TEST(AesGcmTest, RefusesBadBase64) {
    const std::string sealed = base64_encode(kGcmCipherAndTag);
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, sealed + "\n").has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, sealed.substr(1)).has_value());
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, kGcmIv, kGcmAad, "!!!!" + sealed).has_value());
}

TEST(AesGcmTest, RefusesAnEmptyNonceAndABadKeySize) {
    EXPECT_FALSE(aes256gcm_decrypt_base64(kGcmKey, "", kGcmAad, base64_encode(kGcmCipherAndTag)).has_value());
    EXPECT_THROW(aes256gcm_encrypt_base64(kGcmKey, "", "", "x"), std::invalid_argument);
    EXPECT_THROW(aes256gcm_encrypt_base64(kGcmKey.substr(0, 16), kGcmIv, "", "x"), std::invalid_argument);
    EXPECT_THROW(aes256gcm_encrypt_base64(kGcmKey + "x", kGcmIv, "", "x"), std::invalid_argument);
    EXPECT_THROW(aes256gcm_decrypt_base64(kGcmKey.substr(0, 31), kGcmIv, "", "AAAA"), std::invalid_argument);
}

// --- RSA keys ---

TEST(RsaKeyTest, ReadsPkcs8AndPkcs1PrivateKeysAsTheSameKey) {
    const RsaKey pkcs8 = RsaKey::private_from_pem(test::kPrivateKeyPkcs8);
    const RsaKey pkcs1 = RsaKey::private_from_pem(test::kPrivateKeyPkcs1);
    EXPECT_TRUE(pkcs8.is_private());
    EXPECT_EQ(pkcs8.public_pem(), test::kPublicKey);
    EXPECT_EQ(pkcs1.public_pem(), test::kPublicKey);
    // Written back as PKCS#8, exactly as `openssl genpkey` wrote it.
    EXPECT_EQ(pkcs1.private_pem(), test::kPrivateKeyPkcs8);
}

TEST(RsaKeyTest, ReadsAPublicKeyOrTheKeyOfACertificate) {
    const RsaKey from_key = RsaKey::public_from_pem(test::kPublicKey);
    const RsaKey from_cert = RsaKey::public_from_pem(test::kCertificate);
    EXPECT_FALSE(from_key.is_private());
    EXPECT_EQ(from_key.public_pem(), test::kPublicKey);
    EXPECT_EQ(from_cert.public_pem(), test::kPublicKey);
    EXPECT_THROW((void)from_key.private_pem(), std::logic_error);
    EXPECT_THROW((void)from_key.sign_sha256("x"), std::logic_error);
}

TEST(RsaKeyTest, SignsLikeOpenSslAndVerifiesWithEitherPublicForm) {
    const RsaKey key = RsaKey::private_from_pem(test::kPrivateKeyPkcs8);
    // PKCS#1 v1.5 is deterministic, so the signature must equal the one `openssl dgst` made.
    EXPECT_EQ(key.sign_sha256(test::kDocRequestMessage), test::kDocRequestSignature);
    EXPECT_TRUE(
        RsaKey::public_from_pem(test::kPublicKey).verify_sha256(test::kDocRequestMessage, test::kDocRequestSignature)
    );
    EXPECT_TRUE(
        RsaKey::public_from_pem(test::kCertificate).verify_sha256(test::kDocRequestMessage, test::kDocRequestSignature)
    );
    EXPECT_TRUE(key.verify_sha256(test::kDocRequestMessage, test::kDocRequestSignature));
}

TEST(RsaKeyTest, VerifyRefusesWhatIsNotTheSignature) {
    const RsaKey key = RsaKey::public_from_pem(test::kPublicKey);
    const std::string message(test::kDocRequestMessage);
    const std::string signature(test::kDocRequestSignature);
    EXPECT_FALSE(key.verify_sha256(message + " ", signature));
    EXPECT_FALSE(key.verify_sha256(message, ""));
    EXPECT_FALSE(key.verify_sha256(message, signature.substr(4)));  // valid base64, too short
    EXPECT_FALSE(key.verify_sha256(message, signature + "\n"));
    std::string raw = *base64_decode(signature);
    raw[100] = static_cast<char>(raw[100] ^ 1);
    EXPECT_FALSE(key.verify_sha256(message, base64_encode(raw)));
}

TEST(RsaKeyTest, GeneratesFreshPairs) {
    const RsaKey a = RsaKey::generate();
    const RsaKey b = RsaKey::generate();
    EXPECT_TRUE(a.is_private());
    EXPECT_NE(a.public_pem(), b.public_pem());
    const RsaKey reread = RsaKey::private_from_pem(a.private_pem());
    EXPECT_EQ(reread.public_pem(), a.public_pem());
    const std::string signature = a.sign_sha256("hello");
    EXPECT_EQ(base64_decode(signature)->size(), 256U);
    EXPECT_TRUE(RsaKey::public_from_pem(a.public_pem()).verify_sha256("hello", signature));
    EXPECT_FALSE(RsaKey::public_from_pem(b.public_pem()).verify_sha256("hello", signature));
    EXPECT_THROW((void)RsaKey::generate(1024), std::invalid_argument);
}

TEST(RsaKeyTest, MovesKeepTheKey) {
    RsaKey a = RsaKey::private_from_pem(test::kPrivateKeyPkcs8);
    RsaKey b = std::move(a);
    EXPECT_EQ(b.public_pem(), test::kPublicKey);
    RsaKey c = RsaKey::public_from_pem(test::kCertificate);
    c = std::move(b);
    EXPECT_TRUE(c.is_private());
}

TEST(RsaKeyTest, RefusesWhatIsNotAUsableRsaKey) {
    EXPECT_THROW((void)RsaKey::private_from_pem(""), std::runtime_error);
    EXPECT_THROW((void)RsaKey::private_from_pem("not a pem"), std::runtime_error);
    EXPECT_THROW((void)RsaKey::private_from_pem(test::kPublicKey), std::runtime_error);
    EXPECT_THROW((void)RsaKey::private_from_pem(test::kSmallPrivateKey), std::runtime_error);
    EXPECT_THROW((void)RsaKey::private_from_pem(test::kEcPrivateKey), std::runtime_error);
    EXPECT_THROW((void)RsaKey::public_from_pem(test::kPrivateKeyPkcs8), std::runtime_error);
    EXPECT_THROW(
        (void)RsaKey::public_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        std::runtime_error
    );
    std::string truncated(test::kPrivateKeyPkcs8);
    truncated.erase(200, 300);
    EXPECT_THROW((void)RsaKey::private_from_pem(truncated), std::runtime_error);
}

TEST(RsaKeyTest, ErrorMessagesDoNotQuoteTheKey) {
    std::string broken(test::kPrivateKeyPkcs8);
    broken.erase(300, 10);
    try {
        (void)RsaKey::private_from_pem(broken);
        FAIL() << "a broken key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()).find("MII"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace gomall::wechatpay
