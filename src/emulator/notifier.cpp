#include "emulator/notifier.hpp"

#include <algorithm>
#include <string_view>

#include <spdlog/spdlog.h>

namespace gomall::emulator {
namespace {

constexpr std::size_t kLoggedAnswer = 200;  // characters (code points), not bytes

// The first `count` UTF-8 characters: cutting bytes could split a character, and the log is
// served as JSON.
std::string prefix_chars(std::string_view text, std::size_t count) {
    std::size_t end = 0;
    for (std::size_t chars = 0; end < text.size() && chars < count; ++chars) {
        ++end;
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) {
            ++end;  // continuation bytes belong to the character before
        }
    }
    return std::string(text.substr(0, end));
}

}  // namespace

Notifier::Notifier(wechatpay::HttpClient client, RetrySchedule schedule, Reporter report)
    : client_(std::move(client)), schedule_(schedule), report_(std::move(report)), worker_([this] { run(); }) {}

Notifier::~Notifier() {
    stop();
}

std::chrono::milliseconds Notifier::delay_after(int attempt, const RetrySchedule& schedule) {
    auto delay = schedule.base;
    for (int i = 1; i < attempt && delay < schedule.max; ++i) {
        delay *= 2;
    }
    return std::min(delay, schedule.max);
}

void Notifier::enqueue(Notification notification) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) {
            return;
        }
        queue_.push_back(Entry{std::move(notification), 0, std::chrono::steady_clock::now()});
    }
    wake_.notify_one();
}

void Notifier::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) {
        worker_.join();
    }
}

std::size_t Notifier::pending() const {
    const std::lock_guard lock(mutex_);
    return queue_.size() + (busy_ ? 1 : 0);
}

void Notifier::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (queue_.empty()) {
            wake_.wait(lock);
            continue;
        }
        // The earliest due entry; ties keep queue order, so a duplicate follows its original.
        auto next = std::min_element(queue_.begin(), queue_.end(), [](const Entry& a, const Entry& b) {
            return a.due < b.due;
        });
        if (next->due > std::chrono::steady_clock::now()) {
            // A copy: wait_until reads its deadline while enqueue() may grow (move) the queue.
            const auto due = next->due;
            wake_.wait_until(lock, due);  // woken early by a new entry or stop()
            continue;
        }
        Entry entry = std::move(*next);
        queue_.erase(next);
        busy_ = true;
        lock.unlock();
        attempt(entry);  // the network call runs without the lock: enqueue never waits for it
        lock.lock();
        busy_ = false;
        const bool again = entry.attempt < entry.notification.max_attempts && entry.notification.build;
        if (again && !stopping_) {
            entry.due = std::chrono::steady_clock::now() + delay_after(entry.attempt, schedule_);
            queue_.push_back(std::move(entry));
        }
    }
}

void Notifier::attempt(Entry& entry) {
    ++entry.attempt;
    AttemptReport report;
    report.log_key = entry.notification.log_key;
    report.event = entry.notification.event;
    report.attempt = entry.attempt;
    try {
        auto result = client_.send(entry.notification.build());
        if (const auto* failure = std::get_if<wechatpay::HttpFailure>(&result)) {
            report.answer = prefix_chars(failure->message, kLoggedAnswer);
        } else {
            const auto& response = std::get<wechatpay::HttpResponse>(result);
            report.status = response.status;
            report.answer = prefix_chars(response.body, kLoggedAnswer);
            report.delivered = entry.notification.accepted && entry.notification.accepted(response);
        }
    } catch (const std::exception& e) {
        // A notification that cannot even be built (a broken key) will not build next time either.
        spdlog::error("emulator: notification {} for {} failed: {}", report.event, report.log_key, e.what());
        report.answer = "emulator error";
        entry.notification.build = nullptr;
    }
    if (report.delivered) {
        entry.notification.max_attempts = entry.attempt;  // done: no further attempt
    }
    report.last = entry.attempt >= entry.notification.max_attempts || !entry.notification.build;
    report.holds_trade = entry.notification.holds_trade;
    spdlog::info(
        "emulator: {} for {} attempt {}: status {}{}",
        report.event,
        report.log_key,
        report.attempt,
        report.status,
        report.delivered ? " (delivered)" : ""
    );
    if (report_) {
        report_(report);
    }
}

}  // namespace gomall::emulator
