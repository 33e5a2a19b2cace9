// PaymentRepository on the SQL database (SQLite or MariaDB/MySQL).
#pragma once

#include "adapters/sql/database.hpp"
#include "ports/payment_repository.hpp"

namespace gomall::adapters::sql {

class SqlPaymentRepository final : public ports::PaymentRepository {
public:
    explicit SqlPaymentRepository(Database& db) : db_(db) {}

    bool insert_attempt(const domain::PaymentAttempt& attempt) override;
    std::optional<domain::PaymentAttempt> find_attempt(const std::string& out_trade_no) override;
    std::vector<domain::PaymentAttempt> attempts_of(const std::string& order_no) override;
    bool open_attempt(
        const std::string& out_trade_no, const std::string& code_url, const std::string& prepay_id, TimePoint now
    ) override;
    bool end_attempt(const std::string& out_trade_no, domain::AttemptStatus status, TimePoint now) override;
    bool claim_attempt_paid(
        const std::string& out_trade_no, const std::string& transaction_id, TimePoint paid_at, TimePoint now
    ) override;

    bool mark_order_paid(const std::string& order_no, const std::string& out_trade_no, TimePoint now) override;
    std::string paid_trade_no(const std::string& order_no) override;
    bool reserve_refund(const std::string& order_no, Cents amount, TimePoint now) override;
    void release_refund(const std::string& order_no, Cents amount, TimePoint now) override;
    Cents refunded_total(const std::string& order_no) override;

    bool insert_refund(const domain::RefundEntry& refund) override;
    std::optional<domain::RefundEntry> find_refund(const std::string& out_refund_no) override;
    std::vector<domain::RefundEntry> refunds_of(const std::string& order_no) override;
    std::vector<domain::RefundEntry> processing_refunds(TimePoint before, int limit) override;
    bool settle_refund(
        const std::string& out_refund_no, domain::RefundStatus status, const std::string& refund_id, TimePoint now
    ) override;
    bool mark_order_refunded_if_complete(const std::string& order_no, TimePoint now) override;

    void append_record(const domain::PaymentRecord& record) override;
    std::vector<domain::PaymentRecord> records_of(const std::string& order_no, int limit) override;

private:
    const char* insert_ignore() const;

    Database& db_;
};

}  // namespace gomall::adapters::sql
