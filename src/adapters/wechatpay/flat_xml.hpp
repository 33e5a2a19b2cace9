// APIv2's documents: one <xml> root holding flat <name>text</name> fields. A strict tokenizer of
// exactly that shape, not an XML parser: no DTD, no DOCTYPE, no processing instructions other
// than a leading <?xml ...?> declaration, no entity other than the five predefined ones and
// numeric character references, no nesting, no attributes. Anything else is refused, so entity
// expansion and external entities cannot happen.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace gomall::wechatpay {

struct FlatXmlLimits {
    std::size_t max_bytes = std::size_t{64} * 1024;
    std::size_t max_fields = 64;
    std::size_t max_name_bytes = 64;
};

using FlatXml = std::map<std::string, std::string>;

/// Field names are [A-Za-z0-9_] (not starting with a digit, as XML requires); text may be plain
/// (with entities) or CDATA (adjacent sections are joined, as write_flat_xml produces them);
/// <name/> is an empty field; a repeated field is an error. The document must be UTF-8 without
/// NUL or other characters XML forbids. Error code kBadRequest, message saying what was refused.
Result<FlatXml> parse_flat_xml(std::string_view document, const FlatXmlLimits& limits = {});

/// <xml><name><![CDATA[value]]></name>...</xml> in key order; a value holding "]]>" is split
/// across CDATA sections so it round-trips. Throws std::invalid_argument for a name that is not
/// [A-Za-z_][A-Za-z0-9_]* or a value XML cannot carry (NUL, control characters, bad UTF-8).
std::string write_flat_xml(const FlatXml& fields);

}  // namespace gomall::wechatpay
