// EmbeddedReservationQueue against the real SQL repository on SQLite: publishers resume on their
// own executors only after the commit, concurrent publishes share commits, failures reach every
// waiter of the batch, and stop() drains.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "adapters/memory/embedded_reservation_queue.hpp"
#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/order_repository.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/seckill_repository.hpp"
#include "adapters/sql/sql_util.hpp"
#include "ports/clock.hpp"
#include "ports/reservation_writer.hpp"
#include "ports/seckill_repository.hpp"

namespace gomall::adapters::memory {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using domain::Reservation;
using domain::ReservationStatus;

const TimePoint kNow = from_unix_seconds(1'800'000'000);

class FixedClock final : public ports::Clock {
public:
    TimePoint now() const override { return kNow; }
};

// Forwards to the SQL repository, counting fulfil calls; can fail them or hold them up.
class ObservedRepository final : public ports::SeckillRepository {
public:
    explicit ObservedRepository(ports::SeckillRepository& inner) : inner_(inner) {}

    std::int64_t create_activity(const domain::SeckillActivity& a, TimePoint now) override {
        return inner_.create_activity(a, now);
    }
    bool update_activity(const domain::SeckillActivity& a, TimePoint now) override {
        return inner_.update_activity(a, now);
    }
    std::optional<domain::SeckillActivity> find_activity(std::int64_t id) override { return inner_.find_activity(id); }
    std::vector<domain::SeckillActivity> list_activities(TimePoint since, int limit) override {
        return inner_.list_activities(since, limit);
    }
    std::vector<Reservation> fulfil(
        std::vector<Reservation> batch,
        TimePoint now,
        TimePoint expires_at,
        const std::function<std::string()>& next_order_no
    ) override {
        {
            const std::lock_guard lock(mutex_);
            sizes_.push_back(batch.size());
            expires_at_ = expires_at;
        }
        if (before_fulfil) {
            before_fulfil();
        }
        if (fail) {
            throw std::runtime_error("database down");
        }
        return inner_.fulfil(std::move(batch), now, expires_at, next_order_no);
    }
    Reservation record_failed(Reservation reservation, TimePoint now) override {
        return inner_.record_failed(std::move(reservation), now);
    }
    std::optional<Reservation> release_order(const std::string& order_no, TimePoint now) override {
        return inner_.release_order(order_no, now);
    }
    ports::ActivityTally tally(std::int64_t id) override { return inner_.tally(id); }
    std::vector<Reservation> reservations_of(std::int64_t activity_id, std::int64_t user_id) override {
        return inner_.reservations_of(activity_id, user_id);
    }
    std::int64_t sold(std::int64_t id) override { return inner_.sold(id); }

    std::vector<std::size_t> sizes() const {
        const std::lock_guard lock(mutex_);
        return sizes_;
    }
    TimePoint expires_at() const {
        const std::lock_guard lock(mutex_);
        return expires_at_;
    }

    std::atomic<bool> fail{false};
    std::function<void()> before_fulfil;  // set before the queue starts

private:
    ports::SeckillRepository& inner_;
    mutable std::mutex mutex_;
    std::vector<std::size_t> sizes_;
    TimePoint expires_at_;
};

// A one-shot gate a test opens to let a held-up fulfil continue.
class Latch {
public:
    void open() {
        {
            const std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    void wait() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return open_; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

/// The order writer the service layer provides, reduced to what the queue needs: the repository's
/// guarded transaction, orders expiring 900 s after the batch, numbered ORDQ1, ORDQ2, ...
class RepositoryWriter final : public ports::ReservationWriter {
public:
    RepositoryWriter(ports::SeckillRepository& repository, const ports::Clock& clock, int& order_seq)
        : repository_(repository), clock_(clock), order_seq_(order_seq) {}
    std::vector<Reservation> write(std::vector<Reservation> batch) override {
        const TimePoint now = clock_.now();
        return repository_.fulfil(std::move(batch), now, now + std::chrono::seconds(900), [this] {
            return "ORDQ" + std::to_string(++order_seq_);
        });
    }
    Reservation give_up(const Reservation& failed) override { return failed; }

private:
    ports::SeckillRepository& repository_;
    const ports::Clock& clock_;
    int& order_seq_;
};

class EmbeddedQueueTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("gomall-queue-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        sql::DatabaseSettings settings;
        settings.sqlite_path = (dir_ / "gomall.db").string();
        settings.pool_size = 4;
        db_ = std::make_unique<sql::Database>(settings);
        sql::apply_migrations(*db_);
        sql_ = std::make_unique<sql::SqlSeckillRepository>(*db_);
        repository_ = std::make_unique<ObservedRepository>(*sql_);
    }

    void TearDown() override {
        repository_.reset();
        sql_.reset();
        db_.reset();
        std::filesystem::remove_all(dir_);
    }

    // `count` shoppers and one activity of `stock` units.
    void prepare_sale(int count, std::int64_t stock) {
        {
            sql::SessionLease session = db_->lease();
            sql::Transaction tx(*session, db_->dialect());
            std::string name;
            const std::string stamp = sql::to_db_time(kNow);
            soci::statement insert =
                (session->prepare << "INSERT INTO users (username, password_hash, created_at, updated_at) "
                                     "VALUES (:name, 'hash', :created, :updated)",
                 soci::use(name),
                 soci::use(stamp),
                 soci::use(stamp));
            for (int i = 0; i < count; ++i) {
                name = "shopper" + std::to_string(i);
                insert.execute(true);
                long long id = 0;
                session->get_last_insert_id("users", id);
                users_.push_back(id);
            }
            tx.commit();
        }
        sql::SqlProductRepository products(*db_);
        const auto pid = products.create({"phone", "", 599900, 10, 0, "", domain::ProductStatus::kOnSale}, kNow);
        activity_.product_id = pid;
        activity_.product_name = "phone";
        activity_.price = 99900;
        activity_.total_stock = stock;
        activity_.start_time = kNow - 1min;
        activity_.end_time = kNow + 1h;
        activity_.id = sql_->create_activity(activity_, kNow);
    }

    Reservation reservation(std::size_t shopper) {
        Reservation r;
        r.id = "res" + std::to_string(shopper);
        r.activity_id = activity_.id;
        r.product_id = activity_.product_id;
        r.user_id = users_.at(shopper);
        r.seq = 1;
        r.price = activity_.price;
        r.reserved_at = kNow;
        return r;
    }

    std::unique_ptr<EmbeddedReservationQueue> make_queue(EmbeddedQueueSettings settings = {}) {
        writer_ = std::make_unique<RepositoryWriter>(*repository_, clock_, order_seq_);
        return std::make_unique<EmbeddedReservationQueue>(*writer_, std::move(settings));
    }

    std::filesystem::path dir_;
    std::unique_ptr<sql::Database> db_;
    std::unique_ptr<sql::SqlSeckillRepository> sql_;
    std::unique_ptr<ObservedRepository> repository_;
    FixedClock clock_;
    std::vector<std::int64_t> users_;
    domain::SeckillActivity activity_;
    int order_seq_ = 0;                                 // writer thread only
    std::unique_ptr<ports::ReservationWriter> writer_;  // outlives the queue made with it
};

// Collects what the queue tells its outcome listener.
struct Outcomes {
    std::mutex mutex;
    std::map<std::string, Reservation> by_id;

    void record(const Reservation& r) {
        const std::lock_guard lock(mutex);
        by_id[r.id] = r;
    }
    std::optional<Reservation> find(const std::string& id) {
        const std::lock_guard lock(mutex);
        const auto it = by_id.find(id);
        return it == by_id.end() ? std::nullopt : std::optional(it->second);
    }
    std::size_t size() {
        const std::lock_guard lock(mutex);
        return by_id.size();
    }
};

TEST_F(EmbeddedQueueTest, ConcurrentPublishesShareCommitsAndResumeOnTheirOwnThreadsAfterCommit) {
    constexpr int kPublishers = 200;
    constexpr int kStock = 150;
    prepare_sale(kPublishers, kStock);
    auto queue = make_queue();
    Outcomes outcomes;
    queue->on_outcome([&](const Reservation& r) { outcomes.record(r); });
    queue->start();

    asio::io_context io(2);
    std::mutex ids_mutex;
    std::set<std::thread::id> io_threads;
    std::atomic<int> completed{0};
    std::atomic<int> failed{0};
    std::atomic<int> not_committed{0};
    std::atomic<int> wrong_thread{0};
    for (int i = 0; i < kPublishers; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                const Reservation r = reservation(static_cast<std::size_t>(i));
                co_await queue->publish(r);
                {
                    const std::lock_guard lock(ids_mutex);
                    if (!io_threads.contains(std::this_thread::get_id())) {
                        wrong_thread++;
                    }
                }
                // Durable before it completes: the row is in the database, and the outcome is known.
                const auto stored = repository_->reservations_of(r.activity_id, r.user_id);
                if (stored.empty() || !outcomes.find(r.id)) {
                    not_committed++;
                }
                completed++;
            },
            [&](std::exception_ptr error) {
                if (error) {
                    failed++;
                }
            }
        );
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
            {
                const std::lock_guard lock(ids_mutex);
                io_threads.insert(std::this_thread::get_id());
            }
            io.run();
        });
    }
    // The handlers keep the io_context busy until every publish has completed, then run() returns.
    for (auto& thread : threads) {
        thread.join();
    }

    EXPECT_EQ(completed.load(), kPublishers);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(not_committed.load(), 0);
    EXPECT_EQ(wrong_thread.load(), 0);
    ASSERT_EQ(outcomes.size(), static_cast<std::size_t>(kPublishers));
    int succeeded = 0;
    for (const auto& [id, r] : outcomes.by_id) {
        if (r.status == ReservationStatus::kSucceeded) {
            ++succeeded;
        } else {
            EXPECT_EQ(r.fail_reason, "sold out");
        }
    }
    EXPECT_EQ(succeeded, kStock);
    EXPECT_EQ(sql_->sold(activity_.id), kStock);
    sql::SqlOrderRepository orders(*db_);
    EXPECT_EQ(orders.list({0, std::nullopt, 1, 20}).total, kStock);
    EXPECT_EQ(repository_->expires_at(), kNow + 900s);

    const auto sizes = repository_->sizes();
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), static_cast<std::size_t>(kPublishers));
    EXPECT_LT(sizes.size(), static_cast<std::size_t>(kPublishers) / 4) << "group commit did not batch";
    std::cout << "[ batches  ] " << kPublishers << " publishes in " << sizes.size() << " commits\n";
}

TEST_F(EmbeddedQueueTest, BatchesNeverExceedMaxBatch) {
    prepare_sale(100, 100);
    Latch latch;
    std::atomic<bool> first{true};
    repository_->before_fulfil = [&] {
        if (first.exchange(false)) {
            latch.wait();  // hold the first commit so the rest pile up
        }
    };
    EmbeddedQueueSettings settings;
    settings.max_batch = 16;
    settings.linger = 0us;
    std::atomic<int> reported{0};
    settings.on_batch = [&](std::size_t size, std::chrono::microseconds, bool committed) {
        EXPECT_TRUE(committed);
        reported += static_cast<int>(size);
    };
    auto queue = make_queue(std::move(settings));
    queue->start();

    asio::io_context io;
    std::atomic<int> completed{0};
    for (int i = 0; i < 100; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                co_await queue->publish(reservation(static_cast<std::size_t>(i)));
                completed++;
            },
            asio::detached
        );
    }
    io.poll();  // every coroutine is now parked in publish()
    latch.open();
    io.run();
    EXPECT_EQ(completed.load(), 100);
    EXPECT_EQ(reported.load(), 100);
    for (std::size_t size : repository_->sizes()) {
        EXPECT_LE(size, 16U);
    }
    EXPECT_GE(repository_->sizes().size(), 100U / 16);
}

TEST_F(EmbeddedQueueTest, FailedCommitReachesEveryWaiterOfTheBatchAndTellsNoOutcome) {
    prepare_sale(20, 20);
    repository_->fail = true;
    auto queue = make_queue();
    Outcomes outcomes;
    queue->on_outcome([&](const Reservation& r) { outcomes.record(r); });
    queue->start();

    asio::io_context io;
    std::atomic<int> errors{0};
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                try {
                    co_await queue->publish(reservation(static_cast<std::size_t>(i)));
                } catch (const std::runtime_error& e) {
                    EXPECT_STREQ(e.what(), "database down");
                    errors++;
                }
            },
            asio::detached
        );
    }
    io.run();
    EXPECT_EQ(errors.load(), 10);
    EXPECT_EQ(outcomes.size(), 0U);
    EXPECT_EQ(sql_->sold(activity_.id), 0);

    // The queue survives the failure: once the database is back, publishes commit again.
    repository_->fail = false;
    io.restart();
    std::atomic<bool> done{false};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await queue->publish(reservation(15));
            done = true;
        },
        asio::detached
    );
    io.run();
    EXPECT_TRUE(done.load());
    EXPECT_EQ(sql_->sold(activity_.id), 1);
}

TEST_F(EmbeddedQueueTest, StopCommitsEverythingQueuedThenRefusesNewPublishes) {
    prepare_sale(50, 50);
    Latch latch;
    std::promise<void> entered;
    std::atomic<bool> first{true};
    repository_->before_fulfil = [&] {
        if (first.exchange(false)) {
            entered.set_value();
            latch.wait();
        }
    };
    EmbeddedQueueSettings settings;
    settings.linger = 0us;
    auto queue = make_queue(std::move(settings));
    queue->start();

    asio::io_context io;
    std::atomic<int> completed{0};
    auto publish = [&](std::size_t shopper) {
        asio::co_spawn(
            io,
            [&, shopper]() -> asio::awaitable<void> {
                co_await queue->publish(reservation(shopper));
                completed++;
            },
            asio::detached
        );
    };
    publish(0);
    io.poll();
    entered.get_future().wait();  // the writer is inside the first commit
    for (std::size_t i = 1; i < 50; ++i) {
        publish(i);
    }
    io.poll();  // 49 more are queued behind it

    auto stopped = std::async(std::launch::async, [&] { queue->stop(); });
    EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);  // stop waits for the drain
    latch.open();
    stopped.get();
    io.run();
    EXPECT_EQ(completed.load(), 50);
    EXPECT_EQ(sql_->sold(activity_.id), 50);

    io.restart();
    std::atomic<bool> refused{false};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            try {
                co_await queue->publish(reservation(0));
            } catch (const std::runtime_error&) {
                refused = true;
            }
        },
        asio::detached
    );
    io.run();
    EXPECT_TRUE(refused.load());
    EXPECT_THROW(queue->start(), std::logic_error);
}

TEST_F(EmbeddedQueueTest, StoppingAQueueThatNeverStartedFailsItsPublishers) {
    prepare_sale(1, 1);
    auto queue = make_queue();
    asio::io_context io;
    std::atomic<bool> refused{false};
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            try {
                co_await queue->publish(reservation(0));
            } catch (const std::runtime_error&) {
                refused = true;
            }
        },
        asio::detached
    );
    io.poll();
    queue->stop();
    io.run();
    EXPECT_TRUE(refused.load());
    EXPECT_EQ(sql_->sold(activity_.id), 0);
}

}  // namespace
}  // namespace gomall::adapters::memory
