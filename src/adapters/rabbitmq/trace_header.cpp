// Writing and reading the traceparent entry of AMQP message headers.
#include "adapters/rabbitmq/trace_header.hpp"

#include <optional>
#include <span>

namespace gomall::adapters::rabbitmq {
namespace {

amqp_bytes_t bytes_of(std::string_view text) {
    // rabbitmq-c only reads through this pointer when sending.
    return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

std::string_view view_of(const amqp_bytes_t& bytes) {
    if (bytes.len == 0 || bytes.bytes == nullptr) {
        return {};
    }
    return {static_cast<const char*>(bytes.bytes), bytes.len};
}

}  // namespace

amqp_table_entry_t traceparent_entry(std::string_view value) {
    amqp_table_entry_t entry{};
    entry.key = bytes_of(kTraceparentHeader);
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = bytes_of(value);
    return entry;
}

std::string traceparent_from_headers(const amqp_table_t& headers) {
    if (headers.num_entries <= 0 || headers.entries == nullptr) {
        return {};
    }
    std::optional<std::string_view> found;
    const std::span<const amqp_table_entry_t> entries(headers.entries, static_cast<std::size_t>(headers.num_entries));
    for (const amqp_table_entry_t& entry : entries) {
        if (view_of(entry.key) != kTraceparentHeader) {
            continue;
        }
        if (found) {
            return {};  // more than one: none of them can be trusted
        }
        if (entry.value.kind != AMQP_FIELD_KIND_UTF8 && entry.value.kind != AMQP_FIELD_KIND_BYTES) {
            return {};
        }
        found = view_of(entry.value.value.bytes);
    }
    if (!found || found->size() > kMaxTraceparentBytes) {
        return {};
    }
    return std::string(*found);
}

TraceContext parent_from_traceparent(std::string_view value) {
    if (value.empty() || value.size() > kMaxTraceparentBytes) {
        return {};
    }
    return parse_traceparent(value).value_or(TraceContext{});
}

}  // namespace gomall::adapters::rabbitmq
