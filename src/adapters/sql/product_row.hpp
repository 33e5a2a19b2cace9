// Reading product rows (with the category name joined in), shared by the product and cart repositories.
#pragma once

#include <string>
#include <string_view>

#include <soci/soci.h>

#include "adapters/sql/sql_util.hpp"
#include "domain/product.hpp"

namespace gomall::adapters::sql {

/// Columns in the order ProductRow::exchange expects; products are aliased p, categories c.
inline constexpr std::string_view kProductColumns =
    "SELECT p.id, p.name, p.description, p.price_cents, p.stock, p.category_id, c.name, p.image_url, p.status, "
    "p.sales, p.created_at, p.updated_at ";
/// The category join those columns need.
inline constexpr std::string_view kCategoryJoin = "LEFT JOIN categories c ON c.id = p.category_id ";
/// The columns read from products alone.
inline const std::string kProductSelect =
    std::string(kProductColumns) + "FROM products p " + std::string(kCategoryJoin);

struct ProductRow {
    long long id = 0;
    std::string name, description;
    long long price = 0;
    long long stock = 0;
    long long category_id = 0;
    soci::indicator category_id_ind = soci::i_null;
    std::string category;
    soci::indicator category_ind = soci::i_null;
    std::string image_url;
    int status = 0;
    long long sales = 0;
    std::string created_at, updated_at;

    void exchange(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(name));
        st.exchange(soci::into(description));
        st.exchange(soci::into(price));
        st.exchange(soci::into(stock));
        st.exchange(soci::into(category_id, category_id_ind));
        st.exchange(soci::into(category, category_ind));
        st.exchange(soci::into(image_url));
        st.exchange(soci::into(status));
        st.exchange(soci::into(sales));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }

    domain::Product to_domain() const {
        domain::Product p;
        p.id = id;
        p.name = name;
        p.description = description;
        p.price = price;
        p.stock = stock;
        p.category_id = category_id_ind == soci::i_ok ? category_id : 0;
        p.category = category_ind == soci::i_ok ? category : std::string();
        p.image_url = image_url;
        p.status = status == 0 ? domain::ProductStatus::kOffShelf : domain::ProductStatus::kOnSale;
        p.sales = sales;
        p.created_at = from_db_time(created_at);
        p.updated_at = from_db_time(updated_at);
        return p;
    }
};

}  // namespace gomall::adapters::sql
