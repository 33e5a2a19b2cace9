// OTLP/HTTP JSON encoding of a batch of spans (the protobuf JSON mapping of
// ExportTraceServiceRequest): ids in hex, 64-bit integers and times as strings, enums as numbers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ports/tracer.hpp"

namespace gomall::adapters::otlp {

/// Who sent the spans: the resource attributes service.name, service.version, service.instance.id.
struct Resource {
    std::string service_name;
    std::string service_version;
    std::string instance_id;
};

/// Strings longer than this (span names, attribute values, status messages) are cut, at a
/// character boundary: a client-chosen path cannot make a span arbitrarily large.
constexpr std::size_t kMaxStringBytes = 1024;

/// One request body for POST /v1/traces. Every string is made valid UTF-8 (an invalid byte
/// becomes U+FFFD; a collector rejects the whole batch otherwise) and escaped.
std::string encode_otlp_json(
    const Resource& resource, std::string_view scope_name, const std::vector<std::unique_ptr<ports::SpanRecord>>& spans
);

/// Appends `text` as a JSON string literal: valid UTF-8, cut to `max_bytes` of input.
void append_json_string(std::string& out, std::string_view text, std::size_t max_bytes = kMaxStringBytes);

}  // namespace gomall::adapters::otlp
