// The monitor's metrics and their Prometheus text exposition (format 0.0.4), one registry the probe
// loop writes and the endpoint and textfile writer read.
//
// Families are declared once (name, help, type, label names, histogram buckets); samples are keyed
// by their label values. The set of label values is bounded by the rack (devices, probes, LED
// states), so the registry never grows after the first probe of every device: memory stays flat.
// Thread-safe: the probe loop updates while the HTTP endpoint renders.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig::monitor {

enum class MetricType { gauge, counter, histogram };

using LabelValues = std::vector<std::string>;

class MetricsRegistry {
 public:
  // Declares a family; label_names fixes the order of the values every update passes.
  void declare(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
               std::vector<double> buckets = {});

  void set(std::string_view name, const LabelValues& labels, double value);
  void add(std::string_view name, const LabelValues& labels, double amount = 1);
  void observe(std::string_view name, const LabelValues& labels, double value);
  // Drops every sample, in every family, whose label `label` has `value` (a device removed from the
  // rack on reload).
  void forget(std::string_view label, std::string_view value);

  // The whole registry in the Prometheus text format, families in declaration order.
  std::string exposition() const;

 private:
  struct Histogram {
    std::vector<double> counts;  // cumulative per bucket, +Inf last
    double sum = 0;
    double count = 0;
  };
  struct Family {
    std::string name;
    std::string help;
    MetricType type = MetricType::gauge;
    std::vector<std::string> label_names;
    std::vector<double> buckets;
    std::map<LabelValues, double> values;
    std::map<LabelValues, Histogram> histograms;
  };
  Family& family(std::string_view name, const LabelValues& labels);

  mutable std::mutex mutex_;
  std::vector<Family> families_;
};

// `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace cyanrig::monitor
