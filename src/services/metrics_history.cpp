// Implementation of the snapshot history.
#include "services/metrics_history.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace gomall::services {
namespace {

constexpr std::size_t kNotKept = std::numeric_limits<std::size_t>::max();
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::size_t width_of(const ports::MetricFamilyValues& family) {
    return family.kind == ports::MetricKind::kHistogram ? family.bounds.size() + 1 : 1;
}

// Where each label of `match` sits in the family's label names; nullopt-like empty result with
// ok=false when a name is unknown (then nothing can match).
bool positions_of(const ports::LabelNames& names, const LabelMatch& match, std::vector<std::size_t>& positions) {
    positions.clear();
    for (const auto& [name, value] : match) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
            return false;
        }
        positions.push_back(static_cast<std::size_t>(it - names.begin()));
    }
    return true;
}

bool matches(const ports::LabelValues& labels, const LabelMatch& match, const std::vector<std::size_t>& positions) {
    for (std::size_t i = 0; i < positions.size(); ++i) {
        if (labels[positions[i]] != match[i].second) {
            return false;
        }
    }
    return true;
}

}  // namespace

MetricsHistory::MetricsHistory(std::size_t capacity, std::size_t max_slots)
    : capacity_(capacity), max_slots_(max_slots) {
    if (capacity_ == 0 || max_slots_ == 0) {
        throw std::invalid_argument("a metrics history needs room for at least one sample and one value");
    }
}

std::size_t MetricsHistory::slot_for(Family& family, const ports::LabelValues& labels, std::size_t width) {
    if (const auto it = family.series.find(labels); it != family.series.end()) {
        return it->second;
    }
    if (slots_ + width > max_slots_) {
        ++dropped_series_;
        family.series.emplace(labels, kNotKept);  // counted once, not at every sample
        return kNotKept;
    }
    const std::size_t slot = slots_;
    slots_ += width;
    family.series.emplace(labels, slot);
    return slot;
}

void MetricsHistory::record(const std::vector<ports::MetricFamilyValues>& families, std::int64_t at_ms) {
    Row row;
    row.at_ms = at_ms;
    for (const auto& values : families) {
        auto [it, added] = families_.try_emplace(values.name);
        Family& family = it->second;
        if (added) {
            family.kind = values.kind;
            family.label_names = values.label_names;
            family.bounds = values.bounds;
        } else if (family.kind != values.kind || family.label_names != values.label_names || family.bounds != values.bounds) {
            continue;  // a different family under a known name: the first one seen is kept
        }
        const std::size_t width = width_of(values);
        for (const auto& child : values.children) {
            if (child.labels.size() != family.label_names.size()) {
                continue;
            }
            const std::size_t slot = slot_for(family, child.labels, width);
            if (slot == kNotKept) {
                continue;
            }
            if (row.values.size() < slot + width) {
                row.values.resize(slot + width, kMissing);
            }
            if (family.kind == ports::MetricKind::kHistogram) {
                if (child.cumulative.size() != width) {
                    continue;
                }
                for (std::size_t i = 0; i < width; ++i) {
                    row.values[slot + i] = static_cast<double>(child.cumulative[i]);
                }
            } else {
                row.values[slot] = child.value;
            }
        }
    }
    rows_.push_back(std::move(row));
    while (rows_.size() > capacity_) {
        rows_.pop_front();
    }
}

SeriesSelection MetricsHistory::select(const std::string& family, const LabelMatch& match) const {
    SeriesSelection selection;
    const auto it = families_.find(family);
    std::vector<std::size_t> positions;
    if (it == families_.end() || !positions_of(it->second.label_names, match, positions)) {
        return selection;
    }
    selection.width = it->second.kind == ports::MetricKind::kHistogram ? it->second.bounds.size() + 1 : 1;
    for (const auto& [labels, slot] : it->second.series) {
        if (slot != kNotKept && matches(labels, match, positions)) {
            selection.offsets.push_back(slot);
        }
    }
    return selection;
}

std::vector<SeriesGroup> MetricsHistory::group(
    const std::string& family, const ports::LabelNames& by, const LabelMatch& match
) const {
    std::vector<SeriesGroup> out;
    const auto it = families_.find(family);
    std::vector<std::size_t> positions;
    if (it == families_.end() || !positions_of(it->second.label_names, match, positions)) {
        return out;
    }
    LabelMatch by_match;
    for (const auto& name : by) {
        by_match.emplace_back(name, std::string{});
    }
    std::vector<std::size_t> by_positions;
    if (!positions_of(it->second.label_names, by_match, by_positions)) {
        return out;
    }
    const std::size_t width = it->second.kind == ports::MetricKind::kHistogram ? it->second.bounds.size() + 1 : 1;
    std::map<ports::LabelValues, SeriesSelection> groups;
    for (const auto& [labels, slot] : it->second.series) {
        if (slot == kNotKept || !matches(labels, match, positions)) {
            continue;
        }
        ports::LabelValues key;
        key.reserve(by_positions.size());
        for (const auto position : by_positions) {
            key.push_back(labels[position]);
        }
        auto& selection = groups[key];
        selection.width = width;
        selection.offsets.push_back(slot);
    }
    out.reserve(groups.size());
    for (auto& [key, selection] : groups) {
        out.push_back(SeriesGroup{key, std::move(selection)});
    }
    return out;
}

bool MetricsHistory::has_label(const std::string& family, const std::string& label) const {
    const auto it = families_.find(family);
    return it != families_.end() && std::find(it->second.label_names.begin(), it->second.label_names.end(), label) !=
                                        it->second.label_names.end();
}

std::vector<double> MetricsHistory::bounds(const std::string& family) const {
    const auto it = families_.find(family);
    return it == families_.end() ? std::vector<double>{} : it->second.bounds;
}

double MetricsHistory::sum(const SeriesSelection& selection, std::size_t sample) const {
    const auto& values = rows_[sample].values;
    double total = 0;
    bool any = false;
    for (const auto offset : selection.offsets) {
        if (offset < values.size() && !std::isnan(values[offset])) {
            total += values[offset];
            any = true;
        }
    }
    return any ? total : kMissing;
}

std::vector<double> MetricsHistory::buckets(const SeriesSelection& selection, std::size_t sample) const {
    const auto& values = rows_[sample].values;
    std::vector<double> total;
    for (const auto offset : selection.offsets) {
        if (offset + selection.width > values.size() || std::isnan(values[offset])) {
            continue;
        }
        if (total.empty()) {
            total.assign(selection.width, 0);
        }
        for (std::size_t i = 0; i < selection.width; ++i) {
            total[i] += values[offset + i];
        }
    }
    return total;
}

}  // namespace gomall::services
