// Finds objects that name a key twice. Boost.JSON keeps the last copy silently; a body like
// {"quantity": 1, "quantity": 99} means different things to different parsers (a proxy or a
// validator in front of us may read the first), so the API refuses it instead of picking one.
#pragma once

#include <string_view>

namespace gomall::http {

/// True when some object in `json` has two members with the same key (after unescaping). Call it
/// on text that has already parsed: on malformed input the answer is false.
bool has_duplicate_keys(std::string_view json);

}  // namespace gomall::http
