// libFuzzer target: the WeChat Pay APIv2 flat-XML tokenizer (adapters/wechatpay/flat_xml), which
// reads payment notifications straight from the network. Checks: no crash or undefined behaviour,
// and what it accepts round-trips: write_flat_xml() takes every value it produced (no throw) and
// reading that document back gives the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/wechatpay/flat_xml.hpp"

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using gomall::wechatpay::parse_flat_xml;
    const std::string_view document(reinterpret_cast<const char*>(data), size);
    const auto fields = parse_flat_xml(document);
    if (!fields.ok()) {
        return 0;
    }
    // CDATA splitting and the wrapper make the written document longer than the one read.
    gomall::wechatpay::FlatXmlLimits roomy;
    roomy.max_bytes = document.size() * 4 + 1024;
    const auto again = parse_flat_xml(gomall::wechatpay::write_flat_xml(fields.value()), roomy);
    if (!again.ok() || again.value() != fields.value()) {
        std::abort();
    }
    return 0;
}
