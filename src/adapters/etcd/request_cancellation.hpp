// Lets one thread cut short the etcd requests and waits of another (a watch stream blocks for as
// long as nothing changes): shutting down must not wait for a timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace gomall::adapters::etcd {

class RequestCancellation {
public:
    /// Ends the request in flight at once (it fails as cancelled), and every later one and every
    /// pause before it starts. Thread-safe; cannot be undone.
    void cancel();
    bool cancelled() const;

    /// Sleeps for `pause` unless cancelled first; false when cancelled.
    bool pause_for(std::chrono::milliseconds pause);

    /// For the HTTP client: the curl multi handle in flight (curl's CURLM is void), woken on
    /// cancel(); nullptr when none. attach() returns false when already cancelled.
    bool attach(void* multi);
    void detach();

private:
    mutable std::mutex mutex_;
    std::condition_variable cancelled_signal_;
    void* multi_ = nullptr;
    bool cancelled_ = false;
};

}  // namespace gomall::adapters::etcd
