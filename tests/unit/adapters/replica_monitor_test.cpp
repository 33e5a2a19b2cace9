// The read replica against real servers: the stack's MariaDB and its replica (scripts/stack start
// mariadb-replica). Skipped unless GOMALL_TEST_MYSQL_* and GOMALL_TEST_MYSQL_REPLICA_* are set. The
// drills that stop the replica's SQL thread or the replica itself also need
// GOMALL_STACK_MARIADB_REPLICA_SOCKET (root on the replica) and GOMALL_TEST_REPLICA_DRILLS=1, since
// they disturb a replica other suites may be reading.
#include "adapters/sql/replica_monitor.hpp"

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <soci/mysql/soci-mysql.h>

#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/replica_read_order_repository.hpp"
#include "adapters/sql/replica_read_product_repository.hpp"
#include "sql_test_database.hpp"

namespace gomall::adapters::sql {
namespace {

using namespace std::chrono_literals;
using testing::Backend;
using testing::TestDatabase;

std::optional<DatabaseSettings> replica_settings_from_env(const DatabaseSettings& primary) {
    const char* host = std::getenv("GOMALL_TEST_MYSQL_REPLICA_HOST");
    const char* port = std::getenv("GOMALL_TEST_MYSQL_REPLICA_PORT");
    const char* user = std::getenv("GOMALL_TEST_MYSQL_REPLICA_USER");
    const char* password = std::getenv("GOMALL_TEST_MYSQL_REPLICA_PASSWORD");
    if (host == nullptr || port == nullptr || user == nullptr || password == nullptr) {
        return std::nullopt;
    }
    DatabaseSettings s = primary;
    s.mysql_host = host;
    s.mysql_port = std::atoi(port);
    s.mysql_user = user;
    s.mysql_password = password;
    s.pool_size = 2;
    return s;
}

bool drills_enabled() {
    const char* on = std::getenv("GOMALL_TEST_REPLICA_DRILLS");
    return on != nullptr && std::string(on) == "1" && std::getenv("GOMALL_STACK_MARIADB_REPLICA_SOCKET") != nullptr;
}

/// Polls `done` every 20 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/// Counts who answered each read, passing everything else to the monitor.
class CountingRouting final : public ReplicaRouting {
public:
    explicit CountingRouting(ReplicaMonitor& monitor) : monitor_(monitor) {}
    [[nodiscard]] std::int64_t now_ms() const override { return monitor_.now_ms(); }
    ReplicaReads* replica_for_read(std::int64_t fence_ms) override { return monitor_.replica_for_read(fence_ms); }
    void replica_failed(const std::exception& error) noexcept override {
        ++failures;
        monitor_.replica_failed(error);
    }
    void served(ReadTarget target) noexcept override { ++(target == ReadTarget::kReplica ? by_replica : by_primary); }
    std::atomic<int> by_replica{0};
    std::atomic<int> by_primary{0};
    std::atomic<int> failures{0};

private:
    ReplicaMonitor& monitor_;
};

domain::NewProduct new_product(const std::string& name) {
    domain::NewProduct p;
    p.name = name;
    p.price = 1000;
    p.stock = 5;
    return p;
}

/// The name of the product a keyword search finds, if exactly one (list() is what the replica serves).
std::optional<std::string> listed(ports::ProductRepository& repo, const std::string& keyword) {
    domain::ProductQuery query;
    query.keyword = keyword;
    auto page = repo.list(query);
    if (page.items.size() != 1) {
        return std::nullopt;
    }
    return page.items.front().name;
}

class ReplicaMonitorTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!db_.open(Backend::kMysql, 4)) {
            GTEST_SKIP() << "GOMALL_TEST_MYSQL_* not set";
        }
        replica_ = replica_settings_from_env(db_.settings());
        if (!replica_) {
            GTEST_SKIP() << "GOMALL_TEST_MYSQL_REPLICA_* not set (scripts/stack start mariadb-replica)";
        }
        primary_products_ = std::make_unique<SqlProductRepository>(*db_.get());
    }

    /// A monitor with a short bound, so the lag drill is quick.
    void start_monitor(DatabaseSettings replica, std::chrono::milliseconds max_lag = 1000ms) {
        monitor_ = std::make_unique<ReplicaMonitor>(
            *db_.get(), ReplicaSettings::for_bound(std::move(replica), max_lag), clock_
        );
        routing_ = std::make_unique<CountingRouting>(*monitor_);
        products_ = std::make_unique<ReplicaReadProductRepository>(*primary_products_, *routing_);
        monitor_->start();
    }

    /// Runs a statement on the replica as root over its socket (replication control).
    static void on_replica_as_root(const std::string& statement) {
        soci::session root(
            soci::mysql, std::string("unix_socket=") + std::getenv("GOMALL_STACK_MARIADB_REPLICA_SOCKET") + " user=root"
        );
        root << statement;
    }

    TestDatabase db_;
    std::optional<DatabaseSettings> replica_;
    ports::SystemClock clock_;
    std::unique_ptr<SqlProductRepository> primary_products_;
    std::unique_ptr<ReplicaMonitor> monitor_;
    std::unique_ptr<CountingRouting> routing_;
    std::unique_ptr<ReplicaReadProductRepository> products_;
};

TEST_F(ReplicaMonitorTest, AWriteOnThePrimaryIsReadFromTheReplicaOnceReplicated) {
    start_monitor(*replica_);
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 10s)) << "the replica never became usable";
    EXPECT_LE(*monitor_->staleness(), 1000ms);

    // Written behind the decorator's back (another instance's write): no fence on this instance.
    primary_products_->create(new_product("replicated product"), clock_.now());
    ReplicaConnection direct(*replica_);
    ASSERT_TRUE(eventually([&] { return listed(direct.products(), "replicated").has_value(); }, 10s));

    const int before = routing_->by_replica.load();
    EXPECT_EQ(listed(*products_, "replicated"), "replicated product");
    EXPECT_EQ(routing_->by_replica.load(), before + 1);
    EXPECT_EQ(routing_->failures.load(), 0);
}

TEST_F(ReplicaMonitorTest, ItsOwnWriteIsReadBackAtOnceAndFromTheReplicaOnceItHoldsIt) {
    start_monitor(*replica_);
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 10s));
    products_->create(new_product("fenced"), clock_.now());
    EXPECT_EQ(listed(*products_, "fenced"), "fenced");  // the replica may not have it yet: the primary answers
    // A later heartbeat reaches the replica; then the same read goes there.
    ASSERT_TRUE(eventually(
        [&] {
            const int before = routing_->by_replica.load();
            return listed(*products_, "fenced").has_value() && routing_->by_replica.load() > before;
        },
        10s
    ));
}

TEST_F(ReplicaMonitorTest, AnUnreachableReplicaLeavesEveryReadOnThePrimary) {
    DatabaseSettings nowhere = *replica_;
    nowhere.mysql_port = 1;  // nothing listens there
    start_monitor(nowhere);
    primary_products_->create(new_product("primary only"), clock_.now());
    EXPECT_FALSE(monitor_->check_once());
    EXPECT_FALSE(monitor_->usable());
    EXPECT_EQ(listed(*products_, "primary"), "primary only");
    EXPECT_EQ(routing_->by_replica.load(), 0);
    EXPECT_GE(routing_->by_primary.load(), 1);
}

TEST_F(ReplicaMonitorTest, AReplicaLaggingPastTheBoundIsLeftForThePrimary) {
    if (!drills_enabled()) {
        GTEST_SKIP() << "set GOMALL_TEST_REPLICA_DRILLS=1 (and the stack's GOMALL_STACK_MARIADB_REPLICA_SOCKET)";
    }
    start_monitor(*replica_, 500ms);
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 10s));
    const auto id = primary_products_->create(new_product("stall before"), clock_.now());
    ReplicaConnection direct(*replica_);
    ASSERT_TRUE(eventually([&] { return listed(direct.products(), "stall").has_value(); }, 10s));

    on_replica_as_root("STOP SLAVE SQL_THREAD");
    struct Restart {
        ~Restart() {
            try {
                on_replica_as_root("START SLAVE SQL_THREAD");
            } catch (const std::exception& e) {
                ADD_FAILURE() << "could not restart the replica's SQL thread: " << e.what();
            }
        }
    } restart;
    domain::ProductPatch rename;
    rename.name = "stall after";
    ASSERT_TRUE(primary_products_->update(id, rename, clock_.now()));  // not through the decorator: no fence
    ASSERT_TRUE(eventually([&] { return !monitor_->usable(); }, 5s)) << "the heartbeat never aged past the bound";
    EXPECT_GT(*monitor_->staleness(), 500ms);
    EXPECT_EQ(listed(direct.products(), "stall"), "stall before");  // the replica is stale...

    const int before = routing_->by_primary.load();
    EXPECT_EQ(listed(*products_, "stall"), "stall after");  // ...so the primary answers
    EXPECT_EQ(routing_->by_primary.load(), before + 1);
    EXPECT_EQ(routing_->failures.load(), 0);  // lagging is not an error

    on_replica_as_root("START SLAVE SQL_THREAD");
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 10s)) << "the replica never caught up";
    EXPECT_EQ(listed(*products_, "stall"), "stall after");
}

TEST_F(ReplicaMonitorTest, AStoppedReplicaProcessCostsNoErrorAndIsUsedAgainWhenBack) {
    if (!drills_enabled()) {
        GTEST_SKIP() << "set GOMALL_TEST_REPLICA_DRILLS=1 (and the stack's GOMALL_STACK_MARIADB_REPLICA_SOCKET)";
    }
    start_monitor(*replica_);
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 10s));
    primary_products_->create(new_product("survives"), clock_.now());

    const std::string stack = std::string(GOMALL_SOURCE_DIR) + "/scripts/stack";
    ASSERT_EQ(std::system((stack + " pause mariadb-replica").c_str()), 0);
    struct Resume {
        std::string stack;
        ~Resume() { static_cast<void>(std::system((stack + " start mariadb-replica >/dev/null 2>&1").c_str())); }
    } resume{stack};
    // Straight after the stop the monitor may still trust the replica: the first read fails there
    // and is answered by the primary; every read answers.
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(listed(*products_, "survives"), "survives") << "read " << i;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_FALSE(monitor_->usable());
    EXPECT_LE(routing_->failures.load(), 1);

    ASSERT_EQ(std::system((stack + " start mariadb-replica").c_str()), 0);
    ASSERT_TRUE(eventually([&] { return monitor_->usable(); }, 20s)) << "the replica was not used again";
    ASSERT_TRUE(eventually(
        [&] {
            const int before = routing_->by_replica.load();
            return listed(*products_, "survives").has_value() && routing_->by_replica.load() > before;
        },
        10s
    ));
}

}  // namespace
}  // namespace gomall::adapters::sql
