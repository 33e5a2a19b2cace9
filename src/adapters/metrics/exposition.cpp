#include "adapters/metrics/exposition.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <system_error>

namespace gomall::adapters::metrics {
namespace {

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// `{a="x",b="y"}`, with `le="bound"` last when given; nothing when there are no labels at all.
void append_labels(
    std::string& out, const ports::LabelNames& names, const ports::LabelValues& values, const std::string* le = nullptr
) {
    if (names.empty() && le == nullptr) {
        return;
    }
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += names[i];
        out += "=\"";
        out += escape_label_value(i < values.size() ? std::string_view(values[i]) : std::string_view());
        out += '"';
    }
    if (le != nullptr) {
        if (!names.empty()) {
            out += ',';
        }
        out += "le=\"";
        out += *le;
        out += '"';
    }
    out += '}';
}

void append_sample(
    std::string& out,
    const std::string& name,
    std::string_view suffix,
    const ports::LabelNames& names,
    const ports::LabelValues& values,
    const std::string& value,
    const std::string* le = nullptr
) {
    out += name;
    out += suffix;
    append_labels(out, names, values, le);
    out += ' ';
    out += value;
    out += '\n';
}

std::string_view type_name(MetricType type) {
    switch (type) {
        case MetricType::kCounter:
            return "counter";
        case MetricType::kGauge:
            return "gauge";
        case MetricType::kHistogram:
            return "histogram";
    }
    return "untyped";
}

}  // namespace

std::string format_value(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (result.ec != std::errc()) {
        return "NaN";  // cannot happen: 32 characters hold any double's shortest form
    }
    return {buffer.data(), result.ptr};
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

bool is_valid_metric_name(std::string_view name) {
    if (name.empty() || is_digit(name.front())) {
        return false;
    }
    for (const char c : name) {
        if (!is_letter(c) && !is_digit(c) && c != '_' && c != ':') {
            return false;
        }
    }
    return true;
}

bool is_valid_label_name(std::string_view name) {
    if (name.empty() || is_digit(name.front()) || name.substr(0, 2) == "__") {
        return false;
    }
    for (const char c : name) {
        if (!is_letter(c) && !is_digit(c) && c != '_') {
            return false;
        }
    }
    return true;
}

std::string write_text(const std::vector<FamilySnapshot>& families) {
    std::string out;
    for (const auto& family : families) {
        if (family.children.empty()) {
            continue;
        }
        out += "# HELP ";
        out += family.name;
        out += ' ';
        out += escape_help(family.help);
        out += "\n# TYPE ";
        out += family.name;
        out += ' ';
        out += type_name(family.type);
        out += '\n';
        for (const auto& child : family.children) {
            if (family.type != MetricType::kHistogram) {
                append_sample(out, family.name, "", family.label_names, child.labels, format_value(child.value));
                continue;
            }
            // One bucket line per bound and +Inf; a snapshot short of counts repeats the last one.
            std::uint64_t count = 0;
            for (std::size_t i = 0; i <= family.bounds.size(); ++i) {
                if (i < child.cumulative.size()) {
                    count = child.cumulative[i];
                }
                const std::string le = i < family.bounds.size() ? format_value(family.bounds[i]) : "+Inf";
                append_sample(
                    out, family.name, "_bucket", family.label_names, child.labels, std::to_string(count), &le
                );
            }
            append_sample(out, family.name, "_sum", family.label_names, child.labels, format_value(child.sum));
            append_sample(out, family.name, "_count", family.label_names, child.labels, std::to_string(count));
        }
    }
    return out;
}

}  // namespace gomall::adapters::metrics
