// The catalogue's and the cart's values <-> messages.
#include "rpc/catalog_messages.hpp"

#include <cstddef>

#include "rpc/unix_millis.hpp"

namespace gomall::rpc {
namespace {

v1::ProductStatus to_message(domain::ProductStatus status) {
    return status == domain::ProductStatus::kOnSale ? v1::PRODUCT_STATUS_ON_SALE : v1::PRODUCT_STATUS_OFF_SHELF;
}

/// Anything but an explicit "on sale" is off the shelf: an unknown value (a newer peer's) never
/// puts a product on sale.
domain::ProductStatus from_message(v1::ProductStatus status) {
    return status == v1::PRODUCT_STATUS_ON_SALE ? domain::ProductStatus::kOnSale : domain::ProductStatus::kOffShelf;
}

v1::ProductSort to_message(domain::ProductSort sort) {
    switch (sort) {
        case domain::ProductSort::kPriceAsc:
            return v1::PRODUCT_SORT_PRICE_ASC;
        case domain::ProductSort::kPriceDesc:
            return v1::PRODUCT_SORT_PRICE_DESC;
        case domain::ProductSort::kSales:
            return v1::PRODUCT_SORT_SALES;
        case domain::ProductSort::kNewest:
            break;
    }
    return v1::PRODUCT_SORT_NEWEST;
}

/// An unknown order (a newer peer's) lists newest first, the default order.
domain::ProductSort from_message(v1::ProductSort sort) {
    switch (sort) {
        case v1::PRODUCT_SORT_PRICE_ASC:
            return domain::ProductSort::kPriceAsc;
        case v1::PRODUCT_SORT_PRICE_DESC:
            return domain::ProductSort::kPriceDesc;
        case v1::PRODUCT_SORT_SALES:
            return domain::ProductSort::kSales;
        default:
            return domain::ProductSort::kNewest;
    }
}

}  // namespace

void to_message(const domain::Category& category, v1::Category& out) {
    out.set_id(category.id);
    out.set_name(category.name);
}

domain::Category from_message(const v1::Category& in) {
    return domain::Category{in.id(), in.name()};
}

void to_message(const domain::Product& product, v1::Product& out) {
    out.set_id(product.id);
    out.set_name(product.name);
    out.set_description(product.description);
    out.set_price_cents(product.price);
    out.set_stock(product.stock);
    out.set_category_id(product.category_id);
    out.set_category(product.category);
    out.set_image_url(product.image_url);
    out.set_status(to_message(product.status));
    out.set_sales(product.sales);
    out.set_created_at_ms(to_unix_millis(product.created_at));
    out.set_updated_at_ms(to_unix_millis(product.updated_at));
}

domain::Product from_message(const v1::Product& in) {
    domain::Product product;
    product.id = in.id();
    product.name = in.name();
    product.description = in.description();
    product.price = in.price_cents();
    product.stock = in.stock();
    product.category_id = in.category_id();
    product.category = in.category();
    product.image_url = in.image_url();
    product.status = from_message(in.status());
    product.sales = in.sales();
    product.created_at = from_unix_millis(in.created_at_ms());
    product.updated_at = from_unix_millis(in.updated_at_ms());
    return product;
}

void to_message(const domain::ProductQuery& query, v1::ListProductsRequest& out) {
    out.mutable_page()->set_page(query.page);
    out.mutable_page()->set_page_size(query.page_size);
    out.set_keyword(query.keyword);
    if (query.category_id) {
        out.set_category_id(*query.category_id);
    }
    out.set_sort(to_message(query.sort));
    out.set_include_off_shelf(query.include_off_shelf);
}

domain::ProductQuery from_message(const v1::ListProductsRequest& in) {
    domain::ProductQuery query;
    if (in.has_page()) {
        query.page = in.page().page();
        query.page_size = in.page().page_size();
    }
    query.keyword = in.keyword();
    if (in.has_category_id()) {
        query.category_id = in.category_id();
    }
    query.sort = from_message(in.sort());
    query.include_off_shelf = in.include_off_shelf();
    return query;
}

void to_message(const domain::Page<domain::Product>& page, v1::ListProductsResponse& out) {
    out.mutable_products()->Reserve(static_cast<int>(page.items.size()));
    for (const auto& product : page.items) {
        to_message(product, *out.add_products());
    }
    auto& info = *out.mutable_page();
    info.set_total(page.total);
    info.set_page(page.page);
    info.set_page_size(page.page_size);
}

domain::Page<domain::Product> from_message(const v1::ListProductsResponse& in) {
    domain::Page<domain::Product> page;
    page.items.reserve(static_cast<std::size_t>(in.products_size()));
    for (const auto& product : in.products()) {
        page.items.push_back(from_message(product));
    }
    page.total = in.page().total();
    page.page = in.page().page();
    page.page_size = in.page().page_size();
    return page;
}

void to_message(const domain::NewProduct& product, v1::CreateProductRequest& out) {
    out.set_name(product.name);
    out.set_description(product.description);
    out.set_price_cents(product.price);
    out.set_stock(product.stock);
    out.set_category_id(product.category_id);
    out.set_image_url(product.image_url);
    out.set_status(to_message(product.status));
}

domain::NewProduct from_message(const v1::CreateProductRequest& in) {
    domain::NewProduct product;
    product.name = in.name();
    product.description = in.description();
    product.price = in.price_cents();
    product.stock = in.stock();
    product.category_id = in.category_id();
    product.image_url = in.image_url();
    product.status = from_message(in.status());
    return product;
}

void to_message(const domain::ProductPatch& patch, v1::UpdateProductRequest& out) {
    if (patch.name) {
        out.set_name(*patch.name);
    }
    if (patch.description) {
        out.set_description(*patch.description);
    }
    if (patch.price) {
        out.set_price_cents(*patch.price);
    }
    if (patch.stock) {
        out.set_stock(*patch.stock);
    }
    if (patch.category_id) {
        out.set_category_id(*patch.category_id);
    }
    if (patch.image_url) {
        out.set_image_url(*patch.image_url);
    }
    if (patch.status) {
        out.set_status(to_message(*patch.status));
    }
}

domain::ProductPatch from_message(const v1::UpdateProductRequest& in) {
    domain::ProductPatch patch;
    if (in.has_name()) {
        patch.name = in.name();
    }
    if (in.has_description()) {
        patch.description = in.description();
    }
    if (in.has_price_cents()) {
        patch.price = in.price_cents();
    }
    if (in.has_stock()) {
        patch.stock = in.stock();
    }
    if (in.has_category_id()) {
        patch.category_id = in.category_id();
    }
    if (in.has_image_url()) {
        patch.image_url = in.image_url();
    }
    if (in.has_status()) {
        patch.status = from_message(in.status());
    }
    return patch;
}

void to_message(const domain::CartItem& item, v1::CartItem& out) {
    out.set_id(item.id);
    out.set_user_id(item.user_id);
    out.set_product_id(item.product_id);
    out.set_quantity(item.quantity);
    out.set_name(item.name);
    out.set_price_cents(item.price);
    out.set_image_url(item.image_url);
    out.set_stock(item.stock);
    out.set_status(to_message(item.status));
    out.set_product_deleted(item.product_deleted);
    out.set_created_at_ms(to_unix_millis(item.created_at));
    out.set_updated_at_ms(to_unix_millis(item.updated_at));
}

domain::CartItem from_message(const v1::CartItem& in) {
    domain::CartItem item;
    item.id = in.id();
    item.user_id = in.user_id();
    item.product_id = in.product_id();
    item.quantity = in.quantity();
    item.name = in.name();
    item.price = in.price_cents();
    item.image_url = in.image_url();
    item.stock = in.stock();
    item.status = from_message(in.status());
    item.product_deleted = in.product_deleted();
    item.created_at = from_unix_millis(in.created_at_ms());
    item.updated_at = from_unix_millis(in.updated_at_ms());
    return item;
}

void to_message(const services::CartSummary& summary, v1::CartSummary& out) {
    out.mutable_items()->Reserve(static_cast<int>(summary.items.size()));
    for (const auto& item : summary.items) {
        to_message(item, *out.add_items());
    }
    out.set_total_quantity(summary.total_quantity);
    out.set_total_price_cents(summary.total_price);
}

services::CartSummary from_message(const v1::CartSummary& in) {
    services::CartSummary summary;
    summary.items.reserve(static_cast<std::size_t>(in.items_size()));
    for (const auto& item : in.items()) {
        summary.items.push_back(from_message(item));
    }
    summary.total_quantity = in.total_quantity();
    summary.total_price = in.total_price_cents();
    return summary;
}

}  // namespace gomall::rpc
