// A thread that runs one step every interval until stopped: the shape of the shop's background
// sweeps (the token purge, the dashboard's samples), with start/stop and the waiting in one place.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gomall::services {

struct PeriodicSchedule {
    std::chrono::milliseconds interval{1000};
    /// The first step at start(), or one interval later (so that instances restarted together do
    /// not all do the work at once).
    bool first_at_once = true;
    /// Steps on a fixed clock (evenly spaced; a step that overran skips the ticks it missed),
    /// rather than one interval after the previous step ended.
    bool fixed_rate = false;
};

class PeriodicWorker {
public:
    /// `step` runs on the worker thread; what it throws is logged as "<name>: ..." and the next
    /// step comes as usual. Throws std::invalid_argument for an interval under 1 ms.
    PeriodicWorker(std::string name, PeriodicSchedule schedule, std::function<void()> step);
    ~PeriodicWorker();  // stop()

    PeriodicWorker(const PeriodicWorker&) = delete;
    PeriodicWorker& operator=(const PeriodicWorker&) = delete;

    /// Starts the thread. No effect while it runs.
    void start();
    /// Wakes the thread and joins it (a step under way finishes first). Safe to call twice.
    void stop();

private:
    void run();
    void step_logged() const;

    const std::string name_;
    const PeriodicSchedule schedule_;
    const std::function<void()> step_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace gomall::services
