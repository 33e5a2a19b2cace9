#include "http/json_duplicate_keys.hpp"

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse_options.hpp>

namespace gomall::http {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// SAX handler: one set of keys per open object; everything but keys and objects is ignored.
class DuplicateKeyFinder {
public:
    static constexpr std::size_t max_array_size = -1;   // NOLINT(readability-identifier-naming): Boost's names
    static constexpr std::size_t max_object_size = -1;  // NOLINT(readability-identifier-naming)
    static constexpr std::size_t max_string_size = -1;  // NOLINT(readability-identifier-naming)
    static constexpr std::size_t max_key_size = -1;     // NOLINT(readability-identifier-naming)

    bool found() const { return found_; }

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t, error_code&) { return true; }
    bool on_object_begin(error_code&) {
        open_.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        open_.pop_back();
        return true;
    }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) { return true; }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code& ec) {
        key_.append(s.data(), s.size());
        if (!open_.back().insert(std::move(key_)).second) {
            found_ = true;
            ec = boost::json::error::extra_data;  // stop parsing: the answer is known
            return false;
        }
        key_.clear();
        return true;
    }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) { return true; }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
    bool on_double(double, string_view, error_code&) { return true; }
    bool on_bool(bool, error_code&) { return true; }
    bool on_null(error_code&) { return true; }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    std::vector<std::unordered_set<std::string>> open_;
    std::string key_;
    bool found_ = false;
};

}  // namespace

bool has_duplicate_keys(std::string_view json) {
    boost::json::parse_options options;
    options.max_depth = 64;
    boost::json::basic_parser<DuplicateKeyFinder> parser(options);
    error_code ec;
    parser.write_some(false, json.data(), json.size(), ec);
    return parser.handler().found();
}

}  // namespace gomall::http
