// Names of the business error codes as they travel in an rpc's error detail ("SOLD_OUT"), and the
// way back from a number received over the wire to an ErrorCode we know.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.hpp"

namespace gomall::rpc {

/// "SOLD_OUT" for kSoldOut; empty for a value that is not one of ErrorCode's enumerators.
std::string_view error_code_name(ErrorCode code);

/// The ErrorCode with this number, or nullopt when the number is none of ours (a newer peer).
std::optional<ErrorCode> error_code_from_number(int number);

}  // namespace gomall::rpc
