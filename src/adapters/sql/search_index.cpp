// Writing and reading the product_search_grams table. Every value is bound; only fixed SQL
// fragments and placeholders make up the statements.
#include "adapters/sql/search_index.hpp"

#include <algorithm>
#include <cstddef>

#include "adapters/sql/search_grams.hpp"
#include "adapters/sql/sql_util.hpp"

namespace gomall::adapters::sql {
namespace {

// Rows per INSERT or DELETE: big enough that MariaDB's round trips stop mattering, far below
// SQLite's limit on bound values (32766) and MariaDB's packet size.
constexpr std::size_t kRowsPerStatement = 500;
// The first gram is counted up to this many rows; a search whose rarest gram has more is left to
// a LIKE scan anyway (see SqlProductRepository::list).
constexpr long long kFirstProbeCap = 1'000'000;
constexpr std::size_t kMaxProbedGrams = 16;
constexpr std::size_t kMaxLookupGrams = 3;
constexpr long long kBackfillPage = 500;

struct IndexedText {
    long long id = 0;
    std::string name, description;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(name));
        st.exchange(soci::into(description));
    }
};

long long capped_count(soci::session& session, const std::string& gram, long long cap) {
    Query q("SELECT COUNT(*) FROM (SELECT product_id FROM product_search_grams WHERE gram = ");
    q.param(gram).sql(" LIMIT ").param(cap).sql(") capped");
    return fetch_integer(session, q);
}

}  // namespace

void GramRowWriter::add(std::int64_t product_id, const std::vector<std::string>& grams) {
    for (const std::string& gram : grams) {
        add(product_id, gram);
    }
}

void GramRowWriter::add(std::int64_t product_id, std::string gram) {
    grams_.push_back(std::move(gram));
    product_ids_.push_back(product_id);
    if (grams_.size() >= kRowsPerStatement) {
        flush();
    }
}

void GramRowWriter::flush() {
    if (grams_.empty()) {
        return;
    }
    if (dialect_ == Dialect::kSqlite) {
        // In-process: one prepared single-row INSERT run over the whole batch beats building,
        // parsing and binding a statement with a thousand placeholders.
        soci::statement insert =
            (session_.prepare << "INSERT OR IGNORE INTO product_search_grams (gram, product_id) VALUES (:g, :p)",
             soci::use(grams_),
             soci::use(product_ids_));
        insert.execute(true);
    } else {
        // Over the network: one multi-row INSERT per batch, so round trips stop mattering.
        Query q("INSERT INTO product_search_grams (gram, product_id) VALUES ");
        for (std::size_t i = 0; i < grams_.size(); ++i) {
            q.sql(i == 0 ? "(" : ", (").param(std::move(grams_[i])).sql(", ").param(product_ids_[i]).sql(")");
        }
        q.sql(" ON DUPLICATE KEY UPDATE product_id = product_id");
        execute_counting(session_, q);
    }
    written_ += static_cast<long long>(grams_.size());
    grams_.clear();
    product_ids_.clear();
}

void index_product(
    soci::session& session,
    Dialect dialect,
    std::int64_t product_id,
    std::string_view name,
    std::string_view description
) {
    GramRowWriter writer(session, dialect);
    writer.add(product_id, product_grams(name, description));
    writer.flush();
}

void unindex_product(
    soci::session& session, std::int64_t product_id, std::string_view name, std::string_view description
) {
    const std::vector<std::string> grams = product_grams(name, description);
    for (std::size_t first = 0; first < grams.size(); first += kRowsPerStatement) {
        const std::size_t last = std::min(grams.size(), first + kRowsPerStatement);
        Query q("DELETE FROM product_search_grams WHERE product_id = ");
        q.param(product_id).sql(" AND gram IN (");
        for (std::size_t i = first; i < last; ++i) {
            q.sql(i == first ? "" : ", ").param(grams[i]);
        }
        q.sql(")");
        execute_counting(session, q);
    }
}

GramLookup lookup_grams(soci::session& session, const std::vector<std::string>& keyword_grams) {
    // Any subset of the grams keeps the candidates a superset of the matches, so a long keyword
    // probes a sample taken evenly across its (sorted) grams.
    std::vector<std::pair<long long, std::string>> probed;
    const std::size_t n = keyword_grams.size();
    const std::size_t probes = std::min(n, kMaxProbedGrams);
    long long cap = kFirstProbeCap;
    for (std::size_t k = 0; k < probes; ++k) {
        const std::string& gram = keyword_grams[probes == 1 ? 0 : k * (n - 1) / (probes - 1)];
        const long long count = capped_count(session, gram, cap);
        if (count == 0) {
            return {};
        }
        cap = std::min(cap, count);
        probed.emplace_back(count, gram);
    }
    std::stable_sort(probed.begin(), probed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    GramLookup out;
    out.candidates = probed.front().first;
    for (std::size_t i = 0; i < probed.size() && i < kMaxLookupGrams; ++i) {
        out.grams.push_back(std::move(probed[i].second));
    }
    return out;
}

void backfill_search_index(soci::session& session, Dialect dialect) {
    GramRowWriter writer(session, dialect);
    long long after = 0;
    for (;;) {
        Query q("SELECT id, name, description FROM products WHERE deleted = 0 AND id > ");
        q.param(after).sql(" ORDER BY id LIMIT ").param(kBackfillPage);
        const auto page = fetch_rows<IndexedText>(session, q);
        for (const IndexedText& row : page) {
            writer.add(row.id, product_grams(row.name, row.description));
            after = row.id;
        }
        writer.flush();
        if (static_cast<long long>(page.size()) < kBackfillPage) {
            return;
        }
    }
}

}  // namespace gomall::adapters::sql
