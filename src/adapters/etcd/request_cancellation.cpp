// Cancellation of etcd requests: curl_multi_wakeup interrupts the poll a request is waiting in.
#include "adapters/etcd/request_cancellation.hpp"

#include <curl/curl.h>

namespace gomall::adapters::etcd {

void RequestCancellation::cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (multi_ != nullptr) {
        curl_multi_wakeup(multi_);  // the only curl call documented as safe from another thread
    }
    cancelled_signal_.notify_all();
}

bool RequestCancellation::cancelled() const {
    std::lock_guard lock(mutex_);
    return cancelled_;
}

bool RequestCancellation::pause_for(std::chrono::milliseconds pause) {
    std::unique_lock lock(mutex_);
    return !cancelled_signal_.wait_for(lock, pause, [this] { return cancelled_; });
}

bool RequestCancellation::attach(void* multi) {
    std::lock_guard lock(mutex_);
    multi_ = multi;
    return !cancelled_;
}

void RequestCancellation::detach() {
    std::lock_guard lock(mutex_);
    multi_ = nullptr;
}

}  // namespace gomall::adapters::etcd
