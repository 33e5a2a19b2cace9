// The catalogue's and the cart's values <-> their gomall.v1 messages, used by both ends of the
// catalogue service's rpc (ProductService, CartService). Money is cents and times unix millis on
// the wire, as everywhere in the package.
#pragma once

#include "domain/cart.hpp"
#include "domain/product.hpp"
#include "gomall/v1/catalog.pb.h"
#include "services/cart_api.hpp"

namespace gomall::rpc {

void to_message(const domain::Category& category, v1::Category& out);
domain::Category from_message(const v1::Category& in);

void to_message(const domain::Product& product, v1::Product& out);
domain::Product from_message(const v1::Product& in);

/// Every field of the query travels; a request without a page asks for the query's default page.
void to_message(const domain::ProductQuery& query, v1::ListProductsRequest& out);
domain::ProductQuery from_message(const v1::ListProductsRequest& in);

void to_message(const domain::Page<domain::Product>& page, v1::ListProductsResponse& out);
domain::Page<domain::Product> from_message(const v1::ListProductsResponse& in);

void to_message(const domain::NewProduct& product, v1::CreateProductRequest& out);
domain::NewProduct from_message(const v1::CreateProductRequest& in);

/// Only the patch's set fields are set (proto optional): absent ones stay as they are. The product
/// id is the caller's to set.
void to_message(const domain::ProductPatch& patch, v1::UpdateProductRequest& out);
domain::ProductPatch from_message(const v1::UpdateProductRequest& in);

void to_message(const domain::CartItem& item, v1::CartItem& out);
domain::CartItem from_message(const v1::CartItem& in);

void to_message(const services::CartSummary& summary, v1::CartSummary& out);
services::CartSummary from_message(const v1::CartSummary& in);

}  // namespace gomall::rpc
