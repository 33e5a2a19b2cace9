// bcrypt via libxcrypt's reentrant crypt_gensalt_rn/crypt_rn.
#include "services/password_hasher.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include <crypt.h>
#include <openssl/crypto.h>

namespace gomall::services {
namespace {

constexpr int kMinCost = 4;
constexpr int kMaxCost = 31;

// crypt_data is 32 KiB: too big to put on the stack of every pool thread comfortably, so it lives on the heap.
// Zero-initialised because libxcrypt asks for a zeroed area before first use.
std::string run_crypt(const std::string& phrase, const char* setting) {
    auto data = std::make_unique<crypt_data>();
    const char* out = crypt_rn(phrase.c_str(), setting, data.get(), static_cast<int>(sizeof(crypt_data)));
    if (out == nullptr || out[0] == '*') {
        return {};
    }
    return out;
}

bool is_bcrypt_hash(std::string_view h) {
    // "$2b$10$" + 53 characters of salt and digest; $2a$/$2y$ come from other bcrypt implementations.
    return h.size() == 60 && (h.starts_with("$2b$") || h.starts_with("$2a$") || h.starts_with("$2y$"));
}

}  // namespace

PasswordHasher::PasswordHasher(int cost) : cost_(cost) {
    if (cost < kMinCost || cost > kMaxCost) {
        throw std::invalid_argument("bcrypt cost must be between 4 and 31");
    }
}

bool PasswordHasher::acceptable(std::string_view password) {
    return password.size() >= kMinLength && password.size() <= kMaxLength &&
           password.find('\0') == std::string_view::npos;
}

std::string PasswordHasher::hash(std::string_view password) const {
    if (!acceptable(password)) {
        throw std::invalid_argument("password must be 6-72 bytes without NUL characters");
    }
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    // A null random-bytes pointer makes libxcrypt read the salt from the operating system's CSPRNG.
    if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost_), nullptr, 0, setting, sizeof(setting)) == nullptr) {
        throw std::runtime_error("crypt_gensalt_rn failed");
    }
    std::string result = run_crypt(std::string(password), setting);
    if (result.empty()) {
        throw std::runtime_error("crypt_rn failed");
    }
    return result;
}

bool PasswordHasher::verify(std::string_view password, std::string_view stored_hash) const {
    if (!acceptable(password) || !is_bcrypt_hash(stored_hash)) {
        return false;
    }
    const std::string computed = run_crypt(std::string(password), std::string(stored_hash).c_str());
    // The length of a bcrypt hash is public; only the content comparison must not leak timing.
    return computed.size() == stored_hash.size() &&
           CRYPTO_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

}  // namespace gomall::services
