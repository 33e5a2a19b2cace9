// Redis client spans against a real server (GOMALL_TEST_REDIS_HOST / _PORT): one client span per
// command or script call, child of the context handed to the call, named by the command, with no
// key or argument in it; none outside a sampled trace; an error reply marks the span failed.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/otlp/sampling_tracer.hpp"
#include "adapters/redis/redis_client.hpp"
#include "adapters/redis/redis_script.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

class Collected final : public ports::SpanSink {
public:
    void submit(std::unique_ptr<ports::SpanRecord> span) noexcept override {
        const std::lock_guard lock(mutex_);
        spans_.push_back(*span);
    }
    std::vector<ports::SpanRecord> spans() const {
        const std::lock_guard lock(mutex_);
        return spans_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<ports::SpanRecord> spans_;
};

/// Awaits `call` the way the flash-sale service does: with `context` handed to it.
template <class T>
boost::asio::awaitable<T> handed(TraceContext context, boost::asio::awaitable<T> call) {
    const ActiveTrace::Handoff handoff(context);
    co_return co_await std::move(call);
}

std::string text_of(const ports::AttributeValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
        return *text;
    }
    return {};
}

class RedisCommandSpansTest : public RedisServerTest {
protected:
    void SetUp() override {
        RedisServerTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        client_->trace_with(tracer_);
    }

    boost::asio::awaitable<RedisReply> two_pings() {
        // Named vectors, not braced lists: GCC 12 miscompiles initializer lists inside co_await.
        std::vector<std::string> ping{"PING"};
        std::vector<std::string> again{"PING"};
        co_await client_->command(std::move(ping));
        co_return co_await client_->command(std::move(again));
    }

    Collected sink_;
    otlp::SamplingTracer tracer_{sink_, 1.0};
};

TEST_F(RedisCommandSpansTest, ACommandAndAScriptAreChildSpansWithoutKeysOrArguments) {
    const TraceContext parent{random_trace_id(), random_span_id(), true};
    const std::string secret = "tok-" + prefix_;
    const RedisScript script("return redis.call('GET', KEYS[1])");
    run(io_, handed(parent, client_->command({"set", prefix_ + ":token", secret})));
    const auto got = run(io_, handed(parent, client_->eval(script, {prefix_ + ":token"}, {secret})));
    EXPECT_EQ(got.text, secret);

    const auto spans = sink_.spans();
    ASSERT_EQ(spans.size(), 2U);
    EXPECT_EQ(spans[0].name, "SET");
    EXPECT_EQ(spans[1].name, "EVALSHA");  // one span, though the script was loaded with EVAL on NOSCRIPT
    for (const auto& span : spans) {
        EXPECT_EQ(span.kind, ports::SpanKind::kClient);
        EXPECT_EQ(span.context.trace_id, parent.trace_id);
        EXPECT_EQ(span.parent_span_id, parent.span_id);
        EXPECT_NE(span.status, ports::SpanStatus::kError);
        bool system = false;
        for (const auto& [key, value] : span.attributes) {
            system = system || (key == "db.system" && text_of(value) == "redis");
            EXPECT_EQ(text_of(value).find(secret), std::string::npos) << key;
            EXPECT_EQ(text_of(value).find(prefix_), std::string::npos) << key;  // no key names either
        }
        EXPECT_TRUE(system) << span.name;
    }
}

TEST_F(RedisCommandSpansTest, NothingOutsideASampledTraceAndAHandoffIsUsedOnce) {
    run(io_, client_->command({"PING"}));  // no parent at all
    const TraceContext quiet{random_trace_id(), random_span_id(), false};
    run(io_, handed(quiet, client_->command({"PING"})));
    EXPECT_TRUE(sink_.spans().empty());

    const TraceContext parent{random_trace_id(), random_span_id(), true};
    // The first call takes the handoff; the second, awaited after it, finds none and records nothing.
    run(io_, handed(parent, two_pings()));
    EXPECT_EQ(sink_.spans().size(), 1U);
}

TEST_F(RedisCommandSpansTest, AnErrorReplyFailsTheSpanWithItsKindOnly) {
    const TraceContext parent{random_trace_id(), random_span_id(), true};
    const auto reply = run(io_, handed(parent, client_->command({"NOSUCHCOMMAND", "secret-arg"})));
    EXPECT_TRUE(reply.is_error());
    const auto spans = sink_.spans();
    ASSERT_EQ(spans.size(), 1U);
    EXPECT_EQ(spans[0].name, "NOSUCHCOMMAND");
    EXPECT_EQ(spans[0].status, ports::SpanStatus::kError);
    EXPECT_EQ(spans[0].status_message, "redis error reply ERR");
}

TEST_F(RedisCommandSpansTest, AHostileCommandNameIsCutToItsLetters) {
    const TraceContext parent{random_trace_id(), random_span_id(), true};
    run(io_, handed(parent, client_->command({"get\r\nFLUSHALL " + std::string(1000, 'x'), "k"})));
    run(io_, handed(parent, client_->command({std::string(1000, 'A')})));
    const auto spans = sink_.spans();
    ASSERT_EQ(spans.size(), 2U);
    EXPECT_EQ(spans[0].name, "GET");
    EXPECT_EQ(spans[1].name, std::string(32, 'A'));
}

}  // namespace
}  // namespace gomall::adapters::redis
