#include "http/request.hpp"

#include <algorithm>
#include <cctype>

#include <boost/url/parse.hpp>

namespace gomall::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string_view method_name(Method m) {
    switch (m) {
        case Method::kGet:
            return "GET";
        case Method::kHead:
            return "HEAD";
        case Method::kPost:
            return "POST";
        case Method::kPut:
            return "PUT";
        case Method::kPatch:
            return "PATCH";
        case Method::kDelete:
            return "DELETE";
        case Method::kOptions:
            return "OPTIONS";
        case Method::kOther:
            break;
    }
    return "OTHER";
}

Method parse_method(std::string_view name) {
    if (name == "GET")
        return Method::kGet;
    if (name == "HEAD")
        return Method::kHead;
    if (name == "POST")
        return Method::kPost;
    if (name == "PUT")
        return Method::kPut;
    if (name == "PATCH")
        return Method::kPatch;
    if (name == "DELETE")
        return Method::kDelete;
    if (name == "OPTIONS")
        return Method::kOptions;
    return Method::kOther;
}

bool parse_target(Request& req) {
    auto parsed = boost::urls::parse_origin_form(req.target);
    if (!parsed) {
        return false;
    }
    req.path = parsed->path();
    if (req.path.empty()) {
        req.path.push_back('/');  // not `= "/"`: GCC 12 -O3 warns falsely (stringop-overflow) on that
    }
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (auto param : parsed->params(opts)) {
        req.query.emplace_back(param.key, param.value);
    }
    return true;
}

std::string_view Request::header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) {
            return value;
        }
    }
    return {};
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return std::string_view{value};
        }
    }
    return std::nullopt;
}

std::string_view Request::param(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
        if (key == name) {
            return value;
        }
    }
    return {};
}

void Response::set_header(std::string name, std::string value) {
    for (auto& [key, existing] : headers) {
        if (iequals(key, name)) {
            existing = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

std::string_view Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

}  // namespace gomall::http
