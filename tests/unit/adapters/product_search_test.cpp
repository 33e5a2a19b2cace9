// The keyword search index on SQLite and (with GOMALL_TEST_MYSQL_* set) MariaDB: searches give
// exactly what a plain LIKE scan gives, the index rows follow every edit, the migration backfills
// existing products, and the statements really use the index (query plans).
#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/sql/database.hpp"
#include "adapters/sql/migrations.hpp"
#include "adapters/sql/product_listing_sql.hpp"
#include "adapters/sql/product_repository.hpp"
#include "adapters/sql/search_grams.hpp"
#include "adapters/sql/search_index.hpp"
#include "adapters/sql/sql_util.hpp"
#include "unit/adapters/sql_test_database.hpp"

namespace gomall::adapters::sql {
namespace {

using testing::Backend;
using testing::backend_name;

const TimePoint kNow = from_unix_seconds(1'800'000'000);
constexpr double kAlwaysIndex = 1e9;

struct IdRow {
    long long id = 0;
    void exchange(soci::statement& st) { st.exchange(soci::into(id)); }
};

struct GramRow {
    std::string gram;
    void exchange(soci::statement& st) { st.exchange(soci::into(gram)); }
};

// name, description, on sale
struct Item {
    std::string name;
    std::string description;
    bool on_sale = true;
};

// A catalogue mixing Chinese, English in both cases, accents, full-width letters, emoji, LIKE's
// metacharacters, spaces, quotes and a NUL, with some words only in descriptions.
const std::vector<Item> kCatalogue = {
    {"红色智能手机 Red Phone", "双卡双待，超长续航。Dual SIM."},
    {"蓝色手机壳 blue CASE", "硅胶材质 soft silicone"},
    {"Café Crème", "un café au lait"},
    {"CAFE NOIR", "strong coffee"},
    {"cafe", ""},
    {"100% 纯棉 T恤", "100% cotton"},
    {"under_score name", "snake_case"},
    {"underXscore name", "snakeXcase"},
    {"back\\slash tool", "a \\ b"},
    {"emoji 😀 party", "🎉 celebration"},
    {"😀😀 double", "two faces"},
    {"🎈 balloon", "one 🎈"},
    {"ｆｕｌｌ width Ａ", "full-width letters"},
    {"手", "one character"},
    {"机", "另一个字"},
    {"MiXeD CaSe", "Mixed Case again"},
    {"space  double", "a  b"},
    {"naïve résumé", "NAÏVE RÉSUMÉ"},
    {"Straße", "STRASSE"},
    {"Tom's ' OR 1=1 -- special", "quote \" inside"},
    {"a", "b"},
    {"%", "_"},
    {std::string("nul\0byte", 8), "hidden"},
    {"智能手表 Smart Watch", "心率监测 heart rate", false},
    {"手机支架 phone stand", "铝合金 aluminium", false},
    {"平板电脑 Tablet", "十英寸屏幕 ten inch screen"},
};

std::vector<std::string> fixed_keywords() {
    return {
        "手机",
        "手",
        "机",
        "phone",
        "PHONE",
        "Phone",
        "red",
        "RED",
        "%",
        "_",
        "\\",
        "100%",
        "0%",
        "under_",
        "_s",
        "\\ ",
        "😀",
        "😀😀",
        "🎉",
        "🎈",
        "e",
        "é",
        "É",
        "cafe",
        "Café",
        "CAFÉ",
        "caf",
        "ß",
        "ss",
        "strasse",
        "ａ",
        "Ａ",
        "a",
        "A",
        " ",
        "  ",
        "e c",
        "absent",
        "不存在",
        "'",
        "\"",
        "' OR 1=1 --",
        "%%",
        "__",
        std::string(100, 'x'),
        "手机手机",
        "智能",
        "o",
        "naive",
        "NAÏVE",
        std::string("\0", 1),
        std::string("l\0b", 3),
        "ten inch",
        "十英寸",
        "\xEF\xBF\xBD",
        "\xED\xA0\x80",  // an encoded surrogate, not well-formed: LIKE alone must answer
    };
}

// Every substring of one to three code points of every name, so the search is tried at every
// position of every text.
std::vector<std::string> substring_keywords() {
    std::set<std::string> out;
    for (const Item& item : kCatalogue) {
        std::vector<std::string> cps;
        for (char c : item.name) {
            if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U || cps.empty()) {
                cps.emplace_back(1, c);
            } else {
                cps.back() += c;
            }
        }
        for (std::size_t from = 0; from < cps.size(); ++from) {
            std::string keyword;
            for (std::size_t to = from; to < cps.size() && to < from + 3; ++to) {
                keyword += cps[to];
                out.insert(keyword);
            }
        }
    }
    return {out.begin(), out.end()};
}

class ProductSearchTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (!test_db_.open(GetParam(), 8)) {
            GTEST_SKIP() << "set GOMALL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/DATABASE to run on MariaDB";
        }
        db_ = test_db_.get();
    }

    std::vector<std::int64_t> make_catalogue() {
        SqlProductRepository products(*db_);
        std::vector<std::int64_t> ids;
        for (std::size_t i = 0; i < kCatalogue.size(); ++i) {
            const Item& item = kCatalogue[i];
            ids.push_back(products.create(
                {item.name,
                 item.description,
                 100,
                 1,
                 0,
                 "",
                 item.on_sale ? domain::ProductStatus::kOnSale : domain::ProductStatus::kOffShelf},
                kNow + std::chrono::seconds(static_cast<long>(i))
            ));
        }
        return ids;
    }

    // Today's search: LIKE over every live product, no index.
    std::vector<long long> like_scan(const std::string& keyword, bool include_off_shelf) {
        SessionLease session = db_->lease();
        Query q("SELECT p.id FROM products p WHERE p.deleted = 0");
        if (!include_off_shelf) {
            q.sql(" AND p.status = 1");
        }
        const std::string pattern = "%" + escape_like(keyword) + "%";
        q.sql(" AND (p.name LIKE ").param(pattern).sql(like_escape_clause(db_->dialect()));
        q.sql(" OR p.description LIKE ").param(pattern).sql(like_escape_clause(db_->dialect())).sql(")");
        q.sql(" ORDER BY p.created_at DESC, p.id DESC");
        std::vector<long long> ids;
        for (const IdRow& row : fetch_rows<IdRow>(*session, q)) {
            ids.push_back(row.id);
        }
        return ids;
    }

    // Through a repository that takes the index whatever a keyword's gram counts (`share` large),
    // or the default one.
    std::vector<long long> search(
        const std::string& keyword, bool include_off_shelf, long long* total = nullptr, double share = kAlwaysIndex
    ) {
        SqlProductRepository products(*db_, share);
        domain::ProductQuery query;
        query.keyword = keyword;
        query.include_off_shelf = include_off_shelf;
        query.page_size = 1000;
        const auto page = products.list(query);
        std::vector<long long> ids;
        for (const auto& p : page.items) {
            ids.push_back(p.id);
        }
        if (total != nullptr) {
            *total = page.total;
        }
        return ids;
    }

    std::vector<std::string> stored_grams(std::int64_t id) {
        SessionLease session = db_->lease();
        Query q("SELECT gram FROM product_search_grams WHERE product_id = ");
        q.param(id);
        std::vector<std::string> out;
        for (const GramRow& row : fetch_rows<GramRow>(*session, q)) {
            out.push_back(row.gram);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    long long count(const std::string& sql) {
        SessionLease session = db_->lease();
        Query q(sql);
        return fetch_integer(*session, q);
    }

    // The product's rows are exactly those of its text: none left from an older text, and every
    // gram of the current one found (by the column's own equality: on MariaDB two grams the
    // collation calls equal share one row).
    void expect_indexed_as(std::int64_t id, const std::string& name, const std::string& description) {
        const auto expected = product_grams(name, description);
        const auto stored = stored_grams(id);
        for (const auto& gram : stored) {
            EXPECT_TRUE(std::binary_search(expected.begin(), expected.end(), gram)) << "stale gram " << gram;
        }
        if (db_->dialect() == Dialect::kSqlite) {
            EXPECT_EQ(stored, expected);
            return;
        }
        SessionLease session = db_->lease();
        for (const auto& gram : expected) {
            Query q("SELECT COUNT(*) FROM product_search_grams WHERE product_id = ");
            q.param(id).sql(" AND gram = ").param(gram);
            EXPECT_EQ(fetch_integer(*session, q), 1) << "missing gram " << gram;
        }
    }

    testing::TestDatabase test_db_;
    Database* db_ = nullptr;
};

TEST_P(ProductSearchTest, SearchGivesExactlyWhatALikeScanGives) {
    make_catalogue();
    std::vector<std::string> keywords = fixed_keywords();
    const auto substrings = substring_keywords();
    keywords.insert(keywords.end(), substrings.begin(), substrings.end());
    int non_empty = 0;
    for (const std::string& keyword : keywords) {
        for (const bool admin : {false, true}) {
            const auto expected = like_scan(keyword, admin);
            for (const double share : {kAlwaysIndex, SqlProductRepository::kDefaultIndexShare}) {
                long long total = -1;
                EXPECT_EQ(search(keyword, admin, &total, share), expected)
                    << "keyword \"" << keyword << "\" admin " << admin << " share " << share;
                EXPECT_EQ(total, static_cast<long long>(expected.size())) << "keyword \"" << keyword << "\"";
            }
            non_empty += expected.empty() ? 0 : 1;
        }
    }
    // The comparison means something only if many keywords do match.
    EXPECT_GT(non_empty, static_cast<int>(keywords.size()));
}

TEST_P(ProductSearchTest, FiltersSortAndPagingApplyToTheMatches) {
    SqlProductRepository products(*db_, kAlwaysIndex);
    const auto phones = products.create_category("手机 Phones");
    std::vector<std::int64_t> in_category;
    for (int i = 0; i < 30; ++i) {
        const bool phone_category = i % 2 == 0;
        const auto id = products.create(
            {"手机 model " + std::to_string(i),
             "",
             1000 + i,
             1,
             phone_category ? phones : 0,
             "",
             domain::ProductStatus::kOnSale},
            kNow + std::chrono::seconds(i)
        );
        if (phone_category) {
            in_category.push_back(id);
        }
    }
    products.create({"unrelated", "", 1, 1, phones, "", domain::ProductStatus::kOnSale}, kNow);
    domain::ProductQuery query;
    query.keyword = "手机";
    query.category_id = phones;
    query.sort = domain::ProductSort::kPriceAsc;
    query.page_size = 4;
    query.page = 2;
    for (const double share : {kAlwaysIndex, 0.0}) {  // through the index, and by a scan
        const auto page = SqlProductRepository(*db_, share).list(query);
        EXPECT_EQ(page.total, 15);
        ASSERT_EQ(page.items.size(), 4U);
        for (std::size_t i = 0; i < 4; ++i) {
            EXPECT_EQ(page.items[i].id, in_category[4 + i]);  // cheapest first: the creation order
            EXPECT_EQ(page.items[i].category, "手机 Phones");
        }
    }
    query.sort = domain::ProductSort::kNewest;
    query.page = 4;  // the last, short page: 15 = 4 + 4 + 4 + 3
    const auto last = products.list(query);
    EXPECT_EQ(last.total, 15);
    ASSERT_EQ(last.items.size(), 3U);
    EXPECT_EQ(last.items[2].id, in_category[0]);  // newest first: the first created is last
    query.page = 5;
    const auto beyond = products.list(query);
    EXPECT_EQ(beyond.total, 15);
    EXPECT_TRUE(beyond.items.empty());
}

TEST_P(ProductSearchTest, IndexFollowsCreateEditAndDelete) {
    SqlProductRepository products(*db_);
    const auto id =
        products.create({"红色手机 Red", "旗舰 flagship", 100, 5, 0, "", domain::ProductStatus::kOnSale}, kNow);
    expect_indexed_as(id, "红色手机 Red", "旗舰 flagship");
    EXPECT_EQ(search("红色", false), std::vector<long long>{id});

    domain::ProductPatch rename;
    rename.name = "蓝色耳机 Blue";
    ASSERT_TRUE(products.update(id, rename, kNow));
    expect_indexed_as(id, "蓝色耳机 Blue", "旗舰 flagship");
    EXPECT_TRUE(search("红色", false).empty());
    EXPECT_EQ(search("蓝色", false), std::vector<long long>{id});
    EXPECT_EQ(search("flagship", false), std::vector<long long>{id});  // the description stayed

    domain::ProductPatch describe;
    describe.description = "入门 entry";
    ASSERT_TRUE(products.update(id, describe, kNow));
    expect_indexed_as(id, "蓝色耳机 Blue", "入门 entry");
    EXPECT_TRUE(search("flagship", false).empty());
    EXPECT_EQ(search("入门", false), std::vector<long long>{id});

    domain::ProductPatch price;
    price.price = 200;
    ASSERT_TRUE(products.update(id, price, kNow));
    expect_indexed_as(id, "蓝色耳机 Blue", "入门 entry");

    domain::ProductPatch same;
    same.name = "蓝色耳机 Blue";  // MySQL reports no changed row: still a success, index intact
    ASSERT_TRUE(products.update(id, same, kNow));
    expect_indexed_as(id, "蓝色耳机 Blue", "入门 entry");

    EXPECT_FALSE(products.update(id + 1000, rename, kNow));
    EXPECT_TRUE(stored_grams(id + 1000).empty());

    ASSERT_TRUE(products.soft_delete(id, kNow));
    EXPECT_TRUE(stored_grams(id).empty());
    EXPECT_TRUE(search("蓝色", true).empty());
    EXPECT_FALSE(products.update(id, rename, kNow));
    EXPECT_TRUE(stored_grams(id).empty());
    EXPECT_EQ(count("SELECT COUNT(*) FROM product_search_grams"), 0);
}

TEST_P(ProductSearchTest, ConcurrentRenamesLeaveTheIndexOfTheLastName) {
    SqlProductRepository products(*db_);
    const auto id = products.create({"start", "描述 text", 100, 5, 0, "", domain::ProductStatus::kOnSale}, kNow);
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            SqlProductRepository mine(*db_);
            for (int i = 0; i < 10; ++i) {
                domain::ProductPatch patch;
                patch.name = "名字" + std::to_string(t) + " name " + std::to_string(t * 100 + i);
                EXPECT_TRUE(mine.update(id, patch, kNow));
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    const auto product = products.find(id);
    ASSERT_TRUE(product);
    expect_indexed_as(id, product->name, product->description);
}

TEST_P(ProductSearchTest, BulkCreateIndexesEveryProduct) {
    SqlProductRepository products(*db_);
    std::vector<domain::NewProduct> batch;
    for (int i = 0; i < 1200; ++i) {  // more rows than one INSERT carries
        batch.push_back(
            {"批量 item " + std::to_string(i),
             "描述 " + std::to_string(i * 7),
             100,
             1,
             0,
             "",
             domain::ProductStatus::kOnSale}
        );
    }
    const auto ids = products.create_many(batch, kNow);
    ASSERT_EQ(ids.size(), batch.size());
    for (std::size_t i = 0; i < ids.size(); i += 199) {
        expect_indexed_as(ids[i], batch[i].name, batch[i].description);
    }
    long long total = 0;
    search("批量", false, &total);
    EXPECT_EQ(total, 1200);
    EXPECT_EQ(search("item 1199", false), std::vector<long long>{ids.back()});
}

TEST_P(ProductSearchTest, MigrationBackfillsExistingProductsAndCanRunAgain) {
    const auto ids = make_catalogue();
    SqlProductRepository products(*db_);
    ASSERT_TRUE(products.soft_delete(ids[0], kNow));
    {
        // Back to the schema before the index, with the products already there.
        SessionLease session = db_->lease();
        *session << "DROP TABLE product_search_grams";
        *session << "DELETE FROM schema_migrations WHERE version = 6";
    }
    EXPECT_EQ(apply_migrations(*db_), 1);
    EXPECT_TRUE(stored_grams(ids[0]).empty());  // deleted products are not indexed
    for (std::size_t i = 1; i < ids.size(); ++i) {
        expect_indexed_as(ids[i], kCatalogue[i].name, kCatalogue[i].description);
    }
    EXPECT_EQ(search("手机", true), like_scan("手机", true));
    if (db_->dialect() == Dialect::kMysql) {
        // MySQL commits each DDL statement, so a failed run is repeated over what it left.
        const long long rows = count("SELECT COUNT(*) FROM product_search_grams");
        {
            SessionLease session = db_->lease();
            *session << "DELETE FROM schema_migrations WHERE version = 6";
        }
        EXPECT_EQ(apply_migrations(*db_), 1);
        EXPECT_EQ(count("SELECT COUNT(*) FROM product_search_grams"), rows);
    }
}

// EXPLAIN of the real statements: the rarest gram's index rows drive, every other table is
// reached by key, nothing is scanned.
struct SqlitePlanRow {
    int id = 0, parent = 0, unused = 0;
    std::string detail;
    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(parent));
        st.exchange(soci::into(unused));
        st.exchange(soci::into(detail));
    }
};

struct MysqlPlanRow {
    std::string id, select_type, table, type, possible_keys, key, key_len, ref, rows, extra;
    soci::indicator ind[10] = {};
    void exchange(soci::statement& st) {
        std::string* fields[] = {&id, &select_type, &table, &type, &possible_keys, &key, &key_len, &ref, &rows, &extra};
        for (int i = 0; i < 10; ++i) {
            st.exchange(soci::into(*fields[i], ind[i]));
        }
    }
};

TEST_P(ProductSearchTest, QueryPlansUseTheIndex) {
    SqlProductRepository products(*db_);
    const auto phones = products.create_category("手机 Phones");
    // Enough rows, with a common and a rare gram, for MariaDB's optimizer to have a choice.
    std::vector<domain::NewProduct> batch;
    for (int i = 0; i < 3000; ++i) {
        batch.push_back(
            {i % 50 == 0 ? "红色手机 " + std::to_string(i) : "普通商品 item " + std::to_string(i),
             "description " + std::to_string(i),
             100 + i,
             1,
             i % 3 == 0 ? phones : 0,
             "",
             domain::ProductStatus::kOnSale}
        );
    }
    products.create_many(batch, kNow);
    if (db_->dialect() == Dialect::kMysql) {
        SessionLease session = db_->lease();
        *session << "ANALYZE TABLE products, product_search_grams";
    }

    domain::ProductQuery query;
    query.keyword = "红色手机";
    GramLookup lookup;
    {
        SessionLease session = db_->lease();
        lookup = lookup_grams(*session, *keyword_grams(query.keyword));
    }
    ASSERT_EQ(lookup.grams.size(), 3U);
    EXPECT_EQ(lookup.candidates, 60);  // 红色, 色手 and 手机 are in the same 60 products
    const auto& grams = lookup.grams;
    for (const bool with_category : {false, true}) {
        query.category_id = with_category ? std::optional<std::int64_t>(phones) : std::nullopt;
        for (const auto sort : {domain::ProductSort::kNewest, domain::ProductSort::kPriceAsc}) {
            query.sort = sort;
            {
                SessionLease session = db_->lease();
                Query q(db_->dialect() == Dialect::kSqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
                build_match_ids_query(q, query, db_->dialect(), grams);
                if (db_->dialect() == Dialect::kSqlite) {
                    const auto plan = fetch_rows<SqlitePlanRow>(*session, q);
                    ASSERT_GE(plan.size(), 3U);
                    EXPECT_EQ(plan[0].detail, "SEARCH g0 USING PRIMARY KEY (gram=?)");
                    bool product_by_key = false;
                    for (const auto& row : plan) {
                        EXPECT_EQ(row.detail.find("SCAN"), std::string::npos) << row.detail;
                        product_by_key |= row.detail == "SEARCH p USING INTEGER PRIMARY KEY (rowid=?)";
                    }
                    EXPECT_TRUE(product_by_key);
                } else {
                    const auto plan = fetch_rows<MysqlPlanRow>(*session, q);
                    ASSERT_GE(plan.size(), 3U);
                    std::string described;
                    for (const auto& row : plan) {
                        described += row.table + ":" + row.type + ":" + row.key + " ";
                    }
                    EXPECT_EQ(plan[0].table.rfind('g', 0), 0U) << described;  // a gram table drives
                    for (const auto& row : plan) {
                        EXPECT_NE(row.type, "ALL") << described;
                        EXPECT_NE(row.type, "index") << described;
                        if (row.table == "p") {
                            EXPECT_EQ(row.type, "eq_ref") << described;
                        }
                    }
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ProductSearchTest, ::testing::Values(Backend::kSqlite, Backend::kMysql), backend_name
);

}  // namespace
}  // namespace gomall::adapters::sql
