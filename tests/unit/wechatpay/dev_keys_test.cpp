// Dev key generation: files, permissions, reuse, matching pairs, serials, and two starters racing.
#include "adapters/wechatpay/dev_keys.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "adapters/wechatpay/crypto.hpp"

namespace gomall::wechatpay {
namespace {

namespace fs = std::filesystem;

const std::array<const char*, 6> kFileNames = {
    "merchant_key.pem", "merchant_public.pem", "platform_key.pem", "platform_public.pem", "apiv3.key", "apiv2.key"};

class DevKeysTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        base_ = fs::temp_directory_path() / ("gomall-devkeys-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(base_);
        dir_ = base_ / "var" / "wechatpay";
    }
    void TearDown() override { fs::remove_all(base_); }

    static std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }
    static unsigned mode_of(const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
        return st.st_mode & 07777;
    }
    std::vector<std::string> listing() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_)) {
            names.push_back(entry.path().filename().string());
        }
        std::sort(names.begin(), names.end());
        return names;
    }

    fs::path base_;
    fs::path dir_;
};

// sha256 over the DER of the public key, computed with OpenSSL directly (not through the PEM
// text, as dev_keys.cpp does), first 40 hex digits in upper case.
std::string expected_serial(const std::string& public_pem) {
    BIO* bio = BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) {
        return "unreadable";
    }
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(key, &der);
    EVP_PKEY_free(key);
    std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    std::string serial = sha256_hex(bytes).substr(0, 40);
    for (char& c : serial) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return serial;
}

bool is_key_text(const std::string& s) {
    if (s.size() != 32) {
        return false;
    }
    for (const char c : s) {
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

TEST_F(DevKeysTest, CreatesTheDirectoryAndEveryFilePrivately) {
    const DevKeyFiles keys = ensure_dev_keys(dir_.string());
    EXPECT_EQ(mode_of(dir_), 0700U);
    EXPECT_EQ(
        listing(),
        (std::vector<std::string>{
            "apiv2.key",
            "apiv3.key",
            "merchant_key.pem",
            "merchant_public.pem",
            "platform_key.pem",
            "platform_public.pem"})
    );  // and no temporary file left behind
    for (const char* name : kFileNames) {
        EXPECT_EQ(mode_of(dir_ / name), 0600U) << name;
    }
    EXPECT_EQ(keys.merchant_private_key, (dir_ / "merchant_key.pem").string());
    EXPECT_EQ(keys.merchant_public_key, (dir_ / "merchant_public.pem").string());
    EXPECT_EQ(keys.platform_private_key, (dir_ / "platform_key.pem").string());
    EXPECT_EQ(keys.platform_public_key, (dir_ / "platform_public.pem").string());
    EXPECT_NE(read(keys.merchant_private_key).find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
    EXPECT_NE(read(keys.merchant_public_key).find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
    EXPECT_TRUE(is_key_text(keys.api_v3_key)) << keys.api_v3_key;
    EXPECT_TRUE(is_key_text(keys.api_v2_key)) << keys.api_v2_key;
    EXPECT_NE(keys.api_v3_key, keys.api_v2_key);
    EXPECT_EQ(read(dir_ / "apiv3.key"), keys.api_v3_key + "\n");
    EXPECT_EQ(read(dir_ / "apiv2.key"), keys.api_v2_key + "\n");
}

TEST_F(DevKeysTest, SerialsAreTheDigestOfThePublicKey) {
    const DevKeyFiles keys = ensure_dev_keys(dir_.string());
    EXPECT_EQ(keys.merchant_serial_no, expected_serial(read(keys.merchant_public_key)));
    EXPECT_EQ(keys.platform_serial_no, expected_serial(read(keys.platform_public_key)));
    EXPECT_NE(keys.merchant_serial_no, keys.platform_serial_no);
    for (const std::string& serial : {keys.merchant_serial_no, keys.platform_serial_no}) {
        ASSERT_EQ(serial.size(), 40U);
        for (const char c : serial) {
            EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << serial;
        }
    }
}

TEST_F(DevKeysTest, GeneratedKeysSignAndVerifyAsPairs) {
    const DevKeyFiles keys = ensure_dev_keys(dir_.string());
    const RsaKey merchant = RsaKey::private_from_pem(read(keys.merchant_private_key));
    const RsaKey merchant_public = RsaKey::public_from_pem(read(keys.merchant_public_key));
    const RsaKey platform = RsaKey::private_from_pem(read(keys.platform_private_key));
    const RsaKey platform_public = RsaKey::public_from_pem(read(keys.platform_public_key));
    const std::string message = "GET\n/v3/certificates\n1554208460\nnonce\n\n";
    EXPECT_TRUE(merchant_public.verify_sha256(message, merchant.sign_sha256(message)));
    EXPECT_TRUE(platform_public.verify_sha256(message, platform.sign_sha256(message)));
    EXPECT_FALSE(platform_public.verify_sha256(message, merchant.sign_sha256(message)));
    EXPECT_FALSE(merchant_public.verify_sha256(message, platform.sign_sha256(message)));
    const std::string sealed = aes256gcm_encrypt_base64(keys.api_v3_key, "123456789012", "transaction", "{}");
    EXPECT_EQ(aes256gcm_decrypt_base64(keys.api_v3_key, "123456789012", "transaction", sealed), "{}");
}

TEST_F(DevKeysTest, ASecondCallKeepsTheKeys) {
    const DevKeyFiles first = ensure_dev_keys(dir_.string());
    std::vector<std::string> before;
    for (const char* name : kFileNames) {
        before.push_back(read(dir_ / name));
    }
    const DevKeyFiles second = ensure_dev_keys(dir_.string());
    EXPECT_EQ(second.merchant_serial_no, first.merchant_serial_no);
    EXPECT_EQ(second.platform_serial_no, first.platform_serial_no);
    EXPECT_EQ(second.api_v3_key, first.api_v3_key);
    EXPECT_EQ(second.api_v2_key, first.api_v2_key);
    for (std::size_t i = 0; i < kFileNames.size(); ++i) {
        EXPECT_EQ(read(dir_ / kFileNames[i]), before[i]) << kFileNames[i];
    }
}

TEST_F(DevKeysTest, CompletesAPartialDirectoryAndTightensPermissions) {
    const DevKeyFiles first = ensure_dev_keys(dir_.string());
    fs::remove(dir_ / "merchant_public.pem");
    fs::remove(dir_ / "apiv2.key");
    ::chmod(dir_.c_str(), 0755);
    ::chmod((dir_ / "platform_key.pem").c_str(), 0644);
    const DevKeyFiles second = ensure_dev_keys(dir_.string());
    // The public half is derived again from the kept private key.
    EXPECT_EQ(second.merchant_serial_no, first.merchant_serial_no);
    EXPECT_EQ(second.platform_serial_no, first.platform_serial_no);
    EXPECT_EQ(second.api_v3_key, first.api_v3_key);
    EXPECT_NE(second.api_v2_key, first.api_v2_key);
    EXPECT_EQ(mode_of(dir_), 0700U);
    EXPECT_EQ(mode_of(dir_ / "platform_key.pem"), 0600U);
    EXPECT_EQ(mode_of(dir_ / "merchant_public.pem"), 0600U);
}

TEST_F(DevKeysTest, RefusesFilesThatAreNotKeys) {
    ensure_dev_keys(dir_.string());
    { std::ofstream(dir_ / "apiv3.key", std::ios::trunc) << "short\n"; }
    EXPECT_THROW(ensure_dev_keys(dir_.string()), std::runtime_error);
    fs::remove(dir_ / "apiv3.key");
    ensure_dev_keys(dir_.string());

    // A public key file of another pair.
    const std::string platform_public = read(dir_ / "platform_public.pem");
    { std::ofstream(dir_ / "merchant_public.pem", std::ios::trunc) << platform_public; }
    EXPECT_THROW(ensure_dev_keys(dir_.string()), std::runtime_error);
    fs::remove(dir_ / "merchant_public.pem");
    ensure_dev_keys(dir_.string());

    { std::ofstream(dir_ / "platform_key.pem", std::ios::trunc) << "garbage"; }
    try {
        ensure_dev_keys(dir_.string());
        FAIL() << "a garbage private key was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("platform_key.pem"), std::string::npos) << e.what();
    }
}

TEST_F(DevKeysTest, RefusesASymbolicLinkInPlaceOfAKeyFile) {
    fs::create_directories(dir_);
    const fs::path elsewhere = base_ / "elsewhere.key";
    { std::ofstream(elsewhere) << "0123456789abcdefghijklmnopqrstuv\n"; }
    fs::create_symlink(elsewhere, dir_ / "apiv2.key");
    EXPECT_THROW(ensure_dev_keys(dir_.string()), std::runtime_error);
}

TEST_F(DevKeysTest, RefusesAFileInPlaceOfTheDirectory) {
    fs::create_directories(dir_.parent_path());
    { std::ofstream(dir_) << "x"; }
    EXPECT_THROW(ensure_dev_keys(dir_.string()), std::runtime_error);
}

TEST_F(DevKeysTest, RacingStartersAllGetTheSameKeys) {
    constexpr int kStarters = 4;
    std::vector<DevKeyFiles> results(kStarters);
    std::vector<std::string> errors(kStarters);
    std::vector<std::thread> threads;
    for (int i = 0; i < kStarters; ++i) {
        threads.emplace_back([&, i] {
            try {
                results[i] = ensure_dev_keys(dir_.string());
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    for (int i = 0; i < kStarters; ++i) {
        ASSERT_EQ(errors[i], "") << "starter " << i;
        EXPECT_EQ(results[i].merchant_serial_no, results[0].merchant_serial_no);
        EXPECT_EQ(results[i].platform_serial_no, results[0].platform_serial_no);
        EXPECT_EQ(results[i].api_v3_key, results[0].api_v3_key);
        EXPECT_EQ(results[i].api_v2_key, results[0].api_v2_key);
    }
    EXPECT_EQ(listing().size(), kFileNames.size());  // every loser removed its temporary file
    EXPECT_EQ(results[0].merchant_serial_no, expected_serial(read(dir_ / "merchant_public.pem")));
    EXPECT_EQ(results[0].api_v3_key + "\n", read(dir_ / "apiv3.key"));
}

}  // namespace
}  // namespace gomall::wechatpay
