// One product, as the flash sale needs it when an activity is made: its name, image and normal
// price become the activity's snapshot. In one process the catalogue's own repository answers; in
// services mode the catalogue service does (the seckill service has no catalogue tables).
#pragma once

#include <cstdint>

#include "core/error.hpp"
#include "domain/product.hpp"

namespace gomall::ports {

class ProductLookup {
public:
    virtual ~ProductLookup() = default;

    /// The product, on sale or not; a deleted one is not found. Errors: kProductNotFound;
    /// kUnavailable when the catalogue cannot be asked now. Blocks.
    virtual Result<domain::Product> product(std::int64_t id) = 0;
};

}  // namespace gomall::ports
