// Converts the registry's snapshots into the port's value types.
#include "adapters/metrics/registry_reader.hpp"

#include <utility>

namespace gomall::adapters::metrics {
namespace {

ports::MetricKind kind_of(MetricType type) {
    switch (type) {
        case MetricType::kCounter:
            return ports::MetricKind::kCounter;
        case MetricType::kHistogram:
            return ports::MetricKind::kHistogram;
        case MetricType::kGauge:
            break;
    }
    return ports::MetricKind::kGauge;
}

}  // namespace

std::vector<ports::MetricFamilyValues> RegistryReader::snapshot() const {
    auto families = registry_.collect();
    std::vector<ports::MetricFamilyValues> out;
    out.reserve(families.size());
    for (auto& family : families) {
        ports::MetricFamilyValues values;
        values.name = std::move(family.name);
        values.kind = kind_of(family.type);
        values.label_names = std::move(family.label_names);
        values.bounds = std::move(family.bounds);
        values.children.reserve(family.children.size());
        for (auto& child : family.children) {
            values.children.push_back(ports::MetricFamilyValues::Child{
                std::move(child.labels), child.value, std::move(child.cumulative), child.sum});
        }
        out.push_back(std::move(values));
    }
    return out;
}

}  // namespace gomall::adapters::metrics
