// The table map of the schema. A table added by a new migration must be named here: the migration
// runner refuses a statement on a table with no owner when a database keeps only some owners'.
#include "adapters/sql/schema_scope.hpp"

#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace gomall::adapters::sql {
namespace {

constexpr std::array<std::pair<std::string_view, TableOwner>, 22> kTables{{
    {"users", TableOwner::kAccounts},
    {"refresh_tokens", TableOwner::kAccounts},
    {"revoked_access_tokens", TableOwner::kAccounts},
    {"user_session_cutoffs", TableOwner::kAccounts},
    {"categories", TableOwner::kCatalogue},
    {"products", TableOwner::kCatalogue},
    {"product_search_grams", TableOwner::kCatalogue},
    {"cart_items", TableOwner::kCatalogue},
    {"stock_reservations", TableOwner::kCatalogue},
    {"stock_reservation_lines", TableOwner::kCatalogue},
    {"orders", TableOwner::kOrders},
    {"order_items", TableOwner::kOrders},
    {"order_placements", TableOwner::kOrders},
    {"stock_releases", TableOwner::kOrders},
    {"payment_attempts", TableOwner::kOrders},
    {"payment_refunds", TableOwner::kOrders},
    {"payment_records", TableOwner::kOrders},
    {"seckill_activities", TableOwner::kFlashSale},
    {"seckill_reservations", TableOwner::kFlashSale},
    {"flash_sale_order_outbox", TableOwner::kFlashSale},
    {"schema_migrations", TableOwner::kEvery},
    {"replica_heartbeat", TableOwner::kEvery},
}};

std::string lower(std::string_view word) {
    std::string out(word);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool is_word_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || u == '_';
}

/// Splits a statement into its words (runs of letters, digits and '_'); stops after `limit` words.
std::vector<std::string> words_of(std::string_view statement, std::size_t limit) {
    std::vector<std::string> words;
    std::size_t i = 0;
    while (i < statement.size() && words.size() < limit) {
        if (!is_word_char(statement[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < statement.size() && is_word_char(statement[i])) {
            ++i;
        }
        words.push_back(lower(statement.substr(start, i - start)));
    }
    return words;
}

std::string_view owner_name(TableOwner owner) {
    switch (owner) {
        case TableOwner::kAccounts:
            return "accounts";
        case TableOwner::kCatalogue:
            return "catalogue";
        case TableOwner::kOrders:
            return "orders";
        case TableOwner::kFlashSale:
            return "flash sale";
        case TableOwner::kEvery:
            return "every database";
    }
    return "?";
}

}  // namespace

std::optional<TableOwner> owner_of_table(std::string_view table) {
    if (table.empty()) {
        return std::nullopt;
    }
    for (const auto& [name, owner] : kTables) {
        if (name == table) {
            return owner;
        }
    }
    return std::nullopt;
}

std::string table_of_statement(std::string_view statement) {
    // Enough words for the longest shape: CREATE UNIQUE INDEX IF NOT EXISTS name ON table.
    const auto w = words_of(statement, 9);
    const auto after = [&w](std::size_t at) {
        return at < w.size() ? w[at] : std::string();
    };
    const auto skip_if_not_exists = [&w](std::size_t at) {
        return at + 2 < w.size() && w[at] == "if" && w[at + 1] == "not" && w[at + 2] == "exists" ? at + 3 : at;
    };
    if (w.size() >= 3 && w[0] == "create" && w[1] == "table") {
        return after(skip_if_not_exists(2));
    }
    if (w.size() >= 3 && w[0] == "create" && (w[1] == "index" || (w[1] == "unique" && after(2) == "index"))) {
        const std::size_t name_at = skip_if_not_exists(w[1] == "unique" ? 3 : 2);
        return after(name_at + 1) == "on" ? after(name_at + 2) : std::string();
    }
    if (w.size() >= 3 && w[0] == "alter" && w[1] == "table") {
        return w[2];
    }
    if (w.size() >= 3 && w[0] == "insert") {
        const std::size_t into_at = w[1] == "ignore" ? 2 : 1;
        return after(into_at) == "into" ? after(into_at + 1) : std::string();
    }
    if (w.size() >= 2 && w[0] == "update") {
        return w[1];
    }
    return {};
}

SchemaScope SchemaScope::owned_by(std::set<TableOwner> owners) {
    SchemaScope scope;
    scope.whole_ = false;
    scope.owners_ = std::move(owners);
    return scope;
}

std::string SchemaScope::description() const {
    if (whole_) {
        return "whole schema";
    }
    if (owners_.empty()) {
        return "own tables: none (the ledger only)";
    }
    std::string out = "own tables: ";
    const char* separator = "";
    for (const TableOwner owner : owners_) {
        out += separator;
        out += owner_name(owner);
        separator = ", ";
    }
    return out;
}

}  // namespace gomall::adapters::sql
