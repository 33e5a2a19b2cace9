#include "emulator/wire_format.hpp"

#include <random>

#include "http/pipeline.hpp"

namespace gomall::emulator {
namespace {

constexpr auto kChinaOffset = std::chrono::hours(8);

// Ids only need to be unlikely to repeat, not secret (the pay page's token comes from
// wechatpay::random_nonce, which reads the OS generator).
std::mt19937_64& engine() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return generator;
}

}  // namespace

std::string format_datetime_china(TimePoint t) {
    std::string text = format_iso8601(t + kChinaOffset);  // "...Z" with the digits of the local time
    text.pop_back();
    text[10] = ' ';
    return text;
}

std::string random_digits(std::size_t count) {
    std::uniform_int_distribution<int> digit(0, 9);
    std::uniform_int_distribution<int> first(1, 9);
    std::string out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        out += static_cast<char>('0' + (i == 0 ? first(engine()) : digit(engine())));
    }
    return out;
}

std::string random_uuid() {
    std::string hex = http::random_hex(16);
    hex[12] = '4';                                              // version 4
    hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];  // RFC 4122 variant
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

std::string new_transaction_id() {
    return "42" + random_digits(26);
}

std::string new_refund_id() {
    return "50" + random_digits(27);
}

std::string new_prepay_id(TimePoint now) {
    return "wx" + format_compact_china(now) + http::random_hex(10);
}

std::string new_openid() {
    return "oEmu" + http::random_hex(12);
}

}  // namespace gomall::emulator
