// The demo catalogue a fresh shop starts with, so a first run shows a browsable store.
#pragma once

#include "core/time.hpp"
#include "ports/product_repository.hpp"

namespace gomall::app {

/// Creates the demo categories and products (images under /images/products/) when the
/// catalogue is empty; does nothing when any product exists.
void seed_demo_catalog(gomall::ports::ProductRepository& products, gomall::TimePoint now);

}  // namespace gomall::app
