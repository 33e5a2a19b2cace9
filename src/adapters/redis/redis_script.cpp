// SHA-1 of a script body, computed locally so no SCRIPT LOAD round trip is needed at startup.
#include "adapters/redis/redis_script.hpp"

#include <array>
#include <cstdio>

#include <openssl/sha.h>

namespace gomall::adapters::redis {

RedisScript::RedisScript(std::string lua) : body(std::move(lua)) {
    std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
    SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest.data());
    sha1.reserve(digest.size() * 2);
    for (const unsigned char byte : digest) {
        std::array<char, 3> hex{};
        std::snprintf(hex.data(), hex.size(), "%02x", byte);
        sha1 += hex.data();
    }
}

}  // namespace gomall::adapters::redis
