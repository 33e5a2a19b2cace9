// Cutting text into the search index's grams: strict UTF-8 decoding, ASCII folding, unigrams and bigrams.
#include "adapters/sql/search_grams.hpp"

#include <algorithm>

namespace gomall::adapters::sql {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_continuation(unsigned char byte) {
    return (byte & 0xC0U) == 0x80U;
}

/// Length of the well-formed sequence starting at `at` (1-4) and its code point, or 0 when the byte
/// there does not start one. The second byte's range rules out overlong forms, surrogates and
/// code points beyond U+10FFFF (the table of well-formed sequences in the Unicode standard).
std::size_t read_sequence(std::string_view text, std::size_t at, char32_t& out) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80U) {
        out = lead;
        return 1;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // allowed range of the second byte
    unsigned char high = 0xBF;
    char32_t value = 0;
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
        value = lead & 0x1FU;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
        value = lead & 0x0FU;
        low = lead == 0xE0U ? 0xA0 : 0x80;
        high = lead == 0xEDU ? 0x9F : 0xBF;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
        value = lead & 0x07U;
        low = lead == 0xF0U ? 0x90 : 0x80;
        high = lead == 0xF4U ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (text.size() - at < length) {
        return 0;
    }
    const auto second = static_cast<unsigned char>(text[at + 1]);
    if (second < low || second > high) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[at + i]);
        if (!is_continuation(byte)) {
            return 0;
        }
        value = (value << 6U) | (byte & 0x3FU);
    }
    out = value;
    return length;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0U | (cp >> 6U));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0U | (cp >> 12U));
        out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    } else {
        out += static_cast<char>(0xF0U | (cp >> 18U));
        out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
        out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (cp & 0x3FU));
    }
}

std::string encode(const char32_t* first, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        append_utf8(out, first[i]);
    }
    return out;
}

void add_text_grams(std::string_view text, std::vector<std::string>& out) {
    const std::u32string cps = decode_folded(text).code_points;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        out.push_back(encode(&cps[i], 1));
        if (i + 1 < cps.size()) {
            out.push_back(encode(&cps[i], 2));
        }
    }
}

void sort_unique(std::vector<std::string>& grams) {
    std::sort(grams.begin(), grams.end());
    grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
}

}  // namespace

DecodedText decode_folded(std::string_view text) {
    DecodedText out;
    out.code_points.reserve(text.size());
    for (std::size_t at = 0; at < text.size();) {
        char32_t cp = 0;
        const std::size_t length = read_sequence(text, at, cp);
        if (length == 0) {
            out.code_points += kReplacement;
            out.well_formed = false;
            ++at;
            continue;
        }
        if (cp >= U'A' && cp <= U'Z') {
            cp += U'a' - U'A';
        }
        out.code_points += cp;
        at += length;
    }
    return out;
}

std::vector<std::string> text_grams(std::string_view text) {
    std::vector<std::string> grams;
    add_text_grams(text, grams);
    sort_unique(grams);
    return grams;
}

std::vector<std::string> product_grams(std::string_view name, std::string_view description) {
    std::vector<std::string> grams;
    add_text_grams(name, grams);
    add_text_grams(description, grams);
    sort_unique(grams);
    return grams;
}

std::optional<std::vector<std::string>> keyword_grams(std::string_view keyword) {
    const DecodedText decoded = decode_folded(keyword.substr(0, keyword.find('\0')));
    if (!decoded.well_formed) {
        return std::nullopt;
    }
    const std::u32string& cps = decoded.code_points;
    std::vector<std::string> grams;
    if (cps.size() == 1) {
        grams.push_back(encode(cps.data(), 1));
    }
    for (std::size_t i = 0; i + 1 < cps.size(); ++i) {
        grams.push_back(encode(&cps[i], 2));
    }
    if (grams.empty()) {
        return std::nullopt;
    }
    sort_unique(grams);
    return grams;
}

}  // namespace gomall::adapters::sql
