#include "domain/payment.hpp"

namespace gomall::domain {

std::string_view attempt_status_name(AttemptStatus status) {
    switch (status) {
        case AttemptStatus::kCreating:
            return "creating";
        case AttemptStatus::kOpen:
            return "open";
        case AttemptStatus::kPaid:
            return "paid";
        case AttemptStatus::kClosed:
            return "closed";
        case AttemptStatus::kFailed:
            return "failed";
    }
    return "unknown";
}

std::string_view refund_status_name(RefundStatus status) {
    switch (status) {
        case RefundStatus::kProcessing:
            return "PROCESSING";
        case RefundStatus::kSuccess:
            return "SUCCESS";
        case RefundStatus::kClosed:
            return "CLOSED";
        case RefundStatus::kAbnormal:
            return "ABNORMAL";
    }
    return "UNKNOWN";
}

}  // namespace gomall::domain
