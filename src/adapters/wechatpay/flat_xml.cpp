// The flat-XML tokenizer. It reads attacker-supplied bytes (payment notifications arrive from the
// network), so it accepts one shape only and refuses everything else before doing any work a
// general XML parser would: there is no DTD handling at all, hence no entity expansion, no
// external entities and no "billion laughs".
//
// Line ends are kept as sent (XML would fold CR LF into LF): APIv2 signs the sender's bytes, and
// folding would make a value with a CR LF fail its signature check.
#include "adapters/wechatpay/flat_xml.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace gomall::wechatpay {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kCdataOpen = "<![CDATA[";
constexpr std::string_view kCdataClose = "]]>";
// "&#x10FFFF;" is the longest reference worth reading; leading zeros beyond that are refused too.
constexpr std::size_t kMaxReferenceBytes = 10;

class Refusal : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

bool valid_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front())) {
        return false;
    }
    for (const char c : name) {
        if (!is_name_char(c)) {
            return false;
        }
    }
    return true;
}

// XML 1.0's Char production.
bool is_xml_char(std::uint32_t cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Why `text` cannot be carried by XML (bad UTF-8, NUL, control characters), or nullopt when it
// can. Checked once over the whole document, so the tokenizer below may work on bytes.
std::optional<std::string> character_problem(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (lead < 0x80) {
            cp = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            extra = 1;
            cp = lead & 0x1F;
            min = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            extra = 2;
            cp = lead & 0x0F;
            min = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            extra = 3;
            cp = lead & 0x07;
            min = 0x10000;
        } else {
            return "invalid UTF-8";
        }
        if (text.size() - i <= extra) {
            return "invalid UTF-8";
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) {
                return "invalid UTF-8";
            }
            cp = (cp << 6) | (next & 0x3F);
        }
        // Overlong forms and surrogates would let one character hide behind another spelling.
        if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
            return "invalid UTF-8";
        }
        if (cp == 0) {
            return "a NUL byte";
        }
        if (!is_xml_char(cp)) {
            return "a character XML does not allow";
        }
        i += extra + 1;
    }
    return std::nullopt;
}

class Tokenizer {
public:
    Tokenizer(std::string_view document, const FlatXmlLimits& limits) : doc_(document), limits_(limits) {}

    FlatXml run() {
        if (doc_.size() > limits_.max_bytes) {
            throw Refusal("document is larger than " + std::to_string(limits_.max_bytes) + " bytes");
        }
        if (doc_.substr(0, kBom.size()) == kBom) {
            pos_ = kBom.size();
        }
        if (const auto problem = character_problem(doc_.substr(pos_))) {
            throw Refusal("document contains " + *problem);
        }
        // The declaration may only stand at the very start (XML 1.0, production [1]).
        if (at("<?xml") && pos_ + 5 < doc_.size() && (is_space(doc_[pos_ + 5]) || doc_[pos_ + 5] == '?')) {
            declaration();
        }
        skip_space();
        refuse_markup_declarations();
        if (!at("<")) {
            throw Refusal(at_end() ? "document is empty" : "text before the root element");
        }
        ++pos_;
        if (read_name() != "xml") {
            throw Refusal("root element is not <xml>");
        }
        FlatXml fields;
        if (!open_tag_end()) {
            fields_of_root(fields);
        }
        skip_space();
        if (!at_end()) {
            throw Refusal("content after the root element");
        }
        return fields;
    }

private:
    bool at_end() const { return pos_ >= doc_.size(); }
    bool at(std::string_view s) const { return doc_.compare(pos_, s.size(), s) == 0; }

    void skip_space() {
        while (!at_end() && is_space(doc_[pos_])) {
            ++pos_;
        }
    }

    // Comments, DOCTYPE, ENTITY and other <! ... > markup, and processing instructions: none of
    // them has a place in APIv2's documents, and DOCTYPE is where entity attacks live.
    void refuse_markup_declarations() const {
        if (at("<!DOCTYPE")) {
            throw Refusal("DOCTYPE is not accepted");
        }
        if (at("<!ENTITY")) {
            throw Refusal("entity declarations are not accepted");
        }
        if (at("<!--")) {
            throw Refusal("comments are not accepted");
        }
        if (at("<!")) {
            throw Refusal("markup declarations are not accepted here");
        }
        if (at("<?")) {
            throw Refusal("processing instructions are not accepted");
        }
    }

    // <?xml version="1.0" encoding="UTF-8" standalone="yes"?>, pseudo-attributes in that order,
    // encoding and standalone optional. Another encoding is refused: the bytes are not
    // transcoded, so they would be read wrongly.
    void declaration() {
        pos_ += 5;
        const std::size_t end = doc_.find("?>", pos_);
        if (end == std::string_view::npos) {
            throw Refusal("unterminated XML declaration");
        }
        const std::string_view body = doc_.substr(pos_, end - pos_);
        pos_ = end + 2;
        std::size_t i = 0;
        int seen = 0;  // 1 version, 2 encoding, 3 standalone: each must come after the previous
        while (true) {
            const std::size_t before = i;
            while (i < body.size() && is_space(body[i])) {
                ++i;
            }
            if (i == body.size()) {
                break;
            }
            if (i == before) {
                throw Refusal("malformed XML declaration");
            }
            const std::size_t name_start = i;
            while (i < body.size() && body[i] >= 'a' && body[i] <= 'z') {
                ++i;
            }
            const std::string_view name = body.substr(name_start, i - name_start);
            while (i < body.size() && is_space(body[i])) {
                ++i;
            }
            if (i == body.size() || body[i] != '=') {
                throw Refusal("malformed XML declaration");
            }
            ++i;
            while (i < body.size() && is_space(body[i])) {
                ++i;
            }
            if (i == body.size() || (body[i] != '"' && body[i] != '\'')) {
                throw Refusal("malformed XML declaration");
            }
            const char quote = body[i++];
            const std::size_t close = body.find(quote, i);
            if (close == std::string_view::npos) {
                throw Refusal("malformed XML declaration");
            }
            const std::string_view value = body.substr(i, close - i);
            i = close + 1;
            int order = 0;
            bool valid = false;
            if (name == "version") {
                order = 1;
                valid = value == "1.0" || value == "1.1";
            } else if (name == "encoding") {
                order = 2;
                valid = value.size() == 5 && (value[0] == 'u' || value[0] == 'U') &&
                        (value[1] == 't' || value[1] == 'T') && (value[2] == 'f' || value[2] == 'F') &&
                        value.substr(3) == "-8";
            } else if (name == "standalone") {
                order = 3;
                valid = value == "yes" || value == "no";
            }
            if (order == 0 || order <= seen || (seen == 0 && order != 1) || !valid) {
                throw Refusal("XML declaration other than version, UTF-8 encoding and standalone");
            }
            seen = order;
        }
        if (seen == 0) {
            throw Refusal("XML declaration without a version");
        }
    }

    // [A-Za-z_][A-Za-z0-9_]* right after "<" or "</", no longer than the limit.
    std::string_view read_name() {
        const std::size_t start = pos_;
        while (!at_end() && is_name_char(doc_[pos_])) {
            ++pos_;
            if (pos_ - start > limits_.max_name_bytes) {
                throw Refusal("element name longer than " + std::to_string(limits_.max_name_bytes) + " bytes");
            }
        }
        if (at_end()) {
            throw Refusal("document ends inside a tag");
        }
        if (pos_ == start) {
            throw Refusal("element name expected");
        }
        if (!is_name_start(doc_[start])) {
            throw Refusal("element name starts with a digit");
        }
        const char next = doc_[pos_];
        if (!is_space(next) && next != '>' && next != '/') {
            throw Refusal("element names may only hold [A-Za-z0-9_]");
        }
        return doc_.substr(start, pos_ - start);
    }

    // After a start tag's name: ">" (returns false) or "/>" (returns true, an empty element).
    bool open_tag_end() {
        skip_space();
        if (at(">")) {
            ++pos_;
            return false;
        }
        if (at("/>")) {
            pos_ += 2;
            return true;
        }
        if (at_end()) {
            throw Refusal("document ends inside a tag");
        }
        throw Refusal(is_name_start(doc_[pos_]) ? "attributes are not accepted" : "malformed start tag");
    }

    // After "</": the name, which must be `open`, optional space, ">".
    void close_tag(std::string_view open) {
        if (read_name() != open) {
            throw Refusal("end tag does not match <" + std::string(open) + ">");
        }
        skip_space();
        if (!at(">")) {
            throw Refusal(at_end() ? "document ends inside a tag" : "malformed end tag");
        }
        ++pos_;
    }

    void fields_of_root(FlatXml& fields) {
        while (true) {
            skip_space();
            if (at_end()) {
                throw Refusal("document ends inside <xml>");
            }
            if (at("</")) {
                pos_ += 2;
                close_tag("xml");
                return;
            }
            refuse_markup_declarations();
            if (!at("<")) {
                throw Refusal("text outside a field");
            }
            ++pos_;
            std::string name(read_name());
            std::string value;
            if (!open_tag_end()) {
                value = field_text(name);
            }
            if (fields.count(name) != 0) {
                throw Refusal("field <" + name + "> appears twice");
            }
            if (fields.size() >= limits_.max_fields) {
                throw Refusal("more than " + std::to_string(limits_.max_fields) + " fields");
            }
            fields.emplace(std::move(name), std::move(value));
        }
    }

    // A field's content up to and including its end tag: character data with references, and
    // CDATA sections (adjacent ones too: write_flat_xml splits a value holding "]]>" that way).
    std::string field_text(std::string_view name) {
        std::string value;
        while (true) {
            if (at_end()) {
                throw Refusal("document ends inside <" + std::string(name) + ">");
            }
            const char c = doc_[pos_];
            if (c == '<') {
                if (at(kCdataOpen)) {
                    pos_ += kCdataOpen.size();
                    const std::size_t end = doc_.find(kCdataClose, pos_);
                    if (end == std::string_view::npos) {
                        throw Refusal("unterminated CDATA section");
                    }
                    value.append(doc_.substr(pos_, end - pos_));
                    pos_ = end + kCdataClose.size();
                    continue;
                }
                if (at("</")) {
                    pos_ += 2;
                    close_tag(name);
                    return value;
                }
                refuse_markup_declarations();
                throw Refusal("nested elements are not accepted (in <" + std::string(name) + ">)");
            }
            if (c == '&') {
                reference(value);
                continue;
            }
            if (at(kCdataClose)) {
                throw Refusal("\"]]>\" outside a CDATA section");
            }
            value += c;
            ++pos_;
        }
    }

    // After "&": one of the five predefined entities or a character reference, up to ";".
    void reference(std::string& out) {
        ++pos_;
        const std::size_t semi = doc_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > kMaxReferenceBytes) {
            throw Refusal("malformed entity reference");
        }
        const std::string_view ref = doc_.substr(pos_, semi - pos_);
        pos_ = semi + 1;
        if (ref == "amp") {
            out += '&';
        } else if (ref == "lt") {
            out += '<';
        } else if (ref == "gt") {
            out += '>';
        } else if (ref == "quot") {
            out += '"';
        } else if (ref == "apos") {
            out += '\'';
        } else if (!ref.empty() && ref[0] == '#') {
            append_utf8(out, character_reference(ref.substr(1)));
        } else {
            throw Refusal("entity references other than amp, lt, gt, quot, apos are not accepted");
        }
    }

    // "123" or "x1F": a code point XML allows as a character.
    static std::uint32_t character_reference(std::string_view digits) {
        std::uint32_t base = 10;
        if (!digits.empty() && digits[0] == 'x') {
            base = 16;
            digits.remove_prefix(1);
        }
        if (digits.empty()) {
            throw Refusal("malformed character reference");
        }
        std::uint32_t cp = 0;
        for (const char c : digits) {
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9') {
                d = static_cast<std::uint32_t>(c - '0');
            } else if (base == 16 && c >= 'a' && c <= 'f') {
                d = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (base == 16 && c >= 'A' && c <= 'F') {
                d = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                throw Refusal("malformed character reference");
            }
            cp = cp * base + d;
            if (cp > 0x10FFFF) {  // also keeps the arithmetic far from overflow
                throw Refusal("character reference outside Unicode");
            }
        }
        if (!is_xml_char(cp)) {
            throw Refusal("character reference to a character XML does not allow");
        }
        return cp;
    }

    std::string_view doc_;
    const FlatXmlLimits& limits_;
    std::size_t pos_ = 0;
};

}  // namespace

Result<FlatXml> parse_flat_xml(std::string_view document, const FlatXmlLimits& limits) {
    try {
        return Tokenizer(document, limits).run();
    } catch (const Refusal& refusal) {
        return make_error(ErrorCode::kBadRequest, std::string("XML document refused: ") + refusal.what());
    }
}

std::string write_flat_xml(const FlatXml& fields) {
    std::string out = "<xml>";
    for (const auto& [name, value] : fields) {
        // A bad name or value is the caller's bug; writing it would produce a document that the
        // other side (and parse_flat_xml) reads differently or refuses.
        if (!valid_name(name)) {
            throw std::invalid_argument("XML field name outside [A-Za-z_][A-Za-z0-9_]*");
        }
        if (const auto problem = character_problem(value)) {
            throw std::invalid_argument("value of XML field " + name + " contains " + *problem);
        }
        out += '<';
        out += name;
        out += '>';
        out += kCdataOpen;
        std::size_t from = 0;
        for (std::size_t at = value.find(kCdataClose); at != std::string::npos; at = value.find(kCdataClose, from)) {
            // End the section between "]]" and ">", and start a new one with the ">".
            out.append(value, from, at + 2 - from);
            out += kCdataClose;
            out += kCdataOpen;
            from = at + 2;
        }
        out.append(value, from);
        out += kCdataClose;
        out += "</";
        out += name;
        out += '>';
    }
    out += "</xml>";
    return out;
}

}  // namespace gomall::wechatpay
