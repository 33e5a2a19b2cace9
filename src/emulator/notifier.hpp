// Delivers notifications to the shop from one worker thread, the way WeChat does: POST, and when
// the answer is not an acceptance, again later on a doubling schedule, up to a number of
// attempts. Callers only queue (never blocking an I/O thread); stop() ends the worker, dropping
// what is still queued.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/wechatpay/http_client.hpp"

namespace gomall::emulator {

struct Notification {
    std::string log_key;  // the out_trade_no whose delivery log records the attempts
    std::string event;    // for that log ("TRANSACTION.SUCCESS")
    /// Builds the request for one attempt: APIv3 signs each attempt with a fresh timestamp, so a
    /// retry minutes later is not refused as stale.
    std::function<wechatpay::HttpRequest()> build;
    /// True when the shop's answer means "received, stop retrying".
    std::function<bool(const wechatpay::HttpResponse&)> accepted;
    int max_attempts = 1;
    /// The trade store counted this notification as owed for log_key's trade (which it keeps
    /// until the last attempt).
    bool holds_trade = false;
};

struct RetrySchedule {
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds max{30000};
};

/// One finished attempt, for the delivery log.
struct AttemptReport {
    std::string log_key;
    std::string event;
    int attempt = 0;
    int status = 0;  // 0: no HTTP answer
    std::string answer;
    bool delivered = false;
    bool last = false;         // no further attempt will be made (delivered, or attempts used up)
    bool holds_trade = false;  // copied from the Notification
};

class Notifier {
public:
    using Reporter = std::function<void(const AttemptReport&)>;

    /// `report` is called on the worker thread after every attempt.
    Notifier(wechatpay::HttpClient client, RetrySchedule schedule, Reporter report);
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    /// Queues the first attempt for now. Never blocks on the network.
    void enqueue(Notification notification);
    /// Stops the worker after the attempt in flight (if any); later enqueues are dropped. Idempotent.
    void stop();
    /// Notifications waiting for an attempt (tests wait for this to reach zero).
    std::size_t pending() const;

    /// The wait after failed attempt number `attempt` (1-based): base, 2*base, 4*base... capped.
    static std::chrono::milliseconds delay_after(int attempt, const RetrySchedule& schedule);

private:
    struct Entry {
        Notification notification;
        int attempt = 0;  // attempts made so far
        std::chrono::steady_clock::time_point due;
    };

    void run();
    void attempt(Entry& entry);

    wechatpay::HttpClient client_;
    RetrySchedule schedule_;
    Reporter report_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Entry> queue_;
    bool stopping_ = false;
    bool busy_ = false;   // an attempt is in flight (counted as pending)
    std::thread worker_;  // last: started once everything above exists
};

}  // namespace gomall::emulator
