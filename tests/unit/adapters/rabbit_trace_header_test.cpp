// The traceparent header of reservation messages: what a publisher writes reads back as the same
// context, and every hostile header (wrong type, oversized, repeated, malformed, absent) reads as
// "no parent" instead of failing the delivery.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/rabbitmq/trace_header.hpp"

namespace gomall::adapters::rabbitmq {
namespace {

amqp_bytes_t bytes_of(const std::string& text) {
    return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

amqp_table_entry_t text_entry(
    const std::string& key, const std::string& value, std::uint8_t kind = AMQP_FIELD_KIND_UTF8
) {
    amqp_table_entry_t entry{};
    entry.key = bytes_of(key);
    entry.value.kind = kind;
    entry.value.value.bytes = bytes_of(value);
    return entry;
}

std::string read(std::vector<amqp_table_entry_t>& entries) {
    return traceparent_from_headers(amqp_table_t{static_cast<int>(entries.size()), entries.data()});
}

const std::string kKey(kTraceparentHeader);
const std::string kGood = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(RabbitTraceHeader, WrittenEntryReadsBackAsTheSameContext) {
    TraceContext context;
    context.trace_id = random_trace_id();
    context.span_id = random_span_id();
    context.sampled = true;
    const std::string value = format_traceparent(context);
    std::vector<amqp_table_entry_t> entries{traceparent_entry(value)};
    const std::string read_back = read(entries);
    EXPECT_EQ(read_back, value);
    const TraceContext parent = parent_from_traceparent(read_back);
    ASSERT_TRUE(parent.valid());
    EXPECT_EQ(parent.trace_id, context.trace_id);
    EXPECT_EQ(parent.span_id, context.span_id);
    EXPECT_TRUE(parent.sampled);
}

TEST(RabbitTraceHeader, FoundAmongOtherHeadersAndAsBytes) {
    const std::string other_key = "x-other";
    const std::string other_value = "whatever";
    std::vector<amqp_table_entry_t> entries{text_entry(other_key, other_value), text_entry(kKey, kGood)};
    EXPECT_EQ(read(entries), kGood);
    std::vector<amqp_table_entry_t> as_bytes{text_entry(kKey, kGood, AMQP_FIELD_KIND_BYTES)};
    EXPECT_EQ(read(as_bytes), kGood);
}

TEST(RabbitTraceHeader, AbsentOrEmptyTablesMeanNone) {
    EXPECT_EQ(traceparent_from_headers(amqp_empty_table), "");
    EXPECT_EQ(traceparent_from_headers(amqp_table_t{3, nullptr}), "");  // a count without entries
    std::vector<amqp_table_entry_t> one{text_entry(kKey, kGood)};
    EXPECT_EQ(traceparent_from_headers(amqp_table_t{-1, one.data()}), "");
    const std::string empty;
    std::vector<amqp_table_entry_t> blank{text_entry(kKey, empty)};
    EXPECT_EQ(read(blank), "");
    const std::string near_key = "Traceparent";  // header names in AMQP tables are exact
    std::vector<amqp_table_entry_t> other_case{text_entry(near_key, kGood)};
    EXPECT_EQ(read(other_case), "");
}

TEST(RabbitTraceHeader, WrongTypeOrRepeatedMeansNone) {
    amqp_table_entry_t number{};
    number.key = bytes_of(kKey);
    number.value.kind = AMQP_FIELD_KIND_I64;
    number.value.value.i64 = 42;
    std::vector<amqp_table_entry_t> typed{number};
    EXPECT_EQ(read(typed), "");

    amqp_table_entry_t nested{};
    nested.key = bytes_of(kKey);
    nested.value.kind = AMQP_FIELD_KIND_TABLE;
    nested.value.value.table = amqp_empty_table;
    std::vector<amqp_table_entry_t> table{nested};
    EXPECT_EQ(read(table), "");

    const std::string other = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    std::vector<amqp_table_entry_t> twice{text_entry(kKey, kGood), text_entry(kKey, other)};
    EXPECT_EQ(read(twice), "");
    std::vector<amqp_table_entry_t> same_twice{text_entry(kKey, kGood), text_entry(kKey, kGood)};
    EXPECT_EQ(read(same_twice), "");
}

TEST(RabbitTraceHeader, OversizedValueIsNotCopied) {
    const std::string huge = kGood + "-" + std::string(1 << 20, 'a');
    std::vector<amqp_table_entry_t> entries{text_entry(kKey, huge)};
    EXPECT_EQ(read(entries), "");
    const std::string at_limit = kGood + "-" + std::string(kMaxTraceparentBytes - kGood.size() - 1, 'a');
    std::vector<amqp_table_entry_t> limit{text_entry(kKey, at_limit)};
    EXPECT_EQ(read(limit), at_limit);
    EXPECT_FALSE(parent_from_traceparent(huge).valid());
}

TEST(RabbitTraceHeader, MalformedValuesMeanNoParent) {
    const std::vector<std::string> hostile{
        "",
        "00",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",        // no flags
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",     // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",     // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",     // zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",     // forbidden version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx",  // version 00 with more
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\0", 55),
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-\xff\xfe",
        std::string(kMaxTraceparentBytes + 1, '0'),
    };
    for (const std::string& value : hostile) {
        EXPECT_FALSE(parent_from_traceparent(value).valid()) << value;
        std::vector<amqp_table_entry_t> entries{text_entry(kKey, value)};
        EXPECT_FALSE(parent_from_traceparent(read(entries)).valid()) << value;
    }
}

TEST(RabbitTraceHeader, UnsampledParentKeepsItsFlag) {
    const std::string unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
    const TraceContext parent = parent_from_traceparent(unsampled);
    ASSERT_TRUE(parent.valid());
    EXPECT_FALSE(parent.sampled);
}

}  // namespace
}  // namespace gomall::adapters::rabbitmq
