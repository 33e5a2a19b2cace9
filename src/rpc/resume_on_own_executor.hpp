// An Asio completion handler (a suspended coroutine's, typically) turned into a copyable callable
// that another thread may call: the handler then runs on its own executor, never on the caller's
// thread, and that executor counts it as pending work until it has run (so an io_context whose
// only business is the awaiting coroutine does not return from run() meanwhile).
#pragma once

#include <functional>
#include <memory>
#include <tuple>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace gomall::rpc {

/// Call the result at most once (the handler is moved out when it runs). std::function must be
/// copyable and the handler is not, hence the shared block.
template <class... Args, class Handler>
std::function<void(Args...)> resume_on_own_executor(Handler handler) {
    struct Resume {
        Handler handler;
        decltype(boost::asio::prefer(
            boost::asio::get_associated_executor(std::declval<Handler&>()),
            boost::asio::execution::outstanding_work.tracked
        )) executor;
    };
    auto executor = boost::asio::prefer(
        boost::asio::get_associated_executor(handler), boost::asio::execution::outstanding_work.tracked
    );
    auto resume = std::make_shared<Resume>(Resume{std::move(handler), std::move(executor)});
    return [resume](Args... args) {
        auto target = resume->executor;
        boost::asio::post(target, [resume, values = std::make_tuple(std::move(args)...)]() mutable {
            std::apply(
                [&resume](auto&&... v) { std::move(resume->handler)(std::forward<decltype(v)>(v)...); },
                std::move(values)
            );
        });
    };
}

}  // namespace gomall::rpc
