#include "core/log_escape.hpp"

namespace gomall {
namespace {

void append_hex_escape(std::string& out, unsigned char byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\x";
    out += kHex[byte >> 4U];
    out += kHex[byte & 0xfU];
}

}  // namespace

std::string log_quoted(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte >= 0x7f) {
            append_hex_escape(out, byte);
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

void append_without_control_chars(std::string& out, std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) {
            append_hex_escape(out, byte);
        } else {
            out += c;
        }
    }
}

}  // namespace gomall
