// The cryptography both WeChat Pay protocols use, on OpenSSL: digests and HMAC as upper-case hex
// (APIv2 signatures), RSA-SHA256 PKCS#1 v1.5 signatures in base64 (APIv3), AES-256-GCM (APIv3
// notification resources), base64, random nonces and RSA key generation for dev keys.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gomall::wechatpay {

std::string base64_encode(std::string_view bytes);
/// Strict standard alphabet with padding; nullopt for anything else (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);

/// `length` characters from [A-Za-z0-9], from the OS random generator.
std::string random_nonce(std::size_t length);

std::string md5_hex_upper(std::string_view data);
std::string hmac_sha256_hex_upper(std::string_view key, std::string_view data);
std::string sha256_hex(std::string_view data);  // lower-case hex

/// An RSA key held by OpenSSL (EVP_PKEY); private or public.
class RsaKey {
public:
    /// PEM text: "PRIVATE KEY" (PKCS#8) / "RSA PRIVATE KEY" for private keys, "PUBLIC KEY" or a
    /// certificate ("CERTIFICATE", whose public key is taken) for public ones. Throws
    /// std::runtime_error naming what is wrong (never the key material); keys that are not RSA or
    /// are shorter than 2048 bits (the scheme is RSA2048) are refused too. An encrypted PEM is
    /// refused rather than prompting for a passphrase.
    static RsaKey private_from_pem(std::string_view pem);
    static RsaKey public_from_pem(std::string_view pem);
    /// A new 2048-bit key pair (private; public_pem() gives its public half). std::invalid_argument
    /// for fewer than 2048 bits.
    static RsaKey generate(int bits = 2048);

    std::string private_pem() const;  // PKCS#8; throws std::logic_error if this is a public key
    std::string public_pem() const;   // SubjectPublicKeyInfo
    bool is_private() const;

    /// base64(RSASSA-PKCS1-v1_5(SHA-256(message))). Throws std::logic_error if this is a public key.
    std::string sign_sha256(std::string_view message) const;
    /// False for a wrong signature, bad base64 or any OpenSSL failure.
    bool verify_sha256(std::string_view message, std::string_view signature_base64) const;

    RsaKey(RsaKey&&) noexcept;
    RsaKey& operator=(RsaKey&&) noexcept;
    ~RsaKey();

private:
    struct Impl;
    explicit RsaKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// AES-256-GCM with a 16-byte tag appended to the ciphertext, the whole base64-encoded, as
/// APIv3's notification `resource.ciphertext`. `key` must be 32 bytes (the APIv3 key), `nonce`
/// is used as given (WeChat sends 12 characters). Throws std::invalid_argument on a bad key size
/// or an empty nonce.
std::string aes256gcm_encrypt_base64(
    std::string_view key, std::string_view nonce, std::string_view associated_data, std::string_view plaintext
);
/// nullopt when the base64 is bad, the data is shorter than the tag, the nonce is empty, or
/// authentication fails. A key that is not 32 bytes is a configuration error:
/// std::invalid_argument, as for encryption.
std::optional<std::string> aes256gcm_decrypt_base64(
    std::string_view key, std::string_view nonce, std::string_view associated_data, std::string_view ciphertext_base64
);

}  // namespace gomall::wechatpay
