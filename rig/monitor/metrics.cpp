#include "rig/monitor/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cyanrig::monitor {
namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::gauge:
      return "gauge";
    case MetricType::counter:
      return "counter";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

// Prometheus floats: integers without a fraction, +Inf spelled its way.
std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

std::string label_text(const std::vector<std::string>& names, const LabelValues& values,
                       std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], escape_label_value(values[i]));
  }
  if (!extra_name.empty()) out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", extra_name, extra_value);
  return out.empty() ? out : "{" + out + "}";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricsRegistry::declare(std::string name, std::string help, MetricType type,
                              std::vector<std::string> label_names, std::vector<double> buckets) {
  const std::lock_guard lock(mutex_);
  std::sort(buckets.begin(), buckets.end());
  families_.push_back(Family{.name = std::move(name),
                             .help = std::move(help),
                             .type = type,
                             .label_names = std::move(label_names),
                             .buckets = std::move(buckets)});
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, const LabelValues& labels) {
  for (Family& f : families_) {
    if (f.name != name) continue;
    if (labels.size() != f.label_names.size())
      throw std::logic_error(
          fmt::format("metric {}: {} label values for {} labels", name, labels.size(), f.label_names.size()));
    return f;
  }
  throw std::logic_error(fmt::format("metric {} was never declared", name));
}

void MetricsRegistry::set(std::string_view name, const LabelValues& labels, double value) {
  const std::lock_guard lock(mutex_);
  family(name, labels).values[labels] = value;
}

void MetricsRegistry::add(std::string_view name, const LabelValues& labels, double amount) {
  const std::lock_guard lock(mutex_);
  family(name, labels).values[labels] += amount;
}

void MetricsRegistry::observe(std::string_view name, const LabelValues& labels, double value) {
  const std::lock_guard lock(mutex_);
  Family& f = family(name, labels);
  Histogram& h = f.histograms[labels];
  if (h.counts.empty()) h.counts.assign(f.buckets.size() + 1, 0);
  for (std::size_t i = 0; i < f.buckets.size(); ++i) {
    if (value <= f.buckets[i]) h.counts[i] += 1;
  }
  h.counts.back() += 1;
  h.sum += value;
  h.count += 1;
}

void MetricsRegistry::forget(std::string_view label, std::string_view value) {
  const std::lock_guard lock(mutex_);
  for (Family& f : families_) {
    const auto at = std::find(f.label_names.begin(), f.label_names.end(), label);
    if (at == f.label_names.end()) continue;
    const auto index = static_cast<std::size_t>(at - f.label_names.begin());
    std::erase_if(f.values, [&](const auto& sample) { return sample.first[index] == value; });
    std::erase_if(f.histograms, [&](const auto& sample) { return sample.first[index] == value; });
  }
}

std::string MetricsRegistry::exposition() const {
  const std::lock_guard lock(mutex_);
  std::string out;
  for (const Family& f : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, type_name(f.type));
    for (const auto& [labels, value] : f.values) {
      out += fmt::format("{}{} {}\n", f.name, label_text(f.label_names, labels), number(value));
    }
    for (const auto& [labels, h] : f.histograms) {
      for (std::size_t i = 0; i <= f.buckets.size(); ++i) {
        const std::string le = i < f.buckets.size() ? number(f.buckets[i]) : "+Inf";
        out += fmt::format("{}_bucket{} {}\n", f.name, label_text(f.label_names, labels, "le", le),
                           number(h.counts[i]));
      }
      out += fmt::format("{}_sum{} {}\n", f.name, label_text(f.label_names, labels), number(h.sum));
      out += fmt::format("{}_count{} {}\n", f.name, label_text(f.label_names, labels), number(h.count));
    }
  }
  return out;
}

}  // namespace cyanrig::monitor
