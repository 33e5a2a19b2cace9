// Replaces the global operator new and delete of the benchmark executable (never the server) with
// malloc and free plus one relaxed counter, so the cases can count allocations per request.
#include "allocation_counter.hpp"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace gomall::bench {
namespace {

// Process-wide by necessity: operator new has no context to hang a counter on.
std::atomic<std::uint64_t> allocations{0};

void* counted_malloc(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}

void* counted_aligned(std::size_t size, std::align_val_t alignment) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    void* p = nullptr;
    const auto align = static_cast<std::size_t>(alignment);
    if (posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size == 0 ? 1 : size) != 0) {
        return nullptr;
    }
    return p;
}

void* or_throw(void* p) {
    if (p == nullptr) {
        throw std::bad_alloc();
    }
    return p;
}

}  // namespace

std::uint64_t allocations_so_far() {
    return allocations.load(std::memory_order_relaxed);
}

}  // namespace gomall::bench

void* operator new(std::size_t size) {
    return gomall::bench::or_throw(gomall::bench::counted_malloc(size));
}
void* operator new[](std::size_t size) {
    return gomall::bench::or_throw(gomall::bench::counted_malloc(size));
}
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
    return gomall::bench::counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t& /*tag*/) noexcept {
    return gomall::bench::counted_malloc(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
    return gomall::bench::or_throw(gomall::bench::counted_aligned(size, alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
    return gomall::bench::or_throw(gomall::bench::counted_aligned(size, alignment));
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t& /*tag*/) noexcept {
    return gomall::bench::counted_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t& /*tag*/) noexcept {
    return gomall::bench::counted_aligned(size, alignment);
}

void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t /*size*/, std::align_val_t /*alignment*/) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t /*alignment*/, const std::nothrow_t& /*tag*/) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t /*alignment*/, const std::nothrow_t& /*tag*/) noexcept {
    std::free(p);
}
