// The MariaDB connection's timeouts: a server that takes the TCP connection but never speaks must
// fail the pool's opening within the connect timeout, not hang until TCP gives up. No MariaDB is
// needed: a listening socket that never answers stands in for a frozen server.
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/sql/database.hpp"

namespace gomall::adapters::sql {
namespace {

/// Listens on a free loopback port; the kernel completes connections into its backlog, nobody
/// ever reads or writes them.
class SilentListener {
public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof(address);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
            ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot listen on loopback");
        }
        port_ = ntohs(address.sin_port);
    }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    ~SilentListener() { ::close(fd_); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

TEST(DatabaseTimeouts, AServerThatNeverAnswersFailsWithinTheConnectTimeout) {
    SilentListener frozen;
    DatabaseSettings settings;
    settings.driver = "mysql";
    settings.mysql_host = "127.0.0.1";
    settings.mysql_port = frozen.port();
    settings.mysql_password = "secret-password";
    settings.mysql_connect_timeout_seconds = 1;
    settings.mysql_read_timeout_seconds = 1;
    settings.mysql_write_timeout_seconds = 1;
    settings.pool_size = 1;
    std::string failure;
    const auto started = std::chrono::steady_clock::now();
    try {
        const Database database(settings);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(failure.empty()) << "connected to a server that never answered";
    EXPECT_EQ(failure.find("secret-password"), std::string::npos) << failure;
    // The handshake read may be tried up to three times; without timeouts this waits for minutes.
    EXPECT_LT(took, std::chrono::seconds(10));
}

}  // namespace
}  // namespace gomall::adapters::sql
