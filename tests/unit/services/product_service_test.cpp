// Unit tests of ProductService: detail, what admin changes drop from the catalogue cache, category checks.
#include "services/product_service.hpp"

#include <chrono>
#include <map>

#include <gtest/gtest.h>

namespace gomall::services {
namespace {

using namespace std::chrono_literals;

class FixedClock final : public ports::Clock {
public:
    TimePoint now() const override { return from_unix_seconds(1'795'568'523); }
};

/// In-memory catalogue that counts reads, so tests can tell cache hits from database reads.
class FakeProductRepository final : public ports::ProductRepository {
public:
    int find_calls = 0;

    domain::Page<domain::Product> list(const domain::ProductQuery& query) override {
        domain::Page<domain::Product> page;
        for (const auto& [id, p] : products_) {
            if (query.include_off_shelf || p.status == domain::ProductStatus::kOnSale) {
                page.items.push_back(p);
            }
        }
        page.total = static_cast<std::int64_t>(page.items.size());
        page.page = query.page;
        page.page_size = query.page_size;
        return page;
    }
    std::optional<domain::Product> find(std::int64_t id) override {
        ++find_calls;
        auto it = products_.find(id);
        if (it == products_.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    std::int64_t create(const domain::NewProduct& n, TimePoint now) override {
        domain::Product p;
        p.id = next_id_++;
        p.name = n.name;
        p.description = n.description;
        p.price = n.price;
        p.stock = n.stock;
        p.category_id = n.category_id;
        p.image_url = n.image_url;
        p.status = n.status;
        p.created_at = p.updated_at = now;
        if (auto c = categories_.find(n.category_id); c != categories_.end()) {
            p.category = c->second;
        }
        products_[p.id] = p;
        return p.id;
    }
    bool update(std::int64_t id, const domain::ProductPatch& patch, TimePoint now) override {
        auto it = products_.find(id);
        if (it == products_.end()) {
            return false;
        }
        auto& p = it->second;
        if (patch.name)
            p.name = *patch.name;
        if (patch.price)
            p.price = *patch.price;
        if (patch.stock)
            p.stock = *patch.stock;
        if (patch.status)
            p.status = *patch.status;
        if (patch.category_id)
            p.category_id = *patch.category_id;
        p.updated_at = now;
        return true;
    }
    bool soft_delete(std::int64_t id, TimePoint) override { return products_.erase(id) == 1; }
    std::vector<domain::Category> categories() override {
        std::vector<domain::Category> out;
        for (const auto& [id, name] : categories_) {
            out.push_back({id, name});
        }
        return out;
    }
    std::optional<domain::Category> find_category(std::int64_t id) override {
        auto it = categories_.find(id);
        if (it == categories_.end()) {
            return std::nullopt;
        }
        return domain::Category{it->first, it->second};
    }
    std::optional<domain::Category> find_category_by_name(std::string_view) override { return std::nullopt; }
    std::int64_t create_category(std::string_view name) override {
        const std::int64_t id = static_cast<std::int64_t>(categories_.size()) + 1;
        categories_[id] = std::string(name);
        return id;
    }
    std::int64_t count_products() override { return static_cast<std::int64_t>(products_.size()); }

private:
    std::map<std::int64_t, domain::Product> products_;
    std::map<std::int64_t, std::string> categories_;
    std::int64_t next_id_ = 1;
};

class ProductServiceTest : public ::testing::Test {
protected:
    std::int64_t add_product(std::string name, std::int64_t category_id = 0) {
        domain::NewProduct n;
        n.name = std::move(name);
        n.price = 100;
        n.stock = 5;
        n.category_id = category_id;
        return repo_.create(n, clock_.now());
    }

    /// Puts an answer for the product's detail and for one list page into the cache.
    void fill_cache(std::int64_t id) {
        const auto answer = [this] {
            return CachedAnswer{"{}", true, clock_.now()};
        };
        cache_.product(id, answer);
        cache_.list("page-1", answer);
        ASSERT_TRUE(cache_.peek_product(id));
        ASSERT_TRUE(cache_.peek_list("page-1"));
    }

    FixedClock clock_;
    FakeProductRepository repo_;
    CatalogCache cache_{CatalogCacheSettings{}, clock_};
    ProductService service_{repo_, cache_, clock_};
};

TEST_F(ProductServiceTest, GetReadsTheRepository) {
    const auto id = add_product("phone");
    ASSERT_TRUE(service_.get(id).ok());
    EXPECT_EQ(service_.get(id)->name, "phone");
    EXPECT_EQ(repo_.find_calls, 2);
}

TEST_F(ProductServiceTest, CreateDropsEveryList) {
    const auto id = add_product("phone");
    fill_cache(id);
    domain::NewProduct n;
    n.name = "tablet";
    n.price = 100;
    ASSERT_TRUE(service_.create(n).ok());
    EXPECT_FALSE(cache_.peek_list("page-1"));
    EXPECT_TRUE(cache_.peek_product(id));  // another product's detail is untouched
}

TEST_F(ProductServiceTest, NewCategoryDropsEveryList) {
    fill_cache(add_product("phone"));
    ASSERT_TRUE(service_.create_category("tablets").ok());
    EXPECT_FALSE(cache_.peek_list("page-1"));
}

TEST_F(ProductServiceTest, MissingProductIsNotFound) {
    const auto result = service_.get(404);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kProductNotFound);
}

TEST_F(ProductServiceTest, OffShelfProductIsStillShownInDetail) {
    const auto id = add_product("phone");
    domain::ProductPatch patch;
    patch.status = domain::ProductStatus::kOffShelf;
    ASSERT_TRUE(service_.update(id, patch).ok());
    const auto result = service_.get(id);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->status, domain::ProductStatus::kOffShelf);
}

TEST_F(ProductServiceTest, UpdateDropsTheDetailAndEveryList) {
    const auto id = add_product("phone");
    fill_cache(id);
    domain::ProductPatch patch;
    patch.name = "better phone";
    const auto updated = service_.update(id, patch);
    ASSERT_TRUE(updated.ok());
    EXPECT_EQ(updated->name, "better phone");
    EXPECT_FALSE(cache_.peek_product(id));
    EXPECT_FALSE(cache_.peek_list("page-1"));
    EXPECT_EQ(service_.get(id)->name, "better phone");
}

TEST_F(ProductServiceTest, DeleteInvalidatesAndASecondDeleteIsNotFound) {
    const auto id = add_product("phone");
    fill_cache(id);
    ASSERT_TRUE(service_.soft_delete(id).ok());
    EXPECT_FALSE(cache_.peek_product(id));
    EXPECT_FALSE(cache_.peek_list("page-1"));
    EXPECT_EQ(service_.get(id).error().code, ErrorCode::kProductNotFound);
    EXPECT_EQ(service_.soft_delete(id).error().code, ErrorCode::kProductNotFound);
}

TEST_F(ProductServiceTest, UpdateOfMissingProductIsNotFound) {
    domain::ProductPatch patch;
    patch.name = "x";
    EXPECT_EQ(service_.update(99, patch).error().code, ErrorCode::kProductNotFound);
}

TEST_F(ProductServiceTest, CreateRequiresAnExistingCategory) {
    domain::NewProduct n;
    n.name = "phone";
    n.price = 100;
    n.category_id = 7;
    const auto missing = service_.create(n);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kCategoryNotFound);
    EXPECT_EQ(missing.error().field, "category_id");
    EXPECT_EQ(repo_.count_products(), 0);

    n.category_id = repo_.create_category("phones");
    const auto created = service_.create(n);
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(created->category, "phones");
    EXPECT_EQ(created->created_at, clock_.now());
}

TEST_F(ProductServiceTest, CreateWithoutCategoryIsAllowed) {
    domain::NewProduct n;
    n.name = "phone";
    n.price = 100;
    EXPECT_TRUE(service_.create(n).ok());
}

TEST_F(ProductServiceTest, UpdateToAMissingCategoryChangesNothing) {
    const auto id = add_product("phone");
    domain::ProductPatch patch;
    patch.name = "renamed";
    patch.category_id = 9;
    EXPECT_EQ(service_.update(id, patch).error().code, ErrorCode::kCategoryNotFound);
    EXPECT_EQ(service_.get(id)->name, "phone");
}

TEST_F(ProductServiceTest, ListsCategories) {
    repo_.create_category("phones");
    repo_.create_category("books");
    const auto categories = service_.categories();
    ASSERT_EQ(categories.size(), 2U);
    EXPECT_EQ(categories[1].name, "books");
}

}  // namespace
}  // namespace gomall::services
