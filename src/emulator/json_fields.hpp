// Reading the JSON bodies of the APIv3 and test routes the way WeChat judges them: one object, no
// field named twice, each field checked for type and length; the first problem found is kept
// and becomes the PARAM_ERROR message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error.hpp"

namespace gomall::emulator {

/// The body as a JSON object; an error message for malformed JSON, another top level or a field
/// named twice (two parsers could read different copies).
Result<boost::json::object> parse_json_object(std::string_view body);

class JsonFields {
public:
    explicit JsonFields(const boost::json::object& object) : object_(object) {}

    /// A string of 1..max_chars UTF-8 characters; "" when absent and optional.
    std::string text(std::string_view name, std::size_t max_chars, bool required = true);
    /// A JSON integer within [min, max]; nullopt when absent and optional.
    std::optional<std::int64_t> integer(
        std::string_view name, std::int64_t min, std::int64_t max, bool required = true
    );
    std::optional<bool> boolean(std::string_view name);
    /// A nested object; nullptr when absent and optional.
    const boost::json::object* object(std::string_view name, bool required = true);

    /// Records a problem found by the caller (the first one wins).
    void fail(std::string message);
    bool ok() const { return !problem_; }
    const std::string& problem() const { return *problem_; }

private:
    const boost::json::value* find(std::string_view name, bool required);

    const boost::json::object& object_;
    std::optional<std::string> problem_;
};

}  // namespace gomall::emulator
