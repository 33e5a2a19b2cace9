// The watch loop: read, then follow; on any failure keep the caller's last set (no callback),
// back off, and read again, so a change missed while etcd was away is reported once it is back.
#include "adapters/etcd/role_watch.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/etcd/etcd_codec.hpp"
#include "core/unavailable.hpp"

namespace gomall::adapters::etcd {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstRetry = 200ms;
constexpr auto kLongestRetry = 2000ms;

}  // namespace

RoleWatch::RoleWatch(const EtcdClient& client, RoleSnapshot snapshot, ports::ServiceRegistry::ChangeCallback on_change)
    : client_(client), snapshot_(std::move(snapshot)), on_change_(std::move(on_change)), thread_([this] { run(); }) {}

RoleWatch::~RoleWatch() {
    cancellation_.cancel();
    thread_.join();
}

void RoleWatch::run() {
    auto retry = std::chrono::milliseconds(kFirstRetry);
    bool failing = false;
    while (!cancellation_.cancelled()) {
        try {
            snapshot_.read(client_, cancellation_);
            if (failing) {
                spdlog::info(
                    "service registry: watch of role {} resumed at revision {}", snapshot_.role(), snapshot_.revision()
                );
                failing = false;
            }
            retry = kFirstRetry;
            deliver_if_changed();
            follow_from_snapshot();
        } catch (const RequestCancelled&) {
            return;
        } catch (const std::exception& e) {
            if (!failing) {
                spdlog::warn(
                    "service registry: watch of role {} interrupted, keeping the last known {} instance(s): {}",
                    snapshot_.role(),
                    delivered_ ? delivered_->size() : 0,
                    e.what()
                );
                failing = true;
            }
        }
        if (!cancellation_.pause_for(retry)) {
            return;
        }
        retry = std::min<std::chrono::milliseconds>(retry * 2, kLongestRetry);
    }
}

void RoleWatch::follow_from_snapshot() {
    const boost::json::object request{
        {"create_request",
         {{"key", base64_encode(snapshot_.key_prefix())},
          {"range_end", base64_encode(prefix_range_end(snapshot_.key_prefix()))},
          {"start_revision", std::to_string(snapshot_.revision() + 1)}}},
    };
    client_.stream(
        "/v3/watch",
        request,
        [this](std::string_view line) {
            boost::system::error_code ec;
            const boost::json::value message = boost::json::parse(line, ec);
            const auto* object = message.if_object();
            if (ec || object == nullptr) {
                throw DependencyUnavailable("etcd sent a watch message that is not a JSON object");
            }
            if (object->contains("error")) {
                throw DependencyUnavailable(
                    "etcd ended the watch with an error: " + boost::json::serialize(object->at("error"))
                );
            }
            const auto* result = object->if_contains("result");
            if (result == nullptr || !result->is_object()) {
                throw DependencyUnavailable("etcd sent a watch message without a result");
            }
            const auto& body = result->get_object();
            // Cancelled by etcd, typically because the revision we asked for was compacted away:
            // end the stream; the loop reads the role afresh.
            if (const auto* cancelled = body.if_contains("canceled");
                cancelled != nullptr && cancelled->is_bool() && cancelled->get_bool()) {
                spdlog::info(
                    "service registry: etcd cancelled the watch of role {} (compacted to revision {}); reading it "
                    "again",
                    snapshot_.role(),
                    int64_field(body, "compact_revision")
                );
                return false;
            }
            if (const auto* events = body.if_contains("events"); events != nullptr && events->is_array()) {
                snapshot_.apply(events->get_array());
                deliver_if_changed();
            }
            return true;
        },
        cancellation_
    );
}

void RoleWatch::deliver_if_changed() {
    ports::InstanceSet current = snapshot_.instances();
    if (delivered_ && *delivered_ == current) {
        return;
    }
    try {
        on_change_(current);
    } catch (const std::exception& e) {
        // The caller's bug must not end the watch; the next change gives it another chance.
        spdlog::error("service registry: the watch callback for role {} threw: {}", snapshot_.role(), e.what());
    }
    delivered_ = std::move(current);
}

}  // namespace gomall::adapters::etcd
