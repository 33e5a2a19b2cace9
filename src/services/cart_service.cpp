// Implementation of the cart service.
#include "services/cart_service.hpp"

#include <string>

namespace gomall::services {
namespace {

Status check_quantity(int quantity) {
    if (quantity < 1 || quantity > domain::kMaxCartQuantity) {
        return make_error(
            ErrorCode::kBadRequest, "quantity: must be 1-" + std::to_string(domain::kMaxCartQuantity), "quantity"
        );
    }
    return ok_status();
}

Error cart_item_not_found(std::int64_t product_id) {
    return make_error(ErrorCode::kCartItemNotFound, "product " + std::to_string(product_id) + " is not in the cart");
}

}  // namespace

CartService::CartService(ports::CartRepository& carts, ports::ProductRepository& products, const ports::Clock& clock)
    : carts_(carts), products_(products), clock_(clock) {}

Result<domain::CartItem> CartService::add(std::int64_t user_id, std::int64_t product_id, int quantity) {
    if (auto status = check_quantity(quantity); !status.ok()) {
        return status.error();
    }
    const auto product = products_.find(product_id);
    if (!product) {
        return make_error(ErrorCode::kProductNotFound, "product " + std::to_string(product_id) + " not found");
    }
    if (product->status != domain::ProductStatus::kOnSale) {
        return make_error(
            ErrorCode::kCartProductUnavailable, "product " + std::to_string(product_id) + " is not on sale"
        );
    }
    // The repository merges and checks the limit atomically, so two concurrent adds cannot pass 99 together.
    if (!carts_.add(user_id, product_id, quantity, domain::kMaxCartQuantity, clock_.now())) {
        return make_error(
            ErrorCode::kCartQuantityLimit,
            "a cart line cannot hold more than " + std::to_string(domain::kMaxCartQuantity) + " units",
            "quantity"
        );
    }
    return line_of(user_id, product_id);
}

Result<domain::CartItem> CartService::update(std::int64_t user_id, std::int64_t product_id, int quantity) {
    if (auto status = check_quantity(quantity); !status.ok()) {
        return status.error();
    }
    if (!carts_.set_quantity(user_id, product_id, quantity, clock_.now())) {
        return cart_item_not_found(product_id);
    }
    return line_of(user_id, product_id);
}

Status CartService::remove(std::int64_t user_id, std::int64_t product_id) {
    if (!carts_.remove(user_id, product_id)) {
        return cart_item_not_found(product_id);
    }
    return ok_status();
}

void CartService::clear(std::int64_t user_id) {
    carts_.clear(user_id);
}

CartSummary CartService::list(std::int64_t user_id) {
    CartSummary summary;
    summary.items = carts_.list(user_id);
    for (const auto& item : summary.items) {
        if (available(item)) {
            summary.total_quantity += item.quantity;
            summary.total_price += item.price * item.quantity;
        }
    }
    return summary;
}

Result<domain::CartItem> CartService::line_of(std::int64_t user_id, std::int64_t product_id) {
    // Carts hold few lines, so reading the whole cart is cheaper than another repository method.
    for (auto& item : carts_.list(user_id)) {
        if (item.product_id == product_id) {
            return std::move(item);
        }
    }
    // Removed by a concurrent request right after our write.
    return cart_item_not_found(product_id);
}

}  // namespace gomall::services
