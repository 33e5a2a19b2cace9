// The unified JSON envelope {"code","message","data","trace_id"} and the one table
// from business error codes to HTTP statuses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "core/money.hpp"
#include "http/request.hpp"

namespace gomall::http {

/// HTTP status for a business error code (400/401/403/404/409/413/415/429/500/503 classes).
int http_status_for(ErrorCode code);

/// 200 (or `status`) with {"code":0,"message":"success","data":data}.
Response ok(const Request& req, const boost::json::value& data, int status = 200);
/// 200 with `data_json` already encoded (a cached answer): the bytes ok() would write for it.
Response ok_encoded(const Request& req, std::string_view data_json);
Response error_response(const Request& req, const Error& error);
Response error_response(const Request& req, ErrorCode code, std::string message, std::string field = {});

/// Money as a JSON number with two decimals written out (5999.00), converted exactly from cents.
/// Works through ok(): the value is a placeholder that serialisation replaces.
boost::json::value money_json(Cents cents);

/// Serialises a JSON value, writing money_json() placeholders as exact decimal numbers.
std::string serialize_json(const boost::json::value& value);

/// {"list": items, "total", "page", "page_size", "total_page"}.
boost::json::object page_object(boost::json::array items, std::int64_t total, int page, int page_size);

/// Convenience for handlers: envelope a Result, converting the value with `to_json`.
template <class T, class F>
Response respond(const Request& req, const Result<T>& result, F&& to_json, int status = 200) {
    if (!result.ok()) {
        return error_response(req, result.error());
    }
    return ok(req, to_json(result.value()), status);
}

}  // namespace gomall::http
