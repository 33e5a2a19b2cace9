// Implementation of the two-level catalogue cache and its invalidation messages.
#include "services/catalog_cache.hpp"

#include <charconv>
#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "core/unavailable.hpp"

namespace gomall::services {
namespace {

/// The next space-separated word of `text`, removed from it.
std::string_view next_word(std::string_view& text) {
    const auto end = text.find(' ');
    const std::string_view word = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    return word;
}

std::optional<long long> parse_number(std::string_view word) {
    long long value = 0;
    const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (error != std::errc{} || end != word.data() + word.size() || word.empty()) {
        return std::nullopt;
    }
    return value;
}

/// `load` with its answer stamped with the instant before the database was read (the loaders of the
/// handlers know nothing of time; a stamp taken before the read errs on the side of freshness).
CachedAnswer read_database(const ports::Clock& clock, const ReadCache::Loader& load) {
    const TimePoint started = clock.now();
    CachedAnswer answer = load();
    answer.loaded_at = started;
    return answer;
}

std::chrono::milliseconds ttl_of(const CachedAnswer& answer, const ReadCacheSettings& settings) {
    return answer.found ? settings.ttl : settings.not_found_ttl;
}

}  // namespace

CatalogCache::CatalogCache(
    CatalogCacheSettings settings, const ports::Clock& clock, ports::SharedReadCache* shared, CircuitBreaker* breaker
)
    : clock_(clock),
      settings_(settings),
      shared_(shared),
      breaker_(breaker),
      detail_("product", settings.detail, clock),
      lists_("lists", settings.lists, clock) {}

void CatalogCache::measure_with(ports::Metrics& metrics) {
    detail_.measure_with(metrics);
    lists_.measure_with(metrics);
    // Read at scrape time under each cache's mutex; the scrape holds no lock of ours meanwhile.
    size_gauges_ = metrics.callback(
        ports::CallbackType::kGauge,
        "gomall_read_cache_bytes",
        "What a read cache holds: bytes (answers, keys, bookkeeping) with unit=\"bytes\", entries with "
        "unit=\"entries\".",
        {"cache", "unit"},
        [this] {
            std::vector<ports::Sample> samples;
            detail_.append_size_samples(samples);
            lists_.append_size_samples(samples);
            return samples;
        }
    );
    shared_errors_ = &metrics
                          .counter(
                              "gomall_read_cache_shared_errors_total",
                              "Calls to the shared level of the read cache (Redis) that failed or were refused "
                              "by its circuit breaker; the read went on to the database.",
                              {}
                          )
                          .with({});
    auto& shared_lookups = metrics.counter(
        "gomall_read_cache_shared_total",
        "Misses of this instance's memory looked up in the shared level (Redis), by result (hit: no database "
        "read).",
        {"result"}
    );
    shared_hits_ = &shared_lookups.with({"hit"});
    shared_misses_ = &shared_lookups.with({"miss"});
}

void CatalogCache::load_generation() {
    shared_call([this] { raise_generation(shared_->generation()); });
}

ReadCache::Answer CatalogCache::product(std::int64_t id, const ReadCache::Loader& load) {
    const std::string key = product_key(id);
    if (shared_ == nullptr) {
        return detail_.get_or_load(key, [&] { return read_database(clock_, load); });
    }
    return detail_.get_or_load(key, [&] { return through_shared("product:" + key, settings_.detail, load); });
}

ReadCache::Answer CatalogCache::list(const std::string& key, const ReadCache::Loader& load) {
    if (shared_ == nullptr) {
        return lists_.get_or_load(key, [&] { return read_database(clock_, load); });
    }
    return lists_.get_or_load(key, [&] {
        // The generation is read once per load: a change that bumps it meanwhile also clears this
        // level, so what this load answers is not kept here.
        const std::string shared_key = "list:" + std::to_string(generation_.load()) + ":" + key;
        return through_shared(shared_key, settings_.lists, load);
    });
}

CachedAnswer CatalogCache::through_shared(
    const std::string& shared_key, const ReadCacheSettings& settings, const ReadCache::Loader& load
) {
    std::optional<ports::SharedAnswer> hit;
    shared_call([&] { hit = shared_->get(shared_key); });
    if (hit) {
        CachedAnswer answer{std::move(hit->body), hit->found, hit->loaded_at};
        // The shared level's own expiry is coarse (and instances' clocks differ a little): the age
        // since the database read decides. An answer past 3/4 of its ttl would be due for its
        // refresh ahead at once (ReadCache::peek), so only a younger one saves the database read.
        if (clock_.now() < answer.loaded_at + (ttl_of(answer, settings) * 3 / 4)) {
            if (shared_hits_ != nullptr) {
                shared_hits_->inc();
            }
            return answer;
        }
    }
    if (shared_misses_ != nullptr) {
        shared_misses_->inc();
    }
    CachedAnswer fresh = read_database(clock_, load);
    shared_call([&] {
        shared_->put(
            shared_key, ports::SharedAnswer{fresh.body, fresh.found, fresh.loaded_at}, ttl_of(fresh, settings)
        );
    });
    return fresh;
}

void CatalogCache::product_changed(std::int64_t id) {
    detail_.invalidate(product_key(id));
    lists_.clear();
    shared_call([&] {
        shared_->remove("product:" + product_key(id));
        const long long generation = shared_->bump_generation();
        raise_generation(generation);
        shared_->publish("product " + product_key(id) + " " + std::to_string(generation));
    });
}

void CatalogCache::stock_changed(std::int64_t id) {
    detail_.invalidate(product_key(id));
    shared_call([&] {
        shared_->remove("product:" + product_key(id));
        shared_->publish("stock " + product_key(id));
    });
}

void CatalogCache::lists_changed() {
    lists_.clear();
    shared_call([&] {
        const long long generation = shared_->bump_generation();
        raise_generation(generation);
        shared_->publish("lists " + std::to_string(generation));
    });
}

void CatalogCache::on_message(std::string_view message) {
    const std::string_view kind = next_word(message);
    if (kind == "product") {
        const auto id = parse_number(next_word(message));
        const auto generation = parse_number(next_word(message));
        if (id && generation) {
            raise_generation(*generation);
            detail_.invalidate(product_key(*id));
            lists_.clear();
        }
    } else if (kind == "stock") {
        if (const auto id = parse_number(next_word(message))) {
            detail_.invalidate(product_key(*id));
        }
    } else if (kind == "lists") {
        if (const auto generation = parse_number(next_word(message))) {
            raise_generation(*generation);
            lists_.clear();
        }
    }
}

void CatalogCache::on_resubscribed() {
    load_generation();
    detail_.clear();
    lists_.clear();
}

template <class F>
bool CatalogCache::shared_call(F&& call) {
    if (shared_ == nullptr) {
        return false;
    }
    std::optional<CircuitBreaker::Call> permit = breaker_ != nullptr ? breaker_->try_call() : std::nullopt;
    if (breaker_ != nullptr && !permit) {
        if (shared_errors_ != nullptr) {
            shared_errors_->inc();
        }
        return false;
    }
    try {
        std::forward<F>(call)();
    } catch (const DependencyUnavailable&) {
        if (permit) {
            permit->failed();
        }
        if (shared_errors_ != nullptr) {
            shared_errors_->inc();
        }
        return false;
    } catch (const std::exception&) {
        // An answer we could not use (a corrupt entry, an error reply): Redis is reachable, so the
        // breaker hears nothing; the read goes on to the database.
        if (shared_errors_ != nullptr) {
            shared_errors_->inc();
        }
        return false;
    }
    if (permit) {
        permit->succeeded();
    }
    return true;
}

void CatalogCache::raise_generation(long long seen) {
    long long current = generation_.load();
    while (seen > current && !generation_.compare_exchange_weak(current, seen)) {
    }
}

}  // namespace gomall::services
