// The revocation feed against a real redis-server (skipped without GOMALL_TEST_REDIS_HOST / _PORT):
// instances of one shop hear each other's revocations and not their own nor another shop's,
// malformed messages are counted and skipped, a lost subscription is followed by a resync, and an
// unreachable Redis never holds up the caller.
#include "adapters/redis/redis_revocation_feed.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/redis/revocation_message.hpp"
#include "unit/adapters/redis_test_server.hpp"

namespace gomall::adapters::redis {
namespace {

using namespace std::chrono_literals;
using Kind = ports::RevocationEvent::Kind;

const TimePoint kUntil = TimePoint(std::chrono::milliseconds(1'800'000'000'000));

/// What one feed delivered, safe to read from the test thread.
class Heard {
public:
    std::function<void(const ports::RevocationEvent&)> sink() {
        return [this](const ports::RevocationEvent& event) {
            std::lock_guard lock(mutex_);
            events_.push_back(event);
        };
    }
    std::function<void()> resync_sink() {
        return [this] {
            ++resyncs_;
        };
    }
    std::vector<ports::RevocationEvent> events() {
        std::lock_guard lock(mutex_);
        return events_;
    }
    std::size_t count() { return events().size(); }
    int resyncs() const { return resyncs_.load(); }

private:
    std::mutex mutex_;
    std::vector<ports::RevocationEvent> events_;
    std::atomic<int> resyncs_{0};
};

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 3000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

class RedisRevocationFeedTest : public RedisServerTest {
protected:
    /// Started and subscribed.
    void start(RedisRevocationFeed& feed, Heard& heard) {
        feed.start(heard.sink(), heard.resync_sink());
        ASSERT_TRUE(eventually([&] { return feed.subscribed(); }));
    }

    /// Ids of the pub/sub connections on the server right now.
    std::set<std::string> pubsub_clients() {
        std::set<std::string> ids;
        const RedisReply list = blocking_->command({"CLIENT", "LIST", "TYPE", "pubsub"});
        std::size_t at = 0;
        while ((at = list.text.find("id=", at)) != std::string::npos) {
            const std::size_t end = list.text.find(' ', at);
            ids.insert(list.text.substr(at + 3, end - at - 3));
            at = end;
        }
        return ids;
    }
};

TEST_F(RedisRevocationFeedTest, InstancesHearEachOtherButNotThemselvesNorAnotherShop) {
    RedisRevocationFeed a(settings_, prefix_);
    RedisRevocationFeed b(settings_, prefix_);
    RedisRevocationFeed other_shop(settings_, prefix_ + "-other");
    Heard heard_a;
    Heard heard_b;
    Heard heard_other;
    start(a, heard_a);
    start(b, heard_b);
    start(other_shop, heard_other);
    EXPECT_NE(a.origin(), b.origin());
    EXPECT_EQ(a.channel(), prefix_ + ":auth:revocations");

    const ports::RevocationEvent logout{Kind::kSession, "0a1b2c3d4e5f", 0, kUntil};
    const ports::RevocationEvent password{Kind::kUser, "", 42, kUntil};
    a.publish(logout);
    b.publish(password);
    ASSERT_TRUE(eventually([&] { return heard_b.count() == 1 && heard_a.count() == 1; }));
    std::this_thread::sleep_for(100ms);  // time for anything wrongly delivered to arrive too
    EXPECT_EQ(heard_b.events(), std::vector<ports::RevocationEvent>{logout});
    EXPECT_EQ(heard_a.events(), std::vector<ports::RevocationEvent>{password});
    EXPECT_EQ(heard_other.count(), 0U);
    EXPECT_EQ(a.published(), 1U);
    // Every subscription, the first one too, asks for a catch-up.
    EXPECT_EQ(heard_a.resyncs(), 1);
    EXPECT_EQ(heard_b.resyncs(), 1);
}

TEST_F(RedisRevocationFeedTest, ManyRevocationsFromManyThreadsAllArrive) {
    RedisRevocationFeed a(settings_, prefix_);
    RedisRevocationFeed b(settings_, prefix_);
    Heard heard_a;
    Heard heard_b;
    start(a, heard_a);
    start(b, heard_b);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&a, t] {
            for (int i = 0; i < 100; ++i) {
                a.publish({Kind::kToken, "t" + std::to_string(t) + "-" + std::to_string(i), 0, kUntil});
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    ASSERT_TRUE(eventually([&] { return heard_b.count() == 400; }, 10s)) << heard_b.count();
    std::set<std::string> ids;
    for (const auto& event : heard_b.events()) {
        ids.insert(event.id);
    }
    EXPECT_EQ(ids.size(), 400U);
}

TEST_F(RedisRevocationFeedTest, MalformedMessagesAreCountedAndSkippedAndListeningGoesOn) {
    RedisRevocationFeed a(settings_, prefix_);
    RedisRevocationFeed b(settings_, prefix_);
    Heard heard_b;
    Heard heard_a;
    start(a, heard_a);
    start(b, heard_b);
    const std::vector<std::string> hostile{
        "",
        "revoke everything",
        "v1 0123456789abcdef token * 1800000000000",
        "v1 0123456789abcdef user 0 1800000000000",
        "v1 0123456789abcdef token abc 99999999999999999999",
        std::string("v1 0123456789abcdef token a\0b 1800000000000", 43),
        std::string(4 << 20, 'x'),  // 4 MiB
    };
    for (const auto& text : hostile) {
        EXPECT_FALSE(blocking_->command({"PUBLISH", a.channel(), text}).is_error());
    }
    const ports::RevocationEvent good{Kind::kToken, "after-the-noise", 0, kUntil};
    a.publish(good);
    ASSERT_TRUE(eventually([&] { return heard_b.count() == 1; }));
    EXPECT_EQ(heard_b.events(), std::vector<ports::RevocationEvent>{good});
    EXPECT_EQ(b.malformed(), hostile.size());
    EXPECT_TRUE(b.subscribed());
    EXPECT_EQ(heard_b.resyncs(), 1);  // nothing above broke the subscription
}

TEST_F(RedisRevocationFeedTest, AReceiverThatThrowsDoesNotStopTheListening) {
    RedisRevocationFeed a(settings_, prefix_);
    RedisRevocationFeed b(settings_, prefix_);
    Heard heard_a;
    start(a, heard_a);
    std::atomic<int> calls{0};
    b.start(
        [&](const ports::RevocationEvent&) {
            if (++calls == 1) {
                throw std::runtime_error("out of memory, say");
            }
        },
        [] {}
    );
    ASSERT_TRUE(eventually([&] { return b.subscribed(); }));
    a.publish({Kind::kToken, "one", 0, kUntil});
    a.publish({Kind::kToken, "two", 0, kUntil});
    EXPECT_TRUE(eventually([&] { return calls.load() == 2; }));
}

TEST_F(RedisRevocationFeedTest, ALostSubscriptionIsMadeAgainAndAsksForACatchUp) {
    RedisRevocationFeed a(settings_, prefix_);
    Heard heard_a;
    start(a, heard_a);
    const auto others = pubsub_clients();
    RedisRevocationFeed b(settings_, prefix_);
    Heard heard_b;
    start(b, heard_b);
    std::set<std::string> mine;
    for (const auto& id : pubsub_clients()) {
        if (!others.contains(id)) {
            mine.insert(id);
        }
    }
    if (mine.size() != 1) {
        GTEST_SKIP() << "could not tell this test's subscriber from the server's other pub/sub clients";
    }
    EXPECT_EQ(blocking_->command({"CLIENT", "KILL", "ID", *mine.begin()}).integer, 1);
    ASSERT_TRUE(eventually([&] { return heard_b.resyncs() == 2 && b.subscribed(); }));
    const ports::RevocationEvent later{Kind::kToken, "after-the-gap", 0, kUntil};
    a.publish(later);
    ASSERT_TRUE(eventually([&] { return heard_b.count() == 1; }));
    EXPECT_EQ(heard_b.events(), std::vector<ports::RevocationEvent>{later});
}

TEST_F(RedisRevocationFeedTest, WhatIsQueuedAtStopIsStillSent) {
    RedisRevocationFeed b(settings_, prefix_);
    Heard heard_b;
    start(b, heard_b);
    {
        RedisRevocationFeed a(settings_, prefix_);
        a.start([](const ports::RevocationEvent&) {}, [] {});
        for (int i = 0; i < 50; ++i) {
            a.publish({Kind::kToken, "last-" + std::to_string(i), 0, kUntil});
        }
    }  // stopped here
    EXPECT_TRUE(eventually([&] { return heard_b.count() == 50; })) << heard_b.count();
}

TEST(RedisRevocationFeedUnreachable, PublishingNeverWaitsAndStopIsPrompt) {
    RedisSettings nowhere;
    nowhere.host = "127.0.0.1";
    nowhere.port = 1;  // nothing listens there
    nowhere.command_timeout = 200ms;
    nowhere.reconnect_min = 20ms;
    RedisRevocationFeed feed(nowhere, "gomall");
    std::atomic<int> resyncs{0};
    feed.start([](const ports::RevocationEvent&) {}, [&] { ++resyncs; });
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
        feed.publish({Kind::kToken, "t" + std::to_string(i), 0, kUntil});
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);
    std::this_thread::sleep_for(100ms);
    const auto stopping = std::chrono::steady_clock::now();
    feed.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
    EXPECT_EQ(feed.published(), 0U);
    EXPECT_FALSE(feed.subscribed());
    EXPECT_EQ(resyncs.load(), 0);
}

}  // namespace
}  // namespace gomall::adapters::redis
