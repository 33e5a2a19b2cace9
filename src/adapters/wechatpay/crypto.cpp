// OpenSSL 3 EVP implementations of the WeChat Pay primitives. Deprecated low-level calls (RSA_*,
// HMAC_CTX, MD5()) are avoided; GCC's -Werror turns any use of them into a build failure anyway.
#include "adapters/wechatpay/crypto.hpp"

#include <array>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace gomall::wechatpay {
namespace {

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kNonceAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr unsigned kNonceAlphabetSize = sizeof(kNonceAlphabet) - 1;
// The largest multiple of 62 that fits in a byte: bytes at or above it are drawn again, otherwise
// the first 8 letters would come up more often than the others.
constexpr unsigned kNonceRejectFrom = 256 - 256 % kNonceAlphabetSize;
constexpr std::size_t kGcmTagBytes = 16;
// WeChat Pay requires 2048-bit keys (the scheme is named RSA2048); a shorter key is a mistake in
// the configuration, not something to sign with quietly.
constexpr int kMinRsaBits = 2048;

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

const unsigned char* bytes_of(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

// OpenSSL's error queue is per thread: a failure left on it would be blamed on the next, unrelated
// call that inspects the queue on this thread.
[[noreturn]] void fail(const std::string& what) {
    ERR_clear_error();
    throw std::runtime_error(what);
}

int as_int_length(std::size_t size, const char* what) {
    if (size > static_cast<std::size_t>(INT_MAX)) {
        throw std::invalid_argument(std::string(what) + " is too large");
    }
    return static_cast<int>(size);
}

std::string hex(const unsigned char* data, std::size_t size, bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

std::string digest_hex(const EVP_MD* md, std::string_view data, bool upper) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    if (md == nullptr || EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1) {
        fail("digest failed");
    }
    return hex(out.data(), len, upper);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

BioPtr read_bio(std::string_view pem) {
    if (pem.empty() || pem.size() > static_cast<std::size_t>(INT_MAX)) {
        throw std::runtime_error("PEM text is empty or too large");
    }
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        fail("cannot allocate a BIO");
    }
    return bio;
}

// Without a callback OpenSSL would prompt on the terminal for the passphrase of an encrypted key;
// a server must fail instead.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
    return -1;
}

PkeyPtr checked_rsa(EVP_PKEY* raw, const char* what) {
    PkeyPtr key(raw);
    if (!key) {
        fail(std::string("not a readable ") + what + " PEM");
    }
    if (EVP_PKEY_is_a(key.get(), "RSA") != 1) {
        fail(std::string(what) + " is not an RSA key");
    }
    if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
        fail(std::string(what) + " is shorter than 2048 bits");
    }
    return key;
}

std::string bio_contents(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size <= 0 || data == nullptr) {
        fail("cannot read the PEM output");
    }
    return {data, static_cast<std::size_t>(size)};
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += kBase64Alphabet[(n >> 18) & 63];
        out += kBase64Alphabet[(n >> 12) & 63];
        out += kBase64Alphabet[(n >> 6) & 63];
        out += kBase64Alphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t n = byte(i) << 16;
        out += kBase64Alphabet[(n >> 18) & 63];
        out += kBase64Alphabet[(n >> 12) & 63];
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8);
        out += kBase64Alphabet[(n >> 18) & 63];
        out += kBase64Alphabet[(n >> 12) & 63];
        out += kBase64Alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    if (!text.empty() && text.back() == '=') {
        padding = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    }
    const std::size_t data_chars = text.size() - padding;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < data_chars; ++i) {
        const int v = base64_value(text[i]);
        if (v < 0) {
            return std::nullopt;  // includes a '=' before the end
        }
        buffer = ((buffer << 6) | static_cast<std::uint32_t>(v)) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    // Unused low bits must be zero: otherwise several spellings decode to the same bytes, and a
    // signature could be altered in transit without changing what it verifies as.
    if ((buffer & ((1U << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

std::string random_nonce(std::size_t length) {
    std::string out;
    out.reserve(length);
    std::array<unsigned char, 64> pool{};
    while (out.size() < length) {
        if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
            fail("RAND_bytes failed");
        }
        for (const unsigned char b : pool) {
            if (b < kNonceRejectFrom && out.size() < length) {
                out += kNonceAlphabet[b % kNonceAlphabetSize];
            }
        }
    }
    OPENSSL_cleanse(pool.data(), pool.size());
    return out;
}

std::string md5_hex_upper(std::string_view data) {
    return digest_hex(EVP_md5(), data, true);
}

std::string sha256_hex(std::string_view data) {
    return digest_hex(EVP_sha256(), data, false);
}

std::string hmac_sha256_hex_upper(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    std::size_t len = 0;
    // EVP_Q_mac rejects a null key pointer even for an empty key.
    static constexpr unsigned char kNoKey = 0;
    const unsigned char* key_bytes = key.empty() ? &kNoKey : bytes_of(key);
    if (EVP_Q_mac(
            nullptr,
            "HMAC",
            nullptr,
            "SHA256",
            nullptr,
            key_bytes,
            key.size(),
            bytes_of(data),
            data.size(),
            out.data(),
            out.size(),
            &len
        ) == nullptr) {
        fail("HMAC-SHA256 failed");
    }
    return hex(out.data(), len, true);
}

struct RsaKey::Impl {
    PkeyPtr key;
    bool is_private = false;
};

RsaKey::RsaKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;
RsaKey::~RsaKey() = default;

RsaKey RsaKey::private_from_pem(std::string_view pem) {
    const BioPtr bio = read_bio(pem);
    // Reads "PRIVATE KEY" (PKCS#8) and the traditional "RSA PRIVATE KEY" alike.
    PkeyPtr key = checked_rsa(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr), "private key");
    return RsaKey(std::make_unique<Impl>(Impl{std::move(key), true}));
}

RsaKey RsaKey::public_from_pem(std::string_view pem) {
    const BioPtr bio = read_bio(pem);
    EVP_PKEY* raw = nullptr;
    if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
        const X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
        if (!cert) {
            fail("not a readable certificate PEM");
        }
        raw = X509_get_pubkey(cert.get());  // a new reference, owned by checked_rsa
    } else {
        raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
    }
    PkeyPtr key = checked_rsa(raw, "public key");
    return RsaKey(std::make_unique<Impl>(Impl{std::move(key), false}));
}

RsaKey RsaKey::generate(int bits) {
    if (bits < kMinRsaBits) {
        throw std::invalid_argument("RSA keys must have at least 2048 bits");
    }
    const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
        fail("cannot set up RSA key generation");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) != 1) {
        fail("RSA key generation failed");
    }
    return RsaKey(std::make_unique<Impl>(Impl{PkeyPtr(raw), true}));
}

std::string RsaKey::private_pem() const {
    if (!impl_->is_private) {
        throw std::logic_error("private_pem() on a public key");
    }
    // A secure-memory BIO wipes its buffer when freed, so no stray copy of the key stays on the heap.
    const BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio ||
        PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        fail("cannot write the private key PEM");
    }
    return bio_contents(bio.get());
}

std::string RsaKey::public_pem() const {
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) {
        fail("cannot write the public key PEM");
    }
    return bio_contents(bio.get());
}

bool RsaKey::is_private() const {
    return impl_->is_private;
}

std::string RsaKey::sign_sha256(std::string_view message) const {
    if (!impl_->is_private) {
        throw std::logic_error("sign_sha256() on a public key");
    }
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
    if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, impl_->key.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
        fail("cannot set up RSA signing");
    }
    std::size_t size = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &size, bytes_of(message), message.size()) != 1) {
        fail("RSA signing failed");
    }
    std::string signature(size, '\0');
    if (EVP_DigestSign(
            ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes_of(message), message.size()
        ) != 1) {
        fail("RSA signing failed");
    }
    signature.resize(size);
    return base64_encode(signature);
}

bool RsaKey::verify_sha256(std::string_view message, std::string_view signature_base64) const {
    const std::optional<std::string> signature = base64_decode(signature_base64);
    // PKCS#1 v1.5 signatures are exactly the modulus size; anything else cannot be one.
    if (!signature || signature->size() != static_cast<std::size_t>(EVP_PKEY_get_size(impl_->key.get()))) {
        return false;
    }
    const MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    const bool ok =
        ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, impl_->key.get()) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_DigestVerify(ctx.get(), bytes_of(*signature), signature->size(), bytes_of(message), message.size()) == 1;
    ERR_clear_error();
    return ok;
}

std::string aes256gcm_encrypt_base64(
    std::string_view key, std::string_view nonce, std::string_view associated_data, std::string_view plaintext
) {
    if (key.size() != 32) {
        throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
    }
    if (nonce.empty()) {
        throw std::invalid_argument("AES-256-GCM needs a nonce");
    }
    const int nonce_len = as_int_length(nonce.size(), "nonce");
    const int aad_len = as_int_length(associated_data.size(), "associated data");
    const int plain_len = as_int_length(plaintext.size(), "plaintext");
    const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(plaintext.size() + kGcmTagBytes, '\0');
    auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
    int len = 0;
    int tail = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, nonce_len, nullptr) != 1 ||
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes_of(key), bytes_of(nonce)) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes_of(associated_data), aad_len) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out_bytes, &len, bytes_of(plaintext), plain_len) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out_bytes + len, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(
            ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes), out_bytes + plaintext.size()
        ) != 1) {
        fail("AES-256-GCM encryption failed");
    }
    return base64_encode(out);
}

std::optional<std::string> aes256gcm_decrypt_base64(
    std::string_view key, std::string_view nonce, std::string_view associated_data, std::string_view ciphertext_base64
) {
    if (key.size() != 32) {
        throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
    }
    std::optional<std::string> data = base64_decode(ciphertext_base64);
    if (!data || data->size() < kGcmTagBytes || nonce.empty() || nonce.size() > static_cast<std::size_t>(INT_MAX) ||
        associated_data.size() > static_cast<std::size_t>(INT_MAX) ||
        data->size() > static_cast<std::size_t>(INT_MAX)) {
        return std::nullopt;
    }
    const std::size_t body = data->size() - kGcmTagBytes;
    auto* in = reinterpret_cast<unsigned char*>(data->data());
    const CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    std::string plain(body, '\0');
    auto* plain_bytes = reinterpret_cast<unsigned char*>(plain.data());
    int len = 0;
    int tail = 0;
    const bool ok =
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
        EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes_of(key), bytes_of(nonce)) == 1 &&
        EVP_DecryptUpdate(
            ctx.get(), nullptr, &len, bytes_of(associated_data), static_cast<int>(associated_data.size())
        ) == 1 &&
        EVP_DecryptUpdate(ctx.get(), plain_bytes, &len, in, static_cast<int>(body)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes), in + body) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), plain_bytes + len, &tail) == 1;
    ERR_clear_error();
    if (!ok) {
        // Unauthenticated plaintext must not linger, even in freed memory.
        OPENSSL_cleanse(plain.data(), plain.size());
        return std::nullopt;
    }
    return plain;
}

}  // namespace gomall::wechatpay
