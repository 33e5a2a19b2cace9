// W3C traceparent parsing and formatting, including hostile headers, and the thread's active trace.
#include "core/trace_context.hpp"

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace gomall {
namespace {

constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesAValidHeaderAndWritesItBack) {
    const auto context = parse_traceparent(kValid);
    ASSERT_TRUE(context);
    EXPECT_EQ(to_hex(context->trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(to_hex(context->span_id), "00f067aa0ba902b7");
    EXPECT_TRUE(context->sampled);
    EXPECT_EQ(format_traceparent(*context), kValid);
}

TEST(TraceparentTest, ReadsTheSampledBitOnly) {
    auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    ASSERT_TRUE(context);
    EXPECT_FALSE(context->sampled);
    EXPECT_EQ(format_traceparent(*context), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02");
    ASSERT_TRUE(context);
    EXPECT_FALSE(context->sampled);
    context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03");
    ASSERT_TRUE(context);
    EXPECT_TRUE(context->sampled);
}

TEST(TraceparentTest, AcceptsFieldsAfterTheFlagsOnlyInLaterVersions) {
    EXPECT_TRUE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
    EXPECT_FALSE(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01future"));
    EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-"));
}

TEST(TraceparentTest, RefusesMalformedHeaders) {
    const char* hostile[] = {
        "",
        "00",
        "garbage",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",           // short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",         // long for 00
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",          // version ff
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",          // zero trace
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",          // zero span
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",          // upper case
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",          // not hex
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",          // separators
        "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",          // version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",          // flags
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\nx: y",  // injection
    };
    for (const char* header : hostile) {
        EXPECT_FALSE(parse_traceparent(header)) << header;
    }
    EXPECT_FALSE(parse_traceparent(std::string(100000, '0')));
    std::string with_nul = kValid;
    with_nul[10] = '\0';
    EXPECT_FALSE(parse_traceparent(with_nul));
}

TEST(TraceIdsTest, RandomIdsAreValidAndDiffer) {
    const auto a = random_trace_id();
    const auto b = random_trace_id();
    EXPECT_NE(a, b);
    EXPECT_NE(random_span_id(), random_span_id());
    TraceContext context{a, random_span_id(), false};
    EXPECT_TRUE(context.valid());
    EXPECT_FALSE(TraceContext{}.valid());
}

TEST(ActiveTraceTest, ScopesNestAndStayOnTheirThread) {
    EXPECT_FALSE(ActiveTrace::current().valid());
    const TraceContext outer{random_trace_id(), random_span_id(), true};
    {
        const ActiveTrace::Scope a(outer);
        EXPECT_EQ(ActiveTrace::current().span_id, outer.span_id);
        const TraceContext inner{outer.trace_id, random_span_id(), true};
        {
            const ActiveTrace::Scope b(inner);
            EXPECT_EQ(ActiveTrace::current().span_id, inner.span_id);
            bool other_thread_saw_it = true;
            std::thread([&] { other_thread_saw_it = ActiveTrace::current().valid(); }).join();
            EXPECT_FALSE(other_thread_saw_it);
        }
        EXPECT_EQ(ActiveTrace::current().span_id, outer.span_id);
    }
    EXPECT_FALSE(ActiveTrace::current().valid());
}

TEST(ActiveTraceTest, AHandoffIsTakenOnceAndClearedWhenItEnds) {
    EXPECT_FALSE(ActiveTrace::take_handoff().valid());
    const TraceContext context{random_trace_id(), random_span_id(), true};
    {
        const ActiveTrace::Handoff handoff(context);
        EXPECT_FALSE(ActiveTrace::current().valid());  // not the thread's active span
        const TraceContext taken = ActiveTrace::take_handoff();
        EXPECT_EQ(taken.span_id, context.span_id);
        EXPECT_FALSE(ActiveTrace::take_handoff().valid());  // a second call gets nothing
    }
    {
        const ActiveTrace::Handoff untaken(context);
        bool other_thread_took_it = true;
        std::thread([&] { other_thread_took_it = ActiveTrace::take_handoff().valid(); }).join();
        EXPECT_FALSE(other_thread_took_it);
    }
    // Nobody took it: it must not linger for the next call this thread starts.
    EXPECT_FALSE(ActiveTrace::take_handoff().valid());
}

}  // namespace
}  // namespace gomall
