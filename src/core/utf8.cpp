// UTF-8 well-formedness (RFC 3629) and the repair of text that is not.
#include "core/utf8.hpp"

namespace gomall {

std::size_t utf8_sequence(std::string_view s) {
    const auto byte = [&s](std::size_t i) {
        return static_cast<unsigned char>(s[i]);
    };
    const unsigned char c = byte(0);
    if (c < 0x80) {
        return 1;
    }
    std::size_t len = 0;
    unsigned char low = 0x80;  // the second byte's range, narrowed where overlong forms or surrogates start
    unsigned char high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        low = c == 0xe0 ? 0xa0 : 0x80;
        high = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        low = c == 0xf0 ? 0x90 : 0x80;
        high = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (s.size() < len || byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (std::size_t i = 2; i < len; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) {
            return 0;
        }
    }
    return len;
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    while (!s.empty()) {
        const std::size_t len = utf8_sequence(s);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            s.remove_prefix(1);
        } else {
            out.append(s.substr(0, len));
            s.remove_prefix(len);
        }
    }
    return out;
}

}  // namespace gomall
