// The thread pool for work that blocks (database, password hashing, files), with a way for
// coroutines on I/O threads to run a function there and resume when it is done.
#pragma once

#include <cstddef>
#include <functional>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gomall::http {

class BlockingPool {
public:
    explicit BlockingPool(std::size_t threads) : pool_(threads) {}
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    /// Runs `fn` on the pool; the awaiting coroutine resumes on its own executor with the result
    /// (or the exception `fn` threw).
    template <class Fn>
    boost::asio::awaitable<std::invoke_result_t<Fn&>> run(Fn fn) {
        using T = std::invoke_result_t<Fn&>;
        co_return co_await boost::asio::co_spawn(
            pool_.get_executor(),
            [fn = std::move(fn)]() mutable -> boost::asio::awaitable<T> { co_return fn(); },
            boost::asio::use_awaitable
        );
    }

    boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }
    /// Waits for queued work to finish and stops the threads.
    void join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
};

}  // namespace gomall::http
