// A short history of metric snapshots (a ring of the last N), kept so that rates and latency
// quantiles over the last seconds can be computed inside the shop, the way Prometheus would compute
// them from its own scrapes. Plain data, not thread-safe: its owner locks.
//
// Storage: every distinct (family, label values) seen becomes a series with a fixed slot range in
// each sample's row (one slot for a counter or gauge, bounds+1 cumulative buckets for a histogram),
// so a sample costs one vector of doubles, not a copy of every name and label. The number of slots
// is capped; series beyond the cap are not kept (and counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ports/metrics_reader.hpp"

namespace gomall::services {

/// Label name = value conditions a series must meet.
using LabelMatch = std::vector<std::pair<std::string, std::string>>;

/// Some series of one family, resolved to their slots: what the per-sample sums read.
struct SeriesSelection {
    std::size_t width = 0;             // 1, or buckets for a histogram
    std::vector<std::size_t> offsets;  // first slot of each matching series
    bool empty() const { return offsets.empty(); }
};

/// The series of a family grouped by some of its labels (route and method; outcome).
struct SeriesGroup {
    ports::LabelValues key;  // the values of the grouping labels, in the order asked
    SeriesSelection selection;
};

class MetricsHistory {
public:
    /// Keeps the last `capacity` samples and at most `max_slots` values per sample.
    MetricsHistory(std::size_t capacity, std::size_t max_slots);

    /// Appends one sample taken at `at_ms` (Unix milliseconds), dropping the oldest beyond capacity.
    void record(const std::vector<ports::MetricFamilyValues>& families, std::int64_t at_ms);

    std::size_t size() const { return rows_.size(); }
    std::int64_t at_ms(std::size_t sample) const { return rows_[sample].at_ms; }
    /// Series not kept because the slot cap was reached (since construction).
    std::size_t dropped_series() const { return dropped_series_; }

    /// The series of `family` whose labels meet `match` (empty when the family or a label is unknown).
    SeriesSelection select(const std::string& family, const LabelMatch& match = {}) const;
    /// The same, grouped by the values of `by` (label names of the family), groups sorted by key.
    std::vector<SeriesGroup> group(const std::string& family, const ports::LabelNames& by, const LabelMatch& match = {})
        const;
    /// Whether `family` is known and has a label called `label`.
    bool has_label(const std::string& family, const std::string& label) const;
    /// A histogram family's finite bucket bounds (empty for other kinds or an unknown family).
    std::vector<double> bounds(const std::string& family) const;

    /// Sum of the selected series' values at `sample`; NaN when none of them existed yet then.
    double sum(const SeriesSelection& selection, std::size_t sample) const;
    /// Element-wise sum of the selected histograms' cumulative buckets at `sample`; empty when none
    /// of them existed yet then.
    std::vector<double> buckets(const SeriesSelection& selection, std::size_t sample) const;

private:
    struct Family {
        ports::MetricKind kind = ports::MetricKind::kGauge;
        ports::LabelNames label_names;
        std::vector<double> bounds;
        std::map<ports::LabelValues, std::size_t> series;  // label values -> first slot
    };
    struct Row {
        std::int64_t at_ms = 0;
        std::vector<double> values;  // by slot; shorter than slots_ for rows taken before a series appeared
    };

    std::size_t slot_for(Family& family, const ports::LabelValues& labels, std::size_t width);

    std::size_t capacity_;
    std::size_t max_slots_;
    std::size_t slots_ = 0;
    std::size_t dropped_series_ = 0;
    std::map<std::string, Family> families_;
    std::deque<Row> rows_;
};

}  // namespace gomall::services
